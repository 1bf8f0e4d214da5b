// The records a run's statistics and limits are computed from, kept in memory as its chunks are
// stored, so that a run that wrote every one of its steps itself need not read them back from
// Postgres at its end. They are what readStatisticsInputs (packages/db) reads back, value for value:
// the same steps in order, the time of each step's lowest replica, non-finite losses as null (as
// stored), the probe outputs of the recorded steps. Past `maxBytes` nothing more is kept and the
// run reads its records back as before.
import type { StatisticsInputs } from '@mfsim/db';
import type { Chunk } from '@mfsim/engine';

const DEFAULT_MAX_BYTES = 64 * 2 ** 20;

export class KeptRecords {
  private readonly steps = new Map<number, { time: number; timeReplica: number; losses: Map<number, number | null> }>();
  private readonly probes = new Map<number, Float32Array>();
  private bytes = 0;
  private overflowed = false;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  add(chunk: Chunk): void {
    if (this.overflowed) return;
    this.bytes += chunk.points.length * 48 + chunk.probes.reduce((a, p) => a + p.values.byteLength + 32, 0);
    if (this.bytes > this.maxBytes) {
      this.overflowed = true;
      this.steps.clear();
      this.probes.clear();
      return;
    }
    for (const p of chunk.points) {
      let s = this.steps.get(p.step);
      if (!s) this.steps.set(p.step, (s = { time: p.time, timeReplica: p.replica, losses: new Map() }));
      else if (p.replica < s.timeReplica) {
        s.time = p.time;
        s.timeReplica = p.replica;
      }
      s.losses.set(p.replica, p.testLoss === null || !Number.isFinite(p.testLoss) ? null : p.testLoss);
    }
    for (const p of chunk.probes) this.probes.set(p.step, p.values.slice());
  }

  /** The run's records for `replicas` replicas; undefined when they were too large to keep. */
  inputs(replicas: number): StatisticsInputs | undefined {
    if (this.overflowed) return undefined;
    const steps = [...this.steps.keys()].sort((a, b) => a - b);
    const times = steps.map((s) => this.steps.get(s)!.time);
    const testLosses = Array.from({ length: replicas }, (_, r) => steps.map((s) => this.steps.get(s)!.losses.get(r) ?? null));
    const probeOutputs = steps.map((s) => this.probes.get(s) ?? null);
    return { steps, times, testLosses, probeOutputs };
  }
}
