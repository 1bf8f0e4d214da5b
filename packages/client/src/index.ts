// @mfsim/client: the typed client of the mfsim API, and the local (serverless) runner.
export { MfsimClient, DEFAULT_API, progressFromEvent, type ClientOptions, type RequestOptions, type WaitOptions } from './client.ts';
export { MfsimApiError, MfsimConnectionError, MfsimTimeoutError } from './errors.ts';
export { parseEventStream, type ServerEvent } from './sse.ts';
export { parseDataset, parseSpec, runLocal, type LocalRun, type LocalRunOptions } from './local/run-local.ts';
export { readSpecFile } from './spec-file.ts';
export type * from './types.ts';
