// A simulation's name, tags and note, editable on its page (PATCH /v1/simulations/{id}): what a
// researcher writes about a run after the fact, and what the list's search (`q=`) finds it by.
import { apiRoutes, type SimulationReply } from '@mfsim/contracts';
import { api } from './api.ts';
import { h } from './dom.ts';
import { errorText } from './ui.ts';

/** "a, b ,, c" -> ["a", "b", "c"], each once. */
export const parseTags = (text: string) => [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];

/** The card, and `show` to refresh it from a newer reply (ignored while the form has unsaved edits). */
export function labelsCard(id: string, onSaved: (s: SimulationReply) => void) {
  const name = h('input', { type: 'text', maxlength: 200, 'aria-label': 'name', 'data-testid': 'label-name', placeholder: 'unnamed' });
  const tags = h('input', { type: 'text', 'aria-label': 'tags', 'data-testid': 'label-tags', placeholder: 'baseline, figure-2' });
  const noteBox = h('textarea', { rows: 3, maxlength: 10000, 'aria-label': 'note', 'data-testid': 'label-note', placeholder: 'what this run is for, what changed' });
  const status = h('span.muted', { 'data-testid': 'label-status', role: 'status' });
  const save = h('button.primary', { type: 'button', 'data-testid': 'label-save', disabled: true }, 'Save');
  let dirty = false;
  const markDirty = () => {
    dirty = true;
    save.disabled = false;
    status.textContent = 'unsaved';
  };
  for (const el of [name, tags, noteBox]) el.addEventListener('input', markDirty);

  function show(s: SimulationReply, force = false) {
    if (dirty && !force) return;
    name.value = s.name ?? '';
    tags.value = s.tags.join(', ');
    noteBox.value = s.note ?? '';
  }

  save.addEventListener('click', async () => {
    save.disabled = true;
    status.textContent = 'saving…';
    try {
      const reply = await api<SimulationReply>(apiRoutes.simulations.update, {
        params: { id },
        body: { name: name.value.trim() || null, tags: parseTags(tags.value), note: noteBox.value.trim() ? noteBox.value : null },
      });
      dirty = false;
      show(reply, true);
      status.textContent = 'saved';
      onSaved(reply);
    } catch (err) {
      save.disabled = false;
      status.textContent = `Not saved: ${errorText(err)}`;
    }
  });

  const el = h('section.card', { 'data-testid': 'labels' },
    h('h2', {}, 'Name, tags, note'),
    h('label.field', {}, h('span', {}, 'Name'), name),
    h('label.field', {}, h('span', {}, 'Tags (comma-separated)'), tags),
    h('label.field', {}, h('span', {}, 'Note'), noteBox),
    h('div.actions', {}, save, status));
  return { el, show };
}
