// The `mfsim` command line (src/cli.ts runs it): parses the command and its options, runs it, prints errors clearly
// (the API's field messages one per line), and exits 0 (ok), 1 (failed) or 2 (misused).
import { parseArgs } from 'node:util';
import { MfsimApiError, MfsimClient, MfsimConnectionError, MfsimTimeoutError } from '@mfsim/client';
import { MfsimSpecError } from './spec-error.ts';
import { UsageError, type Command, type Context, type Options } from './command.ts';
import { cancel, exportCommand, list, retry, show, stats, submit, watch } from './commands/simulations.ts';
import { run } from './commands/run.ts';
import { sweep } from './commands/sweeps.ts';
import { schedules } from './commands/schedules.ts';
import { keys } from './commands/keys.ts';
import { datasets } from './commands/datasets.ts';
import { limits } from './commands/limits.ts';

export const COMMANDS: Command[] = [run, submit, sweep, list, show, watch, exportCommand, stats, limits, cancel, retry, datasets, schedules, keys];

export const COMMON: Options = { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } };
export const REMOTE: Options = { api: { type: 'string' }, key: { type: 'string' } };
const REMOTE_HELP = [
  '--api URL      the API (default env MFSIM_API, else http://127.0.0.1:3000)',
  '--key KEY      API key, sent as Authorization: Bearer (default env MFSIM_API_KEY)',
];

export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mfsim: mean-field particle simulations of two-layer networks, from the command line',
    '',
    'usage: mfsim <command> [options]      (mfsim <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Commands that talk to the service take:',
    ...REMOTE_HELP.map((l) => `  ${l}`),
    '',
    'examples:',
    '  mfsim run examples/3-spin.yaml --local        # no servers: progress bar, then JSON + CSV in ./mfsim-out/',
    '  mfsim submit examples/3-spin.yaml --wait',
    '  mfsim list --status running',
    '  mfsim watch <id>',
    '  mfsim sweep examples/width-sweep.yaml --wait',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  // optionHelp: option lines (starting with "-", continued by indented lines), and notes (the rest).
  const lines = c.optionHelp ?? [];
  const isOption = (l: string) => l.startsWith('-') || l.startsWith(' ');
  const notes = lines.filter((l) => !isOption(l));
  return [
    `mfsim ${c.name}: ${c.summary}`,
    '',
    'usage:',
    ...c.usage.map((u) => `  mfsim ${u}`),
    '',
    'options:',
    ...lines.filter(isOption).map((l) => `  ${l}`),
    ...(c.remote ? REMOTE_HELP.map((l) => `  ${l}`) : []),
    ...(c.json === false ? [] : [`  --json         ${c.json ?? 'machine-readable output'}`]),
    '  -h, --help     this help',
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

/** `--spec.student.width=256` (or `--spec.student.width 256`) -> `--filter spec.student.width=256`, for commands with --filter. */
function specFilterArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--(spec\.[^=]+)(?:=(.*))?$/s.exec(args[i]);
    if (!m) out.push(args[i]);
    else if (m[2] !== undefined) out.push('--filter', `${m[1]}=${m[2]}`);
    else if (i + 1 < args.length) out.push('--filter', `${m[1]}=${args[++i]}`);
    else throw new UsageError(`${args[i]} wants a value: ${args[i]}=V`);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`mfsim: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  let ctx: Context;
  try {
    const { values, positionals } = parseArgs({
      args: command.options?.filter ? specFilterArgs(rest) : rest,
      options: { ...COMMON, ...(command.remote && REMOTE), ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(commandHelp(command));
      return 0;
    }
    let client: MfsimClient | undefined;
    ctx = {
      positionals,
      values,
      // the SDK reads no environment: the command line passes --api / --key, else MFSIM_API / MFSIM_API_KEY
      client: () => (client ??= new MfsimClient({
        baseUrl: (values.api as string | undefined) || process.env.MFSIM_API || undefined,
        apiKey: (values.key as string | undefined) ?? process.env.MFSIM_API_KEY,
      })),
      out: (text) => console.log(text),
      err: (text) => console.error(text),
    };
  } catch (err) {
    console.error(`mfsim ${name}: ${(err as Error).message}\n\n${commandHelp(command)}`);
    return 2;
  }
  try {
    return (await command.run(ctx)) ?? 0;
  } catch (err) {
    return report(name, command, err);
  }
}

function report(name: string, command: Command, err: unknown): number {
  const say = (text: string) => console.error(`mfsim ${name}: ${text}`);
  if (err instanceof UsageError) {
    say(`${err.message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (err instanceof MfsimApiError) {
    if (err.status === 401 || err.status === 403) {
      // The API's message says why (no key, unknown or revoked key, which role is needed).
      say(err.status === 401
        ? `not authenticated (401): ${err.message}. Give a valid API key with --key or MFSIM_API_KEY.`
        : `refused (403): ${err.message}. Use a key with that role (--key or MFSIM_API_KEY).`);
      return 1;
    }
    const what = err.status === 429 ? `rate limited${err.retryAfter ? `; retry after ${err.retryAfter} s` : ''}` : undefined;
    say(`the API answered ${err.status}: ${err.issues.length ? err.message.replace(/:.*$/s, '') : err.message}${what ? ` (${what})` : ''}`);
    for (const i of err.issues) console.error(`  ${i.path}: ${i.message}`);
    return 1;
  }
  if (err instanceof MfsimSpecError) {
    say(err.describe());
    return 1;
  }
  if (err instanceof MfsimConnectionError || err instanceof MfsimTimeoutError) {
    say(err.message);
    return 1;
  }
  say((err as Error)?.stack ?? String(err));
  return 1;
}

