// The error of a spec, sweep or schedule file that does not parse or validate (the command line
// and the local runner read files; the SDK never does).
import type { FieldIssue } from '@mfsim/contracts';

/** A spec (or sweep) file that does not parse or does not validate; `issues` names each field. */
export class MfsimSpecError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'MfsimSpecError';
  }

  describe(): string {
    return [this.message, ...this.issues.map((i) => `  ${i.path}: ${i.message}`)].join('\n');
  }
}
