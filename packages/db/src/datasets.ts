// Stored datasets, and specs that refer to one made runnable by inlining its points.
import type { DatasetRequest, Sample, Spec } from '@mfsim/contracts';
import type { Database } from './client.ts';
import type { Dataset } from './generated/client.ts';

export type DatasetRow = Dataset;

export function createDataset(db: Database, ds: DatasetRequest): Promise<DatasetRow> {
  return db.prisma.dataset.create({
    data: {
      name: ds.name ?? null,
      d: ds.train.x[0].length,
      trainSize: ds.train.x.length,
      testSize: ds.test?.x.length ?? null,
      points: { train: ds.train, ...(ds.test && { test: ds.test }) },
    },
  });
}

export function findDataset(db: Database, id: string): Promise<DatasetRow | null> {
  return /^[0-9a-f-]{36}$/i.test(id) ? db.prisma.dataset.findUnique({ where: { id } }) : Promise.resolve(null);
}

export class UnknownDatasetError extends Error {
  constructor(readonly datasetId: string) {
    super(`no stored dataset ${datasetId}`);
    this.name = 'UnknownDatasetError';
  }
}

/** The spec with a stored dataset's points inlined (unchanged when it has none). */
export async function inlineDataset(db: Database, spec: Spec): Promise<Spec> {
  const { inputs } = spec;
  if (inputs.kind !== 'dataset' || inputs.datasetId === undefined) return spec;
  const row = await findDataset(db, inputs.datasetId);
  if (!row) throw new UnknownDatasetError(inputs.datasetId);
  const points = row.points as unknown as { train: Sample; test?: Sample };
  return { ...spec, inputs: { kind: 'dataset', train: points.train, ...(points.test && { test: points.test }) } };
}
