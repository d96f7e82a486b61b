#!/usr/bin/env node
// Entry point for `ordinal`. In a clone, Node runs the TypeScript sources directly (type
// stripping, no build step). An installed package (`npm pack`) and the container image
// carry only the JavaScript `npm run build` emits into dist/, because Node refuses to
// strip types under node_modules. The sources win whenever they are present, so a
// stale dist/ in a clone never runs.
import { existsSync } from 'node:fs';

// Older Node lacks what the code and its dependencies use (and type stripping):
// say so in one line rather than fail on a syntax or import error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`ordinal: error: Node ${process.versions.node} is too old: ordinal needs Node 22 or newer (the repository's npm scripts use Node 24 from node_modules)\n`);
  process.exit(2);
}
const sources = new URL('../lib/cli/main.ts', import.meta.url);
const entry = existsSync(sources) ? sources : new URL('../dist/lib/cli/main.js', import.meta.url);
const { main } = await import(entry.href);

// Exit explicitly: a request the run abandoned at a deadline (a DNS query, an exec,
// a /version probe) must not keep the process alive after the verdict. stdout and
// stderr are synchronous for files, pipes and terminals on Linux, so nothing is lost.
process.exit(await main(process.argv.slice(2)));
