// The excess-loss scaling on the command line: `mfsim sweep scaling` of a sweep with a reference run
// prints m_n - L_ref against n with its fit quality; `mfsim run sweep.yaml --local` runs the
// reference too, keeps it out of the plain scaling and writes the excess columns of scaling.csv.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idAfter, mfsim } from './mfsim.ts';
import { smallSpec, startHttpService } from './service.ts';

let service: Awaited<ReturnType<typeof startHttpService>>;
let dir: string;
const sweep = {
  name: 'cli reference',
  base: smallSpec({ replicas: 4, training: { dynamics: 'gd', dt: 0.5, steps: 60 }, record: { every: 20, testSize: 128, probes: 4 } }),
  grid: { 'student.width': [8, 16, 32] },
  reference: { width: 256, replicas: 4 },
};

beforeAll(async () => {
  service = await startHttpService();
  dir = await mkdtemp(join(tmpdir(), 'mfsim-cli-ref-'));
  await writeFile(join(dir, 'sweep.json'), JSON.stringify(sweep));
});
afterAll(async () => {
  await service?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mfsim and a sweep reference', () => {
  it('prints the excess scaling of a service sweep next to the plain one', async () => {
    const env = { MFSIM_API: service.url };
    // Submitted, then followed by short calls (each mfsim call is bounded; a loaded machine queues the runs).
    const r = await mfsim(['sweep', join(dir, 'sweep.json')], env);
    expect(r.code).toBe(0);
    const id = idAfter(r.stdout, 'submitted sweep');
    for (let status = ''; status !== 'completed';) {
      status = JSON.parse((await mfsim(['sweep', 'show', id, '--json'], env)).stdout).status;
      expect(['queued', 'running', 'completed']).toContain(status);
      if (status !== 'completed') await new Promise((done) => setTimeout(done, 500));
    }
    const stats = await mfsim(['sweep', 'stats', id], env);
    expect(stats.stdout).toMatch(/excess over the reference run \(n = 256\): m_n - L_ref ~ n\^-alpha/);
    expect(stats.stdout).toMatch(/step\s+time\s+L_ref\s+std error\s+alpha\s+lower\s+upper\s+chi2\/dof\s+p/);
    const shown = await mfsim(['sweep', 'scaling', id], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/excess over the reference run: m_n - L_ref ~ n\^-alpha \(L_ref = \S+ ± \S+ at n = 256, 4 replicas\)/);
    const fit = JSON.parse((await mfsim(['sweep', 'scaling', id, '--json'], env)).stdout);
    // the plain table lists the grid widths only; the excess block its own fit line
    expect(fit.points.map((p: { width: number }) => p.width)).toEqual([8, 16, 32]);
    if (fit.excess.alpha !== null) expect(shown.stdout).toMatch(/^fit\s+reduced chi-square \S+, p = \S+ \((consistent|rejected|untested)\)/m);
    // 4 replicas paired across 3 widths (and the reference): both fits are GLS, and the line says so.
    expect(fit.covariance).toBe('paired');
    if (fit.alpha !== null) expect(shown.stdout).toMatch(/^fit\s+reduced chi-square \S+, p = \S+ \(\w+\); widths correlated through paired replicas \(GLS\)$/m);
    expect(shown.stdout.match(/^alpha\s/gm)).toHaveLength(2);
  }, 300_000);

  it('runs the reference locally and writes L_ref and the excess fit per time in scaling.csv', async () => {
    const out = join(dir, 'local');
    const r = await mfsim(['run', join(dir, 'sweep.json'), '--local', '--quiet', '--out', out, '--kernel', service.kernel]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s*256\s+completed/m);
    expect(r.stdout).toMatch(/excess over the reference run \(n = 256\)/);
    const csv = (await readFile(join(out, 'scaling.csv'), 'utf8')).trim().split('\n');
    const header = csv[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['lRef', 'lRefStandardError', 'excessAlpha', 'excessLower', 'excessUpper', 'excessReducedChiSquare', 'excessPValue']));
    expect(csv).toHaveLength(1 + 4);
    for (const line of csv.slice(1)) {
      const row = line.split(',');
      expect(row[header.indexOf('widths')]).toBe('8 16 32');
      expect(Number(row[header.indexOf('lRef')])).toBeGreaterThan(0);
      expect(row[header.indexOf('covariance')]).toBe('paired');
    }
    const points = (await readFile(join(out, 'points.csv'), 'utf8')).trim().split('\n');
    expect(points[0].split(',')).toContain('role');
    expect(points.filter((l) => l.includes(',reference,'))).toHaveLength(1);
  }, 300_000);
});
