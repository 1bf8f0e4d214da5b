// @mfsim/client: the browser-safe SDK of the mfsim API (the dashboard and @mfsim/cli use it):
// one HTTP client over the route table of @mfsim/contracts, one error class per failure, one SSE
// parser, one CSV writer. No Node modules, no process.env: the caller passes the address and key.
export {
  MfsimClient, DEFAULT_API, progressFromEvent, routePath,
  type ClientOptions, type RequestOptions, type RouteInput, type RouteReply, type WaitOptions,
} from './client.ts';
export { MfsimApiError, MfsimConnectionError, MfsimTimeoutError } from './errors.ts';
export { parseEventStream, type ServerEvent } from './sse.ts';
export { csvCell, csvHeader, csvLine, toCsv, STATISTICS_COLUMNS, TRAJECTORY_COLUMNS } from './csv.ts';
export type * from './types.ts';
