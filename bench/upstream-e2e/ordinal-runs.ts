// Prints the Ordinal runs of mapping.ts for run.sh, one per line: the run's name, a tab,
// then its `ordinal run` arguments separated by tabs (none contains a tab or a space).
import { ORDINAL_COMMON, ORDINAL_RUNS } from './mapping.ts';

for (const [name, args] of Object.entries(ORDINAL_RUNS)) process.stdout.write(`${[name, ...args, ...ORDINAL_COMMON].join('\t')}\n`);
