// The API as the page sees it: the SDK's client (@mfsim/client) on this page's origin with the
// signed-in key and project; errors are the SDK's MfsimApiError (ApiError here) with field issues.
import type { RouteDefinition } from '@mfsim/contracts';
import { MfsimApiError, MfsimClient, type RouteInput } from '@mfsim/client';

export { MfsimApiError as ApiError };

const KEY_STORAGE = 'mfsim.apiKey';
const SIGNED_IN = 'mfsim.signedIn';
const PROJECT_STORAGE = 'mfsim.project';

export const session = {
  key(): string {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  },
  signedIn(): boolean {
    return localStorage.getItem(SIGNED_IN) === '1';
  },
  signIn(key: string) {
    // A new sign-in starts in the key's own project.
    localStorage.removeItem(PROJECT_STORAGE);
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
    localStorage.setItem(SIGNED_IN, '1');
  },
  signOut() {
    localStorage.removeItem(KEY_STORAGE);
    localStorage.removeItem(SIGNED_IN);
    localStorage.removeItem(PROJECT_STORAGE);
  },
  /** The project an admin switched to ('' : the key's own). */
  project(): string {
    return localStorage.getItem(PROJECT_STORAGE) ?? '';
  },
  setProject(name: string) {
    if (name) localStorage.setItem(PROJECT_STORAGE, name);
    else localStorage.removeItem(PROJECT_STORAGE);
  },
};

/**
 * The signed-in key and the project an admin switched to (the API's Mfsim-Project header); a key
 * given here (the sign-in check) goes alone, in its own project.
 */
export function authHeaders(given?: string): Record<string, string> {
  const key = given ?? session.key();
  const project = given === undefined ? session.project() : '';
  return { ...(key && { authorization: `Bearer ${key}` }), ...(project && { 'mfsim-project': project }) };
}

/** The client every page calls the API with (typed calls: `sdk.call(apiRoutes.x.y, {...})`). */
export const sdk = new MfsimClient({ baseUrl: '', headers: () => authHeaders() });

/** What a page passes for one call: the route's path parameters, query and body. */
export interface CallInput {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * One call of a route of the table (apiRoutes in @mfsim/contracts), made by the SDK: method and
 * path come from the route; the page reads the reply as T. With `key`, that key goes alone (the
 * sign-in check). A 401 for the signed-in key sends `mfsim:unauthorized` (main.ts goes back to
 * sign-in).
 */
export async function api<T = unknown>(route: RouteDefinition, input: CallInput = {}, key?: string): Promise<T> {
  const client = key === undefined ? sdk : new MfsimClient({ baseUrl: '', apiKey: key });
  const query = input.query && Object.fromEntries(Object.entries(input.query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  try {
    return (await client.call(route, { ...input, query } as RouteInput<RouteDefinition>)) as T;
  } catch (err) {
    if (err instanceof MfsimApiError && err.status === 401 && key === undefined) window.dispatchEvent(new CustomEvent('mfsim:unauthorized'));
    throw err;
  }
}
