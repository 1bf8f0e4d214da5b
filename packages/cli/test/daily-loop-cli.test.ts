// Issue 17 from the command line: `mfsim list` with the metric columns, --sort, several statuses and
// --spec.<path>=V filters; `mfsim show` with the first start and total run time; `mfsim export --sweep`
// and `--ids` to a zip; `mfsim datasets list` and `delete`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mfsim } from './mfsim.ts';
import { smallSpec, startHttpService } from './service.ts';

let service: Awaited<ReturnType<typeof startHttpService>>;
const dir = mkdtempSync(join(tmpdir(), 'mfsim-cli-loop-'));
const tag = `cli-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  service = await startHttpService();
});
afterAll(async () => {
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; children?: { simulationId: string }[] };
};
const get = async (path: string) => (await (await fetch(`${service.url}${path}`)).json()) as Record<string, unknown>;
async function finished(id: string, path = `/v1/simulations/${id}`) {
  for (let i = 0; i < 900; i++) {
    const s = await get(path);
    if (['completed', 'failed', 'diverged', 'cancelled'].includes(s.status as string)) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${path} did not finish`);
}
/** The names in a zip, by Python's zipfile after checking every entry's CRC. */
const zipNames = (file: string) => JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps(z.namelist()))', file], { encoding: 'utf8' })) as string[];

describe('mfsim list, show, export, datasets', () => {
  it('lists runs with their losses, sorted and filtered by spec fields; show has the first start and total run time', { timeout: 240_000 }, async () => {
    const wide = await post('/v1/simulations', smallSpec({ name: `${tag} wide`, tags: [tag], student: { unit: 'tanh', width: 32 } }));
    const narrow = await post('/v1/simulations', smallSpec({ name: `${tag} narrow`, tags: [tag], student: { unit: 'tanh', width: 8 } }));
    const runs = [await finished(wide.id), await finished(narrow.id)];
    const api = ['--api', service.url];

    const listed = await mfsim(['list', '--filter', `tag=${tag}`, '--status', 'completed,failed', '--sort=-finalTestLoss', ...api]);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/test loss\s+best test\s+train loss\s+n\s+dynamics\s+dt\s+steps\s+run time/);
    const order = [...runs].sort((a, b) => (b.finalTestLoss as number) - (a.finalTestLoss as number));
    // Rows in the API's order, each with its final test loss to 4 significant digits.
    expect(lines.slice(2).map((l) => l.slice(0, 8))) // after the header and its rule.toEqual(order.map((r) => (r.id as string).slice(0, 8)));
    for (const r of order) expect(listed.stdout).toContain((r.finalTestLoss as number).toPrecision(4));

    const onlyWide = await mfsim(['list', '--filter', `tag=${tag}`, '--spec.student.width=32', '--json', ...api]);
    expect(onlyWide.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([wide.id]);
    const spaced = await mfsim(['list', '--filter', `tag=${tag}`, '--spec.student.width', '8', '--json', ...api]);
    expect(spaced.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([narrow.id]);

    // --sort dynamics: the gd run first, then the sgd runs by id (the reverse with -dynamics).
    const gd = await post('/v1/simulations', smallSpec({ name: `${tag} gd`, tags: [tag], training: { dynamics: 'gd', dt: 0.2, steps: 200 } }));
    const sgdIds = [wide.id, narrow.id].sort();
    const byDynamics = await mfsim(['list', '--filter', `tag=${tag}`, '--sort', 'dynamics', '--json', ...api]);
    expect(byDynamics.code, byDynamics.stderr).toBe(0);
    expect(byDynamics.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([gd.id, ...sgdIds]);
    const reversed = await mfsim(['list', '--filter', `tag=${tag}`, '--sort=-dynamics', '--json', ...api]);
    expect(reversed.stdout.trim().split('\n').map((l) => JSON.parse(l).dynamics)).toEqual(['sgd', 'sgd', 'gd']);
    expect(reversed.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([...sgdIds].reverse().concat(gd.id));

    const badSort = await mfsim(['list', '--sort', 'loss', ...api]);
    expect(badSort.code).toBe(1);
    expect(badSort.stderr).toContain('sort');

    const shown = await mfsim(['show', wide.id.slice(0, 8), ...api]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/first started\s+\d{4}-/);
    expect(shown.stdout).toMatch(/run seconds\s+\d+\.\d \(every attempt\)/);
  });

  it('exports a sweep and a selection to zip files', { timeout: 240_000 }, async () => {
    const sweep = await post('/v1/sweeps', {
      name: `${tag} sweep`, replicas: 1,
      base: smallSpec({ training: { dynamics: 'sgd', batchSize: 16, dt: 0.1, steps: 20 }, record: { every: 10, testSize: 32, probes: 2 } }),
      grid: { 'student.width': [4, 8] },
    });
    await finished(sweep.id, `/v1/sweeps/${sweep.id}`);
    const api = ['--api', service.url];
    const file = join(dir, 'sweep.zip');
    const out = await mfsim(['export', '--sweep', sweep.id, '-o', file, ...api]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain(`wrote ${file}`);
    const names = zipNames(file);
    expect(names).toContain('sweep.json');
    for (const c of sweep.children!) expect(names.filter((n) => n.startsWith(`runs/${c.simulationId.slice(0, 8)}`) && n.endsWith('/trajectory.csv'))).toHaveLength(1);

    const ids = sweep.children!.map((c) => c.simulationId.slice(0, 8)).join(',');
    const selection = join(dir, 'two.zip');
    const sel = await mfsim(['export', '--ids', ids, '-o', selection, ...api]);
    expect(sel.code, sel.stderr).toBe(0);
    expect(zipNames(selection).filter((n) => n.endsWith('/simulation.json'))).toHaveLength(2);

    const missing = await mfsim(['export', '--sweep', randomUUID(), '-o', join(dir, 'none.zip'), ...api]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not found');
  });

  it('lists and deletes datasets; a dataset a queued run uses is refused with that run named', { timeout: 120_000 }, async () => {
    const api = ['--api', service.url];
    const ds = await post('/v1/datasets', { name: `${tag} xor`, train: { x: [[1, 1], [1, -1], [-1, 1], [-1, -1]], y: [1, -1, -1, 1] } });
    const listed = await mfsim(['datasets', 'list', ...api]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(ds.id);
    expect(listed.stdout).toContain(`${tag} xor`);

    const run = await post('/v1/simulations', smallSpec({ inputs: { kind: 'dataset', datasetId: ds.id }, target: { kind: 'labels' }, training: { dynamics: 'gd', dt: 0.1, steps: 10 }, record: { every: 5, probes: 2 } }));
    await fetch(`${service.url}/v1/simulations/${run.id}/cancel`, { method: 'POST' });
    const refused = await mfsim(['datasets', 'delete', ds.id, ...api]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(run.id);

    const other = await post('/v1/datasets', { name: `${tag} unused`, train: { x: [[0, 1]], y: [1] } });
    const deleted = await mfsim(['datasets', 'delete', other.id, ...api]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await mfsim(['datasets', 'list', ...api])).stdout).not.toContain(other.id);
  });
});
