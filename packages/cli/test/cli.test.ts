import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idAfter, mfsim } from './mfsim.ts';
import { smallSpec, startHttpService } from './service.ts';

let service: Awaited<ReturnType<typeof startHttpService>>;
let dir: string;
let specFile: string;

beforeAll(async () => {
  service = await startHttpService();
  dir = await mkdtemp(join(tmpdir(), 'mfsim-cli-'));
  specFile = join(dir, 'spec.yaml');
  // YAML as the lab writes it.
  await writeFile(specFile, [
    'name: cli teacher', 'seed: 11', 'replicas: 2',
    'inputs: { kind: gaussian, d: 4 }', 'target: { kind: teacher, unit: tanh, width: 3 }',
    'student: { unit: tanh, width: 16 }', 'training: { dynamics: sgd, batchSize: 64, dt: 0.2, steps: 200 }',
    'record: { every: 20, testSize: 256, probes: 4 }', '',
  ].join('\n'));
});
afterAll(async () => {
  await service?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mfsim, the command line', () => {
  it('prints help for the tool and for each command', async () => {
    const top = await mfsim(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['run', 'submit', 'sweep', 'list', 'show', 'watch', 'export', 'stats', 'schedules', 'keys']) expect(top.stdout).toContain(`  ${c} `);
    const sub = await mfsim(['export', '--help']);
    expect(sub.stdout).toMatch(/mfsim export <id> \[--csv\]/);
    expect(sub.stdout).toContain('--api URL');
    const bad = await mfsim(['list', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--nope'/);
  });

  it('runs a spec locally: progress, summary table, trajectory and statistics as JSON and CSV', async () => {
    const out = join(dir, 'local');
    const r = await mfsim(['run', specFile, '--local', '--out', out, '--kernel', service.kernel]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[#+\] 100% completed/);
    expect(r.stdout).toMatch(/cli teacher: completed, seed 11, 2 replicas, n=16/);
    expect(r.stdout).toMatch(/mean test loss/);
    const trajectory = JSON.parse(await readFile(join(out, 'trajectory.json'), 'utf8'));
    expect(trajectory.points).toHaveLength(22);
    const csv = (await readFile(join(out, 'trajectory.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('replica,step,time,trainLoss,testLoss,testError');
    expect(csv).toHaveLength(23);
    const stats = JSON.parse(await readFile(join(out, 'statistics.json'), 'utf8'));
    expect(stats.rows).toHaveLength(11);
    expect(stats.rows[10].meanLoss).toBeLessThan(stats.rows[0].meanLoss);
    expect(await readFile(join(out, 'statistics.csv'), 'utf8')).toMatch(/^step,time,meanLoss,/);
  });

  it('submits and waits, lists, shows, exports CSV and prints statistics from the service', async () => {
    const api = ['--api', service.url];
    const submitted = await mfsim(['submit', specFile, '--wait', ...api]);
    expect(submitted.code).toBe(0);
    const id = /submitted ([0-9a-f-]{36})/.exec(submitted.stdout)![1];
    expect(submitted.stdout).toMatch(/status\s+completed/);

    const list = await mfsim(['list', '--limit', '5'], { MFSIM_API: service.url });
    expect(list.code).toBe(0);
    // The list prints short ids (the CLI takes any unique prefix).
    expect(list.stdout).toContain(id.slice(0, 8));

    const show = await mfsim(['show', id, ...api]);
    expect(show.stdout).toMatch(/at step 200:/);

    const exported = await mfsim(['export', id, '--csv', ...api]);
    const lines = exported.stdout.trim().split('\n');
    expect(lines[0]).toBe('replica,step,time,trainLoss,testLoss,testError');
    expect(lines).toHaveLength(23);
    // The service's numbers are the local run's (same spec, seed and kernel).
    expect(exported.stdout).toBe(await readFile(join(dir, 'local', 'trajectory.csv'), 'utf8'));

    const stats = await mfsim(['stats', id, ...api]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/mean test loss/);
  });

  it('prints the field messages of a refused spec and exits 1', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify(smallSpec({ student: { unit: 'tanh', width: -3 } })));
    const remote = await mfsim(['submit', bad, '--api', service.url]);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/the API answered 400/);
    expect(remote.stderr).toMatch(/^ {2}student\.width: /m);
    const local = await mfsim(['run', bad, '--local']);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/^ {2}student\.width: /m);
    const down = await mfsim(['list', '--api', 'http://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the mfsim API/);
  });
});

describe('mfsim against a service with API keys', () => {
  const admin = 'cli-test-admin-key-0123456789';
  let keyed: Awaited<ReturnType<typeof startHttpService>>;
  let as: (key: string) => Record<string, string>;
  beforeAll(async () => {
    keyed = await startHttpService({ adminKey: admin });
    as = (key) => ({ MFSIM_API: keyed.url, MFSIM_API_KEY: key });
  });
  afterAll(async () => keyed?.close());

  it('creates a read key, which may list but not submit, and revokes it', async () => {
    const none = await mfsim(['list'], { MFSIM_API: keyed.url });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/401/);

    const created = await mfsim(['keys', 'create', '--name', 'reader', '--role', 'read'], as(admin));
    expect(created.code).toBe(0);
    const keyId = idAfter(created.stdout, 'created key');
    const readKey = created.stdout.trim().split('\n').at(-1)!;
    expect(readKey.length).toBeGreaterThan(20);

    const listed = await mfsim(['keys', 'list'], as(admin));
    expect(listed.stdout).toMatch(new RegExp(`${keyId}\\s+reader\\s+\\S+\\s+read`));

    expect((await mfsim(['list'], as(readKey))).code).toBe(0);
    const refused = await mfsim(['submit', specFile], as(readKey));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/403/);

    // A key of another project lists none of this project's runs.
    expect((await mfsim(['submit', specFile], as(admin))).code).toBe(0);
    const other = await mfsim(['keys', 'create', '--name', 'elsewhere', '--role', 'read', '--project', 'cli-elsewhere'], as(admin));
    expect(other.stdout).toContain('project cli-elsewhere');
    const elsewhere = await mfsim(['list', '--json'], as(other.stdout.trim().split('\n').at(-1)!));
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout.trim()).toBe('');
    expect((await mfsim(['list', '--json'], as(admin))).stdout.trim()).not.toBe('');

    expect((await mfsim(['keys', 'revoke', keyId], as(admin))).stdout).toContain(`revoked key ${keyId}`);
    const revoked = await mfsim(['list'], as(readKey));
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(/401/);
  });

  it('submits a width sweep, waits for it, and prints its statistics and scaling', async () => {
    const file = join(dir, 'sweep.json');
    const base = smallSpec({ replicas: 3, training: { dynamics: 'gd', dt: 0.5, steps: 100 } });
    await writeFile(file, JSON.stringify({ name: 'cli widths', base, grid: { 'student.width': [8, 16, 32] } }));
    const r = await mfsim(['sweep', file, '--wait'], as(admin));
    expect(r.code).toBe(0);
    const id = idAfter(r.stdout, 'submitted sweep');
    expect(r.stdout).toMatch(/status\s+completed/);
    expect(r.stderr).toMatch(/sweep [0-9a-f]{8} \[#+\] 100% completed/);
    // The whole sweep's progress, never backwards.
    const percents = [...r.stderr.matchAll(/\] +(\d+)% /g)].map((m) => Number(m[1]));
    expect(percents.length).toBeGreaterThan(0);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(r.stdout.match(/\{"student\.width":(8|16|32)\}\s+completed/g)).toHaveLength(3);
    // It ends with the scaling per time and the fits' quality.
    expect(r.stdout).toContain('loss ~ n^-alpha (weighted log-space fit; a power law only where p >= 0.05), and L_inf + a/n:');

    const stats = await mfsim(['sweep', 'stats', id], as(admin));
    expect(stats.code).toBe(0);
    for (const n of [8, 16, 32]) expect(stats.stdout).toMatch(new RegExp(`^\\s*${n}\\s+\\d`, 'm'));
    expect(stats.stdout).toContain('loss ~ n^-alpha (weighted log-space fit; a power law only where p >= 0.05), and L_inf + a/n:');
    expect(stats.stdout).toMatch(/chi2\/dof\s+p\s+local slopes\s+L_inf/);

    // The goodness of fit and the local slopes next to alpha.
    const shown = await mfsim(['sweep', 'scaling', id, '--time', '50'], as(admin));
    expect(shown.stdout).toMatch(/^fit\s+reduced chi-square \S+, p = \S+ \((consistent|rejected)\)/m);
    expect(shown.stdout).toMatch(/^L_inf \+ a\/n\s+L_inf = /m);
    expect(shown.stdout).toMatch(/local slopes -d log m \/ d log n:/);
    expect(shown.stdout).toMatch(/^\s*8\s+16\s+\S+/m);

    // Without --time: the last recorded time (step 100 of gd at dt = 0.5).
    const last = JSON.parse((await mfsim(['sweep', 'scaling', id, '--json'], as(admin))).stdout);
    expect(last).toMatchObject({ step: 100, requestedTime: null, snapped: false });

    const scaling = await mfsim(['sweep', 'scaling', id, '--time', '50', '--json'], as(admin));
    const fit = JSON.parse(scaling.stdout);
    expect(fit.points.map((p: { width: number }) => p.width)).toEqual([8, 16, 32]);
    expect(Number.isFinite(fit.alpha)).toBe(true);

    const list = await mfsim(['sweep', 'list'], as(admin));
    expect(list.stdout).toContain(id);
  });

  it('creates, lists, pauses, resumes and deletes a schedule', async () => {
    const file = join(dir, 'schedule.yaml');
    await writeFile(file, JSON.stringify({ name: 'nightly', pattern: '0 3 * * *', timeZone: 'Europe/Paris', sweep: { base: smallSpec(), grid: { 'student.width': [8, 16] } } }));
    const created = await mfsim(['schedules', 'create', file], as(admin));
    expect(created.code).toBe(0);
    const id = /^id\s+([0-9a-f-]{36})/m.exec(created.stdout)![1];
    expect(created.stdout).toMatch(/pattern\s+0 3 \* \* \* \(Europe\/Paris\)/);
    expect(created.stdout).toMatch(/next fire\s+\d{4}-/);
    expect((await mfsim(['schedules', 'list'], as(admin))).stdout).toMatch(new RegExp(`${id}\\s+nightly`));
    expect((await mfsim(['schedules', 'pause', id], as(admin))).stdout).toMatch(/paused\s+true/);
    expect((await mfsim(['schedules', 'resume', id], as(admin))).stdout).toMatch(/paused\s+false/);
    expect((await mfsim(['schedules', 'delete', id], as(admin))).stdout).toContain(`deleted schedule ${id}`);
    // Deleted, not gone: it is read back as deleted (its sweeps keep their link) and left out of the list.
    const gone = await mfsim(['schedules', 'show', id], as(admin));
    expect(gone.code).toBe(0);
    expect(gone.stdout).toMatch(/deleted\s+\d{4}-\d\d-\d\dT[^\n]*never fires again/);
    expect((await mfsim(['schedules', 'list'], as(admin))).stdout).not.toContain(id);
  });

  it('uploads a dataset, shows it, and runs a spec on it', async () => {
    const file = join(dir, 'dataset.yaml');
    const x = Array.from({ length: 64 }, (_, i) => [Math.cos(i), Math.sin(i), i / 64]);
    await writeFile(file, JSON.stringify({ name: 'spiral', train: { x, y: x.map((r) => r[0] * r[1]) } }));
    const up = await mfsim(['datasets', 'upload', file], as(admin));
    expect(up.code).toBe(0);
    const id = idAfter(up.stdout, 'uploaded dataset');
    expect(up.stdout).toMatch(/train points\s+64/);
    expect((await mfsim(['datasets', 'show', id], as(admin))).stdout).toMatch(/d\s+3/);

    const spec = join(dir, 'on-dataset.json');
    await writeFile(spec, JSON.stringify(smallSpec({ inputs: { kind: 'dataset', datasetId: id }, target: { kind: 'labels' } })));
    const run = await mfsim(['submit', spec, '--wait'], as(admin));
    expect(run.stderr + run.stdout).toMatch(/completed/);
    expect(run.code).toBe(0);
  });

  it('cancels a running simulation, retries it, and watches it to the end', async () => {
    const spec = join(dir, 'long.json');
    await writeFile(spec, JSON.stringify(smallSpec({ name: 'long', training: { dynamics: 'sgd', batchSize: 256, dt: 0.05, steps: 50_000 }, record: { every: 1000, testSize: 256 } })));
    const submitted = await mfsim(['submit', spec], as(admin));
    const id = idAfter(submitted.stdout, 'submitted');
    const cancelled = await mfsim(['cancel', id], as(admin));
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`${id}: (cancelled|cancelling)`));

    const retried = await mfsim(['retry', id], as(admin));
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(new RegExp(`${id}: queued`));
    const watched = await mfsim(['watch', id], as(admin));
    expect(watched.code).toBe(0);
    expect(watched.stderr).toMatch(/long \[#+\] 100% completed step 50000\/50000/);
    expect(watched.stdout).toMatch(/status\s+completed/);
    expect(watched.stdout).toMatch(/losses at step 50000:/);
  });
});
