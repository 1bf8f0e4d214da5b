// The trajectory (ranges, downsampling, full scans; JSON or CSV) and particle snapshots (JSON or float32 bytes).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TRAJECTORY_COLUMNS, toCsv } from '@mfsim/client';
import { apiRoutes, type TrajectoryQuery } from '@mfsim/contracts';
import {
  InvalidTrajectoryCursorError, listSnapshotSteps, readSnapshot, readTrajectoryDownsampled, readTrajectoryPage,
} from '@mfsim/db';
import { projectOf } from '../auth.ts';
import { NotFoundError, RequestError } from '../errors.ts';
import { route } from '../route.ts';
import { simulationOr404 } from './simulations.ts';
import { snapshotJsonStream } from '../snapshot-json.ts';

function wants(request: FastifyRequest, format: string | undefined, type: string): boolean {
  if (format) return format === type;
  const accept = request.headers.accept ?? '';
  return type === 'csv' ? /\btext\/csv\b/.test(accept) : /application\/octet-stream/.test(accept);
}

/**
 * Replies kept by (id, finishedAt, stepsDone, query). Exact also for a running simulation: the
 * worker writes a chunk's points before it advances stepsDone, so while stepsDone stays the same
 * the points up to it do too (a reply may hold a chunk more, never one less).
 */
class ReplyCache {
  private readonly map = new Map<string, { type: string; body: string; nextCursor: string | null }>();
  constructor(private readonly max = 256) {}
  get(key: string) {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: { type: string; body: string; nextCursor: string | null }) {
    if (v.body.length > 4_000_000) return;
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

export default async function trajectoryRoutes(app: FastifyInstance) {
  const cache = new ReplyCache();
  const latest = new ReplyCache(64);
  const inFlight = new Map<string, Promise<{ type: string; body: string; nextCursor: string | null }>>();

  async function trajectory(id: string, q: TrajectoryQuery) {
    if (q.maxPoints !== undefined && q.cursor) throw new RequestError(400, 'cursor pages full scans; leave out maxPoints', [{ path: 'cursor', message: 'not with maxPoints' }]);
    for (const [from, to] of [['fromStep', 'toStep'], ['fromTime', 'toTime']] as const) {
      if (q[from] !== undefined && q[to] !== undefined && q[from]! > q[to]!) {
        throw new RequestError(400, `${from} is after ${to}`, [{ path: from, message: `greater than ${to}` }]);
      }
    }
    const range = { replica: q.replica, fromStep: q.fromStep, toStep: q.toStep, fromTime: q.fromTime, toTime: q.toTime };
    if (q.maxPoints !== undefined) {
      return { points: await readTrajectoryDownsampled(app.deps.db, id, range, q.maxPoints, q.by, q.axis), nextCursor: null, downsampled: true };
    }
    try {
      const page = await readTrajectoryPage(app.deps.db, id, range, { limit: q.limit, cursor: q.cursor });
      return { ...page, downsampled: false };
    } catch (err) {
      if (err instanceof InvalidTrajectoryCursorError) throw new RequestError(400, err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  }

  route(app, apiRoutes.simulations.trajectory, async (request, reply: FastifyReply) => {
    const q = request.query;
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    const csv = wants(request, q.format, 'csv');
    const key = `${row.id}|${row.finishedAt?.getTime()}|${row.stepsDone}|${csv}|${JSON.stringify(q)}`;
    const compute = async () => {
      const t = await trajectory(row.id, q);
      return csv
        ? { type: 'text/csv; charset=utf-8', body: toCsv(t.points, TRAJECTORY_COLUMNS), nextCursor: t.nextCursor }
        : { type: 'application/json; charset=utf-8', body: JSON.stringify({ simulationId: row.id, ...t }), nextCursor: t.nextCursor };
    };
    // The same query of a running simulation, whatever its progress: the last reply computed.
    const liveKey = row.finishedAt ? undefined : `${row.id}|${csv}|${JSON.stringify(q)}`;
    let hit = cache.get(key);
    if (!hit) {
      // One query per key at a time: the request that starts it waits for it (so a script that
      // reads stepsDone, then the trajectory, sees that chunk); requests arriving while it runs get
      // the reply of the chunk before for a running simulation (a chunk behind, consistent up to
      // its step) rather than a wait behind the query, or wait for the same answer otherwise.
      const pending = inFlight.get(key);
      const previous = pending && liveKey ? latest.get(liveKey) : undefined;
      if (previous) {
        hit = previous;
        reply.header('X-Trajectory-Previous-Chunk', 'true');
      } else if (pending) {
        hit = await pending;
      } else {
        const started = compute().then((r) => {
          cache.set(key, r);
          if (liveKey) latest.set(liveKey, r);
          return r;
        }).finally(() => inFlight.delete(key));
        inFlight.set(key, started);
        hit = await started;
      }
    }
    if (hit.nextCursor) reply.header('X-Next-Cursor', hit.nextCursor);
    return reply.type(hit.type).send(hit.body);
  });

  route(app, apiRoutes.simulations.snapshots, async (request) => {
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    return { simulationId: row.id, steps: await listSnapshotSteps(app.deps.db, row.id) };
  });

  route(app, apiRoutes.simulations.snapshot,
    async (request, reply) => {
      const format = request.query.format;
      const step = request.params.step;
      const row = await simulationOr404(app, request.params.id, projectOf(request));
      const snap = await readSnapshot(app.deps.db, row.id, Number(step));
      if (!snap) throw new NotFoundError(`snapshot at step ${step}`);
      const R = row.replicas;
      const n = row.width;
      const d = R * n > 0 ? snap.w.length / (R * n) : 0;
      if (format === 'binary' || (format === undefined && wants(request, undefined, 'binary'))) {
        const bytes = Buffer.concat([Buffer.from(snap.c.buffer, snap.c.byteOffset, snap.c.byteLength),
          Buffer.from(snap.w.buffer, snap.w.byteOffset, snap.w.byteLength), Buffer.from(snap.b.buffer, snap.b.byteOffset, snap.b.byteLength)]);
        reply.header('X-Snapshot-Shape', `R=${R},n=${n},d=${d}`);
        reply.header('X-Snapshot-Layout', 'float32 little-endian: c[R,n] then w[R,n,d] then b[R,n]');
        return reply.type('application/octet-stream').send(bytes);
      }
      // Streamed: the JSON of a large snapshot would not fit in one string (snapshot-json.ts).
      return reply.type('application/json; charset=utf-8')
        .send(snapshotJsonStream({ simulationId: row.id, step: snap.step, replicas: R, width: n, d }, { c: snap.c, w: snap.w, b: snap.b }));
    },
  );
}
