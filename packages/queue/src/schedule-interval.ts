// The shortest gap between firings of a cron pattern, read with the parser BullMQ's job schedulers
// use, so the API can refuse a schedule that would fire more often than its minimum interval.
import { CronExpressionParser } from 'cron-parser';

/**
 * The smallest gap in ms between consecutive firings among the next `samples` (from `from`), or
 * an Error with the parser's reason when it cannot read the pattern.
 */
export function shortestFiringGapMs(pattern: string, timeZone: string, samples = 200, from = new Date()): number | Error {
  let gap = Infinity;
  try {
    const cron = CronExpressionParser.parse(pattern, { tz: timeZone, currentDate: from });
    let previous = cron.next().getTime();
    for (let i = 1; i < samples && cron.hasNext(); i++) {
      const at = cron.next().getTime();
      gap = Math.min(gap, at - previous);
      previous = at;
    }
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  return gap;
}
