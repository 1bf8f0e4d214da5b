// Waits until every migration in this image's packages/db/prisma/migrations is applied to $DATABASE_URL (the
// migrations Job applies them); the API's init container on Kubernetes, so an API never starts on
// an older schema. Exits 1 after MFSIM_MIGRATION_WAIT_SECONDS (default 600).
import { readdirSync } from 'node:fs';
import pg from 'pg';

const wanted = readdirSync(new URL('../packages/db/prisma/migrations/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const deadline = Date.now() + Number(process.env.MFSIM_MIGRATION_WAIT_SECONDS ?? 600) * 1000;

async function missing() {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  try {
    await client.connect();
    const { rows } = await client.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    const applied = new Set(rows.map((r) => r.migration_name));
    return wanted.filter((m) => !applied.has(m));
  } catch (e) {
    return [`(database: ${e.message})`];
  } finally {
    await client.end().catch(() => {});
  }
}

for (;;) {
  const left = await missing();
  if (left.length === 0) break;
  if (Date.now() > deadline) {
    console.error(`migrations still missing: ${left.join(', ')}`);
    process.exit(1);
  }
  console.log(`waiting for migrations: ${left.length} missing (${left[0]}${left.length > 1 ? ', ...' : ''})`);
  await new Promise((r) => setTimeout(r, 3000));
}
console.log(`all ${wanted.length} migrations applied`);
