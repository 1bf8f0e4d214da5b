// Runs the `mfsim` command as a user does: a child process (stdout and stderr are pipes, not a TTY).
import { execFile } from 'node:child_process';

const BIN = new URL('../bin/mfsim.mjs', import.meta.url).pathname;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function mfsim(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, MFSIM_API_KEY: '', ...env }, timeout: 50_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The first UUID after `prefix` in `text`. */
export function idAfter(text: string, prefix: string): string {
  const m = new RegExp(`${prefix} ([0-9a-f-]{36})`).exec(text);
  if (!m) throw new Error(`no id after "${prefix}" in:\n${text}`);
  return m[1];
}
