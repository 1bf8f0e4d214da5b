// A stand-in for the few parts of vitest that the engine's kernel tests use, so that those test
// files can be bundled (esbuild, see ../gpu-pack.sh) and run by a bare Node binary on a GPU host
// that has no node_modules. Tests run one after another; a failure sets the exit code.
import { isDeepStrictEqual } from 'node:util';

type Fn = () => unknown | Promise<unknown>;
const tests: { name: string; fn: Fn; skip: boolean }[] = [];
const prefix: string[] = [];
let skipping = 0;

function fail(message: string, custom?: string): never {
  throw new Error(custom ? `${custom}: ${message}` : message);
}

export function expect(actual: unknown, custom?: string) {
  const show = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : JSON.stringify(v)?.slice(0, 200));
  const m = {
    toBe: (e: unknown) => Object.is(actual, e) || fail(`expected ${show(actual)} to be ${show(e)}`, custom),
    toEqual: (e: unknown) => isDeepStrictEqual(actual, e) || fail(`expected ${show(actual)} to equal ${show(e)}`, custom),
    toBeLessThan: (e: number) => (actual as number) < e || fail(`expected ${show(actual)} < ${e}`, custom),
    toBeLessThanOrEqual: (e: number) => (actual as number) <= e || fail(`expected ${show(actual)} <= ${e}`, custom),
    toBeGreaterThan: (e: number) => (actual as number) > e || fail(`expected ${show(actual)} > ${e}`, custom),
    toBeInstanceOf: (c: new (...a: never[]) => unknown) => actual instanceof c || fail(`expected an instance of ${c.name}`, custom),
    toBeTypeOf: (t: string) => typeof actual === t || fail(`expected typeof ${t}, got ${typeof actual}`, custom),
    toBeUndefined: () => actual === undefined || fail(`expected undefined, got ${show(actual)}`, custom),
    toBeNull: () => actual === null || fail(`expected null, got ${show(actual)}`, custom),
    toMatch: (re: RegExp | string) => (typeof re === 'string' ? String(actual).includes(re) : re.test(String(actual))) || fail(`expected ${show(actual)} to match ${re}`, custom),
    toThrow: (re?: RegExp | string | (new (...a: never[]) => Error)) => {
      try {
        (actual as () => unknown)();
      } catch (err) {
        const msg = (err as Error).message;
        const ok = !re || (typeof re === 'string' ? msg.includes(re) : re instanceof RegExp ? re.test(msg) : err instanceof re);
        if (!ok) fail(`threw "${msg}", expected ${typeof re === 'function' ? re.name : re}`, custom);
        return true;
      }
      return fail('expected a throw', custom);
    },
  };
  return { ...m, not: { toBe: (e: unknown) => !Object.is(actual, e) || fail(`expected ${show(actual)} not to be ${show(e)}`, custom) } };
}

function collect(name: string, fn: Fn, skip: boolean) {
  prefix.push(name);
  if (skip) skipping++;
  const r = fn();
  if (r instanceof Promise) throw new Error('async describe is not supported by the shim');
  if (skip) skipping--;
  prefix.pop();
}
export const describe = Object.assign((name: string, fn: Fn) => collect(name, fn, false), {
  skipIf: (cond: unknown) => (name: string, fn: Fn) => collect(name, fn, !!cond),
});
export const it = Object.assign(
  (name: string, fn: Fn) => void tests.push({ name: [...prefix, name].join(' > '), fn, skip: skipping > 0 }),
  { skipIf: (cond: unknown) => (name: string, fn: Fn) => void tests.push({ name: [...prefix, name].join(' > '), fn, skip: skipping > 0 || !!cond }) },
);
export const test = it;

/** Runs the collected tests; returns the number that failed. */
export async function runCollected(): Promise<number> {
  let failed = 0;
  for (const t of tests.splice(0)) {
    if (t.skip) {
      console.log(`  skip  ${t.name}`);
      continue;
    }
    const t0 = performance.now();
    try {
      await t.fn();
      console.log(`  pass  ${t.name} (${Math.round(performance.now() - t0)} ms)`);
    } catch (err) {
      failed++;
      console.log(`  FAIL  ${t.name}: ${(err as Error).message}`);
    }
  }
  return failed;
}
