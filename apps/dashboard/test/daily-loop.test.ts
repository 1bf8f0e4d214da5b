// @vitest-environment happy-dom
// The daily loop's page models: list URL state and spec filters, the compare page's spec diff, the
// form's grid over any field, a run's spec back into the form (clone), pasted YAML/JSON.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readIds, runLabels, specDiff } from '../src/client/compare-model.ts';
import { readPasted } from '../src/client/pages/new.ts';
import { COLUMNS, groupBySweep, listQuery, nextSort, parseSpecFilters, readListState } from '../src/client/run-list.ts';
import { scheduleLine, scheduleTitle } from '../src/client/sweep-children.ts';
import { defaultValues, FIELDS, fieldFor, parseGrid, SWEEP_GRID, SWEEP_WIDTHS, validate, valuesFromSpec, visible } from '../src/client/spec-form.ts';

describe('simulations list state', () => {
  it('reads several statuses and spec filters from the URL and writes the same query back', () => {
    const state = readListState(new URLSearchParams('status=completed,failed&status=running&spec.student.width=256&sort=-finalTestLoss&group=sweep&sweep=11111111-2222-3333-4444-555555555555'));
    expect(state.statuses).toEqual(['completed', 'failed', 'running']);
    expect(state.spec).toEqual([['spec.student.width', '256']]);
    expect(state.group).toBe(true);
    expect(state.sweepId).toBe('11111111-2222-3333-4444-555555555555');
    const api = listQuery(state, true);
    expect(api.get('status')).toBe('completed,failed,running');
    expect(api.get('spec.student.width')).toBe('256');
    expect(api.get('sort')).toBe('-finalTestLoss');
    expect(api.get('sweepId')).toBe('11111111-2222-3333-4444-555555555555');
    expect(api.has('group')).toBe(false); // the API has no such parameter
    expect(listQuery(state).get('group')).toBe('sweep');
  });

  it('sorts by every metric column from its header, dynamics included (ascending first, then reversed)', () => {
    const metrics = ['finalTestLoss', 'bestTestLoss', 'finalTrainLoss', 'width', 'dynamics', 'dt', 'steps', 'runSeconds'];
    for (const key of metrics) expect(COLUMNS.find((c) => c.key === key)?.sort, key).toBeTruthy();
    const dynamics = COLUMNS.find((c) => c.key === 'dynamics')!;
    expect(nextSort('-createdAt', dynamics)).toBe('dynamics');
    expect(nextSort('dynamics', dynamics)).toBe('-dynamics');
  });

  it('parses spec filters typed as text, and refuses a part without a value', () => {
    expect(parseSpecFilters('student.width=256, spec.training.dynamics = sgd')).toEqual({ ok: true, filters: [['spec.student.width', '256'], ['spec.training.dynamics', 'sgd']] });
    const bad = parseSpecFilters('student.width');
    expect(bad.ok).toBe(false);
  });

  it('groups rows by sweep, runs outside sweeps last', () => {
    const rows = [{ id: 'a', sweepId: null }, { id: 'b', sweepId: 's1' }, { id: 'c', sweepId: 's2' }, { id: 'd', sweepId: 's1' }];
    expect(groupBySweep(rows).map((g) => [g.sweepId, g.items.map((r) => r.id)])).toEqual([['s1', ['b', 'd']], ['s2', ['c']], [null, ['a']]]);
  });
});

describe('compare', () => {
  it('keeps run ids from the URL and reports the rest', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(readIds(new URLSearchParams(`ids=${id},nope,${id}`))).toEqual({ ids: [id], bad: ['nope'] });
  });

  it('marks the spec fields that differ, and a field only one spec has', () => {
    const rows = specDiff([
      { student: { width: 64, unit: 'tanh' }, training: { dt: 0.1, steps: 100 }, record: { snapshots: [0, 100] } },
      { student: { width: 256, unit: 'tanh' }, training: { dt: 0.1, steps: 100, birthDeath: { rate: 5 } }, record: { snapshots: [0, 100] } },
    ]);
    const differ = rows.filter((r) => r.differs).map((r) => [r.path, r.values]);
    expect(differ).toEqual([['student.width', ['64', '256']], ['training.birthDeath.rate', ['—', '5']]]);
    expect(rows.find((r) => r.path === 'record.snapshots')).toEqual({ path: 'record.snapshots', values: ['[0, 100]', '[0, 100]'], differs: false });
  });

  it('labels runs by name, adding the short id where names repeat', () => {
    expect(runLabels([{ id: 'aaaaaaaa-1', name: 'x' }, { id: 'bbbbbbbb-2', name: 'x' }, { id: 'cccccccc-3', name: null }])).toEqual(['x (aaaaaaaa)', 'x (bbbbbbbb)', 'cccccccc']);
  });
});

