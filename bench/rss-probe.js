// Plain JavaScript, not TypeScript: a .ts preload would load Node's type stripper into
// every measured process before bin/ordinal.js can turn the compile cache on, and
// inflate the numbers. Preloaded into each measured `ordinal` process (NODE_OPTIONS=--import) by
// bench/harness.ts: at exit it writes the process's own peak RSS (getrusage maxrss)
// to $ORDINAL_BENCH_RSS_FILE. Measuring from inside means a run stopped by the time box
// (SIGTERM, which ordinal turns into a clean namespace delete and process.exit) still
// reports its peak, and no GNU time binary is needed.
import { writeFileSync } from 'node:fs';

const target = process.env.ORDINAL_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    // maxRSS is in kilobytes on Linux.
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
