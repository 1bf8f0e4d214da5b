// Exports as zip (issue 17): a selection of simulations, or a sweep with its statistics. Streamed:
// runs are read one after another and each trajectory page by page (10,000 points), so the memory
// an export takes does not grow with its size.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { csvHeader, csvLine, TRAJECTORY_COLUMNS } from '@mfsim/client';
import { apiRoutes, idSchema, PROJECT_HEADER } from '@mfsim/contracts';
import { findSimulation, findSweep, readSimulationStatistics, readTrajectoryPage, sweepChildren, type SimulationRow } from '@mfsim/db';
import { projectOf } from '../auth.ts';
import { NotFoundError, RequestError } from '../errors.ts';
import { simulationReply } from '../replies.ts';
import { route } from '../route.ts';
import { zipStream } from '../zip-stream.ts';

const PAGE = 10_000;

/** A folder name from a run's id and name: the short id the CLI prints, then the name in safe characters. */
const runFolder = (row: SimulationRow) =>
  `runs/${row.id.slice(0, 8)}${row.name ? `-${row.name.replace(/[^A-Za-z0-9._=+-]+/g, '_').slice(0, 80)}` : ''}`;

const json = (value: unknown) => (async function* () {
  yield JSON.stringify(value, null, 2) + '\n';
})();

/** Every point of a run as CSV, read a page at a time. */
async function* trajectoryCsv(app: FastifyInstance, id: string): AsyncGenerator<string> {
  yield csvHeader(TRAJECTORY_COLUMNS);
  let cursor: string | undefined;
  do {
    const page = await readTrajectoryPage(app.deps.db, id, {}, { limit: PAGE, cursor });
    let text = '';
    for (const p of page.points) text += csvLine(p, TRAJECTORY_COLUMNS);
    yield text;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** One run's entries: simulation.json, trajectory.csv, statistics.json (when stored). */
async function* runEntries(app: FastifyInstance, ids: string[], project: string) {
  for (const id of ids) {
    // Read again as the archive reaches it: the row as it is then (a running run goes on meanwhile).
    const row = await findSimulation(app.deps.db, id, project);
    if (!row) continue;
    const folder = runFolder(row);
    yield { name: `${folder}/simulation.json`, content: json(simulationReply(row)) };
    yield { name: `${folder}/trajectory.csv`, content: trajectoryCsv(app, row.id) };
    const rows = await readSimulationStatistics(app.deps.db, row.id);
    if (rows.length > 0) {
      const statistics = { simulationId: row.id, width: row.width, replicas: row.replicas, unstableAtStep: row.unstableAtStep ?? null, rows };
      yield { name: `${folder}/statistics.json`, content: json(statistics) };
    }
  }
}

function sendZip(reply: import('fastify').FastifyReply, filename: string, entries: AsyncIterable<{ name: string; content: AsyncIterable<string | Buffer> }>) {
  reply.header('content-type', 'application/zip');
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  reply.header('cache-control', 'no-store');
  return Readable.from(zipStream(entries));
}

/** The reply of another GET of this API, as this caller (the sweep and its statistics are built by their own routes). */
async function sameCallerGet(app: FastifyInstance, request: FastifyRequest, url: string): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  for (const h of ['authorization', PROJECT_HEADER.toLowerCase()]) {
    const v = request.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const res = await app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.json() };
}

export default async function exportRoutes(app: FastifyInstance) {
  route(app, apiRoutes.simulations.exportZip, async (request, reply) => {
    const project = projectOf(request);
    const ids = [...new Set(request.query.ids)];
    const missing: string[] = [];
    for (const id of ids) if (!(await findSimulation(app.deps.db, id, project))) missing.push(id);
    if (missing.length > 0) throw new NotFoundError(`simulations ${missing.join(', ')}`);
    return sendZip(reply, `mfsim-${ids.length}-runs.zip`, runEntries(app, ids, project));
  });

  route(app, apiRoutes.sweeps.exportZip, async (request, reply) => {
    const project = projectOf(request);
    const id = request.params.id;
    const sweep = idSchema.safeParse(id).success ? await findSweep(app.deps.db, id, project) : null;
    if (!sweep) throw new NotFoundError(`sweep ${id}`);
    const described = await sameCallerGet(app, request, `/v1/sweeps/${sweep.id}`);
    if (described.status !== 200) throw new RequestError(described.status, `could not read sweep ${sweep.id}`);
    const children = await sweepChildren(app.deps.db, sweep.id);
    async function* entries() {
      yield { name: 'sweep.json', content: json(described.body) };
      // The statistics as GET /v1/sweeps/{id}/statistics gives them, once the sweep is aggregated.
      const statistics = await sameCallerGet(app, request, `/v1/sweeps/${sweep!.id}/statistics`);
      if (statistics.status === 200) yield { name: 'statistics.json', content: json(statistics.body) };
      yield* runEntries(app, children.map((c) => c.id), project);
    }
    const name = (sweep.name ?? 'sweep').replace(/[^A-Za-z0-9._=+-]+/g, '_').slice(0, 60);
    return sendZip(reply, `mfsim-sweep-${sweep.id.slice(0, 8)}-${name}.zip`, entries());
  });
}
