// Submitting a sweep: validate the request and every grid point, refuse points no worker can
// hold, write the sweep and its children in one transaction, queue the flow. Nothing is written
// or queued when any point is refused; a sweep whose flow cannot be queued is removed.
import { randomInt } from 'node:crypto';
import type { FlowProducer } from 'bullmq';
import { expandSweep, sweepRequestSchema, type FieldIssue, type SweepRequest } from '@mfsim/contracts';
import { createSweep, deleteSweep, findDatasetShape, type SweepRow } from '@mfsim/db';
import { enqueueSweepFlow, gpuWorkersRegistered, queueKindFor } from '@mfsim/queue';
import { estimateMemory } from '@mfsim/engine/memory';
import type { ApiDeps } from './deps.ts';
import { checkQuotas } from './quotas.ts';
import { parseOr400, RequestError, UnavailableError } from './errors.ts';

const GiB = 1024 ** 3;

/**
 * Checks a sweep request of `project` through and through (a dataset it names must be that
 * project's); returns its points, or throws a 400 naming the fields.
 */
export async function checkSweepRequest(deps: ApiDeps, body: unknown, project: string, where = '') {
  const request = parseOr400(sweepRequestSchema, body, 'sweep');
  const expansion = expandSweep(request, randomInt(0, 2 ** 31));
  const prefix = (issues: FieldIssue[]) => issues.map((i) => ({ ...i, path: `${where}${i.path}` }));
  if (!expansion.ok) throw invalid(prefix(expansion.issues));

  const issues: FieldIssue[] = [];
  const widths = request.grid['student.width'];
  const haveGpu = await gpuWorkersRegistered(deps.redis);
  expansion.points.forEach(({ spec }) => {
    const bytes = estimateMemory(spec).bytes;
    if (bytes > deps.memoryBudgetBytes) {
      const k = widths?.indexOf(spec.student.width) ?? -1;
      issues.push({
        path: k >= 0 ? `grid.student.width.${k}` : 'base.student.width',
        message: `needs about ${(bytes / GiB).toFixed(2)} GiB, over the worker budget of ${(deps.memoryBudgetBytes / GiB).toFixed(2)} GiB`,
      });
    }
    if (spec.resources.gpu === 'required' && !haveGpu) {
      issues.push({ path: 'base.resources.gpu', message: '"required", but no GPU worker has ever registered; use "preferred" or "no"' });
    }
  });
  const datasetIds = new Set(expansion.points.flatMap(({ spec }) => (spec.inputs.kind === 'dataset' && spec.inputs.datasetId ? [spec.inputs.datasetId] : [])));
  for (const id of datasetIds) {
    if (!(await findDatasetShape(deps.db, id, project))) issues.push({ path: 'base.inputs.datasetId', message: `no stored dataset ${id}` });
  }
  if (issues.length > 0) throw invalid(prefix(dedupe(issues)));
  // Sizes here; the queued work of the project when it is submitted (a schedule's firings are).
  await checkQuotas(deps, expansion.points.map((p) => p.spec), project, `${where}base.`, { queued: false });
  return { request, expansion, haveGpu };
}

function dedupe(issues: FieldIssue[]) {
  return [...new Map(issues.map((i) => [`${i.path}\u0000${i.message}`, i])).values()];
}

const invalid = (issues: FieldIssue[]) =>
  new RequestError(400, `invalid sweep: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);

export async function submitSweep(deps: ApiDeps, flows: FlowProducer, body: unknown, project: string): Promise<SweepRow> {
  const { request, expansion, haveGpu } = await checkSweepRequest(deps, body, project);
  await checkQuotas(deps, expansion.points.map((p) => p.spec), project, 'base.');
  return launchSweep(deps, flows, request, expansion, haveGpu, project);
}

async function launchSweep(
  deps: ApiDeps,
  flows: FlowProducer,
  request: SweepRequest,
  expansion: Extract<ReturnType<typeof expandSweep>, { ok: true }>,
  haveGpu: boolean,
  project: string,
): Promise<SweepRow> {
  const { sweep, childIds } = await createSweep(deps.db, {
    project,
    name: request.name,
    base: request.base,
    grid: request.grid,
    replicas: expansion.points[0].spec.replicas,
    seed: expansion.seed,
    points: expansion.points,
  });
  try {
    await enqueueSweepFlow(
      flows,
      sweep.id,
      childIds.map((simulationId, i) => ({ simulationId, kind: queueKindFor(expansion.points[i].spec.resources.gpu, haveGpu) })),
    );
  } catch (err) {
    await deleteSweep(deps.db, sweep.id);
    throw new UnavailableError(`could not queue the sweep: ${(err as Error).message}`);
  }
  return sweep;
}
