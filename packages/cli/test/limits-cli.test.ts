// `mfsim limits` and the limits files of `mfsim run --local`: no servers, the user's own commands.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mfsim } from './mfsim.ts';

let dir: string;
const spec = {
  name: 'lazy erf',
  seed: 4,
  replicas: 3,
  inputs: { kind: 'sphere', d: 3 },
  target: { kind: 'teacher', unit: 'tanh', width: 2 },
  student: { unit: 'erf', width: 64, parameterization: 'ntk' },
  training: { dynamics: 'gd', trainSize: 24, dt: 1, steps: 30 },
  record: { logPoints: 5, testSize: 32, probes: 3 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfsim-limits-'));
  await writeFile(join(dir, 'ntk.json'), JSON.stringify(spec));
  await writeFile(join(dir, 'gaussian.yaml'), `inputs: {kind: sphere, d: 3}\ntarget: {kind: p-spin, p: 1}\nstudent: {unit: gaussian, width: 8}\ntraining: {dynamics: gd, dt: 0.1, steps: 2}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mfsim limits', () => {
  it('prints the NTK curve of a spec, and the same numbers as JSON', async () => {
    const r = await mfsim(['limits', join(dir, 'ntk.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NTK curve \(training set, 24 points\)/);
    const json = await mfsim(['limits', join(dir, 'ntk.json'), '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.prediction.ntk.steps[0]).toBe(0);
    expect(report.prediction.ntk.testLoss.at(-1)).toBeLessThan(report.prediction.ntk.testLoss[0]);
  }, 60_000);

  it('names the field when the spec has no kernel', async () => {
    const r = await mfsim(['limits', join(dir, 'gaussian.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^inputs\.kind: gaussian units/m);
  }, 60_000);

  it('mfsim run --local writes limits.json and limits.csv beside the trajectory', async () => {
    const out = join(dir, 'run');
    const r = await mfsim(['run', join(dir, 'ntk.json'), '--local', '--out', out, '--kernel', 'reference', '--quiet']);
    expect(r.code).toBe(0);
    const limits = JSON.parse(await readFile(join(out, 'limits.json'), 'utf8'));
    const trajectory = JSON.parse(await readFile(join(out, 'trajectory.json'), 'utf8'));
    const at0 = trajectory.points.filter((p: { step: number }) => p.step === 0).map((p: { testLoss: number }) => p.testLoss);
    expect(limits.agreement.ntk[0].measuredMean).toBeCloseTo(at0.reduce((a: number, b: number) => a + b, 0) / at0.length, 6);
    expect(limits.agreement.nngp.probes).toHaveLength(3);
    const csv = await readFile(join(out, 'limits.csv'), 'utf8');
    expect(csv.split('\n').filter((l) => l.startsWith('ntk,'))).toHaveLength(limits.prediction.ntk.steps.length);
  }, 60_000);
});
