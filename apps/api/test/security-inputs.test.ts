// Hostile inputs that once reached Postgres or BullMQ and came back as a 500 with Prisma's message,
// source paths or SQL (issue 13): each is now a 400 naming the parameter, and no reply of any status
// carries a stack, a server path or SQL.
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { smallSpec, useService } from './harness.ts';

const service = useService();
const api = service.api;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const DASHES = '-'.repeat(36);
const ZEROS = '0'.repeat(36);
const UUID = '00000000-0000-4000-8000-000000000000';

/** No stack, no absolute path of the server, no SQL or Prisma wording. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(/\/work\/|\/home\/|node_modules|\.ts:\d+|at [\w.<>]+ \(|prisma|invalid `|SELECT |INSERT |UPDATE |postgres/i);
}

function expect400Naming(res: request.Response, path: string) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.issues?.map((i: { path: string }) => i.path), res.text).toContain(path);
  expectNoInternals(res.text);
}

describe('list cursors and dates', () => {
  const cursors: [string, string, unknown][] = [
    ['an id of 36 dashes', '-createdAt', ['-createdAt', '2020-01-01T00:00:00Z', DASHES]],
    ['an id of 36 zeros', '-createdAt', ['-createdAt', '2020-01-01T00:00:00Z', ZEROS]],
    ['a width of 1e300', '-width', ['-width', 1e300, UUID]],
    ['a width of 3e9', 'width', ['width', 3e9, UUID]],
    ['a progress of 1e300', '-progress', ['-progress', 1e300, UUID]],
    ['the year 0', '-createdAt', ['-createdAt', '0000-01-01T00:00:00Z', UUID]],
    ['the year 275760', 'createdAt', ['createdAt', '+275760-09-13T00:00:00.000Z', UUID]],
  ];
  it.each(cursors)('refuses a simulation list cursor with %s', async (_what, sort, cursor) => {
    expect400Naming(await api().get('/v1/simulations').query({ sort, cursor: b64(cursor) }), 'cursor');
  });

  it.each(['/v1/sweeps', '/v1/schedules'])('refuses a %s cursor of the year 0 or a malformed id', async (url) => {
    expect400Naming(await api().get(url).query({ cursor: b64(`0000-01-01T00:00:00.000Z|${UUID}`) }), 'cursor');
    expect400Naming(await api().get(url).query({ cursor: b64(`2020-01-01T00:00:00.000Z|${DASHES}`) }), 'cursor');
  });

  it.each(['0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '9999-12-31T23:59:60Z'])(
    'refuses createdAfter=%s', async (at) => {
      expect400Naming(await api().get('/v1/simulations').query({ createdAfter: at }), 'createdAfter');
      expect400Naming(await api().get('/v1/simulations').query({ createdBefore: at }), 'createdBefore');
    },
  );

  it('refuses a trajectory cursor past the step range', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec({ name: 'cursor target' }));
    expect(post.status).toBe(201);
    for (const c of ['0:9999999999', '9999999999:0', '0:2147483648']) {
      expect400Naming(await api().get(`/v1/simulations/${post.body.id}/trajectory`).query({ cursor: b64(c) }), 'cursor');
    }
  });
});

describe('ids of the right length and the wrong form', () => {
  it.each([DASHES, ZEROS, `${'g'.repeat(8)}-0000-4000-8000-000000000000`])('GET /v1/datasets/%s is a 400 naming id', async (id) => {
    expect400Naming(await api().get(`/v1/datasets/${id}`), 'id');
  });

  it('a spec with inputs.datasetId of 36 dashes is a 400 naming it, nothing written', async () => {
    const before = await service.deps.db.prisma.simulation.count();
    const res = await api().post('/v1/simulations').send(smallSpec({ inputs: { kind: 'dataset', datasetId: DASHES } }));
    expect400Naming(res, 'inputs.datasetId');
    expect(await service.deps.db.prisma.simulation.count()).toBe(before);
  });
});

describe('NUL bytes', () => {
  it('a name holding \\u0000 is a 400 naming it, nothing written', async () => {
    const before = await service.deps.db.prisma.simulation.count();
    expect400Naming(await api().post('/v1/simulations').send(smallSpec({ name: 'a\u0000b' })), 'name');
    expect400Naming(await api().post('/v1/simulations').send(smallSpec({ tags: ['ok', 'x\u0000'] })), 'tags.1');
    expect(await service.deps.db.prisma.simulation.count()).toBe(before);
  });

  it('a query holding %00 is a 400 naming the parameter', async () => {
    expect400Naming(await api().get('/v1/simulations?name=%00'), 'name');
    expect400Naming(await api().get('/v1/simulations?tag=a%00'), 'tag');
  });
});

describe('name filters are matched literally', () => {
  it('name=% and name=_ match only runs whose names hold them', async () => {
    const plain = await api().post('/v1/simulations').send(smallSpec({ name: 'plain name' }));
    const percent = await api().post('/v1/simulations').send(smallSpec({ name: '100% done_x' }));
    expect([plain.status, percent.status]).toEqual([201, 201]);
    for (const name of ['%', '_', '\\']) {
      const res = await api().get('/v1/simulations').query({ name, limit: 500 });
      expect(res.status).toBe(200);
      const ids = res.body.items.map((s: { id: string }) => s.id);
      expect(ids).not.toContain(plain.body.id);
      if (name !== '\\') expect(ids).toContain(percent.body.id);
    }
  });
});

describe('schedule patterns', () => {
  const sweep = { base: smallSpec(), grid: { 'student.width': [8, 16] } };
  it.each(['*/0 * * * *', '61 * * * *', '0 3 * * 8', '0 0 * * * 2099', '0 24 * * *', '0 0 32 * *', '0 0 * 13 *', '1-0/0 * * * *'])(
    'refuses %s naming pattern', async (pattern) => {
      const before = await service.deps.db.prisma.schedule.count();
      expect400Naming(await api().post('/v1/schedules').send({ pattern, sweep }), 'pattern');
      expect(await service.deps.db.prisma.schedule.count()).toBe(before);
    },
  );
});

