#!/usr/bin/env node
// Entry point for `npx ordinal`. Node 24 runs the TypeScript sources directly (type
// stripping), so there is no build step; this file only hands over to them.
import module from 'node:module';
import v8 from 'node:v8';

// Node's on-disk compile cache (keyed by each file's content, in $NODE_COMPILE_CACHE or
// <tmpdir>/node-compile-cache) keeps every module's stripped and compiled form, so a
// warm start skips the TypeScript stripper (a ~20 MB WebAssembly module) and most
// compilation. It must be on before the sources load, hence the dynamic import below.
// Where the cache cannot be written it is simply off. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
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
const { main } = await import('../lib/cli/main.ts');

// Exit explicitly: a request the run abandoned at a deadline (a DNS query, an exec,
// a /version probe) must not keep the process alive after the verdict. stdout and
// stderr are synchronous for files, pipes and terminals on Linux, so nothing is lost.
process.exit(await main(process.argv.slice(2)));
