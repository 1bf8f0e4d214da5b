// Submitting a sweep: validate the request and every grid point, refuse points no worker can
// hold, write the sweep and its children in one transaction, queue the flow. Nothing is written
// or queued when any point is refused; a sweep whose flow cannot be queued is removed.
import { randomInt } from 'node:crypto';
import type { FlowProducer } from 'bullmq';
import { expandSweep, sweepChildRole, sweepRequestSchema, type FieldIssue } from '@mfsim/contracts';
import { findDatasetShape, type IdempotentWrite, type SweepRow, type WrittenSweep } from '@mfsim/db';
import { gpuWorkersRegistered } from '@mfsim/queue';
import { launchSweep, SweepQueueError } from '@mfsim/lifecycle';
import { estimateMemory } from '@mfsim/engine/memory';
import type { ApiDeps } from './deps.ts';
import { checkQuotas } from './quotas.ts';
import { parseOr400, RequestError, UnavailableError } from './errors.ts';
import { keyTakenOver } from './idempotency.ts';

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
  expansion.points.forEach(({ point, spec }) => {
    const bytes = estimateMemory(spec).bytes;
    if (bytes > deps.memoryBudgetBytes) {
      const k = widths?.indexOf(spec.student.width) ?? -1;
      issues.push({
        path: sweepChildRole(point) === 'reference' ? 'reference.width' : k >= 0 ? `grid.student.width.${k}` : 'base.student.width',
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
  return { request, expansion };
}

function dedupe(issues: FieldIssue[]) {
  return [...new Map(issues.map((i) => [`${i.path}\u0000${i.message}`, i])).values()];
}

const invalid = (issues: FieldIssue[]) =>
  new RequestError(400, `invalid sweep: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);

/**
 * Checks, stores and queues a sweep owned by `project`. `idempotent`: the request's Idempotency-Key,
 * whose reply is recorded in the transaction that writes the sweep and its children.
 */
export async function submitSweep(
  deps: ApiDeps, flows: FlowProducer, body: unknown, project: string, o: { idempotent?: IdempotentWrite<WrittenSweep> } = {},
): Promise<SweepRow> {
  const { request, expansion } = await checkSweepRequest(deps, body, project);
  await checkQuotas(deps, expansion.points.map((p) => p.spec), project, 'base.');
  try {
    return await launchSweep({ ...deps, flows }, { project, request, expansion, removeOnQueueFailure: true, idempotent: o.idempotent });
  } catch (err) {
    if (err instanceof SweepQueueError) throw new UnavailableError(err.message);
    return keyTakenOver(err);
  }
}
