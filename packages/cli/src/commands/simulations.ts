// Commands on simulations in the service: submit, list, show, watch, export, stats, cancel, retry.
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MfsimApiError } from '@mfsim/client';
import { readSpecFile } from '../spec-file.ts';
import { STATISTICS_COLUMNS, TRAJECTORY_COLUMNS, toCsv } from '@mfsim/client';
import type { SimulationReply, SimulationStatisticsReply, SpecInput, TrajectoryOptions } from '@mfsim/client';
import { aggregateSimulation } from '@mfsim/stats';
import { int, positional, str, UsageError, type Command, type Context } from '../command.ts';
import { sampleIndices, table } from '../table.ts';
import { describeSimulation, exitFor, followSimulation, lastPoints, lossesTable } from './follow.ts';
import { SIMULATION_SORT_FIELDS, SIMULATION_STATUSES } from '@mfsim/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The simulation id of the first argument: a whole id, or the start of one (the short id `list` and
 * `submit` print), resolved by the API's `idPrefix` filter; none or several matches say so.
 */
export async function simulationIdArg(ctx: Context): Promise<string> {
  const given = positional(ctx, 0, 'simulation id (or its first characters)');
  if (UUID.test(given)) return given;
  const page = await ctx.client().listPage({ idPrefix: given, limit: 10 });
  if (page.items.length === 1) return page.items[0].id;
  if (page.items.length === 0) throw new UsageError(`no simulation id starts with "${given}"`);
  throw new UsageError(`"${given}" is ambiguous: ${page.items.map((s) => s.id.slice(0, 13)).join(', ')}${page.nextCursor ? ', ...' : ''}; give more characters`);
}

export async function specFromFile(ctx: Context): Promise<SpecInput> {
  const spec = await readSpecFile<SpecInput>(positional(ctx, 0, 'spec file (JSON or YAML)'));
  const seed = int(ctx.values.seed, '--seed');
  const name = str(ctx.values.name);
  return { ...spec, ...(seed !== undefined && { seed }), ...(name !== undefined && { name }) };
}

export const submit: Command = {
  name: 'submit',
  summary: 'submit a simulation spec (JSON or YAML) to the service',
  usage: ['submit <spec.json|spec.yaml> [--wait] [--seed N] [--name NAME] [--idempotency-key K]'],
  optionHelp: [
    '--wait                 follow it with a progress bar until it ends; exit 1 unless completed',
    '--seed N, --name NAME  override the spec\'s seed or name',
    '--idempotency-key K    a retried submit with the same key returns the first simulation',
  ],
  json: 'print the API\'s reply (with --wait, the final simulation) as JSON',
  options: { wait: { type: 'boolean' }, seed: { type: 'string' }, name: { type: 'string' }, 'idempotency-key': { type: 'string' } },
  remote: true,
  async run(ctx) {
    const client = ctx.client();
    const spec = await specFromFile(ctx);
    let sim = await client.submit(spec, { idempotencyKey: str(ctx.values['idempotency-key']) });
    if (!ctx.values.json) ctx.out(`submitted ${sim.id} (${sim.status}, seed ${sim.seed})`);
    if (ctx.values.wait) {
      sim = await followSimulation(ctx, client, sim.id);
      if (!ctx.values.json) ctx.out(describeSimulation(sim));
    }
    if (ctx.values.json) ctx.out(JSON.stringify(sim, null, 2));
    return ctx.values.wait ? exitFor(sim.status) : 0;
  },
};

