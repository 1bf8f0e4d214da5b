// Counts a process's Postgres statements and Redis commands, for npm run bench:dispatch. Imported
// by the bench's own worker processes (counted-worker.ts) and by the bench itself, which runs the
// API: it wraps pg's Client.prototype.query (every pool query, Prisma's included, goes through it)
// and ioredis's sendCommand (BullMQ's commands included). Nothing in the service imports it.
// With MFSIM_ROUND_TRIPS_DIR set, a SIGUSR2 writes the counts so far to <dir>/<pid>.json.
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';

export interface RoundTripCounts {
  /** Postgres statements sent (BEGIN, COMMIT and ROLLBACK included): each is one round trip. */
  pgStatements: number;
  /** Transactions opened with BEGIN (each autocommit statement is a transaction of its own as well). */
  pgTransactions: number;
  /** Statements by kind: the query's name, else its first words. */
  pgByKind: Record<string, number>;
  redisCommands: number;
  /** Writes to Redis: a command alone, or a whole pipeline / MULTI. */
  redisRoundTrips: number;
  redisByCommand: Record<string, number>;
}

const counts: RoundTripCounts = { pgStatements: 0, pgTransactions: 0, pgByKind: {}, redisCommands: 0, redisRoundTrips: 0, redisByCommand: {} };

/** A short label for a statement: "INSERT trajectory_points", "UPDATE simulations", "BEGIN". */
export function statementKind(text: string): string {
  const t = text.replace(/\s+/g, ' ').replace(/"/g, '').replace(/public\./g, '').trim();
  if (/^WITH\b/i.test(t)) {
    // A statement with CTEs: named by the first table it writes (or SELECT when it writes none).
    const w = /\b(?:INSERT INTO|UPDATE|DELETE FROM) (\w+)/i.exec(t);
    return w ? `WITH..${w[0].split(' ')[0].toUpperCase()} ${w[1]}` : 'WITH..SELECT';
  }
  const m = /^(INSERT INTO (\S+)|UPDATE (\S+)|DELETE FROM (\S+)|SELECT\b.*?\bFROM (\S+)|(\w+))/i.exec(t);
  if (!m) return t.slice(0, 40);
  const verb = t.split(' ')[0].toUpperCase();
  const table = m[2] ?? m[3] ?? m[4] ?? m[5];
  return table ? `${verb} ${table.replace(/[(,].*/, '')}` : verb;
}

const bump = (o: Record<string, number>, k: string) => {
  o[k] = (o[k] ?? 0) + 1;
};

const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string; name?: string } | undefined;
  const text = typeof first === 'string' ? first : first?.text ?? '';
  counts.pgStatements++;
  if (/^\s*BEGIN/i.test(text)) counts.pgTransactions++;
  bump(counts.pgByKind, typeof first === 'object' && first?.name ? first.name : statementKind(text));
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const pipelines = new WeakSet<object>();
const originalSend = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, command: { name: string }, stream?: { isPipeline?: boolean }) {
  counts.redisCommands++;
  bump(counts.redisByCommand, command.name);
  if (stream && 'isPipeline' in stream && stream.isPipeline) {
    if (!pipelines.has(stream)) {
      pipelines.add(stream);
      counts.redisRoundTrips++;
    }
  } else counts.redisRoundTrips++;
  return (originalSend as (...a: unknown[]) => unknown).call(this, command, stream);
} as typeof Redis.prototype.sendCommand;

/** A copy of the counts so far. */
export const roundTripCounts = (): RoundTripCounts => JSON.parse(JSON.stringify(counts)) as RoundTripCounts;

// Written once at once: the file's presence says the handler is in place.
const dir = process.env.MFSIM_ROUND_TRIPS_DIR;
if (dir) {
  process.on('SIGUSR2', () => writeFileSync(`${dir}/${process.pid}.json`, JSON.stringify(counts)));
  writeFileSync(`${dir}/${process.pid}.json`, JSON.stringify(counts));
}
