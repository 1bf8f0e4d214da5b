// The runs picked for comparison: kept for the browser tab (across list pages and filters), in order of picking.
const KEY = 'mfsim.compare';
/** More lines than this on one chart cannot be told apart. */
export const MAX_COMPARED = 12;

export const selection = {
  ids(): string[] {
    try {
      const v = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  },
  has(id: string): boolean {
    return this.ids().includes(id);
  },
  set(id: string, on: boolean) {
    const ids = this.ids().filter((x) => x !== id);
    if (on) ids.push(id);
    sessionStorage.setItem(KEY, JSON.stringify(ids.slice(-MAX_COMPARED)));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

/** The compare page's address for these runs (shareable: the ids are in it). */
export const compareHash = (ids: readonly string[]) => `#/compare?ids=${ids.join(',')}`;
