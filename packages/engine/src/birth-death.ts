// Neuron birth-death (Rotskoff, Jelassi, Bruna & Vanden-Eijnden, ICML 2019), the number-conserving
// variant, applied on the host between kernel steps so that it works on every kernel.
import type { Batch, Kernel, Network, Particles } from './kernel.ts';
import { potentialsReference } from './kernels/reference.ts';
import { RandomStream, STREAMS } from './rng.ts';

/** Per replica: particles removed for a high potential (deaths) and duplicated for a low one (births). */
export interface BirthDeathCounts {
  births: number[];
  deaths: number[];
}

/** Copies particle `from` over particle `to` (c, w, b) in replica r. */
function copyParticle(p: Particles, r: number, from: number, to: number): void {
  const { n, d } = p;
  p.c[r * n + to] = p.c[r * n + from];
  p.b[r * n + to] = p.b[r * n + from];
  p.w.copyWithin((r * n + to) * d, (r * n + from) * d, (r * n + from + 1) * d);
}

/**
 * One birth-death pass at step k on the sample S_k, in place. V_i from the kernel (or the reference
 * on the host), Vbar their mean per replica. In particle order, with u from stream `birthDeath`
 * (replica r, step k): if u < min(1, rate dt |V_i - Vbar|), particle i is removed (V_i > Vbar) and
 * a particle j != i chosen uniformly is duplicated in its place, or it is duplicated (V_i < Vbar) over
 * a particle j != i chosen uniformly. Decisions use the potentials of the start of the pass. Every
 * draw is a pure function of (seed, replica, k), so resumed and uninterrupted runs agree.
 * Adds to `counts` the births (duplications for a low potential) and deaths (removals for a high one);
 * each is accompanied by the compensating removal or duplication, which is not counted again.
 */
export function birthDeathPass(
  kernel: Kernel, net: Network, p: Particles, batch: Batch, k: number, seed: number, rateDt: number, counts: BirthDeathCounts,
): void {
  const { R, n } = p;
  if (n < 2 || !(rateDt > 0)) return;
  const V = kernel.potentials ? kernel.potentials(net, p, batch) : potentialsReference(net, p, batch);
  for (let r = 0; r < R; r++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += V[r * n + i];
    mean /= n;
    const stream = new RandomStream(seed, STREAMS.birthDeath, r, k);
    for (let i = 0; i < n; i++) {
      const u = stream.uniform();
      const gap = V[r * n + i] - mean;
      if (!(u < Math.min(1, rateDt * Math.abs(gap)))) continue;
      let j = stream.below(n - 1);
      if (j >= i) j++;
      if (gap > 0) {
        copyParticle(p, r, j, i);
        counts.deaths[r]++;
      } else {
        copyParticle(p, r, i, j);
        counts.births[r]++;
      }
    }
  }
}
