// The researcher's daily loop (issue 17): naming, tagging and noting runs after the fact, finding
// them again by search, and sweep children named by their grid point.
import { describe, expect, it } from 'vitest';
import { smallSpec, useService } from './harness.ts';

const service = useService();
const api = service.api;

describe('PATCH /v1/simulations/{id}', () => {
  it('sets name, tags and note, keeps absent fields, and the list finds the run by any of them', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec({ name: 'first try' }));
    expect(post.status).toBe(201);
    expect(post.body.note).toBeNull();
    const id = post.body.id as string;

    const patched = await api().patch(`/v1/simulations/${id}`).send({ name: 'width 8 baseline', tags: ['baseline', 'Lab-A'], note: 'dt halved: the first try diverged' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'width 8 baseline', tags: ['baseline', 'Lab-A'], note: 'dt halved: the first try diverged' });

    const noteOnly = await api().patch(`/v1/simulations/${id}`).send({ note: null });
    expect(noteOnly.status).toBe(200);
    expect(noteOnly.body).toMatchObject({ name: 'width 8 baseline', tags: ['baseline', 'Lab-A'], note: null });
    await api().patch(`/v1/simulations/${id}`).send({ note: 'Kept for the PAPER figure 2' }).expect(200);

    expect((await api().get(`/v1/simulations/${id}`)).body).toMatchObject({ name: 'width 8 baseline', note: 'Kept for the PAPER figure 2' });
    const other = await api().post('/v1/simulations').send(smallSpec({ name: 'unrelated' }));
    for (const q of ['paper figure', 'BASELINE', 'lab-a', 'Lab-A']) {
      const list = await api().get('/v1/simulations').query({ q });
      expect(list.status).toBe(200);
      const ids = list.body.items.map((s: { id: string }) => s.id);
      expect(ids, q).toContain(id);
      expect(ids, q).not.toContain(other.body.id);
    }
    const byName = await api().get('/v1/simulations').query({ name: 'baseline' });
    expect(byName.body.items.map((s: { id: string }) => s.id)).toEqual([id]);
  });

  it('refuses bad bodies with a 400 naming the field and changes nothing; unknown ids are 404', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec({ name: 'kept' }));
    const id = post.body.id as string;
    for (const [body, field] of [
      [{ tags: 'one' }, 'tags'],
      [{ tags: ['a', 'a'] }, 'tags'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ note: 5 }, 'note'],
      [{ status: 'completed' }, 'status'],
    ] as const) {
      const r = await api().patch(`/v1/simulations/${id}`).send(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.body.issues ?? r.body.message), JSON.stringify(body)).toContain(field);
    }
    const empty = await api().patch(`/v1/simulations/${id}`).send({});
    expect(empty.status).toBe(400);
    expect((await api().get(`/v1/simulations/${id}`)).body).toMatchObject({ name: 'kept', tags: [], note: null, status: 'queued' });
    expect((await api().patch('/v1/simulations/00000000-0000-4000-8000-000000000000').send({ note: 'x' })).status).toBe(404);
  });
});

describe('sweep children', () => {
  it('are named after the sweep and their grid point', async () => {
    const base = smallSpec();
    delete (base as { name?: string }).name;
    const post = await api().post('/v1/sweeps').send({ name: 'widths', base, grid: { 'student.width': [4, 8] } });
    expect(post.status).toBe(201);
    const list = await api().get('/v1/simulations').query({ sweep: post.body.id, sort: 'width' });
    expect(list.body.items.map((s: { name: string }) => s.name)).toEqual([`widths width=4 seed=${base.seed}`, `widths width=8 seed=${base.seed}`]);
  });

  it('are listed by sweepId= as by sweep=, and by several statuses at once', async () => {
    const post = await api().post('/v1/sweeps').send({ name: 'statuses', base: smallSpec(), grid: { 'student.width': [4, 8, 16] } });
    const ids = (await api().get('/v1/simulations').query({ sweepId: post.body.id, sort: 'width' })).body.items.map((s: { id: string }) => s.id);
    expect(ids).toHaveLength(3);
    expect((await api().get('/v1/simulations').query({ sweep: post.body.id, sort: 'width' })).body.items.map((s: { id: string }) => s.id)).toEqual(ids);
    await api().post(`/v1/simulations/${ids[0]}/cancel`).send({}).expect(200);
    const of = async (status: string | string[]) => {
      const r = await api().get('/v1/simulations').query({ sweepId: post.body.id, sort: 'width', status });
      expect(r.status, String(status)).toBe(200);
      return r.body.items.map((s: { id: string }) => s.id);
    };
    expect(await of('cancelled')).toEqual([ids[0]]);
    expect(await of('cancelled,queued,running')).toEqual(ids);
    expect(await of(['cancelled', 'completed'])).toEqual([ids[0]]);
    const spec = async (query: Record<string, string>) => {
      const r = await api().get('/v1/simulations').query({ sweepId: post.body.id, sort: 'width', ...query });
      expect(r.status, JSON.stringify(query)).toBe(200);
      return r.body.items.map((s: { id: string }) => s.id);
    };
    expect(await spec({ 'spec.student.width': '8' })).toEqual([ids[1]]);
    expect(await spec({ 'spec.student.width': '8', 'spec.training.dynamics': smallSpec().training.dynamics })).toEqual([ids[1]]);
    expect(await spec({ 'spec.student.width': '8', 'spec.training.dynamics': 'not-a-dynamics' })).toEqual([]);
    expect(await spec({ 'spec.student.width': '16', status: 'queued', limit: '1' })).toEqual([ids[2]]);
    for (const key of ['spec.student.width;drop', 'spec.', 'spec.a.b.c.d.e.f.g', 'widthh']) {
      const r = await api().get('/v1/simulations').query({ [key]: '8' });
      expect(r.status, key).toBe(400);
      expect(r.body.issues.map((i: { path: string }) => i.path), key).toContain(key);
    }
    const byPrefix = await api().get('/v1/simulations').query({ idPrefix: ids[1].slice(0, 8).toUpperCase() });
    expect(byPrefix.body.items.map((s: { id: string }) => s.id)).toEqual([ids[1]]);
    const notHex = await api().get('/v1/simulations').query({ idPrefix: 'zz%' });
    expect(notHex.status).toBe(400);
    expect(notHex.body.issues[0].path).toBe('idPrefix');
    const bad = await api().get('/v1/simulations').query({ status: 'completed,finished' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).join(' ')).toMatch(/^status/);
  });
});