export const list: Command = {
  name: 'list',
  summary: 'list simulations, newest first',
  usage: ['list [--status S] [--sort KEY] [--limit N] [--all] [--json] [--spec.<path>=V ...] [--filter key=value ...]'],
  optionHelp: [
    `--status S         only this status, or several comma-separated (${SIMULATION_STATUSES.join(', ')})`,
    `--sort KEY         ${SIMULATION_SORT_FIELDS.join(', ')}; - first for descending (--sort=-finalTestLoss); no value last`,
    '--spec.<path>=V    runs whose spec holds V there (--spec.student.width=256), repeatable',
    '--limit N          how many to show (default 20)',
    '--all              every page (follows nextCursor)',
    '--filter k=v       any other filter the API accepts (q, name, tag, sweepId, ...), repeatable',
    'Columns: final and best test loss and final train loss (replica means), width n, dynamics, dt, steps, run time.',
  ],
  json: 'one JSON object per line',
  options: { status: { type: 'string' }, sort: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' }, filter: { type: 'string', multiple: true } },
  remote: true,
  async run(ctx) {
    const status = str(ctx.values.status);
    const unknown = status?.split(',').find((s) => !(SIMULATION_STATUSES as readonly string[]).includes(s.trim()));
    if (unknown !== undefined) {
      throw new UsageError(`--status must be one or several (comma-separated) of ${SIMULATION_STATUSES.join(', ')}; got "${unknown}"`);
    }
    const max = ctx.values.all ? Infinity : (int(ctx.values.limit, '--limit') ?? 20);
    const filters: Record<string, string> = {};
    for (const f of (ctx.values.filter as string[] | undefined) ?? []) {
      const eq = f.indexOf('=');
      if (eq <= 0) throw new UsageError(`--filter wants key=value, got "${f}"`);
      filters[f.slice(0, eq)] = f.slice(eq + 1);
    }
    const items: SimulationReply[] = [];
    const pageSize = Math.min(500, Number.isFinite(max) ? Math.max(1, max) : 200);
    const sort = str(ctx.values.sort);
    for await (const sim of ctx.client().list({ ...filters, status, sort, limit: pageSize })) {
      if (items.length >= max) break;
      if (ctx.values.json) ctx.out(JSON.stringify(sim));
      items.push(sim);
    }
    if (ctx.values.json) return;
    if (items.length === 0) return ctx.out('no simulations');
    ctx.out(table(
      ['id', 'name', 'status', 'progress', 'test loss', 'best test', 'train loss', 'n', 'dynamics', 'dt', 'steps', 'run time', 'created'],
      items.map((s) => [
        s.id.slice(0, 8), s.name ?? '', s.status, `${(100 * s.progress).toFixed(0)}%`, loss(s.finalTestLoss), loss(s.bestTestLoss), loss(s.finalTrainLoss),
        s.width ?? s.spec.student.width, s.dynamics ?? s.spec.training.dynamics, s.dt ?? s.spec.training.dt, s.steps ?? s.spec.training.steps,
        duration(s.runSeconds), s.createdAt.replace('T', ' ').slice(0, 19),
      ]),
    ));
  },
};

/** A loss for a table: 4 significant digits, blank when there is none yet. */
const loss = (v: number | null | undefined) => (v === null || v === undefined ? '' : v.toPrecision(4));
/** Seconds as the table shows them: 12.3s, 4m05s, 2h03m. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export const show: Command = {
  name: 'show',
  summary: 'one simulation: status, progress, model, timings, last losses',
  usage: ['show <id> [--json]'],
  optionHelp: ['Prints the simulation and the last recorded losses of every replica.'],
  json: 'the simulation as the API returns it',
  remote: true,
  async run(ctx) {
    const client = ctx.client();
    const sim = await client.get(await simulationIdArg(ctx));
    if (ctx.values.json) return ctx.out(JSON.stringify(sim, null, 2));
    ctx.out(describeSimulation(sim));
    const losses = lossesTable(await lastPoints(client, sim));
    if (losses) ctx.out(`\n${losses}`);
  },
};

export const watch: Command = {
  name: 'watch',
  summary: 'follow a simulation with a progress bar and its current losses until it ends',
  usage: ['watch <id> [--json]'],
  optionHelp: [
    'The progress goes to stderr: redrawn in place on a terminal; elsewhere (a pipe, a log, CI) one plain',
    'line per 10% of progress, change of status, or 30 s. At the end, the simulation and the last losses',
    'of every replica go to stdout (--json: the simulation and those points as JSON).',
    'Exits 0 when it completes, 1 when it fails, diverges or is cancelled.',
  ],
  json: 'the final simulation, with the last point of every replica, as JSON',
  remote: true,
  async run(ctx) {
    const client = ctx.client();
    const sim = await followSimulation(ctx, client, await simulationIdArg(ctx));
    const points = await lastPoints(client, sim);
    if (ctx.values.json) ctx.out(JSON.stringify({ ...sim, lastPoints: points }, null, 2));
    else {
      ctx.out(describeSimulation(sim));
      const losses = lossesTable(points);
      if (losses) ctx.out(`\n${losses}`);
    }
    return exitFor(sim.status);
  },
};

export const exportCommand: Command = {
  name: 'export',
  summary: 'the trajectory of a simulation as JSON or CSV; a sweep or several runs as a zip',
  usage: ['export <id> [--csv] [--replica R] [--max-points M] [--out FILE]', 'export --sweep <id> [-o FILE.zip]', 'export --ids <id,id,...> [-o FILE.zip]'],
  optionHelp: [
    '--csv            CSV (replica,step,time,trainLoss,testLoss,testError) instead of JSON',
    '--replica R      only replica R',
    '--max-points M   downsampled by the API to about M points per replica',
    '-o, --out FILE   write to FILE instead of stdout (a zip: default the name the API gives, here)',
    '--sweep ID       the sweep as a zip: sweep.json, statistics.json, per child simulation.json, trajectory.csv, statistics.json',
    '--ids A,B,...    these simulations (whole ids or the short ones list prints) as a zip, one folder per run',
  ],
  options: {
    csv: { type: 'boolean' }, replica: { type: 'string' }, 'max-points': { type: 'string' }, out: { type: 'string', short: 'o' },
    sweep: { type: 'string' }, ids: { type: 'string' },
  },
  json: false,
  remote: true,
  async run(ctx) {
    const sweepId = str(ctx.values.sweep);
    const ids = str(ctx.values.ids);
    if (sweepId !== undefined || ids !== undefined) {
      if (sweepId !== undefined && ids !== undefined) throw new UsageError('give --sweep or --ids, not both');
      const client = ctx.client();
      let res: Response;
      if (sweepId !== undefined) res = await client.exportSweep(sweepId);
      else {
        const whole: string[] = [];
        for (const given of ids!.split(',').map((s) => s.trim()).filter(Boolean)) whole.push(await simulationIdArg({ ...ctx, positionals: [given] }));
        if (whole.length === 0) throw new UsageError('--ids wants one or several ids, comma-separated');
        res = await client.exportSimulations(whole);
      }
      const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
      const file = str(ctx.values.out) ?? named ?? 'mfsim-export.zip';
      const bytes = await writeStream(res, file);
      ctx.err(`wrote ${file} (${bytes} bytes)`);
      return;
    }
    const id = await simulationIdArg(ctx);
    const q: TrajectoryOptions = { replica: int(ctx.values.replica, '--replica'), maxPoints: int(ctx.values['max-points'], '--max-points') };
    const reply = await ctx.client().fullTrajectory(id, q);
    const text = ctx.values.csv ? toCsv(reply.points, TRAJECTORY_COLUMNS) : JSON.stringify(reply, null, 2) + '\n';
    const out = str(ctx.values.out);
    if (out) {
      await writeFile(out, text);
      ctx.err(`wrote ${reply.points.length} points to ${out}`);
    } else process.stdout.write(text);
  },
};

/** Writes a streamed reply's body to `file` as it arrives; the bytes written. */
async function writeStream(res: Response, file: string): Promise<number> {
  if (!res.body) throw new Error('the API sent no body');
  let bytes = 0;
  const counted = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).on('data', (b: Buffer) => { bytes += b.length; });
  await pipeline(counted, createWriteStream(file));
  return bytes;
}

