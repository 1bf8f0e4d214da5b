#!/usr/bin/env node
// The `mfsim` command, runnable with no build step: tsx loads the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
