// The simulations table: creation by the API, state changes by the worker.
import { isStorableDate, isUuid, LIMITS, type Spec, type SimulationStatus } from '@mfsim/contracts';
import type { Database } from './client.ts';
import { recordIdempotentReply, releaseIdempotencyKeyIn, type HeldIdempotencyKey, type IdempotentWrite } from './idempotency.ts';
import type { Simulation } from './generated/client.ts';
import { Prisma } from './generated/client.ts';

export type SimulationRow = Simulation;

export interface NewSimulation {
  id?: string;
  spec: Spec;
  seed: number;
  totalSteps: number;
  priority?: number;
  /** The owning project; default "default". */
  project?: string;
}

/**
 * Writes a queued simulation. With `idempotent` (a POST holding an Idempotency-Key), the key's reply
 * is recorded in the same transaction (see recordIdempotentReply).
 */
export function createSimulation(db: Database, s: NewSimulation, o: { idempotent?: IdempotentWrite<SimulationRow> } = {}): Promise<SimulationRow> {
  const data = {
    id: s.id,
    name: s.spec.name ?? null,
    tags: s.spec.tags,
    spec: s.spec as unknown as Prisma.InputJsonValue,
    seed: BigInt(s.seed),
    replicas: s.spec.replicas,
    width: s.spec.student.width,
    dt: s.spec.training.dt,
    dynamics: s.spec.training.dynamics,
    totalSteps: s.totalSteps,
    priority: s.priority ?? 0,
    project: s.project,
  };
  const idempotent = o.idempotent;
  if (!idempotent) return db.prisma.simulation.create({ data });
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.simulation.create({ data });
    await recordIdempotentReply(tx, idempotent, idempotent.reply(row));
    return row;
  }, { timeout: 60_000, maxWait: 10_000 });
}

/** Removes a simulation that could not be queued; with `idempotent`, the key's record goes in the same transaction. */
export async function deleteSimulation(db: Database, id: string, o: { idempotent?: HeldIdempotencyKey } = {}): Promise<unknown> {
  const idempotent = o.idempotent;
  if (!idempotent) return db.prisma.simulation.delete({ where: { id } });
  return db.prisma.$transaction(async (tx) => {
    await tx.simulation.delete({ where: { id } });
    await releaseIdempotencyKeyIn(tx, idempotent);
  });
}

const SIMULATION_COLUMNS = [
  'unstableAtStep',
  'id', 'name', 'tags', 'note', 'status', 'spec', 'seed', 'replicas', 'width', 'totalSteps', 'stepsDone', 'progress', 'backend',
  'device', 'error', 'divergedAtStep', 'priority', 'createdAt', 'startedAt', 'finishedAt', 'runSeconds', 'sweepId', 'sweepPoint', 'trajectoryDigest', 'project',
  'firstStartedAt', 'dt', 'dynamics', 'finalTestLoss', 'finalTrainLoss', 'bestTestLoss',
] as const satisfies readonly (keyof SimulationRow)[];
const FIND_SIMULATION = `SELECT ${SIMULATION_COLUMNS.map((c) => `"${c}"`).join(', ')} FROM simulations WHERE id = $1 AND ($2::text IS NULL OR project = $2)`;

/**
 * One simulation by id, as Prisma would return it; null when it is not in `project` (the API's
 * reads always pass it; the worker, acting on ids the API made, passes none). A prepared statement on the pool: this is on
 * every read of a simulation (status polls, trajectories, events) and costs about a quarter of
 * Prisma's findUnique. `id` must be a UUID (callers check it first).
 */
export async function findSimulation(db: Database, id: string, project?: string): Promise<SimulationRow | null> {
  const { rows } = await db.pool.query<Omit<SimulationRow, 'seed'> & { seed: string }>({ name: 'find-simulation', text: FIND_SIMULATION, values: [id, project ?? null] });
  const row = rows[0];
  return row ? { ...row, seed: BigInt(row.seed) } : null;
}

export interface SimulationPage {
  items: SimulationRow[];
  nextCursor: string | null;
}

