// The typed client of the mfsim HTTP API, safe in a browser (no process, no Node modules): every
// call goes through a route of the table in @mfsim/contracts (`call(route, input)`: method, path
// and reply type come from that one definition). List methods come as async iterators that follow
// `nextCursor`; `wait` and `progress` stream over SSE and poll where the API has no events route.
import type { z } from 'zod';
import { apiRoutes, FINAL_STATUSES, type FieldIssue, type RouteDefinition, type SimulationLabels } from '@mfsim/contracts';
import { MfsimApiError, MfsimConnectionError, MfsimTimeoutError } from './errors.ts';
import { parseEventStream } from './sse.ts';
import type {
  ApiKeyReply, CreatedApiKeyReply, DatasetReply, DatasetRequest, ListOptions, NewApiKey, Page, ProgressUpdate, ScalingReply, ScheduleList,
  ScheduleReply, ScheduleRequest, SimulationList, SimulationReply, SimulationStatisticsReply, SpecInput, SweepList,
  SweepReply, SweepRequest, SweepStatisticsReply, SweepSummary, TrajectoryOptions, TrajectoryReply,
} from './types.ts';

const { simulations: sim, sweeps: sweepRoutes, schedules: scheduleRoutes, keys: keyRoutes, datasets: datasetRoutes } = apiRoutes;

/** The JSON reply of a route's success status (200, 201 or 202), as its schema says; undefined for 204. */
export type RouteReply<R extends RouteDefinition> = {
  [K in keyof R['replies']]: K extends 200 | 201 | 202
    ? R['replies'][K] extends { schema: infer S extends z.ZodType } ? z.output<S>
      : R['replies'][K] extends { content: { 'application/json': { schema: infer S extends z.ZodType } } } ? z.output<S> : unknown
    : K extends 204 ? undefined : never;
}[keyof R['replies']];

/** What a call of a route takes: its path parameters, query and body as the route's schemas read them. */
export type RouteInput<R extends RouteDefinition> = (R['params'] extends z.ZodObject ? { params: z.input<R['params']> } : { params?: undefined }) & {
  body?: R['body'] extends { schema: infer B extends z.ZodType } ? z.input<B> : never;
  query?: Record<string, string | number | boolean | undefined>;
  idempotencyKey?: string;
  signal?: AbortSignal;
};

export const DEFAULT_API = 'http://127.0.0.1:3000';

export interface ClientOptions {
  /** Where the API listens (default http://127.0.0.1:3000); '' for the page's own origin in a browser. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Headers added to every request, read at each one (a page's signed-in key and project). */
  headers?: () => Record<string, string>;
  /** Milliseconds between polls where there is no event stream (default 500). */
  pollMs?: number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Sent as `Idempotency-Key` (POSTs): the same key and body give the first result again. */
  idempotencyKey?: string;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Give up after this long (default: never). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with every progress update while waiting. */
  onProgress?: (update: ProgressUpdate) => void;
}

