// Rows of plain values as CSV (RFC 4180 quoting; null and undefined as empty cells).

export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return lines.join('\n') + '\n';
}

export const TRAJECTORY_COLUMNS = ['replica', 'step', 'time', 'trainLoss', 'testLoss', 'testError'] as const;
export const STATISTICS_COLUMNS = [
  'step', 'time', 'meanLoss', 'lossVariance', 'standardError', 'count', 'dropped',
  'fluctuation', 'meanOutputVariance', 'excessKurtosis', 'probes',
] as const;