// The cursor is the sort value and id of the last row of the page: stable under inserts.
type SortField = 'createdAt' | 'width' | 'progress' | 'totalSteps' | 'dynamics' | 'dt' | 'runSeconds' | 'finalTestLoss' | 'bestTestLoss' | 'finalTrainLoss';
/** Sort keys as the API names them (`steps` is the column `totalSteps`). */
type SortKey = SortField | 'steps';
export type SimulationSort = SortKey | `-${SortKey}`;
/**
 * Columns that may be null (no loss recorded yet, never run; dt and dynamics on a row written by an
 * API older than their columns): their nulls come last in both directions.
 */
const NULLABLE: ReadonlySet<SortField> = new Set(['dynamics', 'dt', 'runSeconds', 'finalTestLoss', 'bestTestLoss', 'finalTrainLoss']);
const sortField = (sort: SimulationSort): SortField => {
  const key = sort.replace('-', '') as SortKey;
  return key === 'steps' ? 'totalSteps' : key;
};

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this API returned for this sort');
    this.name = 'InvalidCursorError';
  }
}

const encodeCursor = (sort: SimulationSort, row: SimulationRow) => {
  const field = sortField(sort);
  const v = row[field];
  return Buffer.from(JSON.stringify([sort, v instanceof Date ? v.toISOString() : v, row.id])).toString('base64url');
};

function decodeCursor(cursor: string, sort: SimulationSort): { value: Date | number | string | null; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== sort) throw new InvalidCursorError();
  const [, raw, id] = parsed as [string, unknown, unknown];
  if (!isUuid(id)) throw new InvalidCursorError();
  const field = sortField(sort);
  if (raw === null && NULLABLE.has(field)) return { value: null, id };
  if (field === 'createdAt') {
    const d = new Date(typeof raw === 'string' ? raw : '');
    if (!isStorableDate(d)) throw new InvalidCursorError();
    return { value: d, id };
  }
  if (field === 'dynamics') {
    if (typeof raw !== 'string' || raw.length > MAX_DYNAMICS_LENGTH) throw new InvalidCursorError();
    return { value: raw, id };
  }
  // The values a row can hold: a cursor past them would reach Postgres as an out-of-range integer.
  const [min, max, integer] = CURSOR_RANGES[field];
  if (typeof raw !== 'number' || !(raw >= min && raw <= max) || (integer && !Number.isInteger(raw))) throw new InvalidCursorError();
  return { value: raw, id };
}

/** Longer than any dynamics the spec takes: a cursor's text is not a place to send megabytes. */
const MAX_DYNAMICS_LENGTH = 64;

const CURSOR_RANGES: Record<Exclude<SortField, 'createdAt' | 'dynamics'>, [number, number, boolean]> = {
  width: [1, LIMITS.maxWidth, true],
  totalSteps: [1, LIMITS.maxSteps, true],
  progress: [0, 1, false],
  dt: [0, Number.MAX_VALUE, false],
  runSeconds: [0, Number.MAX_VALUE, false],
  finalTestLoss: [-Number.MAX_VALUE, Number.MAX_VALUE, false],
  bestTestLoss: [-Number.MAX_VALUE, Number.MAX_VALUE, false],
  finalTrainLoss: [-Number.MAX_VALUE, Number.MAX_VALUE, false],
};

/** `s` for a LIKE pattern that matches it literally (Prisma's `contains` leaves % and _ as wildcards). */
export const likeLiteral = (s: string) => s.replace(/[\\%_]/g, '\\$&');

export class SweepFilterUnavailableError extends Error {
  constructor() {
    super('simulations do not belong to sweeps in this version of the service');
    this.name = 'SweepFilterUnavailableError';
  }
}

export interface SimulationListQuery {
  /** Only this project's simulations. */
  project: string;
  limit: number;
  cursor?: string;
  /** Any of these statuses. */
  status?: SimulationStatus | SimulationStatus[];
  /** Case-insensitive part of the name. */
  name?: string;
  /** The start of the id (hex digits and dashes). */
  idPrefix?: string;
  /** Case-insensitive part of the name or the note, or a tag equal to it (ignoring case). */
  q?: string;
  tag?: string;
  sweep?: string;
  /** Spec fields by dotted path ("student.width") and the value the stored spec holds there. */
  spec?: Record<string, string | number | boolean | null>;
  /** The same as `sweep` (both given: both must hold). */
  sweepId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  sort?: SimulationSort;
}

