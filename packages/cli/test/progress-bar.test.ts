// The progress bar as a log sees it (not a terminal): a line per 10% or change of status, and the
// last losses known kept on updates that carry none.
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { ProgressBar } from '../src/progress-bar.ts';

it('prints a line per tenth of progress and keeps the last losses known', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c));
  const bar = new ProgressBar('run', out as unknown as NodeJS.WriteStream, false);
  bar.update({ status: 'running', progress: 0.1, stepsDone: 100, totalSteps: 1000, trainLoss: 0.5, testLoss: 0.6 });
  bar.update({ status: 'running', progress: 0.15, stepsDone: 150, totalSteps: 1000 }); // same tenth: no line
  bar.update({ status: 'running', progress: 0.2, stepsDone: 200, totalSteps: 1000 }); // no losses in this chunk
  bar.update({ status: 'completed', progress: 1, stepsDone: 1000, totalSteps: 1000, trainLoss: 0.01, testLoss: 0.02 });
  bar.done();
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^run \[##\.+\]  10% running step 100\/1000  train 0\.5000  test 0\.6000/);
  expect(lines[1]).toMatch(/^run \[#+\.+\]  20% running step 200\/1000  train 0\.5000  test 0\.6000/);
  expect(lines[2]).toMatch(/^run \[#{28}\] 100% completed step 1000\/1000  train 0\.01000  test 0\.02000$/);
  expect(text).not.toMatch(/\r|\x1b/);
});
