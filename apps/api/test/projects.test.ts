// Projects on the real service: a key sees only its project's simulations, sweeps, schedules and
// datasets (another project's ids answer 404, lists show only its own); an admin key switches
// projects with the Mfsim-Project header; sweep children and fired sweeps carry their project.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { buildApp } from '../src/app.ts';
import { replyStatus, smallSpec, startService, startTestWorker, waitFor } from './harness.ts';

const ADMIN = 'projects-test-admin-key-0123456789';
let service: Awaited<ReturnType<typeof startService>>;
let app: Awaited<ReturnType<typeof buildApp>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
const api = () => request(app.server);
const admin = `Bearer ${ADMIN}`;
// Unique per run: the test database keeps projects made by earlier runs of this file.
const run = Math.random().toString(36).slice(2, 8);
const RED = `red-${run}`;
const BLUE = `blue-${run}`;
const keys: Record<string, string> = {};

const tinySweep = (name: string) => ({
  name,
  base: smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 4 }, record: { every: 2, testSize: 16, probes: 2 } }),
  grid: { 'student.width': [4, 8] },
  replicas: 1,
});
const [golden] = JSON.parse(readFileSync(new URL('../../../shared/golden/gd-cases.json', import.meta.url), 'utf8'));
const dataset = { name: 'golden', train: golden.spec.inputs.train, test: golden.spec.inputs.test };
const streamStatus = (path: string) => replyStatus(app.server, path);

async function newKey(project: string, role: string) {
  const r = await api().post('/v1/keys').set('Authorization', admin).send({ name: `${project} ${role}`, role, project });
  expect(r.status).toBe(201);
  expect(r.body.project).toBe(project);
  return `Bearer ${r.body.key}`;
}

beforeAll(async () => {
  service = await startService();
  app = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN, rateLimitPerMinute: 100_000 }, security: { scheduleMinIntervalSeconds: 1 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  keys.red = await newKey(RED, 'submit');
  keys.redRead = await newKey(RED, 'read');
  keys.blue = await newKey(BLUE, 'submit');
  keys.blueAdmin = await newKey(BLUE, 'admin');
});

afterAll(async () => {
  await worker?.close();
  await app?.close();
  await service?.close();
});

