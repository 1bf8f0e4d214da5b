// The `mfsim` command (bin/mfsim.mjs loads this): every command is in src/cli/.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
