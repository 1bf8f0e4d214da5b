// A run handed back on a worker's shutdown (row `running`, lease released, job waiting in Redis)
// whose job a Redis without persistence then lost: found by `npm run chaos` stuck `running` for
// good, since recovery looked only at expired leases. Recovery now takes a running row with no
// live lease (none or expired) whose job is gone, and queues it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimRun, createSimulation, findSimulation, releaseLease } from '@mfsim/db';
import { specSchema } from '@mfsim/contracts';
import { openApiDeps } from '../src/services.ts';
import { recoverLostJobs, requeueExpiredLeases } from '../src/recovery.ts';
import { enqueueSimulation } from '@mfsim/queue';

let deps: ReturnType<typeof openApiDeps>;
beforeAll(() => {
  deps = openApiDeps({ databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL, memoryBudgetBytes: 4 * 1024 ** 3 });
});
afterAll(async () => {
  await deps?.close();
});

const spec = specSchema.parse({
  name: 'handed back', seed: 3, replicas: 1, resources: { gpu: 'no' },
  inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 16, dt: 0.2, steps: 20 }, record: { every: 10, testSize: 16, probes: 0 },
});

describe('recovery of a handed-back run whose job Redis lost', () => {
  it('queues again a running row with no lease and no job, and leaves one whose job still waits', async () => {
    const handedBack = async () => {
      const { id } = await createSimulation(deps.db, { spec, seed: 3, totalSteps: 20 });
      expect(await claimRun(deps.db, id, { owner: 'worker-a', leaseSeconds: 60, backend: 'reference', device: 'cpu' })).not.toBeNull();
      await releaseLease(deps.db, id, 'worker-a'); // what a worker's hand-back on SIGTERM leaves
      expect((await findSimulation(deps.db, id))?.status).toBe('running');
      return id;
    };
    const lost = await handedBack();
    const waiting = await handedBack();
    await enqueueSimulation(deps.queues.cpu, waiting); // its job still waits for a worker: not lost

    const requeued = await requeueExpiredLeases(deps);
    expect(requeued).toContain(lost);
    expect(requeued).not.toContain(waiting);
    expect((await findSimulation(deps.db, lost))?.status).toBe('queued');
    expect((await findSimulation(deps.db, waiting))?.status).toBe('running');
    expect((await recoverLostJobs(deps, { settleMs: 100 })).simulations).toContain(lost);
    expect(await deps.queues.cpu.getJob(lost)).toBeDefined();
    // A hand-back is not a death: the next claim counts none.
    const claim = await claimRun(deps.db, lost, { owner: 'worker-b', leaseSeconds: 60, backend: 'reference', device: 'cpu' });
    expect(claim?.workerDeaths).toBe(0);
    for (const id of [lost, waiting]) await (await deps.queues.cpu.getJob(id))?.remove();
  });
});
