// Zip exports from the page: a selection of runs (GET /v1/simulations/export.zip?ids=...) or a
// whole sweep (GET /v1/sweeps/{id}/export.zip), fetched with the signed-in key and saved as a file.
import { authHeaders } from './api.ts';
import { h } from './dom.ts';

export const selectionZipPath = (ids: readonly string[]) => `/v1/simulations/export.zip?ids=${ids.join(',')}`;
export const sweepZipPath = (id: string) => `/v1/sweeps/${id}/export.zip`;

/** Downloads the zip at `path` as `filename`; resolves to null, or to the API's reason for refusing. */
export async function downloadZip(path: string, filename: string): Promise<string | null> {
  const res = await fetch(path, { headers: { accept: 'application/zip', ...authHeaders() } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    return body.message ?? `${res.status} ${res.statusText}`;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return null;
}

/** A button that exports what `what()` names, saying so while it runs and showing a refusal beside it. */
export function exportButton(label: string, what: () => { path: string; filename: string } | null, testId: string) {
  const status = h('span.muted', { role: 'status' });
  const button = h('button', {
    type: 'button', 'data-testid': testId,
    onclick: async () => {
      const target = what();
      if (!target) return;
      button.disabled = true;
      status.textContent = 'preparing the zip…';
      try {
        const refused = await downloadZip(target.path, target.filename);
        status.textContent = refused ? `Not exported: ${refused}` : '';
      } catch (err) {
        status.textContent = `Not exported: ${err instanceof Error ? err.message : String(err)}`;
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  return { button, status, el: h('span.export-zip', {}, button, status) };
}