/** Whether a 404 says the route is missing (an older API), not the simulation. */
const routeMissing = (err: unknown) => err instanceof MfsimApiError && err.status === 404 && /^no route/i.test(err.message);

export const stats: Command = {
  name: 'stats',
  summary: 'statistics over the replicas per recorded time: mean loss, SE, CLT fluctuation',
  usage: ['stats <id> [--csv | --json] [--rows N]'],
  optionHelp: [
    '--csv, --json   every row, as CSV or JSON (default: a table of about --rows rows, default 12)',
    'When the API has no statistics route, mean, variance and SE are computed here from the trajectory',
    '(the CLT fluctuation needs the probe outputs, which only the service keeps).',
  ],
  options: { csv: { type: 'boolean' }, rows: { type: 'string' } },
  json: false,
  remote: true,
  async run(ctx) {
    const client = ctx.client();
    const id = await simulationIdArg(ctx);
    let reply: SimulationStatisticsReply;
    try {
      reply = await client.statistics(id);
    } catch (err) {
      if (!routeMissing(err)) throw err;
      ctx.err('this API has no statistics route; computing mean, variance and SE from the trajectory');
      reply = await statisticsFromTrajectory(ctx, id);
    }
    const rows = reply.rows ?? [];
    if (ctx.values.json) return ctx.out(JSON.stringify(reply, null, 2));
    if (ctx.values.csv) return void process.stdout.write(toCsv(rows as never[], STATISTICS_COLUMNS as never));
    const pick = sampleIndices(rows.length, int(ctx.values.rows, '--rows') ?? 12).map((i) => rows[i]);
    ctx.out(table(
      ['step', 'time', 'mean test loss', 'std error', 'R', 'n * var f', 'kurtosis'],
      pick.map((r) => [r.step, r.time, r.meanLoss, r.standardError, r.count, r.fluctuation, r.excessKurtosis]),
    ));
  },
};

