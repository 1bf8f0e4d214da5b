// Request and reply shapes of the HTTP API. The OpenAPI document is generated from these.
import { z } from 'zod';
import { specSchema } from './spec.ts';

export const SIMULATION_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'diverged'] as const;
export const simulationStatusSchema = z.enum(SIMULATION_STATUSES);
export type SimulationStatus = z.infer<typeof simulationStatusSchema>;
/** Statuses after which a simulation never changes again (unless retried). */
export const FINAL_STATUSES: readonly SimulationStatus[] = ['completed', 'failed', 'cancelled', 'diverged'];

export const idSchema = z.string().uuid();

export const simulationSchema = z.object({
  id: idSchema,
  name: z.string().nullable(),
  tags: z.array(z.string()),
  status: simulationStatusSchema,
  /** Fraction of the steps done, 0 to 1. */
  progress: z.number(),
  stepsDone: z.number().int(),
  seed: z.number().int(),
  spec: specSchema,
  /** The kernel that ran it ("native", "tfjs-wasm", ...) and the device. */
  backend: z.string().nullable(),
  device: z.string().nullable(),
  error: z.string().nullable(),
  /** The step at which the loss became non-finite, for `diverged` runs. */
  divergedAtStep: z.number().int().nullable(),
  sweepId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Wall-clock seconds the engine ran. */
  runSeconds: z.number().nullable(),
});
export type SimulationReply = z.infer<typeof simulationSchema>;

export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  status: simulationStatusSchema.optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const simulationListSchema = z.object({
  items: z.array(simulationSchema),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export const trajectoryPointSchema = z.object({
  replica: z.number().int(),
  step: z.number().int(),
  time: z.number(),
  /** null where the value was not finite (a diverged run) or not defined. */
  trainLoss: z.number().nullable(),
  testLoss: z.number().nullable(),
  testError: z.number().nullable(),
});
export type TrajectoryPointReply = z.infer<typeof trajectoryPointSchema>;

export const trajectoryQuerySchema = z.strictObject({
  replica: z.coerce.number().int().min(0).max(100_000).optional(),
});

export const trajectorySchema = z.object({
  simulationId: idSchema,
  points: z.array(trajectoryPointSchema),
});

export const errorIssueSchema = z.object({ path: z.string(), message: z.string() });
export const errorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  /** For 400: one entry per offending field, with its dotted path. */
  issues: z.array(errorIssueSchema).optional(),
});
export type ErrorReply = z.infer<typeof errorSchema>;
