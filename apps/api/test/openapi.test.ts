// The OpenAPI document (generated from the contracts' route table) covers every route the app registers, each with a summary, its path
// parameters and an example; examples of the contract's shapes parse with the contract.
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import type { z } from 'zod';
import {
  apiKeyListSchema, apiKeySchema, createdApiKeySchema, datasetSchema, scheduleListSchema, scheduleSchema, simulationListSchema,
  simulationSchema, simulationStatisticsSchema, snapshotListSchema, snapshotSchema, sweepListSchema, sweepSchema,
  sweepStatisticsSchema, trajectorySchema,
} from '@mfsim/contracts';
import { useService } from './harness.ts';

const service = useService();

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown; schema?: { $ref?: string } }> }>;
}

// Served by plugins with their own documents or none: the Swagger UI, the dashboard's files and `/` (a redirect to it).
const UNDOCUMENTED = [/^\/docs(\/|$)/, /^\/dashboard(\/|$)/, /^\/$/];
const REPLIES: Record<string, z.ZodType> = {
  Simulation: simulationSchema, SimulationList: simulationListSchema, Trajectory: trajectorySchema, Snapshot: snapshotSchema,
  SnapshotList: snapshotListSchema, ApiKey: apiKeySchema, CreatedApiKey: createdApiKeySchema, ApiKeyList: apiKeyListSchema,
  Dataset: datasetSchema, Sweep: sweepSchema, SweepList: sweepListSchema, SweepStatistics: sweepStatisticsSchema,
  SimulationStatistics: simulationStatisticsSchema, Schedule: scheduleSchema, ScheduleList: scheduleListSchema,
};

describe('/openapi.json', () => {
  it('documents every registered route with a summary, its path parameters and an example', async () => {
    const doc = (await request(service.app.server).get('/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    const routes = service.app.routeTable.filter((r) => r.method !== 'HEAD' && !UNDOCUMENTED.some((re) => re.test(r.url)));
    expect(routes.length).toBeGreaterThan(30);
    const missing: string[] = [];
    for (const { method, url } of routes) {
      const path = url.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[method.toLowerCase()];
      if (!op) {
        missing.push(`${method} ${path}`);
        continue;
      }
      expect(op.summary, `${method} ${path}: summary`).toBeTruthy();
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        expect(op.parameters?.some((p) => p.in === 'path' && p.name === name), `${method} ${path}: parameter ${name}`).toBe(true);
      }
      const media = [...Object.values(op.requestBody?.content ?? {}), ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {}))];
      expect(media.some((m) => m.example !== undefined), `${method} ${path}: an example`).toBe(true);
    }
    expect(missing).toEqual([]);
  });

  it('documents the trajectory query, the list filters and the event streams\' key parameter', async () => {
    const doc = (await request(service.app.server).get('/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    const names = (path: string, method = 'get') => doc.paths[path][method].parameters?.map((p) => p.name);
    expect(names('/v1/simulations/{id}/trajectory')).toEqual(
      expect.arrayContaining(['replica', 'fromStep', 'toStep', 'fromTime', 'toTime', 'maxPoints', 'by', 'limit', 'cursor', 'format']),
    );
    expect(names('/v1/simulations')).toEqual(expect.arrayContaining(['status', 'name', 'tag', 'sweep', 'createdAfter', 'createdBefore', 'sort', 'cursor']));
    expect(names('/v1/simulations/{id}/events')).toContain('access_token');
    expect(names('/v1/sweeps/{id}/events')).toContain('access_token');
  });

  // What a generated client (openapi-python-client, openapi-generator) needs: readable unique
  // method names, a bearer scheme it sends on every keyed operation, each error it can meet, and
  // $refs that resolve.
  it('has the shape a generated client needs: operationIds, tags, the bearer scheme, error replies, resolvable refs', async () => {
    const doc = (await request(service.app.server).get('/openapi.json')).body as {
      paths: Record<string, Record<string, Operation & { operationId?: string; tags?: string[]; security?: Record<string, string[]>[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        expect(op.operationId, `${where}: operationId`).toMatch(/^[a-z][A-Za-z0-9]+$/);
        expect(ids.has(op.operationId!), `${where}: operationId ${op.operationId} used twice`).toBe(false);
        ids.add(op.operationId!);
        expect(op.tags?.length, `${where}: tags`).toBeGreaterThan(0);
        const keyed = (op.security ?? []).some((s) => 'bearerAuth' in s);
        if (path.startsWith('/v1/')) {
          expect(keyed, `${where}: bearer security`).toBe(true);
          for (const status of ['401', '429', '503']) expect(op.responses[status], `${where}: ${status}`).toBeDefined();
          if (method !== 'get') expect(op.responses['403'], `${where}: 403`).toBeDefined();
          if (op.parameters?.some((p) => p.in === 'query') || op.requestBody) expect(op.responses['400'], `${where}: 400`).toBeDefined();
        } else expect(keyed, `${where}: public`).toBe(false);
      }
    }
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(doc.components.schemas[ref.slice(22, -1)], ref).toBeDefined();
  });

  it('has examples that parse with the contract they illustrate', async () => {
    const doc = (await request(service.app.server).get('/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, r] of Object.entries(op.responses)) {
          const json = r.content?.['application/json'];
          const name = json?.schema?.$ref?.split('/').pop();
          if (!name || !REPLIES[name] || json?.example === undefined) continue;
          const parsed = REPLIES[name].safeParse(json.example);
          expect(parsed.success, `${method} ${path} ${status}: ${parsed.error?.message}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});
