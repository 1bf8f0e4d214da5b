// The API as the page sees it: fetch with the signed-in key, errors as ApiError with field issues.
import type { FieldIssue } from '@mfsim/contracts';

const KEY_STORAGE = 'mfsim.apiKey';
const SIGNED_IN = 'mfsim.signedIn';
const PROJECT_STORAGE = 'mfsim.project';

export class ApiError extends Error {
  readonly status: number;
  readonly issues: FieldIssue[];
  constructor(status: number, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.issues = issues;
  }
}

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

export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(init.key) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data ?? {}) as { message?: string; issues?: FieldIssue[] };
    if (res.status === 401 && !init.key) window.dispatchEvent(new CustomEvent('mfsim:unauthorized'));
    throw new ApiError(res.status, e.message ?? `${res.status} ${res.statusText}`, e.issues ?? []);
  }
  return data as T;
}
