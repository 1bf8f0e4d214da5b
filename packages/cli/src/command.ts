// What every command is: a name, its help, its options (node:util parseArgs), and a run function.
import type { ParseArgsConfig } from 'node:util';
import { MfsimClient } from '@mfsim/client';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Context {
  positionals: string[];
  values: Values;
  /** A client for --api / --key (or MFSIM_API / MFSIM_API_KEY). */
  client(): MfsimClient;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** `mfsim <usage>` lines. */
  usage: string[];
  /** Option lines for --help. */
  optionHelp?: string[];
  options?: Options;
  /** What --json does, for --help (default "machine-readable output"); false: the command has no --json. */
  json?: string | false;
  /** Whether it talks to the API (gets --api, --key). */
  remote?: boolean;
  /** Returns the exit code (default 0). */
  run(ctx: Context): Promise<number | void>;
}

/** A mistake in how a command was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const str = (v: Values[string]) => (typeof v === 'string' ? v : undefined);
export const int = (v: Values[string], what: string) => {
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`${what} must be an integer, got "${v}"`);
  return n;
};
export const float = (v: Values[string], what: string) => {
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${what} must be a number, got "${v}"`);
  return n;
};

export function positional(ctx: Context, index: number, what: string): string {
  const v = ctx.positionals[index];
  if (v === undefined) throw new UsageError(`missing ${what}`);
  return v;
}
