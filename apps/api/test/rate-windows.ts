// Rate limits count in fixed one-minute windows of the clock: the minute may turn during a test (a
// slow machine makes that likelier) and restart the count. A test of a limit looks for its 429 over
// two windows' worth of requests instead of at an exact request.
import type request from 'supertest';
import { expect } from 'vitest';

/** The clock's minute, as the limits count them. */
export const minute = () => Math.floor(Date.now() / 60_000);

/**
 * Sends until a reply is a 429, expecting each one before it to be `answered` (its status): `limit`
 * of them in the window of the 429, and no more than one whole window before that. Returns the 429
 * and the minute at which it was asked for.
 */
export async function refusedPastLimit(send: () => PromiseLike<request.Response>, limit: number, answered: number) {
  const before: number[] = [];
  for (let i = 0; i <= 2 * limit; i++) {
    const askedIn = minute();
    const r = await send();
    if (r.status === 429) {
      expect(before.length).toBeGreaterThanOrEqual(limit);
      return { refused: r, askedIn };
    }
    expect(r.status, `reply ${i + 1} before the limit`).toBe(answered);
    before.push(r.status);
  }
  throw new Error(`no 429 after ${before.length} requests, over a limit of ${limit}`);
}
