// Issue 17: a sweep, or a selection of runs, exported as one zip (read back here by Python's
// zipfile, a reader independent of the writer): each run's simulation.json, trajectory.csv with every
// point and statistics.json, and the sweep's own description and statistics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { finishedSimulation, smallSpec, useService, waitFor } from './harness.ts';

const service = useService({ worker: true });
const api = () => service.api();
const dir = mkdtempSync(join(tmpdir(), 'mfsim-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The zip's entries as text, read by Python's zipfile after its CRC check of every entry (testzip). */
function unzip(bytes: Buffer): Record<string, string> {
  const path = join(dir, `${randomUUID()}.zip`);
  writeFileSync(path, bytes);
  const script = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nbad=z.testzip()\nassert bad is None, bad\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 256 * 1024 ** 2 }));
}

const binary = (req: request.Test) => req.buffer(true).parse((res, cb) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
});

const csvRows = (text: string) => text.trim().split('\n');

describe('exports', () => {
  it('exports a finished sweep: sweep.json, statistics.json, and every child\'s spec, trajectory and statistics', { timeout: 240_000 }, async () => {
    const sweep = await api().post('/v1/sweeps').send({
      name: 'export me', replicas: 2,
      base: smallSpec({ training: { dynamics: 'sgd', batchSize: 16, dt: 0.1, steps: 40 }, record: { every: 10, testSize: 32, probes: 2 } }),
      grid: { 'student.width': [4, 8] },
    });
    expect(sweep.status).toBe(201);
    const id = sweep.body.id as string;
    await waitFor(async () => ((await api().get(`/v1/sweeps/${id}/statistics`)).status === 200 ? true : undefined), 180_000, 'the sweep aggregated');

    const res = await binary(api().get(`/v1/sweeps/${id}/export.zip`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('.zip');
    const files = unzip(res.body as Buffer);

    expect(JSON.parse(files['sweep.json'])).toEqual((await api().get(`/v1/sweeps/${id}`)).body);
    expect(JSON.parse(files['statistics.json'])).toEqual((await api().get(`/v1/sweeps/${id}/statistics`)).body);
    for (const child of sweep.body.children as { simulationId: string }[]) {
      const folder = Object.keys(files).find((n) => n.startsWith(`runs/${child.simulationId.slice(0, 8)}`) && n.endsWith('/simulation.json'))!.replace(/\/simulation\.json$/, '');
      expect(folder).toContain('export_me_width=');
      const simulation = JSON.parse(files[`${folder}/simulation.json`]);
      expect(simulation).toEqual((await api().get(`/v1/simulations/${child.simulationId}`)).body);
      // The CSV holds every point, as the API's own CSV of the full trajectory does.
      const csv = (await api().get(`/v1/simulations/${child.simulationId}/trajectory?format=csv&limit=100000`)).text;
      expect(files[`${folder}/trajectory.csv`]).toBe(csv);
      expect(csvRows(csv)).toHaveLength(1 + 2 * 5); // header, 2 replicas x steps 0, 10, ..., 40
      expect(JSON.parse(files[`${folder}/statistics.json`]).rows).toEqual((await api().get(`/v1/simulations/${child.simulationId}/statistics`)).body.rows);
    }
    expect(Object.keys(files)).toHaveLength(2 + 3 * 2);
  });

  it('exports a selection of runs by id; unknown ids are a 404 naming them, bad ones a 400 naming ids, nothing streamed', { timeout: 180_000 }, async () => {
    const a = (await api().post('/v1/simulations').send(smallSpec({ name: 'first / of two' }))).body.id as string;
    const b = (await api().post('/v1/simulations').send(smallSpec({ name: 'second', seed: 9 }))).body.id as string;
    for (const id of [a, b]) expect((await finishedSimulation(service.app, id, 150_000)).status).toBe('completed');

    const res = await binary(api().get(`/v1/simulations/export.zip?ids=${a},${b}`));
    expect(res.status).toBe(200);
    const files = unzip(res.body as Buffer);
    expect(Object.keys(files).sort()).toEqual([
      `runs/${a.slice(0, 8)}-first_of_two/simulation.json`, `runs/${a.slice(0, 8)}-first_of_two/statistics.json`, `runs/${a.slice(0, 8)}-first_of_two/trajectory.csv`,
      `runs/${b.slice(0, 8)}-second/simulation.json`, `runs/${b.slice(0, 8)}-second/statistics.json`, `runs/${b.slice(0, 8)}-second/trajectory.csv`,
    ].sort()); // ids are random: compare as sets of names
    expect(JSON.parse(files[`runs/${b.slice(0, 8)}-second/simulation.json`]).spec.seed).toBe(9);
    // The repeated parameter works too.
    expect((await binary(api().get(`/v1/simulations/export.zip?ids=${a}&ids=${b}`))).status).toBe(200);

    const unknown = randomUUID();
    const missing = await api().get(`/v1/simulations/export.zip?ids=${a},${unknown}`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain(unknown);
    expect(missing.headers['content-type']).toContain('application/json');
    for (const ids of ['not-an-id', '', Array.from({ length: 101 }, () => randomUUID()).join(',')]) {
      const bad = await api().get(`/v1/simulations/export.zip?ids=${ids}`);
      expect(bad.status).toBe(400);
      expect(bad.body.issues[0].path).toMatch(/^ids/);
    }
    expect((await api().get(`/v1/sweeps/${randomUUID()}/export.zip`)).status).toBe(404);
  });
});
