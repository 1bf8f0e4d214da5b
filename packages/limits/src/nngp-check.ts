// The t = 0 check: the measured CLT fluctuation per probe (the variance over replicas of f_n(x_j, 0),
// divided by n * alpha_n^2) against the NNGP variance K(x_j, x_j). For Gaussian outputs the unbiased
// sample variance over R replicas has variance 2 K_jj^2 / (R - 1), and two probes' sample variances
// covary by 2 K_ij^2 / (R - 1): so a z-score per probe and one for the mean over probes.

export interface NngpCheck {
  replicas: number;
  probes: { predicted: number; measured: number | null; z: number | null }[];
  pooled: { predicted: number; measured: number | null; standardError: number; z: number | null };
}

/** outputs: [R, J] replica-major at step 0; covariance: K between probes [J, J]; outputScale = n alpha_n^2. */
export function nngpCheck(outputs: ArrayLike<number>, replicas: number, covariance: ArrayLike<number>, outputScale: number): NngpCheck {
  const J = Math.round(Math.sqrt(covariance.length));
  const R = replicas;
  const probes: NngpCheck['probes'] = [];
  let measuredSum = 0;
  let measuredCount = 0;
  for (let j = 0; j < J; j++) {
    const predicted = covariance[j * J + j];
    let sum = 0;
    let ok = true;
    for (let r = 0; r < R; r++) {
      const v = outputs[r * J + j];
      if (!Number.isFinite(v)) ok = false;
      sum += v;
    }
    if (!ok || R < 2) {
      probes.push({ predicted, measured: null, z: null });
      continue;
    }
    const mean = sum / R;
    let ss = 0;
    for (let r = 0; r < R; r++) ss += (outputs[r * J + j] - mean) ** 2;
    const measured = ss / (R - 1) / outputScale;
    const se = predicted * Math.sqrt(2 / (R - 1));
    probes.push({ predicted, measured, z: se > 0 ? (measured - predicted) / se : null });
    measuredSum += measured;
    measuredCount++;
  }
  let predictedMean = 0;
  let pairSum = 0;
  for (let i = 0; i < J; i++) {
    predictedMean += covariance[i * J + i] / J;
    for (let j = 0; j < J; j++) pairSum += covariance[i * J + j] ** 2;
  }
  const standardError = J > 0 && R > 1 ? Math.sqrt((2 * pairSum) / (R - 1)) / J : 0;
  const measured = measuredCount === J && J > 0 ? measuredSum / J : null;
  return {
    replicas: R,
    probes,
    pooled: {
      predicted: predictedMean, measured, standardError,
      z: measured !== null && standardError > 0 ? (measured - predictedMean) / standardError : null,
    },
  };
}