const isFinal = (status: string) => (FINAL_STATUSES as readonly string[]).includes(status);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class MfsimClient {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  private readonly pollMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly extraHeaders: () => Record<string, string>;
  /** False once the trajectory route refused `maxPoints` (an API without downsampling). */
  private downsampling = true;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_API).replace(/\/+$/, '');
    this.apiKey = options.apiKey || undefined;
    this.pollMs = options.pollMs ?? 500;
    // fetch called unbound: a browser's fetch refuses to run with the client as `this`
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.extraHeaders = options.headers ?? (() => ({}));
  }

  // ---- transport -----------------------------------------------------------

  /** One HTTP request; the raw Response when it is a 2xx, else an MfsimApiError. */
  async send(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) search.set(k, String(v));
    const url = this.baseUrl + path + (search.size ? `?${search}` : '');
    const headers: Record<string, string> = { accept: o.accept ?? 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    Object.assign(headers, this.extraHeaders(), o.headers);
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: o.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new MfsimConnectionError(this.baseUrl || '(this page)', (err as Error).cause ?? err);
    }
    if (res.ok) return res;
    throw await apiError(res, method, path);
  }

  /** One request whose reply is JSON. */
  async request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, o);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** One route of the table (apiRoutes in @mfsim/contracts), its reply typed by the route's schema. */
  call<R extends RouteDefinition>(route: R, input: RouteInput<R> = {} as RouteInput<R>): Promise<RouteReply<R>> {
    const path = routePath(route, (input.params ?? {}) as Record<string, string | number>);
    const body = input.body ?? (route.body && route.method !== 'GET' ? {} : undefined);
    return this.request(route.method, path, { query: input.query, body, idempotencyKey: input.idempotencyKey, signal: input.signal });
  }

  /** Every item of a cursor-paginated list route, page after page. */
  async *paginate<T>(route: RouteDefinition, query: ListOptions = {}): AsyncGenerator<T> {
    let cursor = query.cursor;
    for (;;) {
      const page = (await this.call(route, { query: { ...query, cursor } } as RouteInput<RouteDefinition>)) as Page<T>;
      yield* page.items;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }

  // ---- simulations -----------------------------------------------------------

  submit(spec: SpecInput, o: { idempotencyKey?: string } = {}): Promise<SimulationReply> {
    return this.call(sim.submit, { body: spec, idempotencyKey: o.idempotencyKey });
  }

  get(id: string): Promise<SimulationReply> {
    return this.call(sim.get, { params: { id } });
  }

  /** Names, tags or notes a simulation: absent fields are kept, null clears name or note, `tags` replaces them. */
  update(id: string, labels: SimulationLabels): Promise<SimulationReply> {
    return this.call(sim.update, { params: { id }, body: labels });
  }

  /** One page of simulations, newest first. */
  listPage(query: ListOptions = {}): Promise<SimulationList> {
    return this.call(sim.list, { query });
  }

  /** Every simulation matching the filters, following `nextCursor` (`limit` is the page size). */
  list(query: ListOptions = {}): AsyncGenerator<SimulationReply> {
    return this.paginate<SimulationReply>(sim.list, query);
  }

  /** One page of the trajectory (all of it unless the API pages long scans: see `nextCursor`). */
  trajectory(id: string, o: TrajectoryOptions & { cursor?: string } = {}): Promise<TrajectoryReply> {
    return this.call(sim.trajectory, { params: { id }, query: { ...o } });
  }

  /** Every point of the trajectory, following `nextCursor` across pages. */
  async fullTrajectory(id: string, o: TrajectoryOptions = {}): Promise<TrajectoryReply> {
    const first = await this.trajectory(id, o);
    const points = [...first.points];
    for (let cursor = first.nextCursor; cursor; ) {
      const page = await this.trajectory(id, { ...o, cursor });
      points.push(...page.points);
      cursor = page.nextCursor;
    }
    return { ...first, points, nextCursor: null };
  }

  statistics(id: string): Promise<SimulationStatisticsReply> {
    return this.call(sim.statistics, { params: { id } });
  }

  cancel(id: string): Promise<SimulationReply> {
    return this.call(sim.cancel, { params: { id } });
  }

  retry(id: string): Promise<SimulationReply> {
    return this.call(sim.retry, { params: { id } });
  }

  /** Live progress of a simulation until it reaches a final status: SSE, or polling without it. */
  progress(id: string, o: { signal?: AbortSignal } = {}): AsyncGenerator<ProgressUpdate> {
    return this.follow(routePath(sim.events, { id }), o.signal, async () => {
      const sim = await this.get(id);
      return { status: sim.status, progress: sim.progress, stepsDone: sim.stepsDone, ...(await this.latestLosses(id, sim)) };
    });
  }

  /** Resolves with the simulation once it is completed, failed, cancelled or diverged. */
  wait(id: string, o: WaitOptions = {}): Promise<SimulationReply> {
    return this.waitFor(`simulation ${id}`, this.progress.bind(this, id), () => this.get(id), o);
  }

  /** Submits and waits for the end. */
  async run(spec: SpecInput, o: WaitOptions & { idempotencyKey?: string } = {}): Promise<SimulationReply> {
    const sim = await this.submit(spec, o);
    return this.wait(sim.id, o);
  }

  // ---- stored datasets -------------------------------------------------------

  /**
   * Stores a dataset `{name?, train: {x, y}, test?}` once; specs then name it with
   * `inputs: {kind: "dataset", datasetId}`. The reply has its id, d and sizes (not the points).
   */
  uploadDataset(dataset: DatasetRequest, o: { idempotencyKey?: string } = {}): Promise<DatasetReply> {
    return this.call(datasetRoutes.create, { body: dataset, idempotencyKey: o.idempotencyKey });
  }

  /** A stored dataset's id, name, d and sizes (the API does not send its points back). */
  getDataset(id: string): Promise<DatasetReply> {
    return this.call(datasetRoutes.get, { params: { id } });
  }

  /** Every stored dataset of the project, newest first, following `nextCursor`. */
  listDatasets(query: ListOptions = {}): AsyncGenerator<DatasetReply> {
    return this.paginate<DatasetReply>(datasetRoutes.list, query);
  }

  /** Deletes a stored dataset; a 409 MfsimApiError names the runs and schedules that still use it. */
  deleteDataset(id: string): Promise<void> {
    return this.call(datasetRoutes.delete, { params: { id } });
  }

  // ---- exports -----------------------------------------------------------------

  /** A sweep as a zip (sweep.json, statistics.json, each child's simulation.json, trajectory.csv, statistics.json): the streamed Response. */
  exportSweep(id: string, o: { signal?: AbortSignal } = {}): Promise<Response> {
    return this.send('GET', routePath(sweepRoutes.exportZip, { id }), { accept: 'application/zip', signal: o.signal });
  }

  /** Simulations by id (1 to 100) as a zip, each run's files in its own folder: the streamed Response. */
  exportSimulations(ids: string[], o: { signal?: AbortSignal } = {}): Promise<Response> {
    return this.send('GET', routePath(sim.exportZip, {}), { query: { ids: ids.join(',') }, accept: 'application/zip', signal: o.signal });
  }

  // ---- sweeps ----------------------------------------------------------------

  readonly sweeps = {
    submit: (sweep: SweepRequest, o: { idempotencyKey?: string } = {}): Promise<SweepReply> =>
      this.call(sweepRoutes.submit, { body: sweep, idempotencyKey: o.idempotencyKey }),
    get: (id: string): Promise<SweepReply> => this.call(sweepRoutes.get, { params: { id } }),
    listPage: (query: ListOptions = {}): Promise<SweepList> => this.call(sweepRoutes.list, { query }),
    list: (query: ListOptions = {}): AsyncGenerator<SweepSummary> => this.paginate<SweepSummary>(sweepRoutes.list, query),
    cancel: (id: string): Promise<SweepReply> => this.call(sweepRoutes.cancel, { params: { id } }),
    statistics: (id: string): Promise<SweepStatisticsReply> => this.call(sweepRoutes.statistics, { params: { id } }),
    /** The scaling fit at the recorded time nearest `time` (default: the last); `series` as JSON for multi-series sweeps. */
    scaling: (id: string, o: { time?: number; series?: string } = {}): Promise<ScalingReply> =>
      this.call(sweepRoutes.scaling, { params: { id }, query: o }),
    progress: (id: string, o: { signal?: AbortSignal } = {}): AsyncGenerator<ProgressUpdate> =>
      this.follow(routePath(sweepRoutes.events, { id }), o.signal, async () => {
        const sweep = await this.sweeps.get(id);
        return { status: sweep.status, progress: sweepProgress(sweep) };
      }),
    wait: (id: string, o: WaitOptions = {}): Promise<SweepReply> =>
      this.waitFor(`sweep ${id}`, (w) => this.sweeps.progress(id, w), () => this.sweeps.get(id), o),
  };

  // ---- schedules -------------------------------------------------------------

  readonly schedules = {
    create: (schedule: ScheduleRequest, o: { idempotencyKey?: string } = {}): Promise<ScheduleReply> =>
      this.call(scheduleRoutes.create, { body: schedule, idempotencyKey: o.idempotencyKey }),
    get: (id: string): Promise<ScheduleReply> => this.call(scheduleRoutes.get, { params: { id } }),
    listPage: (query: ListOptions = {}): Promise<ScheduleList> => this.call(scheduleRoutes.list, { query }),
    list: (query: ListOptions = {}): AsyncGenerator<ScheduleReply> => this.paginate<ScheduleReply>(scheduleRoutes.list, query),
    pause: (id: string): Promise<ScheduleReply> => this.call(scheduleRoutes.pause, { params: { id } }),
    resume: (id: string): Promise<ScheduleReply> => this.call(scheduleRoutes.resume, { params: { id } }),
    delete: (id: string): Promise<void> => this.call(scheduleRoutes.delete, { params: { id } }),
  };

  // ---- API keys (admin) ------------------------------------------------------

  readonly keys = {
    /** The reply carries the key itself, shown this once. */
    create: (o: NewApiKey): Promise<CreatedApiKeyReply> => this.call(keyRoutes.create, { body: o }),
    list: async (): Promise<ApiKeyReply[]> => (await this.call(keyRoutes.list)).items,
    revoke: (id: string): Promise<ApiKeyReply | undefined> => this.call(keyRoutes.revoke, { params: { id } }),
  };

  // ---- progress machinery ------------------------------------------------------

  /**
   * Follows an events route over SSE until a final status; when the route is missing (404,
   * 405, 501) or the stream breaks off, polls `poll` every pollMs instead.
   */
  private async *follow(
    eventsPath: string,
    signal: AbortSignal | undefined,
    poll: () => Promise<Omit<ProgressUpdate, 'source'>>,
  ): AsyncGenerator<ProgressUpdate> {
    let last: ProgressUpdate | undefined;
    let lastEventId: string | undefined;
    // Up to 3 connections: a stream that breaks off is resumed from Last-Event-ID.
    for (let attempt = 0; attempt < 3 && !signal?.aborted; attempt++) {
      let res: Response | undefined;
      try {
        res = await this.sendEvents(eventsPath, lastEventId, signal);
        if (!res?.body) break;
        for await (const ev of parseEventStream(res.body)) {
          if (ev.id) lastEventId = ev.id;
          const update = progressFromEvent(ev.event, ev.data, last);
          if (!update) continue;
          last = update;
          yield update;
          if (isFinal(update.status)) return;
        }
      } catch (err) {
        if (signal?.aborted) return;
        if (err instanceof MfsimApiError) throw err;
        // a broken connection: try again, then poll
      }
    }
    // No events route, or the stream ended before a final status: poll.
    while (!signal?.aborted) {
      const update: ProgressUpdate = { ...(await poll()), source: 'poll' };
      if (!last || update.status !== last.status || update.progress !== last.progress || update.testLoss !== last.testLoss) yield update;
      last = update;
      if (isFinal(update.status)) return;
      await sleep(this.pollMs, signal);
    }
  }

  /** The events response, or undefined when the API has no events route. */
  private async sendEvents(path: string, lastEventId: string | undefined, signal?: AbortSignal) {
    try {
      const headers = lastEventId ? { 'last-event-id': lastEventId } : undefined;
      const res = await this.send('GET', path, { accept: 'text/event-stream', headers, signal });
      if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await res.body?.cancel();
        return undefined;
      }
      return res;
    } catch (err) {
      if (err instanceof MfsimApiError && [404, 405, 406, 501].includes(err.status)) return undefined;
      throw err;
    }
  }

  private async waitFor<T extends { status: string }>(
    what: string,
    stream: (o: { signal?: AbortSignal }) => AsyncGenerator<ProgressUpdate>,
    fetchFinal: () => Promise<T>,
    o: WaitOptions,
  ): Promise<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), controller.abort()), o.timeoutMs);
    try {
      for await (const update of stream({ signal: controller.signal })) {
        o.onProgress?.(update);
        if (isFinal(update.status)) break;
      }
      if (timedOut) throw new MfsimTimeoutError(what, o.timeoutMs!);
      if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
      // The final row, with its timings and error, as the API stores it.
      for (;;) {
        const final = await fetchFinal();
        if (isFinal(final.status)) return final;
        await sleep(this.pollMs);
      }
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The last recorded losses of replica 0, for progress by polling. */
  private async latestLosses(id: string, sim: SimulationReply): Promise<Partial<ProgressUpdate>> {
    if (sim.stepsDone === 0 && sim.status === 'queued') return {};
    let points;
    try {
      points = (await this.trajectory(id, { replica: 0, ...(this.downsampling && { maxPoints: 4 }) })).points;
    } catch (err) {
      if (!(err instanceof MfsimApiError && err.status === 400 && this.downsampling)) throw err;
      this.downsampling = false;
      points = (await this.trajectory(id, { replica: 0 })).points;
    }
    const p = points.at(-1);
    return p ? { step: p.step, time: p.time, trainLoss: p.trainLoss, testLoss: p.testLoss } : {};
  }
}

