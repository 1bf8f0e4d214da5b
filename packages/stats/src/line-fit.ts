// Ordinary least-squares line y = intercept + slope * x.

export interface LineFit {
  slope: number;
  intercept: number;
  /** Sum of squared residuals. */
  residualSumOfSquares: number;
}

/** x, y: [N] -> the fit; null when N < 2 or all x are equal. */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit | null {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`x has ${n} values, y has ${y.length}`);
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - intercept - slope * x[i];
    rss += e * e;
  }
  return { slope, intercept, residualSumOfSquares: rss };
}
