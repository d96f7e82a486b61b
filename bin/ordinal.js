#!/usr/bin/env node
// Entry point for `ordinal`. In a clone, Node runs the TypeScript sources directly (type
// stripping, no build step). An installed package (`npm pack`) and the container image
// carry only the JavaScript `npm run build` emits into dist/, because Node refuses to
// strip types under node_modules. The sources win whenever they are present, so a
// stale dist/ in a clone never runs.
import { existsSync } from 'node:fs';
import module from 'node:module';
import v8 from 'node:v8';

// Older Node lacks what the code and its dependencies use (and type stripping):
// say so in one line rather than fail on a syntax or import error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `ordinal: error: Node ${process.versions.node} is too old: ordinal needs Node 22 or newer (the repository's npm scripts use Node 24 from node_modules)\n`,
  );
  process.exit(2);
}

// Node's on-disk compile cache (keyed by each file's content, in $NODE_COMPILE_CACHE or
// <tmpdir>/node-compile-cache) keeps every module's stripped and compiled form, so a
// warm start skips the TypeScript stripper (a ~20 MB WebAssembly module) and most
// compilation; for dist/ it skips compilation. It must be on before the code loads,
// hence the dynamic import below. Where the cache cannot be written it is simply off.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

// Keep V8's young generation at its initial 1 MB semi-spaces instead of letting it grow
// to 16 MB ones. A run allocates steadily (watch streams, one TLS port-forward per DNS
// query) but keeps little, so a bigger nursery only holds garbage: with growth a
// 20-replica run peaked at ~157 MB, without it at ~138 MB (npm run bench:harness). It
// costs more, cheaper scavenges, which a harness that mostly waits can afford. This V8
// flag is read whenever the nursery would grow, so setting it now (not on the command
// line, which `npx ordinal` cannot pass) takes effect. It is a V8 internal: if a future
// Node drops it, V8 prints "unrecognized flag" once and runs as before; remove it then.
v8.setFlagsFromString('--semi-space-growth-factor=1');

// A reader that goes away (the parent of `ordinal run | tee`, or of a soak, killed) turns
// every later write into EPIPE. Unhandled, that error ended the process mid-run, SIGTERM
// handler and all, and left the run's namespace and pods behind: the output is lost
// anyway, the cleanup must not be.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

const sources = new URL('../lib/cli/main.ts', import.meta.url);
const entry = existsSync(sources) ? sources : new URL('../dist/lib/cli/main.js', import.meta.url);
const { main } = await import(entry.href);

// Exit explicitly: a request the run abandoned at a deadline (a DNS query, an exec,
// a /version probe) must not keep the process alive after the verdict. But first let
// stdout and stderr drain: Node writes pipes (a container's log FIFO, `| tee`)
// asynchronously past 64 KiB, and exit drops what is queued (the history client's last
// set read, one line of hundreds of KB, was cut off with the end line after it). A
// reader that never reads does not hold the exit longer than 10 s.
const code = await main(process.argv.slice(2));
const drained = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
const patience = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
await Promise.race([Promise.all([drained(process.stdout), drained(process.stderr)]), patience]);
process.exit(code);
