// What a value must be before it may reach Postgres or BullMQ: dates Postgres can store, text
// without NUL bytes, cron patterns whose every field is in range. A value outside these is a 400
// naming the field, not a driver error turned into a 500 (issue 13).
import { z } from 'zod';

/** Dates from 0001-01-01 to 9999-12-31 (Postgres has no year 0; a client has no use for year 10000). */
export const EARLIEST_DATE = new Date('0001-01-01T00:00:00.000Z').getTime();
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z').getTime();

export const isStorableDate = (d: Date) => {
  const t = d.getTime();
  return Number.isFinite(t) && t >= EARLIEST_DATE && t <= LATEST_DATE;
};

/** An ISO 8601 date-time with offset, as a Date Postgres can compare against. */
export const storableDate = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine(isStorableDate, 'must be a date between 0001-01-01 and 9999-12-31');

/** A UUID as this API writes ids (the form Postgres' uuid type reads). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID_PATTERN.test(s);

/** Postgres text cannot hold U+0000. */
export const hasNul = (s: string) => s.includes('\u0000');

/** The dotted path of the first string (key or value) holding U+0000 in a parsed body or query ('' for the value itself), if any. */
export function nulBytePath(value: unknown, path: string[] = [], depth = 0): string | undefined {
  if (typeof value === 'string') return hasNul(value) ? path.join('.') : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (hasNul(k)) return [...path, k.replace(/\u0000/g, '\\u0000')].join('.');
    const found = nulBytePath(v, [...path, k], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

// ---- cron -------------------------------------------------------------------------
// Fields as BullMQ's cron parser reads them (6 fields: seconds first). Names (JAN, MON), `?`, `L`,
// `W` and `#` are left to the parser; numbers are checked here against each field's range.
const CRON_FIELDS: { name: string; min: number; max: number }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];
const SECOND = { name: 'second', min: 0, max: 59 };

/** Why a cron pattern is not one the scheduler can run, or undefined when every field is in range. */
export function cronPatternProblem(pattern: string): string | undefined {
  const parts = pattern.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return 'must be a cron pattern with 5 or 6 fields (seconds first when 6)';
  const fields = parts.length === 6 ? [SECOND, ...CRON_FIELDS] : CRON_FIELDS;
  for (let i = 0; i < parts.length; i++) {
    const f = fields[i];
    for (const item of parts[i].split(',')) {
      const m = /^(\*|\?|(\d+)(?:-(\d+))?|[A-Za-z0-9#LW-]+)(?:\/(\d+))?$/.exec(item);
      if (!m) return `${f.name} field "${parts[i]}" is not a cron field`;
      const [, , from, to, step] = m;
      if (step !== undefined && Number(step) < 1) return `${f.name} field "${parts[i]}": a step must be at least 1`;
      if (step !== undefined && Number(step) > f.max - f.min + 1) return `${f.name} field "${parts[i]}": step ${step} is larger than the field`;
      for (const n of [from, to]) {
        if (n !== undefined && (Number(n) < f.min || Number(n) > f.max)) {
          return `${f.name} field "${parts[i]}": ${n} is outside ${f.min}-${f.max}`;
        }
      }
      if (from !== undefined && to !== undefined && Number(from) > Number(to)) return `${f.name} field "${parts[i]}": range runs backwards`;
    }
  }
  return undefined;
}
