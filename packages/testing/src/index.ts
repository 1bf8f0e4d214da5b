// @mfsim/testing: the system-test harness (the API and a worker on the test database and Redis),
// a workspace of its own so that every test imports it as a declared dependency.
export * from './harness.ts';
