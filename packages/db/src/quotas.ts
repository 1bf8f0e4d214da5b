// The compute a project has waiting or running, for the API's queued-work quota: the training term
// of the engine's cost estimate (@mfsim/engine/cost) over the steps not yet done, summed in SQL so
// a project with thousands of queued runs costs one query.
import type { Database } from './client.ts';

const QUEUED_FLOPS = `
  SELECT COALESCE(SUM(
    GREATEST("totalSteps" - "stepsDone", 0)::float8 * replicas * width
    * (COALESCE((spec->'inputs'->>'d')::float8, 1) + 2) * 6
    * CASE WHEN spec->'training'->>'dynamics' IN ('sgd', 'minibatch') THEN COALESCE((spec->'training'->>'batchSize')::float8, 1)
           ELSE COALESCE((spec->'training'->>'trainSize')::float8, 1024) END
  ), 0) AS flops
  FROM simulations WHERE project = $1 AND status IN ('queued', 'running')`;

/** Estimated operations of the project's queued and running simulations (their remaining steps). */
export async function queuedFlops(db: Database, project: string): Promise<number> {
  const r = await db.pool.query<{ flops: number }>({ name: 'queued-flops', text: QUEUED_FLOPS, values: [project] });
  return Number(r.rows[0]?.flops ?? 0);
}
