// GET /v1/simulations/{id}/probes: the probe inputs (drawn again from the spec and seed, as the
// engine drew them) and every replica's outputs on them at every recorded step, JSON or CSV.
import type { FastifyInstance } from 'fastify';
import { apiRoutes, type Spec } from '@mfsim/contracts';
import { readProbeOutputs } from '@mfsim/db';
import { probeInputs } from '@mfsim/engine/probes';
import { projectOf } from '../auth.ts';
import { RequestError } from '../errors.ts';
import { route } from '../route.ts';
import { simulationOr404 } from './simulations.ts';

const finite = (v: number) => (Number.isFinite(v) ? v : null);

export default async function probeRoutes(app: FastifyInstance) {
  route(app, apiRoutes.simulations.probes, async (request, reply) => {
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    const spec = row.spec as unknown as Spec;
    const rows = await readProbeOutputs(app.deps.db, row.id);
    if (rows.length === 0) throw new RequestError(409, `simulation ${row.id} has no probe outputs recorded (status ${row.status}, record.probes ${spec.record.probes})`);
    const R = row.replicas;
    const P = rows[0].values.length / R;
    const dt = spec.training.dt;
    const csv = request.query.format === 'csv' || (request.query.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
    if (csv) {
      const lines = ['step,time,replica,probe,output'];
      for (const { step, values } of rows) {
        for (let r = 0; r < R; r++) {
          for (let j = 0; j < P; j++) lines.push(`${step},${step * dt},${r},${j},${finite(values[r * P + j]) ?? ''}`);
        }
      }
      return reply.type('text/csv; charset=utf-8').send(lines.join('\n') + '\n');
    }
    const drawn = probeInputs(spec, Number(row.seed));
    const inputs = drawn === null ? null : Array.from({ length: drawn.count }, (_, j) => Array.from(drawn.x.subarray(j * drawn.d, (j + 1) * drawn.d)));
    return {
      simulationId: row.id,
      replicas: R,
      probes: P,
      d: drawn?.d ?? null,
      inputs,
      inputsReason: drawn === null ? 'the inputs are a stored dataset: the probes were drawn from its training points' : null,
      steps: rows.map(({ step, values }) => ({
        step,
        time: step * dt,
        outputs: Array.from({ length: R }, (_, r) => Array.from(values.subarray(r * P, (r + 1) * P), finite)),
      })),
    };
  });
}
