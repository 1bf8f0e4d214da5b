// The worker's side of a simulation's lease (packages/db/src/leases.ts): renewed every quarter of
// its length while the job runs, given up when the job ends. A renewal that finds the lease gone
// (recovery queued the run again and another worker took it, or a client cancelled it) makes
// `lost()` true: the run stops at its next chunk and writes nothing more.
import { findSimulation, releaseLease, renewLease, type Database } from '@mfsim/db';

export function leaseSeconds(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.MFSIM_LEASE_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 60;
}

export interface HeldLease {
  /** True once a renewal found that this worker no longer holds the lease (and the run was not cancelled). */
  lost(): boolean;
  /**
   * Called once the run's claim succeeded: from then on a failed renewal means the lease was taken
   * over, even when no renewal had succeeded yet (a takeover before the first renewal, on a loaded machine).
   */
  claimed(): void;
  /** Told when the run's own last write gave the lease up (packages/db finishRun): release() then only stops renewing. */
  releasedByRun(): void;
  /** Stops renewing and gives the lease up. */
  release(): Promise<void>;
}

export function holdLease(db: Database, id: string, owner: string, seconds: number, log: (msg: string, extra?: Record<string, unknown>) => void): HeldLease {
  let held = false;
  let lost = false;
  let released = false;
  const renew = async () => {
    try {
      const ok = await renewLease(db, id, owner, seconds);
      if (ok) held = true;
      else if (held && !lost) {
        // A cancel is seen by the run itself (the row's status); anything else is a takeover.
        const row = await findSimulation(db, id);
        if (row?.status !== 'cancelled') {
          lost = true;
          log('lost the lease on this simulation; stopping without writing more', { id, leaseOwner: (row as { leaseOwner?: string } | null)?.leaseOwner });
        }
      }
    } catch {
      // Postgres unreachable: nobody can take the lease over either; try again at the next tick.
    }
  };
  const timer = setInterval(renew, (seconds * 1000) / 4);
  timer.unref();
  return {
    lost: () => lost,
    claimed: () => {
      held = true;
    },
    releasedByRun: () => {
      released = true;
      clearInterval(timer);
    },
    async release() {
      clearInterval(timer);
      if (!released) await releaseLease(db, id, owner).catch(() => {});
    },
  };
}
