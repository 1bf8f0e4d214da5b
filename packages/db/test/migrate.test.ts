// The offline migrations against the local Postgres (127.0.0.1:5432, trust auth).
// Each run creates databases named mfsim_migrate_test_<random> and drops them afterwards.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createMigration, DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH } from '../src/migrate.ts';

const SERVER = process.env.MFSIM_TEST_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const created: string[] = [];

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `mfsim_migrate_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  created.push(name);
  return `${SERVER}/${name}`;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

const shadowDatabases = (): Promise<string[]> =>
  admin(async (c) =>
    (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`)).rows.map(
      (r) => r.datname,
    ),
  );

async function migrationNames(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

let shadowsBefore: string[] = [];
beforeAll(async () => {
  shadowsBefore = await shadowDatabases();
});

afterAll(async () => {
  for (const name of created) await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
});

describe('applyMigrations', () => {
  it('creates the schema on a fresh database, records checksums as Prisma does, and is idempotent', async () => {
    const url = await freshDatabase();
    const expected = await migrationNames(DEFAULT_MIGRATIONS_DIR);
    expect(expected.length).toBeGreaterThan(0);

    const first = await applyMigrations(url);
    expect(first.applied).toEqual(expected);

    const tables = (
      await query<{ table_name: string }>(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)
    ).map((r) => r.table_name);
    for (const t of ['simulations', 'trajectory_points', 'snapshots', 'checkpoints', '_prisma_migrations']) {
      expect(tables).toContain(t);
    }

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
    }>(url, `SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`);
    expect(rows.map((r) => r.migration_name)).toEqual(expected);
    for (const row of rows) {
      const sql = await readFile(join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const second = await applyMigrations(url);
    expect(second.applied).toEqual([]);
    const count = await query<{ n: string }>(url, `SELECT count(*) AS n FROM _prisma_migrations`);
    expect(Number(count[0]!.n)).toBe(expected.length);
  }, 60_000);

  it('runs a hand-written migration as one script (";" inside DO blocks and strings), atomically', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mfsim-migrate-'));
    try {
      const migrationsDir = join(work, 'migrations');
      await cp(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
      await mkdir(join(migrationsDir, '20990101000000_hand_written'));
      await writeFile(
        join(migrationsDir, '20990101000000_hand_written', 'migration.sql'),
        `DO $$ BEGIN\n  PERFORM 1;\n  PERFORM 2;\nEND $$;\nCREATE TABLE "semi" ("v" TEXT DEFAULT 'a;b');\n`,
      );
      await mkdir(join(migrationsDir, '20990102000000_broken'));
      await writeFile(
        join(migrationsDir, '20990102000000_broken', 'migration.sql'),
        `CREATE TABLE "half_done" ("id" INTEGER);\nSELECT no_such_function();\n`,
      );
      const url = await freshDatabase();
      await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(/no_such_function/);
      const state = await query<{ semi: string | null; half: string | null }>(
        url,
        `SELECT to_regclass('public.semi')::text AS semi, to_regclass('public.half_done')::text AS half`,
      );
      expect(state[0]).toEqual({ semi: 'semi', half: null });
      // As with `prisma migrate deploy`, a failed migration blocks further deploys.
      await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(/failed/);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('createMigration', () => {
  it('writes nothing when schema.prisma matches the migrations', async () => {
    const before = await migrationNames(DEFAULT_MIGRATIONS_DIR);
    const lock = await readFile(join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8');
    const lines: string[] = [];
    const result = await createMigration('should_not_exist', undefined, { log: (l) => lines.push(l) });
    expect(result).toEqual({ name: null, path: null, script: null });
    expect(lines.join('\n')).toMatch(/No schema changes/);
    expect(await migrationNames(DEFAULT_MIGRATIONS_DIR)).toEqual(before);
    expect(await readFile(join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8')).toBe(lock);
    expect(lock).toContain('provider = "postgresql"');
  }, 60_000);

  it('writes a migration for a changed schema, which then applies on top of the others', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mfsim-migrate-'));
    try {
      const migrationsDir = join(work, 'migrations');
      await cp(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
      const schemaPath = join(work, 'schema.prisma');
      const schema = await readFile(DEFAULT_SCHEMA_PATH, 'utf8');
      await writeFile(schemaPath, `${schema}\nmodel MigrateTestProbe {\n  id Int @id\n  @@map("migrate_test_probe")\n}\n`);

      const result = await createMigration('Add probe', undefined, { migrationsDir, schemaPath });
      expect(result.name).toMatch(/^\d{14}_add_probe$/);
      expect(result.script).toContain('CREATE TABLE "migrate_test_probe"');
      expect(result.script).not.toContain('"simulations"');
      expect(await readFile(result.path!, 'utf8')).toBe(result.script);

      const url = await freshDatabase();
      const { applied } = await applyMigrations(url, { migrationsDir, schemaPath });
      expect(applied.at(-1)).toBe(result.name);
      const probe = await query(url, `SELECT to_regclass('public.migrate_test_probe') AS t`);
      expect(probe[0]!.t).toBe('migrate_test_probe');

      // Unchanged again: nothing more to write.
      expect((await createMigration('again', undefined, { migrationsDir, schemaPath })).name).toBeNull();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);

  it('leaves no shadow database behind', async () => {
    expect(await shadowDatabases()).toEqual(shadowsBefore);
  });
});
