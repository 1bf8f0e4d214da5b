// The `mfsim` command (bin/mfsim.mjs loads this): every command is in src/cli/.
import { main } from './cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
