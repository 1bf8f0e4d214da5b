// Worker placement: GPU and CPU workers take from their own queues; `resources.gpu` chooses.
// No GPU is on the CI machine, so the "GPU worker" here is a worker on the gpu queue running the
// native kernel: what is tested is the placement, not the CUDA kernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { smallSpec, startService, startTestWorker, waitFor } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
let gpuWorker: Awaited<ReturnType<typeof startTestWorker>> | undefined;
const api = () => request(service.app.server);

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await gpuWorker?.close();
  // Leave the registry as other test files expect it: no GPU worker has ever registered.
  await service.deps.redis.del('mfsim:workers:gpu');
  await service.close();
});

describe('placement on GPU and CPU workers', () => {
  it('sends "required" to the GPU queue once a GPU worker has registered, and stores its device', async () => {
    expect((await api().post('/v1/simulations').send(smallSpec({ resources: { gpu: 'required' } }))).status).toBe(400);

    gpuWorker = await startTestWorker({ MFSIM_WORKER_KIND: 'gpu', MFSIM_KERNEL: 'native' });
    const post = await api().post('/v1/simulations').send(smallSpec({ resources: { gpu: 'required' } }));
    expect(post.status).toBe(201);
    expect(await service.deps.queues.gpu.getJob(post.body.id)).toBeDefined();
    expect(await service.deps.queues.cpu.getJob(post.body.id)).toBeUndefined();

    const done = await waitFor(async () => {
      const r = await api().get(`/v1/simulations/${post.body.id}`);
      return r.body.status === 'completed' ? r.body : undefined;
    }, 120_000, 'the GPU-queue run'); // the worker, on a loaded machine
    expect(done.device).toBe(gpuWorker.engine.info.device);
    expect(done.backend).toBe(gpuWorker.engine.info.kernel);
  }, 180_000);

  it('keeps "no" on the CPU queue even when a GPU worker exists', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec({ resources: { gpu: 'no' } }));
    expect(post.status).toBe(201);
    expect(await service.deps.queues.cpu.getJob(post.body.id)).toBeDefined();
    expect(await service.deps.queues.gpu.getJob(post.body.id)).toBeUndefined();
    await service.deps.queues.cpu.remove(post.body.id);
  });
});
