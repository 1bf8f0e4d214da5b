// Errors a client call can end with, as named classes (a script can tell them apart).
import type { FieldIssue } from '@mfsim/contracts';

/** The API answered with an error status. `issues` names each offending field (400s). */
export class MfsimApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** The parsed error body, as the API sent it. */
    readonly body?: unknown,
    /** Seconds to wait before retrying, from `Retry-After` (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'MfsimApiError';
  }

  /** The message followed by one line per offending field. */
  describe(): string {
    const lines = [`${this.status}: ${this.message}`];
    for (const i of this.issues) lines.push(`  ${i.path}: ${i.message}`);
    return lines.join('\n');
  }
}

/** The API could not be reached at all (refused, DNS, reset). */
export class MfsimConnectionError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach the mfsim API at ${url}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'MfsimConnectionError';
  }
}

/** Waiting for a simulation or sweep took longer than allowed. */
export class MfsimTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not finish within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'MfsimTimeoutError';
  }
}
