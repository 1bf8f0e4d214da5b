// GET /v1/simulations/{id}/probes: the probe inputs and every replica's outputs on them at every
// recorded step, so the lab can compute its own observables (e.g. the connected 4-point function).
import { z } from 'zod';

export const probesQuerySchema = z.strictObject({
  /** json (default) or csv (one row per step, replica and probe: step,time,replica,probe,output). */
  format: z.enum(['json', 'csv']).optional(),
});
export type ProbesQuery = z.infer<typeof probesQuerySchema>;

export const probesReplySchema = z.object({
  simulationId: z.string(),
  replicas: z.number().int(),
  probes: z.number().int(),
  d: z.number().int().nullable(),
  /** [probes][d]; null when the inputs are a stored dataset not inline (see inputsReason). */
  inputs: z.array(z.array(z.number())).nullable(),
  inputsReason: z.string().nullable(),
  /** Every recorded step with outputs: outputs[replica][probe] (null where not finite). */
  steps: z.array(z.object({ step: z.number().int(), time: z.number(), outputs: z.array(z.array(z.number().nullable())) })),
});
export type ProbesReply = z.infer<typeof probesReplySchema>;

/** Birth-death runs: per recorded step, per replica, births and deaths since the previous recorded step. */
export const birthDeathReplySchema = z.object({
  simulationId: z.string(),
  replicas: z.number().int(),
  steps: z.array(z.object({ step: z.number().int(), time: z.number(), births: z.array(z.number().int()), deaths: z.array(z.number().int()) })),
});
export type BirthDeathReply = z.infer<typeof birthDeathReplySchema>;
