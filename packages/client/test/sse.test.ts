import { describe, expect, it } from 'vitest';
import { parseEventStream, progressFromEvent } from '../src/index.ts';

function stream(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

describe('Server-Sent Events', () => {
  it('parses events split anywhere across chunks, with ids, comments and multi-line data', async () => {
    const events = [];
    for await (const e of parseEventStream(stream([': hello\n\nid: 1\nevent: prog', 'ress\ndata: {"progress":', '0.5}\n\r\n', 'data: a\ndata: b\n\n']))) events.push(e);
    expect(events).toEqual([
      { event: 'progress', data: '{"progress":0.5}', id: '1', retry: undefined },
      { event: 'message', data: 'a\nb', id: '1', retry: undefined },
    ]);
  });

  it('reads progress and losses from the service events, keeping what a later event leaves out', () => {
    const a = progressFromEvent('status', JSON.stringify({ type: 'status', status: 'running', progress: 0 }));
    const b = progressFromEvent('progress', JSON.stringify({ type: 'progress', stepsDone: 50, totalSteps: 100, progress: 0.5, trainLoss: 0.2, testLoss: 0.3 }), a);
    expect(b).toMatchObject({ status: 'running', progress: 0.5, stepsDone: 50, totalSteps: 100, trainLoss: 0.2, testLoss: 0.3, source: 'sse' });
    expect(progressFromEvent('progress', 'not json', b)).toBeUndefined();
  });
});
