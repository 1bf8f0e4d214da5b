// A run's live writes at one moment (its events, counters and step rate) in one round trip: the
// parts go out as one pipeline. On a Redis Cluster a pipeline must stay within one slot, and the
// parts' keys are spread over the cluster (an event stream per simulation, the counters' hash), so
// there each part is a pipeline of its own, all sent at once (one round trip of latency, as before).
import type { ChainableCommander, Redis } from 'ioredis';

export interface LivePart {
  /** What the part writes, for the caller's log when it fails ("event", "metric"). */
  what: string;
  /** Adds the part's commands (addEvent, addJobMetric, addStepRate) to the pipeline; all on one slot. */
  add(p: ChainableCommander): void;
}

export interface LivePartFailure {
  what: string;
  error: string;
}

/** Sends the parts; resolves (never rejects) with the parts that failed, each once. */
export async function sendLiveParts(redis: Redis, parts: LivePart[]): Promise<LivePartFailure[]> {
  if (parts.length === 0) return [];
  const groups = redis.isCluster ? parts.map((part) => [part]) : [parts];
  const failed = await Promise.all(groups.map(async (group) => {
    const p = redis.pipeline();
    const ends: number[] = [];
    for (const part of group) {
      part.add(p);
      ends.push(p.length);
    }
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await p.exec();
    } catch (err) {
      return group.map((part) => ({ what: part.what, error: (err as Error).message }));
    }
    const out: LivePartFailure[] = [];
    group.forEach((part, i) => {
      const error = (replies ?? []).slice(i === 0 ? 0 : ends[i - 1], ends[i]).find(([e]) => e)?.[0];
      if (error || !replies) out.push({ what: part.what, error: error?.message ?? 'no reply' });
    });
    return out;
  }));
  return failed.flat();
}
