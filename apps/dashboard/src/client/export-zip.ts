// Zip exports from the page: a selection of runs (GET /v1/simulations/export.zip?ids=...) or a
// whole sweep (GET /v1/sweeps/{id}/export.zip), fetched through the SDK's client (the page's one
// HTTP client, with the signed-in key and project) and saved as a file.
import { ApiError, sdk } from './api.ts';
import { h } from './dom.ts';

/** Fetches a zip: the streamed Response of a 2xx, else the SDK's ApiError. */
export type ZipSource = () => Promise<Response>;

export const selectionZip = (ids: readonly string[]): ZipSource => () => sdk.exportSimulations([...ids]);
export const sweepZip = (id: string): ZipSource => () => sdk.exportSweep(id);

/** Downloads the zip `zip` fetches as `filename`; resolves to null, or to the API's reason for refusing. */
export async function downloadZip(zip: ZipSource, filename: string): Promise<string | null> {
  let res: Response;
  try {
    res = await zip();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) window.dispatchEvent(new CustomEvent('mfsim:unauthorized'));
    return err.message;
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
export function exportButton(label: string, what: () => { zip: ZipSource; filename: string } | null, testId: string) {
  const status = h('span.muted', { role: 'status' });
  const button = h('button', {
    type: 'button', 'data-testid': testId,
    onclick: async () => {
      const target = what();
      if (!target) return;
      button.disabled = true;
      status.textContent = 'preparing the zip…';
      try {
        const refused = await downloadZip(target.zip, target.filename);
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
