// The snapshot route's JSON is streamed (snapshot-json.ts): the text parses to exactly what the
// whole-object reply gave, in pieces, so a large snapshot never becomes one string.
import { describe, expect, it } from 'vitest';
import { snapshotJsonStream } from '../src/snapshot-json.ts';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(Buffer.from(piece as Buffer));
  return pieces;
}

describe('snapshot JSON stream', () => {
  it('gives the JSON of the whole object, number for number, in pieces', async () => {
    const c = new Float32Array(200_001).map((_, i) => Math.sin(i) * 1e-3);
    const w = Float32Array.from([0.1, -2.5e-12, 3.4028234663852886e38, 0, -0, NaN, Infinity]);
    const b = new Float32Array(0);
    const head = { simulationId: 'abc', step: 40, replicas: 1, width: 3, d: 2 };
    const pieces = await collect(snapshotJsonStream(head, { c, w, b }));
    const text = Buffer.concat(pieces).toString();
    expect(text).toBe(JSON.stringify({ ...head, c: Array.from(c), w: Array.from(w), b: Array.from(b) }));
    expect(JSON.parse(text).w).toEqual([Array.from(w)[0], Array.from(w)[1], 3.4028234663852886e38, 0, 0, null, null]);
    // 200,001 numbers of c alone take 4 pieces of at most 65,536.
    expect(pieces.length).toBeGreaterThan(6);
  });
});
