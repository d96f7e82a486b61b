#!/usr/bin/env node
// Entry point for `npx ordinal`. Node 24 runs the TypeScript sources directly (type
// stripping), so there is no build step; this file only hands over to them.
import { main } from '../lib/cli/main.ts';

// Exit explicitly: a request the run abandoned at a deadline (a DNS query, an exec,
// a /version probe) must not keep the process alive after the verdict. stdout and
// stderr are synchronous for files, pipes and terminals on Linux, so nothing is lost.
process.exit(await main(process.argv.slice(2)));
