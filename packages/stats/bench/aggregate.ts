// Prints how long aggregating a sweep takes: 8 widths x 32 replicas x 200 recorded times x
// 64 probes, a 1000-resample bootstrap at each time (joint across widths, as the worker does), the
// saturating fit's 60-resample interval, kurtosis jackknife and 4-point function. Prints; never asserts.
import { aggregateSweep } from '../src/index.ts';
import { syntheticSweep } from './synthetic-sweep.ts';

const widths = [8, 16, 32, 64, 128, 256, 512, 1024];
const points = syntheticSweep(widths, 32, 200, 64);

for (let run = 0; run < 5; run++) {
  const start = performance.now();
  const result = aggregateSweep(points, { resamples: 1000, sharedSeeds: true });
  const ms = performance.now() - start;
  const last = result.scaling[result.scaling.length - 1];
  console.log(
    `run ${run}: ${ms.toFixed(1)} ms  (${result.rows.length} rows, ${result.scaling.length} scaling rows; ` +
      `alpha(last) = ${last.alpha?.toFixed(3)} [${last.interval?.lower.toFixed(3)}, ${last.interval?.upper.toFixed(3)}], ` +
      `p = ${last.goodness?.pValue?.toPrecision(2)}, L_inf = ${last.finiteWidth.lInf?.value.toPrecision(3)})`,
  );
}
