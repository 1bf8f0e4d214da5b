// Per-project quotas on what a submission may cost (issue 13): its compute (FLOPs) and storage
// (bytes), estimated by the engine before anything is written, and the compute the project already
// has queued or running. Over a quota: a 4xx naming the limit with the estimate in the message.
import type { Spec } from '@mfsim/contracts';
import { queuedFlops } from '@mfsim/db';
import { estimateCost } from '@mfsim/engine/cost';
import type { ApiDeps } from './deps.ts';
import { RequestError } from './errors.ts';

export interface Quotas {
  maxFlopsPerSubmission: number;
  maxBytesPerSubmission: number;
  maxQueuedFlopsPerProject: number;
}

const sci = (x: number) => x.toExponential(2);
const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;

/**
 * Refuses `specs` (one simulation, or a sweep's points) of `project` when their estimate is over a
 * quota: 400 for one submission over its size (it can never run), 429 when the project's queued
 * work would pass its quota (it can, once some has run; not checked with `queued: false`).
 * `where` prefixes the field paths.
 */
export async function checkQuotas(deps: ApiDeps, specs: Spec[], project: string, where = '', o: { queued?: boolean } = {}) {
  const q = deps.quotas;
  if (!q) return;
  let flops = 0;
  let bytes = 0;
  for (const spec of specs) {
    const c = estimateCost(spec);
    flops += c.flops;
    bytes += c.bytes;
  }
  const what = specs.length > 1 ? `these ${specs.length} simulations` : 'this simulation';
  if (flops > q.maxFlopsPerSubmission) {
    const message = `${what} would take about ${sci(flops)} floating-point operations, over the quota of ${sci(q.maxFlopsPerSubmission)} per submission (MFSIM_MAX_FLOPS_PER_SUBMISSION)`;
    throw new RequestError(400, `over the compute quota: ${message}`, [
      { path: `${where}training.steps`, message }, { path: `${where}student.width`, message },
    ]);
  }
  if (bytes > q.maxBytesPerSubmission) {
    const message = `${what} would store about ${gib(bytes)} (trajectory points and snapshots), over the quota of ${gib(q.maxBytesPerSubmission)} per submission (MFSIM_MAX_BYTES_PER_SUBMISSION)`;
    throw new RequestError(400, `over the storage quota: ${message}`, [
      { path: `${where}record`, message }, { path: `${where}replicas`, message },
    ]);
  }
  // A schedule's template is checked for its size only: its firings are what get queued.
  if (o.queued === false) return;
  const queued = await queuedFlops(deps.db, project);
  if (queued + flops > q.maxQueuedFlopsPerProject) {
    const message = `project "${project}" has about ${sci(queued)} floating-point operations queued or running; ${what} would add ${sci(flops)}, over its quota of ${sci(q.maxQueuedFlopsPerProject)} (MFSIM_MAX_QUEUED_FLOPS_PER_PROJECT); retry when some has finished`;
    throw new RequestError(429, `over the queued-work quota: ${message}`, [{ path: '(project)', message }]);
  }
}
