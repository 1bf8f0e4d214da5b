// npm run fuzz:api [count]: several thousand hostile requests on the real service; prints the counts.
import { buildApp } from '../src/app.ts';
import { apiConfig } from '../src/config.ts';
import { openApiDeps } from '../src/services.ts';
import { fuzzApi } from './fuzz-core.ts';

const count = Number(process.argv[2] ?? 5000);
const deps = openApiDeps(apiConfig());
const app = await buildApp({ deps, auth: false, bodyLimit: 1024 * 1024 });
await app.ready();
const rows = () => deps.db.prisma.simulation.count();
const jobs = async () => (await deps.queues.cpu.getJobCountByTypes('waiting', 'prioritized', 'active', 'delayed')) + (await deps.queues.gpu.getJobCountByTypes('waiting', 'prioritized', 'active', 'delayed'));
const [rows0, jobs0] = [await rows(), await jobs()];
const t0 = performance.now();
const r = await fuzzApi(app, count, Number(process.env.FUZZ_SEED ?? 1), 1024 * 1024);
const [rows1, jobs1] = [await rows(), await jobs()];
console.log(`requests: ${r.requests}  5xx: ${r.serverErrors}  4xx without a named field (or not 4xx): ${r.unnamed}  replies leaking internals: ${r.leaks}  rows written: ${rows1 - rows0}  jobs queued: ${jobs1 - jobs0}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
for (const e of r.examples) console.log(`  ${e}`);
await app.close();
await deps.close();
process.exitCode = r.serverErrors || r.unnamed || r.leaks || rows1 !== rows0 || jobs1 !== jobs0 ? 1 : 0;
