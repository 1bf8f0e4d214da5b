// A snapshot as JSON, written as a stream: the reply of a large run (tens of millions of floats)
// would be gigabytes of JSON text, past what one JS string can hold; here it goes out a piece at a
// time (FLOATS_PER_PIECE numbers each), as the client reads it. The text is what JSON.stringify
// would give for the same object with the arrays as plain number arrays (non-finite values as null).
import { Readable } from 'node:stream';

const FLOATS_PER_PIECE = 65_536;

function* numbers(a: Float32Array): Generator<Buffer> {
  for (let i = 0; i < a.length; i += FLOATS_PER_PIECE) {
    const end = Math.min(a.length, i + FLOATS_PER_PIECE);
    const parts: string[] = new Array(end - i);
    for (let j = i; j < end; j++) parts[j - i] = Number.isFinite(a[j]) ? String(a[j]) : 'null';
    yield Buffer.from((i > 0 ? ',' : '') + parts.join(','));
  }
}

/** `{...head, [name]: [...floats], ...}` as a stream of JSON text. `head` must have at least one field. */
export function snapshotJsonStream(head: Record<string, unknown>, arrays: Record<string, Float32Array>): Readable {
  return Readable.from((function* () {
    yield Buffer.from(JSON.stringify(head).slice(0, -1));
    for (const [name, a] of Object.entries(arrays)) {
      yield Buffer.from(`,${JSON.stringify(name)}:[`);
      yield* numbers(a);
      yield Buffer.from(']');
    }
    yield Buffer.from('}');
  })(), { objectMode: false });
}
