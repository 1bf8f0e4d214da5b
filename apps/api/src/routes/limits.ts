// /v1/.../limits: the infinite-width limits (science.md, "Limits"). A finished run's report is
// stored by the worker and only read here; POST /v1/limits computes a prediction for a spec that has
// not run (bounded by the eigendecomposition's size: the 400 names the field and the size that fits).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiRoutes, FINAL_STATUSES, idSchema, SWEEP_LIMITS_CSV_COLUMNS, sweepChildRole } from '@mfsim/contracts';
import { findSweep, readSimulationLimits, readSimulationLimitsMany, readSweepStatistics, sweepChildren } from '@mfsim/db';
import { csvHeader, csvLine, toCsv } from '@mfsim/client';
import { LIMITS_CSV_COLUMNS, limitsCsvRows, LimitsTooLargeError, NoKernelError, predictLimits, type LimitsReport, type RunAgreement } from '@mfsim/limits';
import { projectOf } from '../auth.ts';
import { NotFoundError, RequestError } from '../errors.ts';
import { route } from '../route.ts';
import { simulationOr404 } from './simulations.ts';
import { sweepMeanField, sweepMeanFieldCsvRows, type SweepLimitsCsvRow } from '../sweep-mean-field.ts';

interface StoredLimits {
  prediction: LimitsReport | null;
  agreement: RunAgreement | null;
}

const wantsCsv = (request: FastifyRequest, format: string | undefined) =>
  format ? format === 'csv' : /\btext\/csv\b/.test(request.headers.accept ?? '');

function csvOf(stored: StoredLimits | null): string {
  return stored?.prediction ? toCsv(limitsCsvRows(stored.prediction, stored.agreement), LIMITS_CSV_COLUMNS) : '';
}

export default async function limitsRoutes(app: FastifyInstance) {
  route(app, apiRoutes.limits.simulation, async (request, reply: FastifyReply) => {
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    const stored = (await readSimulationLimits(app.deps.db, row.id)) as StoredLimits | null;
    if (!stored) {
      throw new RequestError(409, `simulation ${row.id} has no limits yet (status ${row.status}); they are stored when it finishes`);
    }
    if (wantsCsv(request, request.query.format)) {
      reply.type('text/csv; charset=utf-8');
      return csvOf(stored);
    }
    return { simulationId: row.id, ...stored };
  });

  route(app, apiRoutes.limits.sweep, async (request, reply: FastifyReply) => {
    const id = request.params.id;
    const sweep = idSchema.safeParse(id).success ? await findSweep(app.deps.db, id, projectOf(request)) : null;
    if (!sweep) throw new NotFoundError(`sweep ${id}`);
    const children = await sweepChildren(app.deps.db, sweep.id);
    const [reports, stored] = await Promise.all([readSimulationLimitsMany(app.deps.db, children.map((c) => c.id)), readSweepStatistics(app.deps.db, sweep.id)]);
    const rows = children.map((c) => {
      const stored = (reports.get(c.id) ?? null) as StoredLimits | null;
      return {
        simulationId: c.id, width: c.width, role: sweepChildRole(c.sweepPoint as Record<string, unknown> | null), status: c.status,
        limits: stored && (FINAL_STATUSES as readonly string[]).includes(c.status) ? { simulationId: c.id, ...stored } : null,
      };
    });
    const meanField = sweepMeanField(sweep.base, children, stored);
    if (wantsCsv(request, request.query.format)) {
      reply.type('text/csv; charset=utf-8');
      // Every row has every column: the children's, then series, source, interval and the excess fit.
      const columns = SWEEP_LIMITS_CSV_COLUMNS.split(',') as (keyof SweepLimitsCsvRow & string)[];
      const body: SweepLimitsCsvRow[] = [];
      for (const r of rows) {
        if (!r.limits?.prediction) continue;
        for (const row of limitsCsvRows(r.limits.prediction, r.limits.agreement)) body.push({ simulationId: r.simulationId, width: r.width, ...row });
      }
      body.push(...sweepMeanFieldCsvRows(meanField));
      return csvHeader(columns) + body.map((row) => csvLine(row, columns)).join('');
    }
    return { sweepId: sweep.id, children: rows, meanField };
  });

  route(app, apiRoutes.limits.predict, async (request) => {
    const { spec, seed, referenceSize } = request.body;
    try {
      return predictLimits(spec, seed ?? spec.seed ?? 0, { referenceSize });
    } catch (err) {
      if (err instanceof NoKernelError) throw new RequestError(400, `spec.${err.message}`, [{ path: `spec.${err.field}`, message: err.message }]);
      if (err instanceof LimitsTooLargeError) {
        const path = err.field === 'referenceSize' ? 'referenceSize' : `spec.${err.field}`;
        throw new RequestError(400, `${path}: ${err.size} points; at most ${err.limit} fit the kernel eigendecomposition`, [{ path, message: `at most ${err.limit}` }]);
      }
      throw err;
    }
  });
}
