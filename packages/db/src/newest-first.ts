// Cursor pages of a table listed newest first by (createdAt, id): the cursor is the last row's
// pair, so a page is stable under inserts. Used by the sweep and schedule lists.
import { isStorableDate, isUuid } from '@mfsim/contracts';
import { InvalidCursorError } from './simulations.ts';

export const newestFirstCursor = (row: { createdAt: Date; id: string }) =>
  Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

/** The `where` of the rows after `cursor` (none when absent); InvalidCursorError for a cursor this API did not send. */
export function afterNewestFirstCursor(cursor: string | undefined) {
  if (!cursor) return {};
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!isUuid(id) || !isStorableDate(createdAt)) throw new InvalidCursorError();
  return { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] };
}

export const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/** The page of `limit` rows out of `limit + 1` fetched, with the cursor of the next page. */
export function newestFirstPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? newestFirstCursor(items[items.length - 1]) : null };
}
