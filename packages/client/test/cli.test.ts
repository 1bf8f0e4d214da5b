import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSpec, startHttpService } from './service.ts';

const BIN = new URL('../bin/mfsim.mjs', import.meta.url).pathname;

function mfsim(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 50_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

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
afterAll(async () => service?.close());

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
    expect(list.stdout).toContain(id);

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
