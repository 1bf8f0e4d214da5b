// The project the page works in, in the top bar: its name, and for an admin key a list to switch
// to another project (sent as the Mfsim-Project header on every request, see api.ts).
import { api, ApiError, session } from './api.ts';
import { apiRoutes } from '@mfsim/contracts';
import { h } from './dom.ts';

interface Projects {
  items: { name: string }[];
  current: string;
}

/** Fills `slot` with the current project; `changed` runs after an admin switches. */
export async function showProject(slot: HTMLElement, changed: () => void): Promise<void> {
  let projects: Projects;
  try {
    projects = await api<Projects>(apiRoutes.keys.projects);
  } catch (err) {
    // A project switched to earlier that this key may not use (or that is gone): back to the key's own.
    if (err instanceof ApiError && session.project() && [400, 403, 404].includes(err.status)) {
      session.setProject('');
      return showProject(slot, changed);
    }
    slot.replaceChildren();
    return;
  }
  if (projects.items.length <= 1) {
    slot.replaceChildren(h('span.project-name', { title: 'the project this key works in' }, `Project: ${projects.current}`));
    return;
  }
  const select = h('select.project-select', {
    'aria-label': 'Project',
    onchange: () => {
      session.setProject(select.value);
      changed();
    },
  }, ...projects.items.map((p) => h('option', { value: p.name, ...(p.name === projects.current && { selected: true }) }, p.name)));
  slot.replaceChildren(h('label.project-name', {}, 'Project: ', select));
}
