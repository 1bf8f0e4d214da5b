// @mfsim/cli: the `mfsim` command line (bin/mfsim.mjs -> src/cli.ts) and the local runner, which runs
// the engine in this process with no servers. Reads the environment (MFSIM_API, MFSIM_API_KEY,
// MFSIM_KERNEL); the HTTP side is @mfsim/client.
export { parseDataset, parseSpec, runLocal, type LocalRun, type LocalRunOptions } from './local/run-local.ts';
export { runLocalSweep } from './local/sweep-local.ts';
export { readSpecFile } from './spec-file.ts';
export { MfsimSpecError } from './spec-error.ts';
export { main } from './main.ts';
