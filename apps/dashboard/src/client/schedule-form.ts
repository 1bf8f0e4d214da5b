// The schedule form's model: a cron pattern, a time zone, a name and a sweep template (the submit
// form's sweep fields), validated with the contracts' schedule request schema, and each issue
// placed at its field, the page's or the API's. No DOM here.
import { fieldIssues, scheduleRequestSchema, type FieldIssue } from '@mfsim/contracts';
import { fieldFor, specFromValues, SWEEP_WIDTHS, sweepBody, validate, type Values } from './spec-form.ts';

/** The schedule's own fields, named apart from the spec's (the spec has a `name` too). */
export const SCHEDULE_FIELDS = {
  name: 'schedule.name',
  pattern: 'schedule.pattern',
  timeZone: 'schedule.timeZone',
} as const;

export interface ScheduleValues {
  name: string;
  pattern: string;
  timeZone: string;
}

export type ScheduleSubmission = { ok: true; body: Record<string, unknown> } | { ok: false; issues: FieldIssue[] };

/** The time zone of this browser, the form's default. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The IANA zones this browser knows, for the time zone field's suggestions. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/**
 * POST /v1/schedules body checked as the API checks it: the schedule request schema for the
 * pattern, time zone and name, and the sweep template as a sweep (every grid point expanded).
 * Issues come back with form paths: `schedule.*` or the spec field's path.
 */
export function validateSchedule(schedule: ScheduleValues, spec: Values): ScheduleSubmission {
  const sweep = validate('sweep', spec);
  const widths = (spec[SWEEP_WIDTHS] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const body: Record<string, unknown> = {
    ...(schedule.name.trim() ? { name: schedule.name.trim() } : {}),
    pattern: schedule.pattern.trim(),
    ...(schedule.timeZone.trim() ? { timeZone: schedule.timeZone.trim() } : {}),
    sweep: sweep.ok ? sweep.body : sweepBody(specFromValues(spec), widths),
  };
  const parsed = scheduleRequestSchema.safeParse(body);
  if (parsed.success && sweep.ok) return { ok: true, body };
  const own = parsed.success ? [] : fieldIssues(parsed.error).map((i) => ({ ...i, path: scheduleIssuePath(i.path) }));
  // A bad template is reported by the sweep check (it names the width); the rest by the schedule's.
  return { ok: false, issues: sweep.ok ? own : [...own.filter((i) => !i.path.startsWith('sweep')), ...sweep.issues] };
}

/** A request path ("pattern", "timeZone", "name") as the form names it. */
function scheduleIssuePath(path: string): string {
  const top = path.split('.')[0];
  return top in SCHEDULE_FIELDS ? SCHEDULE_FIELDS[top as keyof typeof SCHEDULE_FIELDS] : path;
}

/**
 * The form field an issue belongs to, for the page's issues and the API's 400 issues alike:
 * `pattern` -> the pattern field, `sweep.base.training.dt` -> dt, `sweep.grid.student.width.1` ->
 * the widths, `sweep.name` -> the sweep's name.
 */
export function scheduleFieldFor(issuePath: string, specPaths: readonly string[]): string | null {
  if (Object.values(SCHEDULE_FIELDS).includes(issuePath as never)) return issuePath;
  const top = issuePath.split('.')[0];
  if (top in SCHEDULE_FIELDS) return SCHEDULE_FIELDS[top as keyof typeof SCHEDULE_FIELDS];
  if (issuePath === 'sweep') return null;
  // The page's own sweep check names form fields already ("sweep.widths").
  if (issuePath === SWEEP_WIDTHS || specPaths.includes(issuePath)) return issuePath;
  const inner = issuePath.startsWith('sweep.') ? issuePath.slice('sweep.'.length) : issuePath;
  return fieldFor(inner, specPaths);
}