const enc = encodeURIComponent;

/** A route's path with its parameters filled in: `/v1/simulations/{id}` -> `/v1/simulations/7243...`. */
export function routePath(route: RouteDefinition, params: Record<string, string | number>): string {
  return route.path.replace(/\{(\w+)\}/g, (_, k: string) => {
    if (params[k] === undefined) throw new TypeError(`${route.operationId}: missing path parameter ${k}`);
    return enc(String(params[k]));
  });
}

function sweepProgress(sweep: SweepReply): number {
  if (typeof sweep.progress === 'number') return sweep.progress;
  const kids = sweep.children ?? [];
  return kids.length === 0 ? 0 : kids.reduce((s, k) => s + (isFinal(k.status) ? 1 : k.progress), 0) / kids.length;
}

/** A progress update from one SSE event, read leniently: status, progress and the latest losses. */
export function progressFromEvent(event: string, data: string, last?: ProgressUpdate): ProgressUpdate | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const d = raw as Record<string, unknown>;
  const latest = (d.latest ?? d.losses ?? d.point ?? {}) as Record<string, unknown>;
  const status = typeof d.status === 'string' ? d.status : (last?.status ?? (event === 'progress' || d.type === 'progress' ? 'running' : undefined));
  if (!status) return undefined;
  const pick = (k: string) => (k in d ? d[k] : k in latest ? latest[k] : undefined);
  const loss = (k: string) => {
    const v = pick(k);
    return v === null ? null : (num(v) ?? last?.[k as 'testLoss']);
  };
  return {
    status,
    progress: num(d.progress) ?? last?.progress ?? 0,
    stepsDone: num(d.stepsDone) ?? last?.stepsDone,
    totalSteps: num(d.totalSteps) ?? last?.totalSteps,
    step: num(pick('step')) ?? last?.step,
    time: num(pick('time')) ?? last?.time,
    trainLoss: loss('trainLoss'),
    testLoss: loss('testLoss'),
    source: 'sse',
    raw,
  };
}

async function apiError(res: Response, method: string, path: string): Promise<MfsimApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const b = (body && typeof body === 'object' ? body : {}) as { message?: unknown; issues?: unknown };
  const message = typeof b.message === 'string' ? b.message : `${method} ${path} answered ${res.status} ${res.statusText}`;
  const issues = Array.isArray(b.issues) ? (b.issues as FieldIssue[]) : [];
  const retry = res.headers.get('retry-after');
  return new MfsimApiError(res.status, message, issues, body, retry && /^\d+$/.test(retry) ? Number(retry) : undefined);
}