describe('server errors', () => {
  it('a 500 says only that the request failed, with a request id; the log has the rest', async () => {
    const logged: string[] = [];
    const { buildApp } = await import('../src/app.ts');
    const { Writable } = await import('node:stream');
    const stream = new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done(); } });
    const app = await buildApp({ deps: service.deps, auth: false, logger: { level: 'error', stream } });
    app.get('/boom', async () => {
      throw new Error('relation "secret_table" does not exist at /work/main/packages/db/src/x.ts:12');
    });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body.message).toMatch(/failed/);
    expect(body.requestId).toMatch(/\S/);
    expect(res.headers['x-request-id']).toBe(body.requestId);
    expect(res.body).not.toMatch(/secret_table|\/work\/|\.ts:/);
    expect(logged.join('')).toMatch(/secret_table/);
    expect(logged.join('')).toContain(body.requestId);
  });
});

describe('schedule minimum interval', () => {
  const sweep = { base: smallSpec(), grid: { 'student.width': [8, 16] } };
  it.each(['* * * * * *', '*/30 * * * * *', '0,30 0 * * * *'])('refuses %s under the default minute, naming the limit', async (pattern) => {
    const res = await api().post('/v1/schedules').send({ pattern, sweep });
    expect400Naming(res, 'pattern');
    expect(res.body.message).toMatch(/minimum interval .* 60 s/);
  });
  it('accepts a pattern firing once a minute', async () => {
    const res = await api().post('/v1/schedules').send({ pattern: '* * * * *', sweep });
    expect(res.status, res.text).toBe(201);
    await api().delete(`/v1/schedules/${res.body.id}`);
  });
});
