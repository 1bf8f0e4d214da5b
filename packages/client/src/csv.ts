// The one CSV writer (RFC 4180 quoting; null and undefined as empty cells, objects as JSON): the
// CLI's exports, the dashboard's download and the API's streamed `text/csv` replies all use it.

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header line, with its newline. */
export const csvHeader = (columns: readonly string[]): string => columns.join(',') + '\n';

/** One row as a line, with its newline (for replies streamed row by row). */
export function csvLine<T extends object>(row: T, columns: readonly (keyof T & string)[]): string {
  return columns.map((c) => csvCell(row[c])).join(',') + '\n';
}

export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  let out = csvHeader(columns);
  for (const row of rows) out += csvLine(row, columns);
  return out;
}

export const TRAJECTORY_COLUMNS = ['replica', 'step', 'time', 'trainLoss', 'testLoss', 'testError'] as const;
export const STATISTICS_COLUMNS = [
  'step', 'time', 'meanLoss', 'lossVariance', 'standardError', 'count', 'dropped',
  'fluctuation', 'meanOutputVariance', 'excessKurtosis', 'probes',
] as const;
