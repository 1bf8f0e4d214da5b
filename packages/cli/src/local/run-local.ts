// A simulation run in this process: the engine with no Postgres, Redis or API. The spec is
// validated and its seed chosen exactly as the API does, the engine runs the same `simulate`
// the worker runs, and the statistics are the same `aggregateSimulation` of packages/stats, so
// the same spec and seed on the same kernel give the same numbers as the service.
import { randomInt } from 'node:crypto';
import { datasetRequestSchema, fieldIssues, specSchema, type DatasetRequest, type Spec, type SpecInput } from '@mfsim/contracts';
import { selectKernel, simulate, type Chunk, type TrajectoryPoint } from '@mfsim/engine';
import { aggregateSimulation, type SimulationRecords, type SimulationStatistics } from '@mfsim/stats';
import { MfsimSpecError } from '../spec-error.ts';

export interface LocalRunOptions {
  /** Kernel preference (auto, native, tfjs-wasm, ...); default env MFSIM_KERNEL, else auto. */
  kernel?: string;
  /** Overrides the spec's seed. */
  seed?: number;
  /**
   * The points of the stored dataset a spec names by `inputs.datasetId` (a local run cannot fetch
   * them: the API sends back only a dataset's size). Inlined as the worker inlines them.
   */
  dataset?: Pick<DatasetRequest, 'train' | 'test'>;
  /** Called after every chunk of steps. */
  onChunk?: (chunk: Chunk) => void;
  signal?: AbortSignal;
}

export interface LocalRun {
  /** The spec with every default filled in and the seed set. */
  spec: Spec;
  seed: number;
  status: 'completed' | 'diverged' | 'cancelled';
  divergedAtStep: number | null;
  kernel: { name: string; device: string; reason: string };
  /** Every recorded point, in (replica, step) order as the API returns them. */
  points: TrajectoryPoint[];
  statistics: SimulationStatistics;
  /** The records the statistics come from: test losses [R][T] and probe outputs per recorded step. */
  records: Required<SimulationRecords>;
  /** Wall-clock seconds the engine ran (after the kernel loaded). */
  runSeconds: number;
}

/** Validates a spec as the API does: the parsed spec, or an MfsimSpecError naming each field. */
export function parseSpec(input: unknown): Spec {
  const r = specSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = fieldIssues(r.error);
  throw new MfsimSpecError(`invalid spec: ${issues.length} field${issues.length === 1 ? '' : 's'}`, issues);
}

/** Validates a dataset file `{name?, train: {x, y}, test?}` as the API does. */
export function parseDataset(input: unknown): DatasetRequest {
  const r = datasetRequestSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = fieldIssues(r.error);
  throw new MfsimSpecError(`invalid dataset: ${issues.length} field${issues.length === 1 ? '' : 's'}`, issues);
}

export const STORED_DATASET_MESSAGE =
  'names a dataset stored on the service, whose points a local run cannot fetch (the API sends back only its size): ' +
  'give the points with --dataset FILE (the file you uploaded), write them into the spec as inputs.train and inputs.test, ' +
  'or run the spec on the service (mfsim submit)';

/**
 * A spec naming a stored dataset, with the given points inlined and the spec checked again (the
 * dimension checks need d), exactly as the API and the worker do; other specs unchanged.
 */
export function withLocalDataset(spec: Spec, dataset: LocalRunOptions['dataset']): Spec {
  if (spec.inputs.kind !== 'dataset' || spec.inputs.datasetId === undefined) return spec;
  if (!dataset) {
    throw new MfsimSpecError('a local run needs the points of a stored dataset', [{ path: 'inputs.datasetId', message: STORED_DATASET_MESSAGE }]);
  }
  return parseSpec({ ...spec, inputs: { kind: 'dataset', train: dataset.train, ...(dataset.test && { test: dataset.test }) } });
}

export async function runLocal(input: SpecInput | Spec, o: LocalRunOptions = {}): Promise<LocalRun> {
  const parsed = withLocalDataset(parseSpec(input), o.dataset);
  const seed = o.seed ?? parsed.seed ?? randomInt(0, 2 ** 31);
  const spec: Spec = { ...parsed, seed };
  const { kernel, reason } = await selectKernel(o.kernel);

  const started = performance.now();
  const run = await simulate(spec, seed, { kernel, signal: o.signal });
  const points: TrajectoryPoint[] = [];
  const probes = new Map<number, Float32Array>();
  let diverged: Chunk['diverged'];
  for await (const chunk of run) {
    points.push(...chunk.points);
    for (const p of chunk.probes) probes.set(p.step, p.values);
    diverged = chunk.diverged ?? diverged;
    o.onChunk?.(chunk);
    if (o.signal?.aborted) break;
  }
  const runSeconds = (performance.now() - started) / 1000;
  points.sort((a, b) => a.replica - b.replica || a.step - b.step);

  return {
    spec,
    seed,
    status: diverged ? 'diverged' : o.signal?.aborted ? 'cancelled' : 'completed',
    divergedAtStep: diverged?.step ?? null,
    kernel: { name: kernel.name, device: kernel.device, reason },
    points,
    ...statisticsOf(spec, points, probes),
    runSeconds,
  };
}

/** The statistics over replicas, per recorded step, from the points and probe outputs. */
function statisticsOf(spec: Spec, points: TrajectoryPoint[], probes: Map<number, Float32Array>) {
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  const index = new Map(steps.map((s, t) => [s, t]));
  const times = steps.map((s) => s * spec.training.dt);
  const testLosses = Array.from({ length: spec.replicas }, () => new Array<number | null>(steps.length).fill(null));
  for (const p of points) testLosses[p.replica][index.get(p.step)!] = p.testLoss;
  for (const p of points) times[index.get(p.step)!] = p.time;
  const records = { steps, times, testLosses, probeOutputs: steps.map((s) => probes.get(s) ?? null) };
  return { records, statistics: aggregateSimulation(spec.student.width, records, { parameterization: spec.student.parameterization }) };
}
