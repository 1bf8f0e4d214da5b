// CLI for the offline migrations (packages/db/src/migrate.ts). No Node flag needed.
//   tsx packages/db/scripts/migrate.ts              apply pending migrations to $DATABASE_URL
//   tsx packages/db/scripts/migrate.ts new <name>   write packages/db/prisma/migrations/<ts>_<name>/ (if the schema changed)
// DATABASE_URL defaults to postgresql://postgres@127.0.0.1:5432/postgres.
import { applyMigrations, createMigration, DEFAULT_DATABASE_URL } from '../src/migrate.ts';

const [command = 'deploy', ...rest] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const log = (line: string): void => console.log(line);

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

try {
  if (command === 'deploy' || command === 'apply') {
    log(`Applying migrations to ${redact(databaseUrl)}`);
    await applyMigrations(databaseUrl, { log });
  } else if (command === 'new' || command === 'create') {
    const name = rest[0];
    if (!name) throw new Error('usage: migrate new <name>');
    await createMigration(name, databaseUrl, { log });
  } else {
    throw new Error(`unknown command ${JSON.stringify(command)} (use: deploy | new <name>)`);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
