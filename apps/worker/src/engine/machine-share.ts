// Kernel threads that follow the jobs running on this machine: each running simulation holds a
// small file in a directory every worker of the machine shares (the OS temp folder), and the
// engine thread gives its kernel cores / (running jobs) threads, re-read at each chunk boundary.
// A lone run gets every core; two runs on two cores get one each. Files of processes that died
// (kill -9) are not counted and are removed. The kernel's results do not depend on its thread count.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

export interface MachineShare {
  /** Counts one more running job until the returned function is called. */
  enter(): () => void;
  /** Kernel threads for one job now: max(1, floor(cores / running jobs)). */
  threads(): number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let serial = 0;

export function machineShare(
  dir = process.env.MFSIM_JOBS_DIR ?? join(os.tmpdir(), 'mfsim-jobs'),
  cores = os.availableParallelism(),
): MachineShare {
  mkdirSync(dir, { recursive: true });
  const running = (): number => {
    let count = 0;
    for (const name of readdirSync(dir)) {
      const pid = Number(name.split('-')[0]);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      if (alive(pid)) count++;
      else rmSync(join(dir, name), { force: true });
    }
    return count;
  };
  return {
    enter() {
      const file = join(dir, `${process.pid}-${threadId}-${++serial}`);
      writeFileSync(file, '');
      return () => rmSync(file, { force: true });
    },
    threads() {
      return Math.max(1, Math.floor(cores / Math.max(1, running())));
    },
  };
}
