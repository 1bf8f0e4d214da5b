// Serves the built dashboard (dist/, from `vite build`) at /dashboard/. The page is static and
// talks to the API's /v1 routes from the browser with the signed-in key, so these files are public.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface DashboardOptions {
  /** Folder of the built page; default apps/dashboard/dist. */
  root?: string;
}

export const DEFAULT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

export default async function dashboard(app: FastifyInstance, options: DashboardOptions = {}) {
  const root = options.root ?? DEFAULT_DIST;
  // The page itself needs no key (it asks for one); the API's auth reads `config.role`.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), role: 'public' } as typeof route.config;
  });
  app.get('/dashboard', (_request, reply) => reply.redirect('/dashboard/'));
  // A browser pointed at the service's root lands on the lab's page, not a 404.
  app.get('/', (_request, reply) => reply.redirect('/dashboard/'));
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get('/dashboard/*', (_request, reply) =>
      reply.status(503).type('text/plain').send('The dashboard is not built: run `npm run build -w @mfsim/dashboard`.\n'),
    );
    return;
  }
  // decorateReply: false, since @fastify/swagger-ui registers @fastify/static too.
  await app.register(fastifyStatic, { root, prefix: '/dashboard/', decorateReply: false, index: ['index.html'] });
}
