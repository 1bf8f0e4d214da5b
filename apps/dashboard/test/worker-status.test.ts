// @vitest-environment happy-dom
// The top bar's worker count (worker-status.ts), from /readyz replies as the API gives them.
import { describe, expect, it } from 'vitest';
import { workerStatus } from '../src/client/worker-status.ts';

describe('workers in the top bar', () => {
  it('shows the workers alive per kind, and warns when a queue has jobs and no worker or when they cannot be counted', () => {
    const fine = workerStatus({ redis: true, workers: { cpu: 2, gpu: 1 }, warnings: [] });
    expect(fine.textContent).toBe('Workers: cpu 2 · gpu 1');
    expect(fine.classList.contains('warn')).toBe(false);

    const stuck = workerStatus({ redis: true, workers: { cpu: 0, gpu: 0 }, warnings: ['3 job(s) wait on the cpu queue and no cpu worker is alive'] });
    expect(stuck.classList.contains('warn')).toBe(true);
    expect(stuck.getAttribute('role')).toBe('alert');
    expect(stuck.textContent).toMatch(/cpu 0 · gpu 0 ⚠ 3 job\(s\) wait on the cpu queue and no cpu worker is alive/);

    const redisDown = workerStatus({ redis: false, workers: null, warnings: [] });
    expect(redisDown.textContent).toBe('Workers: unknown (Redis down)');
    expect(redisDown.classList.contains('warn')).toBe(true);
    expect(workerStatus(null).textContent).toMatch(/unknown/);
  });
});
