// A sweep's mean-field reference through the real service: `reference: {width, replicas}` adds one
// wide child per series, marked `role: "reference"`, left out of the plain width scaling; the
// statistics, the scaling at a time and GET /v1/sweeps/{id}/limits (JSON and CSV) carry the scaling
// of the excess m_n - L_ref with L_ref the reference's own mean loss. Without a reference, a
// mean-field sweep's /limits gives L_inf of the L_inf + a/n fit. Bad references answer 400 naming
// the field, and nothing is written.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_LIMITS_CSV_COLUMNS } from '@mfsim/contracts';
import { gpuWorkersKnown } from '@mfsim/lifecycle';
import { startService, startTestWorker, waitFor } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
const api = () => request(service.app.server);

const base = {
  name: 'reference sweep',
  seed: 5,
  inputs: { kind: 'gaussian', d: 4 },
  target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: 8 },
  training: { dynamics: 'gd', trainSize: 64, dt: 0.2, steps: 60 },
  record: { every: 20, testSize: 128, probes: 4 },
};

async function finishedSweep(id: string) {
  return waitFor(async () => {
    const r = await api().get(`/v1/sweeps/${id}`);
    return ['completed', 'cancelled'].includes(r.body.status) ? r.body : undefined;
  }, 300_000, `sweep ${id} to finish`);
}

type Row = { step: number; meanLoss: number | null };
type Point = { width: number; meanLoss: number };

beforeAll(async () => {
  service = await startService();
  worker = await startTestWorker();
});

afterAll(async () => {
  await worker?.close();
  await service?.close();
});

