// Prisma's schema engine, compiled to WebAssembly, driven through the pg driver adapter.
// This is what lets mfsim migrate offline: the Prisma CLI would download a native
// schema-engine binary from a host these machines cannot reach.
//
// The package's entry (`schema_engine.js`) does `import * as wasm from "./schema_engine_bg.wasm"`,
// which Node 20 only accepts with --experimental-wasm-modules. We instantiate the .wasm
// ourselves instead (exactly what that entry does, minus the ESM-wasm import), so no Node flag
// is needed, in-process, under tsx, under vitest or anywhere else.
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationDirectory, MigrationList, SchemaEngine as SchemaEngineType } from '@prisma/schema-engine-wasm';

type SchemaEngineClass = typeof SchemaEngineType;

let loaded: Promise<SchemaEngineClass> | undefined;

/** Loads and starts the wasm module once per process. */
export function loadSchemaEngineClass(): Promise<SchemaEngineClass> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    // The "./schema_engine_bg" subpath is exported by the package; the .wasm sits beside it.
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as Record<string, unknown> & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
      SchemaEngine: SchemaEngineClass;
    };
    const bytes = readFileSync(join(dirname(bgPath), 'schema_engine_bg.wasm'));
    // (The project's TS lib has no DOM/WebAssembly declarations; Node has the global.)
    const { WebAssembly: wasm } = globalThis as unknown as {
      WebAssembly: {
        compile(bytes: Uint8Array): Promise<object>;
        instantiate(module: object, imports: Record<string, object>): Promise<{ exports: Record<string, unknown> }>;
      };
    };
    const module = await wasm.compile(bytes);
    const instance = await wasm.instantiate(module, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg.SchemaEngine;
  })();
  return loaded;
}

/**
 * pg config from a URL, as discrete fields. (PrismaPg creates the shadow database with
 * `{...config, database}`; with a `connectionString` in the config, pg would ignore that
 * `database` and the shadow work would land in the main database.)
 */
export interface PgConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl?: boolean;
}

export function pgConfigFromUrl(databaseUrl: string): PgConfig {
  const u = new URL(databaseUrl);
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new Error(`Not a PostgreSQL URL: ${u.protocol}//...`);
  }
  const host = decodeURIComponent(u.searchParams.get('host') ?? u.hostname) || '127.0.0.1';
  const sslmode = u.searchParams.get('sslmode');
  return {
    host,
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    ...(sslmode && sslmode !== 'disable' ? { ssl: true } : {}),
  };
}

/**
 * A temporary shadow database (what `prisma migrate dev` replays the migrations on).
 * PrismaPg's own connectToShadowDb drops the database before closing its pool to it, which
 * Postgres refuses ("is being accessed by other users"); this closes first, then drops.
 */
async function connectToShadowDb(config: PgConfig): Promise<SqlDriverAdapter> {
  const database = `prisma_migrate_shadow_db_${randomUUID()}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client(config);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${database}"`);
  const adapter = await new PrismaPg({ ...config, database }).connect();
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    await admin(`DROP DATABASE IF EXISTS "${database}"`);
  };
  return adapter;
}

const PG_CHAR_OID = 18; // the one-byte "char" type of the catalogs (pg_class.relkind, ...)
const PG_TEXT_OID = 25;

/**
 * The schema engine describes a database through catalog queries that return `"char"` columns
 * (relkind, contype, ...); @prisma/adapter-pg 7.10 has no mapping for that type and fails with
 * "Column type 'char' could not be deserialized from the database", so every diff that reads a
 * database (shadow or live) would fail. pg already returns those values as one-character
 * strings; we relabel the column as text, which is what the engine reads them as.
 */
function readCharAsText(queryable: object): void {
  const q = queryable as {
    performIO?: (query: unknown) => Promise<{ fields?: { dataTypeID: number }[] } | undefined>;
    startTransaction?: (...args: unknown[]) => Promise<object>;
  };
  const performIO = q.performIO?.bind(queryable);
  if (performIO) {
    q.performIO = async (query) => {
      const result = await performIO(query);
      for (const field of result?.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      return result;
    };
  }
  const startTransaction = q.startTransaction?.bind(queryable);
  if (startTransaction) {
    q.startTransaction = async (...args) => {
      const tx = await startTransaction(...args);
      readCharAsText(tx);
      return tx;
    };
  }
}

/**
 * @prisma/adapter-pg 7.10's executeScript splits a script on every ";" and runs the pieces one
 * by one, which breaks `DO $$ ... $$`, function bodies and string literals containing ";", and
 * loses atomicity. The native engine sends the whole migration as one simple-protocol query
 * (which Postgres runs as one implicit transaction); so do we.
 */
function executeScriptWhole(adapter: SqlDriverAdapter): void {
  const a = adapter as unknown as {
    client: { query(sql: string): Promise<unknown> };
    onError(error: unknown): never;
    executeScript(script: string): Promise<void>;
  };
  if (typeof a.client?.query !== 'function' || typeof a.onError !== 'function') return;
  a.executeScript = async (script: string) => {
    try {
      await a.client.query(script);
    } catch (error) {
      a.onError(error);
    }
  };
}

export interface EngineHandle {
  engine: SchemaEngineType;
  /** Frees the engine and closes every connection (and drops any shadow database) it opened. */
  close(): Promise<void>;
}

/** Starts a schema engine on `databaseUrl` with the given Prisma schema files. */
export async function openSchemaEngine(
  databaseUrl: string,
  datamodels: [path: string, content: string][],
): Promise<EngineHandle> {
  const SchemaEngine = await loadSchemaEngineClass();
  const config = pgConfigFromUrl(databaseUrl);
  const main = new PrismaPg(config);
  const opened: SqlDriverAdapter[] = [];
  const track = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    readCharAsText(adapter);
    executeScriptWhole(adapter);
    const dispose = adapter.dispose.bind(adapter);
    let done: Promise<void> | undefined;
    adapter.dispose = () => (done ??= dispose());
    opened.push(adapter);
    return adapter;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async () => track(await main.connect()),
    connectToShadowDb: async () => track(await connectToShadowDb(config)),
  };
  const log = (...args: unknown[]): void => {
    if (process.env.MFSIM_MIGRATE_DEBUG) console.error('[schema-engine]', ...args);
  };
  const engine = await SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(factory));
  return {
    engine,
    async close() {
      try {
        engine.free();
      } finally {
        // Shadow databases first (their dispose drops them through the main connection's pool).
        for (const a of [...opened].reverse()) await a.dispose().catch(() => undefined);
      }
    },
  };
}

/** Reads prisma/migrations as the Prisma CLI does (same ordering, same lockfile handling). */
export async function readMigrationsList(baseDir: string, shadowDbInitScript = ''): Promise<MigrationList> {
  const lockPath = 'migration_lock.toml';
  const lockContent = await readFile(join(baseDir, lockPath), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const dirs: MigrationDirectory[] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const file = 'migration.sql';
    const content = await readFile(join(baseDir, entry.name, file), 'utf8').then(
      (value) => ({ tag: 'ok' as const, value }),
      (err: Error) => ({ tag: 'error' as const, value: err.message }),
    );
    dirs.push({ path: entry.name, migrationFile: { path: file, content } });
  }
  dirs.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: lockPath, content: lockContent },
    migrationDirectories: dirs,
    shadowDbInitScript,
  };
}
