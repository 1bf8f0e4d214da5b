// Comparing runs: the ids a compare URL names, and the table of their spec fields (every field, or
// only those whose values differ). No DOM here.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `?ids=a,b` (or repeated): the distinct ids in order; anything not an id is reported, not fetched. */
export function readIds(params: URLSearchParams): { ids: string[]; bad: string[] } {
  const all = params.getAll('ids').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const ids = [...new Set(all.filter((s) => UUID.test(s)))];
  return { ids, bad: all.filter((s) => !UUID.test(s)) };
}

/** A spec as dotted paths to the text of each leaf value (arrays as one value: `[0, 400]`). */
export function flatten(value: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, leafText(value));
  }
  return out;
}

function leafText(v: unknown): string {
  if (Array.isArray(v)) return v.length > 12 ? `[${v.slice(0, 12).map(leafText).join(', ')}, … ${v.length} values]` : `[${v.map(leafText).join(', ')}]`;
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface DiffRow {
  path: string;
  /** One per run: the value's text, or '—' where the run's spec has no such field. */
  values: string[];
  differs: boolean;
}

/** Every field of any of the specs, in the order first seen, each with its value per spec. */
export function specDiff(specs: readonly unknown[]): DiffRow[] {
  const flat = specs.map((s) => flatten(s));
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) for (const p of f.keys()) if (!seen.has(p)) { seen.add(p); paths.push(p); }
  return paths.map((path) => {
    const values = flat.map((f) => f.get(path) ?? '—');
    return { path, values, differs: new Set(values).size > 1 };
  });
}

/** A short label per run for legends: its name, else its short id; names that repeat get the short id too. */
export function runLabels(runs: readonly { id: string; name: string | null }[]): string[] {
  const base = runs.map((r) => r.name ?? r.id.slice(0, 8));
  const counts = new Map<string, number>();
  for (const b of base) counts.set(b, (counts.get(b) ?? 0) + 1);
  return base.map((b, i) => (counts.get(b)! > 1 && runs[i].name ? `${b} (${runs[i].id.slice(0, 8)})` : b));
}
