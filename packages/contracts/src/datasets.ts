// Stored datasets: uploaded once, referred to by specs as inputs: {kind: "dataset", datasetId}.
import { z } from 'zod';
import { sampleSchema, type Sample } from './spec.ts';

export const datasetRequestSchema = z
  .strictObject({
    name: z.string().max(200).optional(),
    train: sampleSchema,
    test: sampleSchema.optional(),
  })
  .superRefine((ds, ctx) => {
    const d = ds.train.x[0]?.length ?? 0;
    if (ds.train.x.length === 0) ctx.addIssue({ code: 'custom', path: ['train', 'x'], message: 'needs at least one point' });
    else if (d === 0) ctx.addIssue({ code: 'custom', path: ['train', 'x', 0], message: 'points need at least one coordinate' });
    for (const part of ['train', 'test'] as const) {
      const s: Sample | undefined = ds[part];
      if (!s) continue;
      const bad = s.x.findIndex((row) => row.length !== d);
      if (bad >= 0) ctx.addIssue({ code: 'custom', path: [part, 'x', bad], message: `expected ${d} columns, got ${s.x[bad].length}` });
      if (s.y.length !== s.x.length) ctx.addIssue({ code: 'custom', path: [part, 'y'], message: `expected ${s.x.length} values, got ${s.y.length}` });
    }
  });
export type DatasetRequest = z.infer<typeof datasetRequestSchema>;

export const datasetSchema = z.object({
  id: z.string().uuid(),
  name: z.string().nullable(),
  /** Input dimension. */
  d: z.number().int(),
  trainSize: z.number().int(),
  testSize: z.number().int().nullable(),
  createdAt: z.string(),
});
export type DatasetReply = z.infer<typeof datasetSchema>;

export const datasetListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export const datasetListSchema = z.object({
  items: z.array(datasetSchema),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
