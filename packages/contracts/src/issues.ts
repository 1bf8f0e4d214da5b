import type { z } from 'zod';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. "student.width"; "(body)" for the body as a whole. */
  path: string;
  message: string;
}

const dotted = (path: PropertyKey[]) => (path.length ? path.map(String).join('.') : '(body)');

/** A zod error as the API's field list: one entry per offending field. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: dotted([...i.path, key]), message: 'unknown field' }))
      : [{ path: dotted(i.path), message: i.message }],
  );
}
