// The browsable API page at /docs: Swagger UI over the generated document (static mode).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { openApiDocument } from './openapi.ts';

async function docsPlugin(app: FastifyInstance) {
  const document = openApiDocument();
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/openapi.json', { config: { role: 'public' } }, async () => document);
}

export default fp(docsPlugin, { name: 'docs' });
