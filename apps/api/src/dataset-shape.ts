// Checking a spec that names a stored dataset by its sizes alone: the dataset's points are never
// read at submission (a 16 MB dataset named by 32 concurrent POSTs used to be read and validated 32
// times). The dimension checks run on a one-point stand-in of the dataset's d; the checks that need
// its size, and the memory and cost estimates, see arrays of its length without their points.
import { fieldIssues, specSchema, type FieldIssue, type Spec } from '@mfsim/contracts';
import { findDatasetShape } from '@mfsim/db';
import type { ApiDeps } from './deps.ts';
import { RequestError } from './errors.ts';

/** An array of `length` whose first element is `first` and the rest holes: `.length` without the memory. */
function sized<T>(length: number, first: T): T[] {
  const a = new Array<T>(length);
  if (length > 0) a[0] = first;
  return a;
}

/**
 * The spec as the estimates must see it (the dataset's sizes and d in place of its id), after the
 * dimension and size checks against the stored dataset; 400 naming inputs.datasetId when `project`
 * has no such dataset. A spec without a stored dataset is returned as it is.
 */
export async function withDatasetShape(deps: ApiDeps, spec: Spec, project: string, where = ''): Promise<Spec> {
  const { inputs } = spec;
  if (inputs.kind !== 'dataset' || inputs.datasetId === undefined) return spec;
  const shape = await findDatasetShape(deps.db, inputs.datasetId, project);
  if (!shape) {
    const message = `no stored dataset ${inputs.datasetId}`;
    throw new RequestError(400, message, [{ path: `${where}inputs.datasetId`, message }]);
  }
  const row = new Array<number>(shape.d).fill(0);
  const onePoint = { x: [row], y: [0] };
  // Dimension checks (teacher parameters, explicit particles, mixture centres) against d.
  const r = specSchema.safeParse({ ...spec, inputs: { kind: 'dataset', train: onePoint }, training: { ...spec.training, trainSize: undefined } });
  const issues: FieldIssue[] = (r.success ? [] : fieldIssues(r.error))
    .filter((i) => !(i.path === 'training.batchSize' && /training set/.test(i.message)))
    .map((i) => ({ ...i, path: `${where}${i.path}` }));
  const { dynamics, batchSize } = spec.training;
  if (dynamics === 'minibatch' && batchSize !== undefined && batchSize > shape.trainSize) {
    issues.push({ path: `${where}training.batchSize`, message: `must not exceed the training set (${shape.trainSize})` });
  }
  if (issues.length) throw new RequestError(400, `invalid spec: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  const sample = (n: number) => ({ x: sized(n, row), y: sized(n, 0) });
  return { ...spec, inputs: { kind: 'dataset', train: sample(shape.trainSize), ...(shape.testSize !== null && { test: sample(shape.testSize) }) } };
}
