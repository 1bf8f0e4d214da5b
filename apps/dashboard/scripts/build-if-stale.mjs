// Builds the page (vite build) when dist/ is missing or older than any of its sources, so a
// fresh clone serves /dashboard/ on `npm start` and `npm test` without a committed build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['index.html', 'vite.config.ts', 'package.json', 'src/client', '../../packages/contracts/src'];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((e) => newest(path.join(p, e))));
}

const built = path.join(here, 'dist/index.html');
const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
if (builtAt === 0 || sources.some((s) => newest(path.join(here, s)) > builtAt)) {
  console.log('\x1b[1mmfsim\x1b[0m building the dashboard (vite build)');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: here, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
