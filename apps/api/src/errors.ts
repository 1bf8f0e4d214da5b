// One shape for every error reply: { statusCode, error, message, issues? }.
import type { FastifyInstance, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { fieldIssues, nulBytePath, type FieldIssue } from '@mfsim/contracts';

/** A 4xx whose body names each offending field. */
export class RequestError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export class NotFoundError extends RequestError {
  constructor(what: string) {
    super(404, `${what} not found`);
  }
}

/** A dependency (Postgres, Redis) that does not answer: 503, try again later. */
export class UnavailableError extends Error {
  readonly statusCode = 503;
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}

/** Parses `value` with `schema`, or throws a 400 naming every offending field under `where`. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = fieldIssues(r.error);
  throw new RequestError(400, `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

// Errors from pg and Prisma that mean "the database is not there right now".
function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', 'P1001', 'P1017'].includes(e?.code ?? '') ||
    /connect|Connection terminated|timeout exceeded when trying to connect/i.test(e?.message ?? '')
  );
}

async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | RequestError | UnavailableError, request, reply) => {
    let statusCode = err.statusCode ?? 500;
    let message = err.message;
    let issues = err instanceof RequestError ? err.issues : undefined;
    if (err instanceof RequestError || err instanceof UnavailableError) {
      // ours, as thrown
    } else if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      statusCode = 400;
      message = `body is not valid JSON: ${err.message}`;
      issues = [{ path: '(body)', message: 'not valid JSON' }];
    } else if (statusCode >= 400 && statusCode < 500) {
      issues = [{ path: '(body)', message: err.message }];
    } else if (isConnectionError(err)) {
      statusCode = 503;
      message = 'a service the API depends on is not reachable; try again shortly';
    } else if (statusCode >= 500) {
      // Whatever else failed may carry SQL, a driver's message, a path or a stack: the log has it,
      // the client gets the request id to quote.
      statusCode = 500;
      message = `the request failed; quote request id ${request.id} to the operators`;
      issues = undefined;
    }
    if (statusCode >= 500) request.log.error({ err, requestId: request.id }, 'request failed');
    if (statusCode === 503) reply.header('Retry-After', '5');
    reply.header('X-Request-Id', request.id);
    reply.status(statusCode).send({
      statusCode,
      error: STATUS_NAMES[statusCode] ?? 'Error',
      message,
      ...(issues && { issues }),
      ...(statusCode >= 500 && { requestId: request.id }),
    });
  });
  // U+0000 anywhere in a body or query (a key or a value) is refused here, naming where: Postgres
  // text cannot hold it, and a driver error would otherwise be the answer.
  app.addHook('preHandler', async (request) => {
    for (const [where, value] of [['query', request.query], ['body', request.body], ['path', request.params]] as const) {
      const path = nulBytePath(value);
      if (path === undefined) continue;
      const name = path || `(${where})`;
      throw new RequestError(400, `${name} holds a NUL byte (U+0000), which cannot be stored`, [{ path: name, message: 'must not contain U+0000' }]);
    }
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url}` });
  });
}

/** Fastify's own router errors (a URL it cannot decode, a path segment over the length limit), in the same shape. */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const statusCode = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
  reply.status(statusCode).send({
    statusCode, error: STATUS_NAMES[statusCode] ?? 'Bad Request', message: err.message.slice(0, 200),
    issues: [{ path: '(path)', message: err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is too long' : 'not a valid URL' }],
  });
}

export default fp(errorsPlugin, { name: 'errors' });