async function statisticsFromTrajectory(ctx: Context, id: string): Promise<SimulationStatisticsReply> {
  const client = ctx.client();
  const [sim, { points }] = await Promise.all([client.get(id), client.fullTrajectory(id)]);
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  const index = new Map(steps.map((s, t) => [s, t]));
  const times = steps.map((s) => s * sim.spec.training.dt);
  const losses = Array.from({ length: sim.spec.replicas }, () => new Array<number | null>(steps.length).fill(null));
  for (const p of points) losses[p.replica][index.get(p.step)!] = p.testLoss;
  const s = aggregateSimulation(sim.spec.student.width, { steps, times, testLosses: losses }, { parameterization: sim.spec.student.parameterization });
  return { simulationId: id, ...s };
}

export const cancel: Command = {
  name: 'cancel',
  summary: 'cancel a queued or running simulation (what it computed is kept)',
  usage: ['cancel <id> [--json]'],
  json: 'the API\'s reply as JSON',
  remote: true,
  async run(ctx) {
    const sim = await ctx.client().cancel(await simulationIdArg(ctx));
    ctx.out(ctx.values.json ? JSON.stringify(sim, null, 2) : `${sim.id}: ${sim.status}`);
  },
};

export const retry: Command = {
  name: 'retry',
  summary: 'run a failed or cancelled simulation again, resuming from its last checkpoint',
  usage: ['retry <id> [--wait] [--json]'],
  optionHelp: [
    '--wait         follow it with a progress bar until it ends; exit 1 unless completed',
    'While the previous run is still stopping (409 with Retry-After), it asks again for up to 15 s.',
  ],
  options: { wait: { type: 'boolean' } },
  json: 'print the API\'s reply (with --wait, the final simulation) as JSON',
  remote: true,
  async run(ctx) {
    const client = ctx.client();
    const id = await simulationIdArg(ctx);
    const until = Date.now() + 15_000;
    let sim: SimulationReply & { resumesFromStep?: number };
    for (;;) {
      try {
        sim = await client.retry(id);
        break;
      } catch (err) {
        const stopping = err instanceof MfsimApiError && err.status === 409 && err.retryAfter !== undefined;
        if (!stopping || Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 1000 * Math.min(err.retryAfter!, 2)));
      }
    }
    if (!ctx.values.json) ctx.out(`${sim.id}: ${sim.status}${sim.resumesFromStep ? `, resumes from step ${sim.resumesFromStep}` : ''}`);
    if (ctx.values.wait) {
      sim = await followSimulation(ctx, client, sim.id);
      if (!ctx.values.json) ctx.out(describeSimulation(sim));
    }
    if (ctx.values.json) ctx.out(JSON.stringify(sim, null, 2));
    return ctx.values.wait ? exitFor(sim.status) : 0;
  },
};
