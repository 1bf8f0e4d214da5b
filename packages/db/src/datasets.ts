// Stored datasets, and specs that refer to one made runnable by inlining its points.
import { isUuid, type DatasetRequest, type Sample, type Spec } from '@mfsim/contracts';
import type { Database } from './client.ts';
import type { Dataset } from './generated/client.ts';

export type DatasetRow = Dataset;

export function createDataset(db: Database, ds: DatasetRequest, project: string): Promise<DatasetRow> {
  return db.prisma.dataset.create({
    data: {
      project,
      name: ds.name ?? null,
      d: ds.train.x[0].length,
      trainSize: ds.train.x.length,
      testSize: ds.test?.x.length ?? null,
      points: { train: ds.train, ...(ds.test && { test: ds.test }) },
    },
  });
}

/** The dataset; null when it is not in `project` (a spec may refer only to its own project's datasets). */
export function findDataset(db: Database, id: string, project: string): Promise<DatasetRow | null> {
  return isUuid(id) ? db.prisma.dataset.findFirst({ where: { id, project } }) : Promise.resolve(null);
}

export class UnknownDatasetError extends Error {
  constructor(readonly datasetId: string) {
    super(`no stored dataset ${datasetId}`);
    this.name = 'UnknownDatasetError';
  }
}

/** The spec with a stored dataset of `project` inlined (unchanged when it has none). */
export async function inlineDataset(db: Database, spec: Spec, project: string): Promise<Spec> {
  const { inputs } = spec;
  if (inputs.kind !== 'dataset' || inputs.datasetId === undefined) return spec;
  const row = await findDataset(db, inputs.datasetId, project);
  if (!row) throw new UnknownDatasetError(inputs.datasetId);
  const points = row.points as unknown as { train: Sample; test?: Sample };
  return { ...spec, inputs: { kind: 'dataset', train: points.train, ...(points.test && { test: points.test }) } };
}

/** A stored dataset's sizes without its points (what checking a spec that names it needs); null when not in `project`. */
export async function findDatasetShape(db: Database, id: string, project: string): Promise<{ d: number; trainSize: number; testSize: number | null } | null> {
  if (!isUuid(id)) return null;
  return db.prisma.dataset.findFirst({ where: { id, project }, select: { d: true, trainSize: true, testSize: true } });
}