/** One page of simulations, filtered and sorted (newest first by default). */
export async function listSimulations(db: Database, q: SimulationListQuery): Promise<SimulationPage> {
  const sort = q.sort ?? '-createdAt';
  const field = sortField(sort);
  const dir = sort.startsWith('-') ? 'desc' : 'asc';
  const op = dir === 'desc' ? 'lt' : 'gt';
  const nullable = NULLABLE.has(field);
  const after = q.cursor ? decodeCursor(q.cursor, sort) : undefined;
  // The sweep column arrives with sweeps (issue 4); until then the filter is refused, not ignored.
  const hasSweeps = 'sweepId' in Prisma.SimulationScalarFieldEnum;
  const sweeps = [...new Set([q.sweep, q.sweepId].filter((v): v is string => v !== undefined))];
  if (sweeps.length > 0 && !hasSweeps) throw new SweepFilterUnavailableError();
  const where: Prisma.SimulationWhereInput = {
    project: q.project,
    ...(q.status !== undefined && { status: Array.isArray(q.status) ? { in: q.status } : q.status }),
    ...(q.name && { name: { contains: likeLiteral(q.name), mode: 'insensitive' } }),
    ...(q.tag && { tags: { has: q.tag } }),
    ...(q.q && { OR: await textSearch(db, q.project, q.q) }),
    ...(q.idPrefix && { id: { in: await idsStartingWith(db, q.project, q.idPrefix) } }),
    ...(!after && q.spec && Object.keys(q.spec).length > 0 && { AND: specFilters(q.spec) }),
    ...((q.createdAfter || q.createdBefore) && { createdAt: { gte: q.createdAfter, lt: q.createdBefore } }),
    ...(sweeps.length > 0 && ({ sweepId: sweeps.length === 1 ? sweeps[0] : { in: [] } } as Prisma.SimulationWhereInput)),
    ...(after && { AND: [...specFilters(q.spec), { OR: afterCursor(field, op, after, nullable) }] }),
  };
  const rows = await db.prisma.simulation.findMany({
    where,
    orderBy: [{ [field]: nullable ? { sort: dir, nulls: 'last' } : dir }, { id: dir }],
    take: q.limit + 1,
  });
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(sort, items[items.length - 1]) : null };
}

// The rows after the cursor's (value, id) in (field, id) order, nulls last in both directions.
function afterCursor(field: SortField, op: 'lt' | 'gt', after: { value: Date | number | string | null; id: string }, nullable: boolean): Prisma.SimulationWhereInput[] {
  if (after.value === null) return [{ [field]: null, id: { [op]: after.id } }];
  return [
    { [field]: { [op]: after.value } },
    { [field]: after.value, id: { [op]: after.id } },
    ...(nullable ? [{ [field]: null }] : []),
  ];
}

// Each spec field must hold its value (JSONB path equality on the stored spec, defaults filled in).
const specFilters = (spec: SimulationListQuery['spec'] = {}): Prisma.SimulationWhereInput[] =>
  Object.entries(spec).map(([path, value]) => ({ spec: { path: path.split('.'), equals: value === null ? Prisma.AnyNull : value } }));

// The ids of `project` starting with `prefix` (a uuid column has no LIKE; its text form does).
// At most 1000: a prefix that matches more is not a short id.
async function idsStartingWith(db: Database, project: string, prefix: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    "SELECT id FROM simulations WHERE project = $1 AND id::text LIKE $2 || '%' LIMIT 1000",
    [project, likeLiteral(prefix.toLowerCase())],
  );
  return rows.map((r) => r.id);
}

// `q`: a part of the name or note, or a whole tag; all case-insensitive (Prisma has no case-insensitive
// array match: the ids whose tags match come from one query first).
async function textSearch(db: Database, project: string, text: string): Promise<Prisma.SimulationWhereInput[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    'SELECT id FROM simulations WHERE project = $1 AND EXISTS (SELECT 1 FROM unnest(tags) t WHERE lower(t) = lower($2))',
    [project, text],
  );
  return [
    { name: { contains: likeLiteral(text), mode: 'insensitive' } },
    { note: { contains: likeLiteral(text), mode: 'insensitive' } },
    ...(rows.length > 0 ? [{ id: { in: rows.map((r) => r.id) } }] : []),
  ];
}

