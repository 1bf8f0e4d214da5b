// The API as the page sees it: the SDK's client (@mfsim/client) on this page's origin with the
// signed-in key and project; errors are the SDK's MfsimApiError (ApiError here) with field issues.
import { MfsimApiError, MfsimClient } from '@mfsim/client';

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

/** Query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The client every page calls the API with (typed calls: `sdk.call(apiRoutes.x.y, {...})`). */
export const sdk = new MfsimClient({ baseUrl: '', headers: () => authHeaders() });

/**
 * One request of the page by path; with `key`, that key goes alone (the sign-in check). A 401 for
 * the signed-in key sends `mfsim:unauthorized` (main.ts goes back to sign-in).
 */
export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string; signal?: AbortSignal } = {}): Promise<T> {
  const client = init.key === undefined ? sdk : new MfsimClient({ baseUrl: '', apiKey: init.key });
  try {
    return await client.request<T>(init.method ?? 'GET', path, { body: init.body, signal: init.signal });
  } catch (err) {
    if (err instanceof MfsimApiError && err.status === 401 && init.key === undefined) window.dispatchEvent(new CustomEvent('mfsim:unauthorized'));
    throw err;
  }
}
