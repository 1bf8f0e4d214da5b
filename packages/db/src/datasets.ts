// Stored datasets, and specs that refer to one made runnable by inlining its points.
import { isUuid, type DatasetRequest, type Sample, type Spec } from '@mfsim/contracts';
import type { Database } from './client.ts';
import type { Dataset } from './generated/client.ts';
import { afterNewestFirstCursor, NEWEST_FIRST, newestFirstPage } from './newest-first.ts';

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

/** One project's datasets without their points, newest first, `limit` per page. */
export async function listDatasets(db: Database, q: { project: string; limit: number; cursor?: string }): Promise<{ items: DatasetRow[]; nextCursor: string | null }> {
  const rows = await db.prisma.dataset.findMany({
    where: { project: q.project, ...afterNewestFirstCursor(q.cursor) },
    omit: { points: true },
    orderBy: NEWEST_FIRST,
    take: q.limit + 1,
  });
  return newestFirstPage(rows as DatasetRow[], q.limit);
}

/** What still refers to a dataset: simulations that may still run (a retry reads it again) and schedules not deleted (base or grid). */
export interface DatasetReferences {
  simulations: { id: string; status: string }[];
  schedules: string[];
}

const MAY_STILL_RUN = ['queued', 'running', 'failed', 'cancelled'];

/**
 * Deletes a dataset of `project` that nothing may still need. `null` when it is not there; otherwise
 * the references that hold it (empty lists: deleted). A run submitted in the same instant as the
 * delete may still pass its check and then fail in its worker with "no stored dataset".
 */
export async function deleteDataset(db: Database, id: string, project: string): Promise<DatasetReferences | null> {
  if (!isUuid(id)) return null;
  return db.prisma.$transaction(async (tx) => {
    const found = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM datasets WHERE id = ${id}::uuid AND project = ${project} FOR UPDATE`;
    if (found.length === 0) return null;
    const simulations = await tx.$queryRaw<{ id: string; status: string }[]>`
      SELECT id, status::text AS status FROM simulations
       WHERE project = ${project} AND spec->'inputs'->>'datasetId' = ${id} AND status::text = ANY(${MAY_STILL_RUN})
       ORDER BY "createdAt" DESC LIMIT 20`;
    const schedules = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM schedules
       WHERE project = ${project} AND "deletedAt" IS NULL AND position(${id} in template::text) > 0
       ORDER BY "createdAt" DESC LIMIT 20`;
    if (simulations.length > 0 || schedules.length > 0) return { simulations, schedules: schedules.map((s) => s.id) };
    await tx.dataset.delete({ where: { id } });
    return { simulations: [], schedules: [] };
  });
}