/** What a researcher changes on a run after the fact; absent fields are kept, null clears. */
export interface SimulationLabels {
  name?: string | null;
  tags?: string[];
  note?: string | null;
}

/** Sets name, tags or note of a simulation of `project`; null when it is not there. */
export async function updateSimulationLabels(db: Database, id: string, project: string, labels: SimulationLabels): Promise<SimulationRow | null> {
  const { count } = await db.prisma.simulation.updateMany({
    where: { id, project },
    data: {
      ...(labels.name !== undefined && { name: labels.name }),
      ...(labels.tags !== undefined && { tags: labels.tags }),
      ...(labels.note !== undefined && { note: labels.note }),
    },
  });
  return count > 0 ? findSimulation(db, id, project) : null;
}

/** queued -> running; also a resumed run (running again after a worker died). */
/** Returns false (and changes nothing) when the simulation was cancelled meanwhile. */
export async function markRunning(db: Database, id: string, run: { backend: string; device: string }): Promise<boolean> {
  const { count } = await db.prisma.simulation.updateMany({
    where: { id, status: { in: ['queued', 'running'] } },
    data: { status: 'running', backend: run.backend, device: run.device, startedAt: new Date(), error: null },
  });
  if (count > 0) await db.pool.query('UPDATE simulations SET "firstStartedAt" = coalesce("firstStartedAt", "startedAt") WHERE id = $1', [id]);
  return count > 0;
}

/** What a stored chunk adds to the list's columns. */
export interface ChunkSummary {
  /** Engine seconds since the last count (added to `runSeconds`). */
  seconds?: number;
  /** Replica means (finite values only) at the chunk's last recorded step; null keeps the stored one. */
  finalTestLoss?: number | null;
  finalTrainLoss?: number | null;
  /** The least replica-mean test loss of the chunk's recorded steps; the stored one is kept when lower. */
  bestTestLoss?: number | null;
}

/** Progress after a stored chunk, with its run time and losses; the row's status after (a cancel may have come). */
export async function updateProgress(db: Database, id: string, stepsDone: number, totalSteps: number, chunk: ChunkSummary = {}): Promise<{ status: SimulationStatus }> {
  const { rows } = await db.pool.query<{ status: SimulationStatus }>(
    `UPDATE simulations SET "stepsDone" = $2, progress = $3,
       "runSeconds" = CASE WHEN $4::float8 IS NULL THEN "runSeconds" ELSE coalesce("runSeconds", 0) + $4::float8 END,
       "finalTestLoss" = coalesce($5::float8, "finalTestLoss"), "finalTrainLoss" = coalesce($6::float8, "finalTrainLoss"),
       "bestTestLoss" = least("bestTestLoss", $7::float8)
     WHERE id = $1 RETURNING status`,
    [id, stepsDone, totalSteps > 0 ? stepsDone / totalSteps : 1, chunk.seconds ?? null, chunk.finalTestLoss ?? null, chunk.finalTrainLoss ?? null, chunk.bestTestLoss ?? null],
  );
  if (!rows[0]) throw new Error(`simulation ${id} is gone`);
  return rows[0];
}

export interface Outcome {
  status: Extract<SimulationStatus, 'completed' | 'failed' | 'diverged' | 'cancelled'>;
  stepsDone?: number;
  error?: string;
  divergedAtStep?: number;
  /** Engine seconds since the last chunk's count, added to the total. */
  runSeconds?: number;
}

/** A final status; never overwrites `cancelled` (a client's cancel wins over the worker's end). */
export async function markFinished(db: Database, id: string, o: Outcome) {
  const result = await db.prisma.simulation.updateMany({
    where: { id, ...(o.status !== 'cancelled' && { status: { not: 'cancelled' } }) },
    data: {
      status: o.status,
      finishedAt: new Date(),
      error: o.error ?? null,
      divergedAtStep: o.divergedAtStep ?? null,
      ...(o.stepsDone !== undefined && { stepsDone: o.stepsDone }),
      ...(o.status === 'completed' && { progress: 1 }),
    },
  });
  // The attempt's time counts whatever status wins (a cancel's too); added in SQL, as a null total is no number.
  if (o.runSeconds !== undefined) await db.pool.query('UPDATE simulations SET "runSeconds" = coalesce("runSeconds", 0) + $2 WHERE id = $1', [id, o.runSeconds]);
  return result;
}
