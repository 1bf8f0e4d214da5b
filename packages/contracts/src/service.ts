// Request and reply shapes of the service routes: API keys, cancel and retry, snapshots, events.
import { z } from 'zod';
import { idSchema } from './api.ts';

export const API_KEY_ROLES = ['read', 'submit', 'admin'] as const;
export const apiKeyRoleSchema = z.enum(API_KEY_ROLES);
export type ApiKeyRoleName = z.infer<typeof apiKeyRoleSchema>;

/**
 * A project owns keys, simulations, sweeps, schedules and datasets; a key sees only its own project's.
 * Names are lowercase letters, digits, `-` and `_`, 1 to 63 characters, starting with a letter or digit.
 */
export const projectNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a project name: 1 to 63 of a-z, 0-9, - and _, starting with a letter or digit');
/** The project of everything when keys are off, of API_ADMIN_KEY, and of rows older than projects. */
export const DEFAULT_PROJECT = 'default';
/** The header with which an admin key acts in another project than its own (`?project=` on the SSE routes). */
export const PROJECT_HEADER = 'mfsim-project';

export const newApiKeySchema = z.strictObject({
  name: z.string().min(1).max(200),
  role: apiKeyRoleSchema,
  /** The project the key works in; created if new. Default: the project the admin is acting in. */
  project: projectNameSchema.optional(),
  /** Requests per minute; the service default when absent. */
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
});

export const apiKeySchema = z.object({
  id: idSchema,
  name: z.string(),
  /** The first characters of the key, to recognise it. */
  prefix: z.string(),
  role: apiKeyRoleSchema,
  project: z.string(),
  rateLimitPerMinute: z.number().int().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
/**
 * Only the reply to a create carries the key itself; it is never shown again. A create replayed by
 * its Idempotency-Key answers `key: null` and says why in `keyWithheld` (the key is stored nowhere).
 */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string().nullable(), keyWithheld: z.string().optional() });
export const projectListSchema = z.object({
  items: z.array(z.object({ name: z.string(), createdAt: z.string() })),
  current: z.string(),
  /** The caller's role (admin when keys are off): what the dashboard offers it. */
  role: apiKeyRoleSchema.optional(),
});
export const apiKeyListSchema = z.object({ items: z.array(apiKeySchema) });

/** POST /v1/simulations/{id}/cancel and /retry take an empty body or {}. */
export const emptyBodySchema = z.strictObject({}).optional();

export const snapshotSchema = z.object({
  simulationId: idSchema,
  step: z.number().int(),
  replicas: z.number().int(),
  width: z.number().int(),
  d: z.number().int(),
  /** c [R, n], w [R, n, d] (row-major), b [R, n]. */
  c: z.array(z.number()),
  w: z.array(z.number()),
  b: z.array(z.number()),
});
export const snapshotListSchema = z.object({ simulationId: idSchema, steps: z.array(z.number().int()) });

/** One Server-Sent Event's data (its `event:` is `type`). */
export const simulationEventSchema = z.object({
  type: z.enum(['status', 'progress']),
  simulationId: idSchema,
  status: z.string().optional(),
  stepsDone: z.number().int().optional(),
  totalSteps: z.number().int().optional(),
  progress: z.number().optional(),
  /** Replica means of the latest recorded losses. */
  trainLoss: z.number().nullable().optional(),
  testLoss: z.number().nullable().optional(),
  error: z.string().nullable().optional(),
  /** The first event of a retried run (`queued` again). */
  retry: z.boolean().optional(),
  at: z.string(),
});
export type SimulationEvent = z.infer<typeof simulationEventSchema>;

/**
 * One Server-Sent Event's data on a sweep's stream (its `event:` is `type`): `status` of the sweep
 * (first its current state, last `completed` or `cancelled`), `child` when a child's status changes,
 * `progress` as a child runs; child events carry the sweep's progress over all children.
 */
export const sweepEventSchema = z.object({
  type: z.enum(['status', 'child', 'progress']),
  sweepId: idSchema,
  status: z.string().optional(),
  /** The sweep's progress (status events), 0 to 1. */
  progress: z.number().optional(),
  partial: z.boolean().optional(),
  /** Child events: the child, its grid point and width, and its own steps. */
  simulationId: idSchema.optional(),
  point: z.record(z.string(), z.unknown()).optional(),
  width: z.number().int().optional(),
  stepsDone: z.number().int().optional(),
  totalSteps: z.number().int().optional(),
  trainLoss: z.number().nullable().optional(),
  testLoss: z.number().nullable().optional(),
  /** Child events: the sweep's progress over all children and its children counted by status. */
  sweepProgress: z.number().optional(),
  counts: z.record(z.string(), z.number()).optional(),
  /** A status event of a sweep running again because this child was retried. */
  retried: idSchema.optional(),
  at: z.string(),
});
export type SweepEvent = z.infer<typeof sweepEventSchema>;
