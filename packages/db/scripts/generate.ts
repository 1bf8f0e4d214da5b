// `prisma generate` offline: Prisma 7's CLI tries to download a schema-engine binary it does not
// need for generate; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file stops that.
// The client is written to packages/db/src/generated (gitignored).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DB_ROOT } from '../src/migrate.ts';

const require = createRequire(import.meta.url);
const prismaCli = join(require.resolve('prisma/package.json').replace(/package\.json$/, ''), 'build/index.js');
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const res = spawnSync(process.execPath, [prismaCli, 'generate', '--config', join(DB_ROOT, 'prisma.config.ts'), ...process.argv.slice(2)], {
  cwd: DB_ROOT,
  env,
  stdio: 'inherit',
});
process.exitCode = res.status ?? 1;
