// A one-line progress bar on stderr: redrawn in place on a terminal; anywhere else (a pipe, a log
// file, CI) plain lines with no carriage returns or escape codes: one per 10% of progress, change of
// status, or 30 s without either.
import type { ProgressUpdate } from '@mfsim/client';

const fmt = (v: number | null | undefined) => (typeof v === 'number' ? v.toPrecision(4) : '-');

const HEARTBEAT_MS = 30_000;

export function renderBar(fraction: number, width = 28): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.floor(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(100 * f).toFixed(0).padStart(3)}%`;
}

export class ProgressBar {
  private lastDecile = -1;
  private lastStatus = '';
  private drawn = false;
  private lastLine = 0;
  private lastLosses: { train: number | null | undefined; test: number | null | undefined } | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly live = Boolean(stream.isTTY),
  ) {}

  update(u: Pick<ProgressUpdate, 'status' | 'progress' | 'stepsDone' | 'trainLoss' | 'testLoss'> & { totalSteps?: number }) {
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = u.progress > 0.02 && u.progress < 1 ? ` eta ${Math.ceil((elapsed * (1 - u.progress)) / u.progress)}s` : '';
    const steps = u.stepsDone !== undefined ? ` step ${u.stepsDone}${u.totalSteps ? `/${u.totalSteps}` : ''}` : '';
    // An update without losses (a chunk with no recorded step) keeps showing the last ones known.
    if (typeof u.trainLoss === 'number' || typeof u.testLoss === 'number') this.lastLosses = { train: u.trainLoss, test: u.testLoss };
    const known = this.lastLosses;
    const losses = known ? `  train ${fmt(known.train)}  test ${fmt(known.test)}` : '';
    const line = `${this.label} ${renderBar(u.progress)} ${u.status}${steps}${losses}${eta}`;
    if (this.live) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(u.progress * 10);
    const now = performance.now();
    if (decile !== this.lastDecile || u.status !== this.lastStatus || now - this.lastLine >= HEARTBEAT_MS) {
      this.stream.write(line + '\n');
      this.lastLine = now;
    }
    this.lastDecile = decile;
    this.lastStatus = u.status;
  }

  /** Ends the line so what follows starts on its own. */
  done() {
    if (this.live && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
