// The signed-in key's role (GET /v1/projects says it), read once per key and project: pages offer
// submitting, cloning and deleting only to a key that may do them.
import { apiRoutes } from '@mfsim/contracts';
import { api, session } from './api.ts';

export type Role = 'read' | 'submit' | 'admin';
const RANK: Record<Role, number> = { read: 0, submit: 1, admin: 2 };

let cached: { for: string; role: Promise<Role> } | null = null;

/** The role of the key in use; 'submit' when the API does not say (an older API): it then refuses in its own words. */
export function currentRole(): Promise<Role> {
  const who = `${session.key()}|${session.project()}`;
  if (cached?.for !== who) {
    const role = api<{ role?: Role }>(apiRoutes.keys.projects).then((r) => r.role ?? 'submit', () => 'submit' as Role);
    cached = { for: who, role };
  }
  return cached.role;
}

export const mayDo = (role: Role, needed: Role) => RANK[role] >= RANK[needed];

/** The sentence shown where a read-only key would have had a form. */
export const READ_ONLY_TEXT = 'This key can read only: submitting, cloning and deleting need a key with the submit role. Ask an admin for one, then sign in with it.';
