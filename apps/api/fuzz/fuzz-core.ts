// Generated hostile requests across every route. Each must get a 4xx JSON error that names the
// field (`issues`), never a 5xx, and must write or queue nothing.
import type { FastifyInstance } from 'fastify';

const ID = '00000000-0000-4000-8000-000000000000';
const NASTY_STRINGS = ["' OR 1=1 --", '"; DROP TABLE simulations; --', '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '\u0000', '%00', '${jndi:x}', '<script>', 'é'.repeat(300), 'a'.repeat(100_000)];
const NASTY_NUMBERS = [NaN, Infinity, -Infinity, 1e308, -1e308, 2 ** 53 + 1, -1, 0.5, 1e-320];

/** A valid spec, to be broken. */
const base = () => ({
  name: 'fuzz', seed: 1, replicas: 2,
  inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: 16 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 100 },
  record: { every: 10, testSize: 64, probes: 2 },
});

class Rng {
  constructor(private s: number) {}
  next() {
    this.s = (this.s * 1664525 + 1013904223) >>> 0;
    return this.s / 2 ** 32;
  }
  int(n: number) { return Math.floor(this.next() * n); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
}

function deep(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Paths of the leaves of an object, to break one. */
function leaves(o: unknown, prefix: string[] = []): string[][] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [prefix];
  return Object.entries(o as object).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}

function setPath(o: Record<string, unknown>, path: string[], v: unknown) {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[path[path.length - 1]] = v;
}

/** Always invalid: each body carries at least one field the contract refuses. */
function hostileBody(r: Rng): string {
  const kind = r.int(9);
  const spec: Record<string, unknown> = base();
  const leaf = r.pick(leaves(spec));
  switch (kind) {
    case 0: return r.pick(['{', '{"name":', '[1,2', 'null', 'nul', '{"a":1}}', '\u0000', '{"name":"x",}', '"just a string"']);
    case 1: setPath(spec, leaf, r.pick([...NASTY_STRINGS.slice(0, 8), true, null, [], {}])); spec.__proto_x = 1; break;
    case 2: setPath(spec, leaf, r.pick(NASTY_NUMBERS)); spec.unknownField = 'x'; break;
    case 3: spec[r.pick(['extra', '__proto__x', 'constructor', "'; DROP TABLE x"])] = deep(r.int(50)); break;
    case 4: setPath(spec, leaf, new Array(r.int(3) + 1).fill(1e9)); spec.record = { every: -1 }; break;
    case 5: spec.student = { unit: r.pick(NASTY_STRINGS.slice(0, 8)), width: r.pick(NASTY_NUMBERS) }; break;
    case 6: return JSON.stringify(deep(200 + r.int(2000)));
    case 7: return JSON.stringify({ ...spec, tags: new Array(1000 + r.int(5000)).fill('t') });
    default: return JSON.stringify(spec).replace(/"width":16/, `"width":${r.pick(['1e999', 'NaN', 'Infinity', '-0.5', '"16"', '99999999999999999999'])}`);
  }
  return JSON.stringify(spec, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

const enc = encodeURIComponent;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

// Values at the edges of their types, which once reached Postgres and came back as 500s (issue 13).
/** Ids of the right length and the wrong form. */
const WRONG_IDS = ['-'.repeat(36), '0'.repeat(36), 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '00000000-0000-0000-0000-00000000000g', `${'0'.repeat(8)}_0000_4000_8000_${'0'.repeat(12)}`];
const EDGE_DATES = ['0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', '9999-12-31T23:59:60Z', '10000-01-01T00:00:00Z', '1970-01-01T00:00:00+25:00', '2020-13-01T00:00:00Z'];
const EDGE_NUMBERS = [1e300, -1e300, 3e9, 2 ** 31, 2 ** 63, -1, 1.5, 'NaN', null];
const SORTS = ['-createdAt', 'createdAt', '-width', 'width', '-progress', 'progress', '-totalSteps', 'totalSteps'];
/** Cron patterns each with a field out of range, a zero step, or firing more often than a minute. */
const BAD_PATTERNS = ['*/0 * * * *', '61 * * * *', '0 3 * * 8', '0 0 * * * 2099', '0 24 * * *', '0 0 32 * *', '0 0 * 13 *', '* * * * * *', '*/5 * * * * *', '5-1 * * * *', '0 0 0 * *'];
/** Query parameter names spelled with percent-encoding (the server decodes them before it validates). */
const ENCODED_NAMES = ['%6Eame', 'na%6De', '%63ursor', 'cr%65atedAfter', '%73ort', '%74ag', 'l%69mit'];

/** A list cursor as this API writes them, with one part at the edge of its type. */
function craftedCursor(r: Rng): { sort: string; cursor: string } {
  const sort = r.pick(SORTS);
  const value = sort.endsWith('createdAt') ? r.pick([...EDGE_DATES, '2020-01-01T00:00:00Z']) : r.pick([...EDGE_NUMBERS, 16]);
  // At least one part is wrong: a good value goes with an id of the wrong form.
  const goodValue = value === 16 || value === '2020-01-01T00:00:00Z';
  const id = goodValue ? r.pick(WRONG_IDS) : r.pick([...WRONG_IDS, ID]);
  return { sort, cursor: b64(r.int(4) === 0 ? r.pick([[sort, value], [sort, value, id, 1], 'not json', [sort, { $gt: 0 }, id]]) : [sort, value, id]) };
}

/** A valid spec with a NUL byte in one of its strings. */
function nulSpec(r: Rng) {
  const spec: Record<string, unknown> = base();
  const nul = r.pick(['\u0000', 'a\u0000b', '\u0000'.repeat(3)]);
  if (r.int(2)) spec.name = nul;
  else spec.tags = ['ok', nul];
  return spec;
}

function hostileRequest(r: Rng, bodyLimit: number) {
  const nasty = () => enc(String(r.pick([...NASTY_STRINGS.slice(0, 9), ...NASTY_NUMBERS.map(String), '-5', '1.5', '99999999999'])));
  const id = r.pick([ID, nasty(), '..', '%2e%2e%2f', "1'%20OR%20'1'='1"]);
  const routes: (() => { method: 'GET' | 'POST' | 'DELETE'; url: string; body?: string; headers?: Record<string, string> })[] = [
    () => ({ method: 'POST', url: '/v1/simulations', body: hostileBody(r) }),
    () => ({ method: 'POST', url: '/v1/simulations', body: 'x'.repeat(bodyLimit + 1 + r.int(1000)) }),
    () => ({ method: 'POST', url: '/v1/simulations', body: JSON.stringify(base()), headers: { 'content-type': r.pick(['text/plain', 'application/xml', 'multipart/form-data']) } }),
    () => ({ method: 'POST', url: '/v1/simulations', body: JSON.stringify({ ...base(), z: 1 }), headers: { 'idempotency-key': r.pick(['', ' ', 'é', 'x'.repeat(300)]) } }),
    () => ({ method: 'GET', url: `/v1/simulations?${r.pick(['limit', 'cursor', 'status', 'name', 'tag', 'sweep', 'createdAfter', 'createdBefore', 'sort', 'bogus'])}=${nasty()}&limit=${r.pick(['0', '501', 'abc', '1e3'])}` }),
    () => ({ method: 'GET', url: `/v1/simulations/${id}` }),
    () => ({ method: 'GET', url: `/v1/simulations/${ID}/trajectory?${r.pick(['replica', 'fromStep', 'toStep', 'fromTime', 'toTime', 'maxPoints', 'by', 'limit', 'cursor', 'format', 'x'])}=${nasty()}&maxPoints=${r.pick(['1', '-1', 'NaN', '1e9'])}` }),
    () => ({ method: 'GET', url: `/v1/simulations/${id}/snapshots/${nasty()}` }),
    () => ({ method: 'POST', url: `/v1/simulations/${id}/${r.pick(['cancel', 'retry'])}`, body: hostileBody(r) }),
    () => ({ method: 'GET', url: `/v1/simulations/${id}/events`, headers: { 'last-event-id': r.pick(['x', '1-2-3', "' OR 1=1", '../']) } }),
    () => ({ method: 'POST', url: '/v1/keys', body: JSON.stringify({ name: r.pick(NASTY_STRINGS), role: r.pick(['root', 'ADMIN', 1, null]), rateLimitPerMinute: r.pick(NASTY_NUMBERS) }) }),
    () => ({ method: 'DELETE', url: `/v1/keys/${id}` }),
    () => ({ method: 'POST', url: '/v1/sweeps', body: hostileBody(r) }),
    () => ({ method: 'GET', url: `/v1/sweeps/${id}` }),
    () => ({ method: 'POST', url: '/v1/schedules', body: hostileBody(r) }),
    // Crafted cursors, dates at the edges, NUL bytes, encoded names, ids of the wrong form, cron fields.
    () => {
      const c = craftedCursor(r);
      return { method: 'GET', url: `/v1/simulations?sort=${enc(c.sort)}&cursor=${c.cursor}` };
    },
    () => {
      const [at, id] = r.int(2) ? [r.pick(EDGE_DATES), r.pick([...WRONG_IDS, ID])] : ['2020-01-01T00:00:00.000Z', r.pick(WRONG_IDS)];
      return { method: 'GET', url: `/v1/${r.pick(['sweeps', 'schedules'])}?cursor=${b64(`${at}|${id}`)}` };
    },
    () => ({ method: 'GET', url: `/v1/simulations/${ID}/trajectory?cursor=${b64(r.pick(['0:9999999999', '9999999999:0', '0:2147483648', '-1:0', '0:-1', '1e3:1', '0:0:0']))}` }),
    () => ({ method: 'GET', url: `/v1/simulations?${r.pick(['createdAfter', 'createdBefore'])}=${enc(r.pick(EDGE_DATES))}` }),
    () => {
      // Each encoded name with a value wrong for that parameter (a NUL byte is wrong for any).
      const name = r.pick(ENCODED_NAMES);
      const wrong: Record<string, string[]> = {
        '%63ursor': [b64(['-createdAt', '0000-01-01T00:00:00Z', ID]), b64(['-width', 1e300, ID])], 'cr%65atedAfter': EDGE_DATES.map(enc),
        '%73ort': ['-name', 'id'], 'l%69mit': ['0', '1e300', '-1'],
      };
      return { method: 'GET', url: `/v1/simulations?${name}=${r.pick([...(wrong[name] ?? []), '%00', 'a%00b'])}` };
    },
    () => ({ method: 'GET', url: `/v1/${r.pick(['datasets', 'simulations', 'sweeps', 'schedules'])}/${enc(r.pick(WRONG_IDS))}` }),
    () => ({ method: 'POST', url: '/v1/simulations', body: JSON.stringify({ ...base(), inputs: { kind: 'dataset', datasetId: r.pick(WRONG_IDS) }, target: { kind: 'labels' } }) }),
    () => (r.int(2)
      ? { method: 'POST', url: '/v1/simulations', body: JSON.stringify(nulSpec(r)) }
      : { method: 'POST', url: '/v1/sweeps', body: JSON.stringify({ base: nulSpec(r), grid: { 'student.width': [8, 16] } }) }),
    () => ({ method: 'POST', url: '/v1/datasets', body: JSON.stringify({ name: 'x\u0000', train: { x: [[1]], y: [1] } }) }),
    () => ({ method: 'POST', url: '/v1/schedules', body: JSON.stringify({ pattern: r.pick(BAD_PATTERNS), sweep: { base: base(), grid: { 'student.width': [8, 16] } } }) }),
  ];
  return r.pick(routes)();
}

/** What no reply may carry: source paths, stack frames, Prisma's or Postgres' wording, SQL. */
const INTERNALS = /\/work\/|\/home\/|node_modules|\.ts:\d+|\bat [\w.<>]+ \(|prisma|invocation|SELECT |INSERT INTO|UPDATE "|Database error|invalid input syntax|out of range for type/i;

export interface FuzzResult {
  requests: number;
  serverErrors: number;
  /** 4xx answers that are not JSON or name no field. */
  unnamed: number;
  /** Replies (any status) carrying a stack, a server path, SQL or a driver's message. */
  leaks: number;
  examples: string[];
}

export async function fuzzApi(app: FastifyInstance, count: number, seed = 1, bodyLimit = 16 * 1024 * 1024): Promise<FuzzResult> {
  const r = new Rng(seed);
  const result: FuzzResult = { requests: 0, serverErrors: 0, unnamed: 0, leaks: 0, examples: [] };
  for (let i = 0; i < count; i++) {
    const q = hostileRequest(r, bodyLimit);
    const res = await app.inject({
      method: q.method, url: q.url, payload: q.body,
      headers: { ...(q.body !== undefined && { 'content-type': 'application/json' }), ...q.headers },
    });
    result.requests++;
    const what = `${q.method} ${q.url.slice(0, 120)} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
    if (INTERNALS.test(res.body)) {
      result.leaks++;
      if (result.examples.length < 10) result.examples.push(`leak: ${what}`);
    }
    if (res.statusCode >= 500) {
      result.serverErrors++;
      if (result.examples.length < 10) result.examples.push(what);
      continue;
    }
    let body: { issues?: { path: string }[]; statusCode?: number; message?: string } | undefined;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const named = res.statusCode === 404 ? Boolean(body?.message) : Boolean(body?.issues?.length && body.issues.every((x) => x.path));
    if (res.statusCode < 400 || !named) {
      result.unnamed++;
      if (result.examples.length < 10) result.examples.push(what);
    }
  }
  return result;
}
