// Live updates for one resource: Server-Sent Events read through the SDK's client and parser
// (EventSource cannot send the Authorization header), and polling when the events route is missing
// (404) or the stream breaks.
import { parseEventStream } from '@mfsim/client';
import { sdk } from './api.ts';

export interface LiveOptions<T> {
  /** e.g. /v1/simulations/ID/events */
  eventsPath: string;
  /** Reads the resource whole (the poll, and after every event). */
  read: () => Promise<T>;
  onUpdate: (value: T) => void;
  /** Stop when this says the resource will not change again. */
  done: (value: T) => boolean;
  /** A read failed (it is retried). */
  onError?: (err: unknown) => void;
  /** The way updates arrive changed: 'sse', 'poll' or 'stopped'. */
  onMode?: (mode: LiveMode) => void;
  pollMs?: number;
}

export type LiveMode = 'sse' | 'poll' | 'stopped';

export interface LiveHandle {
  stop(): void;
  /** 'sse' while the event stream is open, 'poll' otherwise. */
  readonly mode: LiveMode;
}

export function live<T>(options: LiveOptions<T>): LiveHandle {
  const pollMs = options.pollMs ?? 1500;
  const abort = new AbortController();
  let current: LiveMode = 'poll';
  const setMode = (m: LiveMode) => {
    if (m === current) return;
    current = m;
    options.onMode?.(m);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let refreshing = false;
  let again = false;

  const stop = () => {
    setMode('stopped');
    abort.abort();
    if (timer) clearTimeout(timer);
  };

  // One read at a time; events that arrive during a read cause one more read after it.
  const refresh = async (): Promise<boolean> => {
    if (refreshing) {
      again = true;
      return false;
    }
    refreshing = true;
    try {
      do {
        again = false;
        const value = await options.read();
        if (current === 'stopped') return true;
        options.onUpdate(value);
        if (options.done(value)) {
          stop();
          return true;
        }
      } while (again);
    } catch (err) {
      // a failed read is retried by the next poll or event
      options.onError?.(err);
    } finally {
      refreshing = false;
    }
    return current === 'stopped';
  };

  const poll = async () => {
    if (current === 'stopped') return;
    setMode('poll');
    if (await refresh()) return;
    timer = setTimeout(poll, pollMs);
  };

  // Re-reads the resource after events, until it is final or the stream ends: a read in flight
  // absorbs the events that arrive meanwhile into one more read (refresh), so a burst costs two reads.
  const readEvents = async (body: ReadableStream<Uint8Array>) => {
    let read: Promise<boolean> = Promise.resolve(false);
    for await (const _event of parseEventStream(body)) {
      if (current === 'stopped') return;
      if (!refreshing) read = refresh();
      else again = true;
    }
    // the stream ended: the read it caused settles before the page falls back to polling
    while (refreshing) await read;
  };

  const stream = async () => {
    try {
      const res = await sdk.send('GET', options.eventsPath, { accept: 'text/event-stream', signal: abort.signal });
      if (!res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        res.body?.cancel().catch(() => {});
        return poll();
      }
      setMode('sse');
      // A quiet stream is checked on now and then, so a missed event cannot leave the page stale.
      const heartbeat = setInterval(() => refresh(), Math.max(pollMs * 3, 3000));
      try {
        await readEvents(res.body);
      } finally {
        clearInterval(heartbeat);
      }
    } catch {
      if (abort.signal.aborted) return;
    }
    // The stream ended or broke: keep going by polling.
    if (current !== 'stopped') poll();
  };

  refresh().then((finished) => {
    if (!finished && current !== 'stopped') stream();
  });
  return {
    stop,
    get mode() {
      return current;
    },
  };
}
