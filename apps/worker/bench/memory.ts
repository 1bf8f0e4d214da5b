// npm run bench:memory: is the memory estimate honest? For each spec of a matrix, a fresh process
// runs it the way a worker does (EngineHost: the engine thread, a checkpoint with every chunk
// carried back to the main thread and kept until the next, as a save holds it), stops after a few
// chunks, then resumes from the last checkpoint for one chunk (the load path), and reports its peak
// RSS. Prints estimate, measured peak and their ratio; the target is a ratio within 1/1.5 .. 1.5.
// Options: --quick (the three smallest specs).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { specSchema, type Spec } from '@mfsim/contracts';
import { estimateMemory, specHash } from '@mfsim/engine';
import { EngineHost } from '../src/engine/engine-host.ts';

const mib = (b: number) => (b / 2 ** 20).toFixed(0);

interface Row { d: number; width: number; replicas: number; batch: number; dynamics?: 'sgd' | 'gd'; trainSize?: number; probes?: number; logPoints?: number; testSize?: number; snapshots?: number[] }

const spec = (o: Row): Spec =>
  specSchema.parse({
    replicas: o.replicas,
    inputs: { kind: 'sphere', d: o.d },
    target: { kind: 'p-spin', p: 2 },
    student: { unit: 'tanh', width: o.width },
    training: o.dynamics === 'gd'
      ? { dynamics: 'gd', dt: 0.01, steps: 400, trainSize: o.trainSize }
      : { dynamics: 'sgd', batchSize: o.batch, dt: 0.01, steps: 400 },
    record: { logPoints: o.logPoints ?? 5, testSize: o.testSize ?? 1, probes: o.probes ?? 0, snapshots: o.snapshots ?? [] },
  });

const MATRIX: Row[] = [
  { d: 16, width: 1000, replicas: 4, batch: 64 },
  { d: 100, width: 10_000, replicas: 1, batch: 1 },
  { d: 32, width: 20_000, replicas: 8, batch: 256 },
  { d: 100, width: 100_000, replicas: 1, batch: 1 },
  { d: 100, width: 100_000, replicas: 4, batch: 16 },
  { d: 50, width: 50_000, replicas: 2, batch: 0, dynamics: 'gd', trainSize: 2000 },
  { d: 32, width: 20_000, replicas: 2, batch: 32, probes: 1024, logPoints: 100, testSize: 1024 },
  { d: 32, width: 50_000, replicas: 2, batch: 8, snapshots: [0, 100, 200, 300, 400] },
  { d: 100, width: 300_000, replicas: 1, batch: 1 },
  { d: 100, width: 700_000, replicas: 1, batch: 1 }, // the spec of issue 12
];

async function measureOne(s: Spec) {
  const host = await EngineHost.start({ kernelPreference: process.env.MFSIM_KERNEL });
  const identity = { simulationId: '00000000-0000-4000-8000-000000000001', specHash: specHash(s, 1) };
  let held: Uint8Array | undefined;
  let chunks = 0;
  const first = await host.run(s, 1, identity, undefined, {
    onChunk: async (_c, cp) => {
      chunks++;
      if (cp) held = cp.state; // kept until the next, as a save in progress holds it
    },
    checkpointDue: () => true,
    stopRequested: () => chunks >= 3,
  });
  held = undefined;
  chunks = 0;
  await host.run(s, 1, identity, first.checkpoint.state, { onChunk: async () => void chunks++, checkpointDue: () => false, stopRequested: () => true });
  await host.stop();
  // ru_maxrss is in KiB on Linux.
  console.log(JSON.stringify({ peak: process.resourceUsage().maxRSS * 1024, kernel: host.info.kernel, held: held === undefined }));
}

if (process.argv[2] === '--one') {
  await measureOne(JSON.parse(process.argv[3]) as Spec);
} else {
  const matrix = process.argv.includes('--quick') ? MATRIX.slice(0, 3) : MATRIX;
  console.log(`kernel threads in the estimate: ${availableParallelism()} (the cores; MFSIM_KERNEL_THREADS fixes them)`);
  console.log('spec                                                 estimate MiB  peak RSS MiB  estimate/peak  kernel');
  let worst = 1;
  for (const m of matrix) {
    const s = spec(m);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', JSON.stringify(s)], { encoding: 'utf8', env: process.env });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      console.log(`${JSON.stringify(m)}: failed (${r.status ?? r.signal}) ${r.stderr.slice(-300)}`);
      continue;
    }
    const { peak, kernel } = JSON.parse(line) as { peak: number; kernel: string };
    const est = estimateMemory(s).bytes;
    const ratio = est / peak;
    worst = Math.max(worst, ratio, 1 / ratio);
    const extras = [m.probes && `P=${m.probes}`, m.logPoints && `L=${m.logPoints}`, m.testSize && `T=${m.testSize}`, m.snapshots && `S=${m.snapshots.length}`];
    const label = [`${m.dynamics ?? 'sgd'} d=${m.d} n=${m.width} R=${m.replicas} B=${m.dynamics === 'gd' ? m.trainSize : m.batch}`, ...extras].filter(Boolean).join(' ');
    console.log(`${label.padEnd(52)} ${mib(est).padStart(12)}  ${mib(peak).padStart(12)}  ${ratio.toFixed(2).padStart(13)}  ${kernel}`);
  }
  console.log(`worst ratio either way: ${worst.toFixed(2)} (target <= 1.5)`);
}
