// Sign-in with an API key. The key is checked against the API before it is kept; when the API runs
// without keys (no API_ADMIN_KEY), an empty key signs in.
import { api, ApiError, session } from '../api.ts';
import { h } from '../dom.ts';
import { apiRoutes } from '@mfsim/contracts';
import { errorText } from '../ui.ts';

export function signInPage(root: HTMLElement, go: (hash: string) => void) {
  const input = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', placeholder: 'mfsim_…', value: session.key() });
  const error = h('p.field-error', { 'data-for': 'apiKey', role: 'alert' });
  const form = h(
    'form.card.sign-in',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        const key = input.value.trim();
        try {
          await api(apiRoutes.simulations.list, { query: { limit: 1 } }, key);
          session.signIn(key);
          go('#/simulations');
        } catch (err) {
          error.textContent =
            err instanceof ApiError && err.status === 401
              ? key ? 'This key is not valid (or was revoked).' : 'This service needs an API key.'
              : err instanceof ApiError && err.status === 403
                ? 'This key may not read simulations.'
                : `Could not reach the API: ${errorText(err)}`;
        }
      },
    },
    h('h1', {}, 'mfsim'),
    h('p.muted', {}, 'Mean-field particle dynamics of two-layer networks: the lab dashboard.'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    error,
    h('p.hint', {}, 'Sent as Authorization: Bearer <key>. Leave it empty when the service runs without keys.'),
    h('button.primary', { type: 'submit' }, 'Sign in'),
  );
  root.replaceChildren(h('div.sign-in-wrap', {}, form));
  input.focus();
}
