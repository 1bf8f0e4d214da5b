// `mfsim show <short id>`: the id-taking commands accept the first characters of an id, as `submit`
// and `list` print it; none or several matches say so and exit 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mfsim } from './mfsim.ts';
import { smallSpec, startHttpService } from './service.ts';

let service: Awaited<ReturnType<typeof startHttpService>>;

beforeAll(async () => {
  service = await startHttpService();
});
afterAll(async () => service?.close());

async function submit(name: string): Promise<string> {
  const res = await fetch(`${service.url}/v1/simulations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(smallSpec({ name })) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('short ids', () => {
  it('show and cancel take the first 8 characters of an id; unknown and ambiguous prefixes are refused', async () => {
    const id = await submit('short id run');
    const api = ['--api', service.url];
    const shown = await mfsim(['show', id.slice(0, 8), ...api, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).id).toBe(id);
    const upper = await mfsim(['show', id.slice(0, 8).toUpperCase(), ...api, '--json']);
    expect(JSON.parse(upper.stdout).id).toBe(id);

    const none = await mfsim(['show', 'ffffffff-ffff', ...api]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no simulation id starts with "ffffffff-ffff"');

    // 17 ids: two of them share a first hex digit. Submitted one after another: the API serves at
    // most 8 requests in flight per client, and 16 at once may get a 429 on a loaded machine.
    const ids = [id];
    for (let k = 0; k < 16; k++) ids.push(await submit(`more ${k}`));
    const shared = ids.map((x) => x[0]).find((c, k, all) => all.indexOf(c) !== k)!;
    const ambiguous = await mfsim(['cancel', shared, ...api]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`"${shared}" is ambiguous`);
    for (const x of ids.filter((i) => i.startsWith(shared))) expect(ambiguous.stderr).toContain(x.slice(0, 8));
  });
});