describe('a sweep with a mean-field reference', () => {
  it('runs a marked reference child, keeps it out of the plain scaling, and reports the excess scaling', async () => {
    const post = await api().post('/v1/sweeps').send({ base, grid: { 'student.width': [8, 16, 32] }, replicas: 4, reference: { width: 256, replicas: 6 } });
    expect(post.status).toBe(201);
    expect(post.body.reference).toEqual({ width: 256, replicas: 6 });
    expect(post.body.children.map((c: { width: number; role: string }) => [c.width, c.role])).toEqual([[8, 'grid'], [16, 'grid'], [32, 'grid'], [256, 'reference']]);
    const id = post.body.id;
    const referenceId = post.body.children[3].simulationId;
    const child = await api().get(`/v1/simulations/${referenceId}`).expect(200);
    expect(child.body.spec).toMatchObject({ replicas: 6, student: { width: 256 } });
    expect(child.body.name).toMatch(/width=256 .*reference$/);

    const done = await finishedSweep(id);
    expect(done.status).toBe('completed');
    const listed = await api().get('/v1/sweeps?limit=5').expect(200);
    expect(listed.body.items.find((s: { id: string }) => s.id === id).reference).toEqual({ width: 256, replicas: 6 });

    const stats = (await api().get(`/v1/sweeps/${id}/statistics`).expect(200)).body;
    expect(stats.series).toHaveLength(1);
    const series = stats.series[0];
    expect(series.widths).toEqual([8, 16, 32]);
    expect(series.byWidth.map((b: { width: number }) => b.width)).toEqual([8, 16, 32]);
    expect(series.reference).toMatchObject({ width: 256, simulationId: referenceId, status: 'completed' });
    const referenceRows = series.reference.rows as Row[];
    expect(referenceRows.map((r) => r.step)).toEqual([0, 20, 40, 60]);
    expect(series.scaling).toHaveLength(4);
    for (const s of series.scaling) {
      // the plain scaling never sees the reference width
      expect(s.points.every((p: Point) => p.width !== 256)).toBe(true);
      expect([...s.missingWidths, ...s.excludedWidths]).not.toContain(256);
      // L_ref(t) is the reference run's own mean loss at that step, and each excess is m_n - L_ref
      const lRef = referenceRows.find((r) => r.step === s.step)!.meanLoss!;
      expect(s.excess.reference.width).toBe(256);
      expect(s.excess.reference.count).toBe(6);
      expect(s.excess.reference.meanLoss).toBeCloseTo(lRef, 12);
      for (const e of s.excess.points as (Point & { standardError: number })[]) {
        const plain = (s.points as (Point & { standardError: number })[]).find((p) => p.width === e.width)!;
        expect(e.meanLoss).toBeCloseTo(plain.meanLoss - lRef, 12);
        expect(e.standardError).toBeCloseTo(Math.hypot(plain.standardError, s.excess.reference.standardError), 12);
      }
      expect(typeof s.excess.verdict).toBe('string');
      expect(s.excess.alpha === null ? typeof s.excess.reason : typeof s.excess.goodness.pValue).toBe(s.excess.alpha === null ? 'string' : 'number');
    }
    const last = series.scaling.at(-1);
    const scaling = (await api().get(`/v1/sweeps/${id}/scaling?time=12`).expect(200)).body;
    expect(scaling.time).toBe(12);
    expect(scaling.excess).toEqual(last.excess);

    const limits = (await api().get(`/v1/sweeps/${id}/limits`).expect(200)).body;
    expect(limits.children.map((c: { role: string }) => c.role)).toEqual(['grid', 'grid', 'grid', 'reference']);
    expect(limits.meanField).toHaveLength(1);
    const mf = limits.meanField[0];
    expect(mf).toMatchObject({ series: {}, source: 'reference', reference: { simulationId: referenceId, width: 256, replicas: 6, status: 'completed' } });
    expect(mf.points.map((p: { step: number }) => p.step)).toEqual([0, 20, 40, 60]);
    mf.points.forEach((p: { step: number; loss: number; lower: number; upper: number }) => {
      expect(p.loss).toBeCloseTo(referenceRows.find((r) => r.step === p.step)!.meanLoss!, 12);
      expect(p.lower).toBeLessThan(p.loss);
      expect(p.upper).toBeGreaterThan(p.loss);
    });
    expect(mf.excess.map((e: { step: number; fit: unknown }) => [e.step, e.fit])).toEqual(series.scaling.map((s: { step: number; excess: unknown }) => [s.step, s.excess]));

    const csv = await api().get(`/v1/sweeps/${id}/limits?format=csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(SWEEP_LIMITS_CSV_COLUMNS);
    const columns = lines[0].split(',');
    expect(lines.every((l) => l.split(',').length === columns.length)).toBe(true);
    const section = columns.indexOf('section');
    const meanFieldRows = lines.filter((l) => l.split(',')[section] === 'mean-field');
    const excessRows = lines.filter((l) => l.split(',')[section] === 'excess');
    expect(meanFieldRows).toHaveLength(4);
    expect(excessRows).toHaveLength(4);
    const lastExcess = excessRows.at(-1)!.split(',');
    expect(lastExcess[columns.indexOf('alpha')]).toBe(last.excess.alpha === null ? '' : String(last.excess.alpha));
    expect(lastExcess[columns.indexOf('pValue')]).toBe(last.excess.goodness?.pValue == null ? '' : String(last.excess.goodness.pValue));
  }, 360_000);

  it('without a reference, a mean-field sweep\'s limits give L_inf of the L_inf + a/n fit', async () => {
    const post = await api().post('/v1/sweeps').send({ base, grid: { 'student.width': [8, 16, 32] }, replicas: 3 }).expect(201);
    expect(post.body.reference).toBeNull();
    expect(post.body.children.every((c: { role: string }) => c.role === 'grid')).toBe(true);
    expect((await finishedSweep(post.body.id)).status).toBe('completed');
    const stats = (await api().get(`/v1/sweeps/${post.body.id}/statistics`).expect(200)).body;
    expect(stats.series[0].reference).toBeNull();
    expect(stats.series[0].scaling.every((s: { excess: unknown }) => s.excess === null)).toBe(true);
    const limits = (await api().get(`/v1/sweeps/${post.body.id}/limits`).expect(200)).body;
    const mf = limits.meanField[0];
    expect(mf.source).toBe('finite-width');
    expect(mf.excess).toEqual([]);
    stats.series[0].scaling.forEach((s: { step: number; finiteWidth: { lInf: { value: number; lower: number; upper: number } | null } }, i: number) => {
      expect(mf.points[i].step).toBe(s.step);
      expect(mf.points[i].loss).toBe(s.finiteWidth.lInf?.value ?? null);
      expect(mf.points[i].lower).toBe(s.finiteWidth.lInf?.lower ?? null);
      expect(mf.points[i].upper).toBe(s.finiteWidth.lInf?.upper ?? null);
    });
  }, 360_000);

  it('places the reference child like the others: on the gpu queue when the sweep prefers a GPU and one has registered, else on the cpu queue', async () => {
    const gpuWorker = await startTestWorker({ MFSIM_WORKER_KIND: 'gpu', MFSIM_KERNEL: 'native' });
    // Its worker is closed at once: the jobs stay where they were placed, and the sweeps are cancelled.
    await gpuWorker.close();
    // The API keeps its answer to "has a GPU worker registered?" for a second (placement.ts): the
    // "no" of the previous test's submission may be younger than that on a fast machine. Asked afresh.
    expect(await gpuWorkersKnown(service.deps.redis, true)).toBe(true);
    try {
      const reference = { width: 64, replicas: 2 };
      const preferred = await api().post('/v1/sweeps').send({ base: { ...base, resources: { gpu: 'preferred' } }, grid: { 'student.width': [8] }, reference }).expect(201);
      const cpuOnly = await api().post('/v1/sweeps').send({ base: { ...base, resources: { gpu: 'no' } }, grid: { 'student.width': [8] }, reference }).expect(201);
      const referenceOf = (body: { children: { role: string; simulationId: string }[] }) => body.children.find((c) => c.role === 'reference')!.simulationId;
      expect(await service.deps.queues.gpu.getJob(referenceOf(preferred.body))).toBeDefined();
      expect(await service.deps.queues.cpu.getJob(referenceOf(cpuOnly.body))).toBeDefined();
      expect(await service.deps.queues.gpu.getJob(referenceOf(cpuOnly.body))).toBeUndefined();
      for (const s of [preferred.body, cpuOnly.body]) await api().post(`/v1/sweeps/${s.id}/cancel`).expect(200);
    } finally {
      await service.deps.redis.del('mfsim:workers:gpu');
    }
  });

  it('refuses a reference that is not wider than the grid, or has no replicas, naming the field; nothing is written', async () => {
    const before = await service.deps.db.prisma.simulation.count();
    const narrow = await api().post('/v1/sweeps').send({ base, grid: { 'student.width': [8, 32] }, reference: { width: 32, replicas: 2 } }).expect(400);
    expect(narrow.body.issues).toEqual([{ path: 'reference.width', message: expect.stringMatching(/larger than every width of the grid \(the widest is 32\)/) }]);
    const none = await api().post('/v1/sweeps').send({ base, grid: { 'student.width': [8] }, reference: { width: 64, replicas: 0 } }).expect(400);
    expect(none.body.issues.map((i: { path: string }) => i.path)).toContain('reference.replicas');
    const extra = await api().post('/v1/sweeps').send({ base, grid: { 'student.width': [8] }, reference: { width: 64, replicas: 2, gpu: true } }).expect(400);
    expect(JSON.stringify(extra.body.issues)).toMatch(/reference/);
    const huge = await api().post('/v1/sweeps').send({ base, grid: { 'student.width': [8] }, reference: { width: 2_000_000, replicas: 2 } }).expect(400);
    expect(huge.body.issues.map((i: { path: string }) => i.path)).toContain('reference.width');
    expect(await service.deps.db.prisma.simulation.count()).toBe(before);
  });
});