describe('the form: sweeps over any field, clone, paste', () => {
  it('sweeps over widths and another field, and names a bad value of the other field at its field', () => {
    const values = { ...defaultValues(), [SWEEP_WIDTHS]: '16, 32', [SWEEP_GRID]: 'training.dt = 0.1, 0.2; seed = 1, 2' };
    const ok = validate('sweep', values);
    expect(ok.ok && ok.body.grid).toEqual({ 'student.width': [16, 32], 'training.dt': [0.1, 0.2], seed: [1, 2] });
    const bad = validate('sweep', { ...values, [SWEEP_GRID]: 'training.dt = 0.1, -3' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.map((i) => i.path)).toEqual([SWEEP_GRID]);
    expect(!bad.ok && bad.issues[0].message).toMatch(/^training\.dt = -3: /);
    expect(parseGrid('training.dt').ok).toBe(false);
  });

  it('puts priority and GPU placement in the spec', () => {
    const r = validate('simulation', { ...defaultValues(), priority: '5', 'resources.gpu': 'required' });
    expect(r.ok && [r.body.priority, r.body.resources]).toEqual([5, { gpu: 'required' }]);
  });

  it('offers the ramp unit: its four parameters shown only for it, with defaults; t1 >= t2 named at t2', () => {
    const shown = (values: Record<string, string>) => FIELDS.filter((f) => f.path.includes('.ramp.') && visible(f, values)).map((f) => f.path);
    expect(FIELDS.find((f) => f.path === 'student.unit')?.options).toContain('ramp');
    expect(shown(defaultValues())).toEqual([]);
    const ramp = { ...defaultValues(), 'student.unit': 'ramp' };
    expect(shown(ramp)).toEqual(['student.ramp.s1', 'student.ramp.s2', 'student.ramp.t1', 'student.ramp.t2']);
    const ok = validate('simulation', ramp);
    expect(ok.ok && ok.body.student).toMatchObject({ unit: 'ramp', ramp: { s1: -1, s2: 1, t1: -1, t2: 1 } });
    const bad = validate('simulation', { ...ramp, 'student.ramp.t1': '2', 'student.ramp.t2': '1' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.map((i) => [fieldFor(i.path, shown(ramp)), i.message])).toEqual([['student.ramp.t2', 'must be greater than t1 (2)']]);
    // Another unit sends no ramp (the API refuses one); a teacher's ramp only for a teacher target.
    const tanh = validate('simulation', { ...ramp, 'student.unit': 'tanh' });
    expect(tanh.ok && (tanh.body.student as Record<string, unknown>).ramp).toBeUndefined();
    const teacher = { ...defaultValues(), 'target.unit': 'ramp' };
    expect(shown(teacher)).toEqual(['target.ramp.s1', 'target.ramp.s2', 'target.ramp.t1', 'target.ramp.t2']);
    expect(shown({ ...teacher, 'target.kind': 'p-spin' })).toEqual([]);
    // A cloned tanh run switched to ramp gets the defaults, not empty fields.
    const cloned = valuesFromSpec({ student: { unit: 'tanh', width: 8 } }).values;
    expect(cloned['student.ramp.t2']).toBe('1');
  });

  it('fills the form from a stored spec and keeps what it has no field for', () => {
    const spec = {
      seed: 7, replicas: 3, tags: ['a'], name: 'run', priority: 0, resources: { gpu: 'preferred' },
      inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 }, student: { unit: 'tanh', width: 16, parameterization: 'mean-field' },
      training: { dynamics: 'gd', dt: 0.2, steps: 50, trainSize: 64, weightDecay: 0, temperature: 0, birthDeath: { rate: 5 } },
      record: { every: 10, testSize: 32, probes: 2, snapshots: [0, 50] },
    };
    const { values, rest, restPaths } = valuesFromSpec(spec);
    expect(values['student.width']).toBe('16');
    expect(values['record.snapshots']).toBe('0, 50');
    expect(restPaths.sort()).toEqual(['record.every', 'training.birthDeath.rate']);
    const again = validate('simulation', values, rest);
    expect(again.ok).toBe(true);
    const body = again.ok ? again.body as typeof spec : null;
    expect(body?.training.birthDeath).toEqual({ rate: 5 });
    expect(body?.record.every).toBe(10);
    expect(body?.seed).toBe(7);
  });

  it('reads pasted YAML and JSON: a spec, a sweep, and an error at its path', () => {
    const yaml = 'seed: 1\ninputs: {kind: gaussian, d: 4}\ntarget: {kind: teacher, unit: tanh, width: 3}\nstudent: {unit: tanh, width: 8}\ntraining: {dynamics: gd, dt: 0.2, steps: 20}\n';
    expect(readPasted(yaml)).toMatchObject({ ok: true, kind: 'simulation' });
    const sweep = JSON.stringify({ name: 's', base: { seed: 1, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 }, student: { unit: 'tanh', width: 8 }, training: { dynamics: 'gd', dt: 0.2, steps: 20 } }, grid: { 'training.dt': [0.1, 0.2] } });
    expect(readPasted(sweep)).toMatchObject({ ok: true, kind: 'sweep' });
    const bad = readPasted(yaml.replace('dt: 0.2', 'dt: -1'));
    expect(!bad.ok && bad.issues.map((i) => i.path)).toEqual(['training.dt']);
    expect(readPasted('{ not json').ok).toBe(false);
  });
});

describe('schedules', () => {
  it('titles an unnamed schedule by its sweep, pattern and grid', () => {
    expect(scheduleTitle({ id: 'x', name: null, pattern: '0 3 * * *', sweep: { name: 'nightly', base: {}, grid: { 'student.width': [8, 16] } } } as never)).toBe('“nightly” at 0 3 * * * · width ∈ {8, 16}');
  });
});

describe('a sweep made by a deleted schedule', () => {
  afterEach(() => vi.unstubAllGlobals());
  it('still names its schedule, marked deleted, linking to every sweep it made', async () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({
      id, name: null, pattern: '0 3 * * *', timeZone: 'UTC', paused: false, sweeps: 2, nextFireAt: null, createdAt: '2026-01-01T00:00:00Z',
      deletedAt: '2026-01-02T00:00:00Z', sweep: { name: 'nightly', base: {}, grid: { 'student.width': [8, 16] } },
    }), { status: 200, headers: { 'content-type': 'application/json' } })));
    const el = scheduleLine(id);
    for (let i = 0; i < 100 && !el.textContent!.includes('nightly'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(el.textContent).toBe('Created by schedule “nightly” at 0 3 * * * · width ∈ {8, 16} deleted');
    expect(el.querySelector('a')!.getAttribute('href')).toBe(`#/sweeps?scheduleId=${id}`);
  });
});
