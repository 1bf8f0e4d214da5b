// The SDK without a server: every route of the contracts' table is called by its own definition
// (method, path with its parameters, body), errors come back as MfsimApiError naming each field,
// and the package bundles for a browser (no Node module, no process).
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { apiRoutes, type RouteDefinition } from '@mfsim/contracts';
import { MfsimApiError, MfsimClient, toCsv, TRAJECTORY_COLUMNS } from '../src/index.ts';

type Sent = { url: string; method: string; headers: Record<string, string>; body?: string };

function recording(reply: () => Response) {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, method: init.method!, headers: init.headers as Record<string, string>, body: init.body as string | undefined });
    return reply();
  }) as unknown as typeof globalThis.fetch;
  return { sent, fetch };
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('calls by the route table', () => {
  const routes = Object.values(apiRoutes).flatMap((area) => Object.values(area)) as RouteDefinition[];

  it('sends each route its method and path, with parameters filled in and the extra headers of every request', async () => {
    const { sent, fetch } = recording(() => json({ ok: true }));
    const client = new MfsimClient({ baseUrl: '', fetch, headers: () => ({ 'mfsim-project': 'red' }) });
    for (const route of routes) await client.call(route, { params: { id: 'a b', step: 7 } } as never);
    expect(sent).toHaveLength(routes.length);
    sent.forEach((s, i) => {
      const route = routes[i];
      expect(s.method).toBe(route.method);
      expect(s.url).toBe(route.path.replace('{id}', 'a%20b').replace('{step}', '7')); // '' base: the page's own origin
      expect(s.headers['mfsim-project']).toBe('red');
      // a route that takes a body gets one (an empty object for the actions), a GET never does
      expect(s.body === undefined).toBe(route.method === 'GET' || !route.body);
    });
    expect(routes.map((r) => r.operationId)).toContain('submitSimulation');
  });

  it('refuses a call that lacks a path parameter, before sending anything', async () => {
    const { sent, fetch } = recording(() => json({}));
    const client = new MfsimClient({ fetch });
    expect(() => client.call(apiRoutes.simulations.get, { params: {} } as never)).toThrow(/getSimulation: missing path parameter id/);
    expect(sent).toHaveLength(0);
  });

  it('sends the key, the query and the body of a typed call, and returns the parsed reply', async () => {
    const { sent, fetch } = recording(() => json({ items: [], nextCursor: null }));
    const client = new MfsimClient({ baseUrl: 'http://api.test/', apiKey: 'k1', fetch });
    const page = await client.call(apiRoutes.simulations.list, { query: { status: 'completed,failed', limit: 5, name: undefined } });
    expect(page).toEqual({ items: [], nextCursor: null });
    expect(sent[0].url).toBe('http://api.test/v1/simulations?status=completed%2Cfailed&limit=5');
    expect(sent[0].headers.authorization).toBe('Bearer k1');
    await client.update('id1', { note: 'n' });
    expect(sent[1]).toMatchObject({ method: 'PATCH', url: 'http://api.test/v1/simulations/id1', body: '{"note":"n"}' });
  });

  it('turns an error reply into MfsimApiError with its status, message, field issues and Retry-After', async () => {
    const issues = [{ path: 'student.width', message: 'Too small: expected number to be >=1' }];
    const { fetch } = recording(() => new Response(JSON.stringify({ statusCode: 400, message: 'invalid spec', issues }), { status: 400, headers: { 'retry-after': '3' } }));
    const err = await new MfsimClient({ fetch }).submit({} as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MfsimApiError);
    expect(err).toMatchObject({ status: 400, message: 'invalid spec', issues, retryAfter: 3 });
    expect((err as MfsimApiError).describe()).toBe('400: invalid spec\n  student.width: Too small: expected number to be >=1');
  });
});

describe('one CSV writer', () => {
  it('quotes cells that need it and leaves missing values empty', () => {
    const rows = [{ replica: 0, step: 1, time: 0.5, trainLoss: null, testLoss: 2, testError: undefined }];
    expect(toCsv(rows as never[], TRAJECTORY_COLUMNS)).toBe('replica,step,time,trainLoss,testLoss,testError\n0,1,0.5,,2,\n');
    expect(toCsv([{ name: 'a "b", c' }], ['name'])).toBe('name\n"a ""b"", c"\n');
  });
});

describe('browser-safe', () => {
  it('bundles for a browser with no Node module and no process', async () => {
    const out = await build({
      entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
      bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
    });
    const code = out.outputFiles[0].text;
    expect(code).not.toMatch(/\bprocess\.env\b|from ["']node:/);
  }, 60_000);
});
