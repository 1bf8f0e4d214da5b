// @mfsim/test-servers: throwaway servers for tests and `npm run chaos` (a workspace of its own, with
// no dependency on the service, so that any package's tests can start them).
export * from './throwaway-servers.ts';
export * from './redis-servers.ts';
export * from './redis-cluster.ts';
export * from './redis-sentinel.ts';
