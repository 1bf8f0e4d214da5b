// A run's live writes at one moment go to Redis in one round trip: the event (XADD + EXPIRE), the
// counters and the step rate as one pipeline, read back as the API reads them; a part that Redis
// refuses is reported by name while the others are written.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { addEvent, addJobMetric, addStepRate, readEvents, readJobMetrics, redisClient, sendLiveParts, simulationEventsKey, type LivePart } from '../src/index.ts';

const redis = redisClient();
afterAll(() => redis.disconnect());

describe('live parts', () => {
  it('writes an event, counters and a step rate in one round trip', async () => {
    const id = randomUUID();
    const key = simulationEventsKey(id);
    const before = await readJobMetrics(redis);
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    let writes = 0;
    // Every command of a pipeline goes through sendCommand with the pipeline's stream: count the streams.
    const streams = new Set<unknown>();
    redis.sendCommand = ((command: { name: string }, stream?: unknown) => {
      sent.push(command.name);
      if (stream) streams.add(stream);
      else writes++;
      return send(command as never, stream as never);
    }) as typeof redis.sendCommand;
    try {
      const failed = await sendLiveParts(redis, [
        { what: 'event', add: (p) => addEvent(p, key, 'progress', { simulationId: id, stepsDone: 4 }) },
        { what: 'metric', add: (p) => addJobMetric(p, 'steps', 4) },
        { what: 'metric', add: (p) => addStepRate(p, `test-${id}`, 1234) },
      ]);
      expect(failed).toEqual([]);
    } finally {
      redis.sendCommand = send;
    }
    expect(sent).toEqual(['xadd', 'expire', 'hincrby', 'hset']);
    expect(streams.size + writes).toBe(1);
    expect((await readEvents(redis, key)).map((e) => [e.type, e.data])).toEqual([['progress', { simulationId: id, stepsDone: 4 }]]);
    expect(await redis.ttl(key)).toBeGreaterThan(6 * 24 * 3600);
    const after = await readJobMetrics(redis);
    expect((after.counters.steps ?? 0) - (before.counters.steps ?? 0)).toBe(4);
    await redis.del(key);
    await redis.hdel('mfsim:metrics:rates', `test-${id}`);
  });

  it('names the part Redis refused and writes the others', async () => {
    const id = randomUUID();
    const key = simulationEventsKey(id);
    const notAHash = `mfsim:test:${id}`;
    await redis.set(notAHash, 'x');
    const failed = await sendLiveParts(redis, [
      { what: 'event', add: (p) => addEvent(p, key, 'status', { simulationId: id, status: 'running' }) },
      { what: 'a counter on a string', add: (p) => p.hincrby(notAHash, 'steps', 1) },
    ]);
    expect(failed).toEqual([{ what: 'a counter on a string', error: expect.stringMatching(/WRONGTYPE/) }]);
    expect((await readEvents(redis, key)).map((e) => e.data.status)).toEqual(['running']);
    await redis.del(key, notAHash);
  });
});

describe('live parts on a Redis Cluster', () => {
  // The parts' keys hash to different slots (an event stream per simulation, the counters' hash):
  // one pipeline would be refused there, so each part goes as a pipeline of its own.
  it('writes every part, each on its own slot', async () => {
    const { startTestCluster } = await import('@mfsim/test-servers');
    const cluster = await startTestCluster();
    const client = redisClient(cluster.url);
    try {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const failed = await sendLiveParts(client, [
        ...ids.map((id): LivePart => ({ what: 'event', add: (p) => addEvent(p, simulationEventsKey(id), 'progress', { simulationId: id }) })),
        { what: 'metric', add: (p) => addJobMetric(p, 'steps', 3) },
        { what: 'metric', add: (p) => addStepRate(p, 'worker-1', 5) },
      ]);
      expect(failed).toEqual([]);
      for (const id of ids) expect((await readEvents(client, simulationEventsKey(id))).map((e) => e.data)).toEqual([{ simulationId: id }]);
      expect((await readJobMetrics(client)).counters.steps).toBe(3);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  }, 120_000);
});
