#!/usr/bin/env node
// Entry point for `npx ordinal`. Node 24 runs the TypeScript sources directly (type
// stripping), so there is no build step; this file only hands over to them.
import { main } from '../lib/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