describe('projects', () => {
  it("keeps each project's simulations, sweeps, schedules and datasets from the others", async () => {
    const sim = await api().post('/v1/simulations').set('Authorization', keys.red).send(smallSpec({ name: `red run ${run}` }));
    expect(sim.status).toBe(201);
    const sweep = await api().post('/v1/sweeps').set('Authorization', keys.red).send(tinySweep(`red sweep ${run}`));
    expect(sweep.status).toBe(201);
    const schedule = await api().post('/v1/schedules').set('Authorization', keys.red)
      .send({ pattern: '0 3 * * *', timeZone: 'UTC', sweep: tinySweep(`red nightly ${run}`) });
    expect(schedule.status).toBe(201);
    const ds = await api().post('/v1/datasets').set('Authorization', keys.red).send(dataset);
    expect(ds.status).toBe(201);

    // The owner (any of its keys) reads all of them.
    for (const path of [`/v1/simulations/${sim.body.id}`, `/v1/sweeps/${sweep.body.id}`, `/v1/schedules/${schedule.body.id}`, `/v1/datasets/${ds.body.id}`]) {
      expect((await api().get(path).set('Authorization', keys.redRead)).status, path).toBe(200);
      const other = await api().get(path).set('Authorization', keys.blue);
      expect(other.status, path).toBe(404);
      expect(JSON.stringify(other.body)).not.toContain(RED);
    }
    const child = sweep.body.children[0].simulationId;
    expect((await api().get(`/v1/simulations/${child}`).set('Authorization', keys.redRead)).status).toBe(200);
    expect((await api().get(`/v1/simulations/${child}`).set('Authorization', keys.blue)).status).toBe(404);
    // Nor can another project act on them, or see them in its lists.
    expect((await api().post(`/v1/simulations/${sim.body.id}/cancel`).set('Authorization', keys.blue).send({})).status).toBe(404);
    expect((await api().post(`/v1/sweeps/${sweep.body.id}/cancel`).set('Authorization', keys.blue).send({})).status).toBe(404);
    expect((await api().post(`/v1/schedules/${schedule.body.id}/pause`).set('Authorization', keys.blue).send({})).status).toBe(404);
    expect((await api().delete(`/v1/schedules/${schedule.body.id}`).set('Authorization', keys.blue)).status).toBe(404);
    expect((await api().get(`/v1/simulations/${sim.body.id}/trajectory`).set('Authorization', keys.blue)).status).toBe(404);
    expect(await streamStatus(`/v1/simulations/${sim.body.id}/events?access_token=${keys.blue.slice(7)}`)).toBe(404);
    expect(await streamStatus(`/v1/simulations/${sim.body.id}/events?access_token=${keys.redRead.slice(7)}`)).toBe(200);

    const ids = async (path: string, key: string) =>
      ((await api().get(path).query({ limit: 200 }).set('Authorization', key)).body.items as { id: string }[]).map((r) => r.id);
    expect(await ids('/v1/simulations', keys.redRead)).toEqual(expect.arrayContaining([sim.body.id, child]));
    expect(await ids('/v1/simulations', keys.blue)).not.toContain(sim.body.id);
    expect(await ids('/v1/simulations', keys.blue)).not.toContain(child);
    expect(await ids('/v1/sweeps', keys.redRead)).toContain(sweep.body.id);
    expect(await ids('/v1/sweeps', keys.blue)).not.toContain(sweep.body.id);
    expect(await ids('/v1/schedules', keys.redRead)).toContain(schedule.body.id);
    expect(await ids('/v1/schedules', keys.blue)).not.toContain(schedule.body.id);
    // The bootstrap admin acts in "default" unless it names a project.
    expect(await ids('/v1/simulations', admin)).not.toContain(sim.body.id);

    // A spec may name only its own project's dataset.
    const spec = { ...golden.spec, name: 'borrowed data', inputs: { kind: 'dataset', datasetId: ds.body.id } };
    const borrowed = await api().post('/v1/simulations').set('Authorization', keys.blue).send(spec);
    expect(borrowed.status).toBe(400);
    expect(borrowed.body.issues[0].path).toBe('inputs.datasetId');
    const borrowedSweep = await api().post('/v1/sweeps').set('Authorization', keys.blue)
      .send({ name: 'borrowed', base: spec, grid: { 'student.width': [golden.spec.student.width] }, replicas: 1 });
    expect(borrowedSweep.status).toBe(400);
    expect(borrowedSweep.body.issues.map((i: { path: string }) => i.path)).toContain('base.inputs.datasetId');
    expect((await api().post('/v1/simulations').set('Authorization', keys.red).send(spec)).status).toBe(201);
    await api().delete(`/v1/schedules/${schedule.body.id}`).set('Authorization', keys.red);
  });

  it('lets an admin key switch projects with the Mfsim-Project header, and no other key', async () => {
    const sim = await api().post('/v1/simulations').set('Authorization', keys.red).send(smallSpec({ name: `switch ${run}` }));
    const path = `/v1/simulations/${sim.body.id}`;
    // A blue admin sees red's run only when it says so; what it submits there is red's.
    expect((await api().get(path).set('Authorization', keys.blueAdmin)).status).toBe(404);
    expect((await api().get(path).set('Authorization', keys.blueAdmin).set('Mfsim-Project', RED)).status).toBe(200);
    const made = await api().post('/v1/simulations').set('Authorization', keys.blueAdmin).set('Mfsim-Project', RED).send(smallSpec());
    expect((await api().get(`/v1/simulations/${made.body.id}`).set('Authorization', keys.redRead)).status).toBe(200);
    expect((await api().get(path).set('Authorization', admin).set('Mfsim-Project', RED)).status).toBe(200);
    // The SSE routes take the project in the query, with the key.
    expect(await streamStatus(`${path}/events?access_token=${ADMIN}&project=${RED}`)).toBe(200);
    expect(await streamStatus(`${path}/events?access_token=${ADMIN}`)).toBe(404);

    // A submit or read key may not leave its project: 403 naming the header.
    const refused = await api().get(path).set('Authorization', keys.blue).set('Mfsim-Project', RED);
    expect(refused.status).toBe(403);
    expect(refused.body.issues[0].path).toBe('(header) mfsim-project');
    expect((await api().get(path).set('Authorization', keys.redRead).set('Mfsim-Project', RED)).status).toBe(200);
    // A project that does not exist, and a name that is not one.
    expect((await api().get('/v1/simulations').set('Authorization', admin).set('Mfsim-Project', `nowhere-${run}`)).status).toBe(404);
    const bad = await api().get('/v1/simulations').set('Authorization', admin).set('Mfsim-Project', 'Not A Name');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('(header) mfsim-project');

    // Keys and projects: an admin lists the keys of the project it acts in, and every project.
    const redKeys = await api().get('/v1/keys').set('Authorization', admin).set('Mfsim-Project', RED);
    expect(redKeys.body.items.every((k: { project: string }) => k.project === RED)).toBe(true);
    expect(redKeys.body.items).toHaveLength(2);
    const projects = await api().get('/v1/projects').set('Authorization', admin);
    expect(projects.body.current).toBe('default');
    expect(projects.body.items.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['default', RED, BLUE]));
    const own = await api().get('/v1/projects').set('Authorization', keys.redRead);
    expect(own.body).toMatchObject({ current: RED, items: [{ name: RED }] });
    // A key of another project cannot be revoked from this one.
    const blueKeyId = (await api().get('/v1/keys').set('Authorization', keys.blueAdmin)).body.items[0].id;
    expect((await api().delete(`/v1/keys/${blueKeyId}`).set('Authorization', admin).set('Mfsim-Project', RED)).status).toBe(404);
  });

  it("fires a schedule's sweeps, and their children, in the schedule's project", async () => {
    worker = await startTestWorker();
    const schedule = await api().post('/v1/schedules').set('Authorization', keys.blue)
      .send({ pattern: '*/2 * * * * *', timeZone: 'UTC', sweep: tinySweep(`blue every 2 s ${run}`) });
    expect(schedule.status).toBe(201);
    try {
      const fired = await waitFor(async () => {
        const r = await api().get('/v1/sweeps').query({ scheduleId: schedule.body.id }).set('Authorization', keys.blue);
        return r.body.items?.length > 0 ? (r.body.items[0] as { id: string }) : undefined;
      }, 120_000, 'a firing'); // the worker starts and fires: seconds, or a minute on a loaded machine
      const sweep = await api().get(`/v1/sweeps/${fired.id}`).set('Authorization', keys.blue);
      expect(sweep.status).toBe(200);
      expect((await api().get(`/v1/sweeps/${fired.id}`).set('Authorization', keys.red)).status).toBe(404);
      expect(sweep.body.children).toHaveLength(2);
      for (const c of sweep.body.children as { simulationId: string }[]) {
        expect((await api().get(`/v1/simulations/${c.simulationId}`).set('Authorization', keys.blue)).status).toBe(200);
        expect((await api().get(`/v1/simulations/${c.simulationId}`).set('Authorization', keys.red)).status).toBe(404);
      }
    } finally {
      await api().delete(`/v1/schedules/${schedule.body.id}`).set('Authorization', keys.blue);
    }
  }, 240_000);
});

describe('projects with keys off', () => {
  it('puts everything in the default project and refuses to name another', async () => {
    const open = () => request(service.app.server);
    const sim = await open().post('/v1/simulations').send(smallSpec({ name: `open ${run}` }));
    expect(sim.status).toBe(201);
    // Rows made without keys are the default project's: the bootstrap admin (default) sees them.
    expect((await api().get(`/v1/simulations/${sim.body.id}`).set('Authorization', admin)).status).toBe(200);
    expect((await api().get(`/v1/simulations/${sim.body.id}`).set('Authorization', keys.red)).status).toBe(404);
    const projects = (await open().get('/v1/projects')).body;
    expect(projects.current).toBe('default');
    expect(projects.items.map((p: { name: string }) => p.name)).toEqual(['default']);
    const named = await open().get('/v1/simulations').set('Mfsim-Project', RED);
    expect(named.status).toBe(400);
    expect(named.body.issues[0].path).toBe('(header) mfsim-project');
  });
});
