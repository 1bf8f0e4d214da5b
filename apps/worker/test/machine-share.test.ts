// Kernel threads follow the jobs running on the machine: a lone job gets every core, two share
// them, a job that ended (or whose process was killed) gives its cores back.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { machineShare } from '../src/engine/machine-share.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(os.tmpdir(), 'mfsim-share-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('machine share', () => {
  it('one job gets every core, two get half each, and the cores come back when a job ends', () => {
    const dir = tmp();
    const a = machineShare(dir, 4);
    const b = machineShare(dir, 4); // another worker of the same machine
    const leaveA = a.enter();
    expect(a.threads()).toBe(4);
    const leaveB = b.enter();
    expect(a.threads()).toBe(2);
    expect(b.threads()).toBe(2);
    leaveA();
    expect(b.threads()).toBe(4);
    leaveB();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never gives fewer than one thread (more jobs than cores)', () => {
    const dir = tmp();
    const s = machineShare(dir, 2);
    const leaves = [s.enter(), s.enter(), s.enter()];
    expect(s.threads()).toBe(1);
    leaves.forEach((leave) => leave());
  });

  it('does not count the job of a process that died without leaving (kill -9), and removes its file', () => {
    const dir = tmp();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = join(dir, `${dead}-0-1`);
    writeFileSync(stale, '');
    const s = machineShare(dir, 2);
    const leave = s.enter();
    expect(s.threads()).toBe(2);
    expect(existsSync(stale)).toBe(false);
    leave();
  });
});
