// `ordinal check-history <file>`: re-judges a saved history.jsonl with the register
// linearizability checker. Needs no cluster. Exit 0 linearizable, 1 not (the failing
// sub-history printed), 2 bad input or a search that ran out of budget (could not judge).
import { parseArgs } from 'node:util';
import { checkRegister, DEFAULT_MAX_STEPS, type FailingSubHistory, type LinearizabilityResult } from '../checkers/linearizable.ts';
import { UsageError } from '../errors.ts';
import { pair } from '../history/pair.ts';
import { isBalances, readHistory } from '../history/jsonl.ts';
import type { HistoryEvent, Operation } from '../history/events.ts';
import { judgeBankHistory } from '../checks/bank-invariant.ts';
import { errorLine } from './output.ts';

export const CHECK_HISTORY_HELP = [
  'Usage: ordinal check-history <history.jsonl> [--max-steps n] [--max-ms n] [--json]',
  '',
  'Judges a register history (read, write, cas per key; one event per line, see',
  'docs/checks.md) for linearizability. Exit 0: linearizable; 1: not, with the operation',
  'that cannot be placed and the operations concurrent with it; 2: bad input, or the',
  'search ran out of budget (unknown: could not judge). A bank history (transfers and',
  'balances, --traffic bank) is judged for the bank invariant instead (STS-BANK-INVARIANT).',
  `  --max-steps n  search steps allowed over all keys (default ${DEFAULT_MAX_STEPS})`,
  '  --max-ms n     CPU milliseconds allowed (default: no limit)',
  "  --json         print the verdict as JSON (Infinity, an unknown outcome's return, as null)",
].join('\n');

function positiveInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
  return n;
}

/** One operation on one line: what it did, when (ms after the history's first call), where. */
export function describeOp(op: Operation, t0: number): string {
  const what =
    op.f === 'read'
      ? `read ${JSON.stringify(op.value)}`
      : op.f === 'cas'
        ? `cas ${JSON.stringify((op.value as readonly unknown[])[0])}→${JSON.stringify((op.value as readonly unknown[])[1])}`
        : `${op.f} ${JSON.stringify(op.value)}`;
  const ms = (t: number) => (t === Number.POSITIVE_INFINITY ? '∞' : ((t - t0) / 1e6).toFixed(3));
  const lines = op.lines[1] === 0 ? `line ${op.lines[0]}` : `lines ${op.lines[0]}–${op.lines[1]}`;
  return `${what}${op.type === 'info' ? ' (info: outcome unknown)' : ''}, process ${op.process}${op.pod ? `, pod ${op.pod}` : ''}, [${ms(op.call)}, ${ms(op.ret)}] ms, ${lines}`;
}

/** Concurrent operations printed; info operations pending since long ago can be hundreds. */
const SHOWN = 20;

export function describeFailing(f: FailingSubHistory, t0: number): string[] {
  const held = f.values.map((v) => JSON.stringify(v)).join(' or ');
  const out = [
    `key ${JSON.stringify(f.key)}: no linearization places ${describeOp(f.op, t0)}`,
    `  the register held ${held} there, in the longest orders the search found`,
  ];
  if (f.writer) out.push(`  ${JSON.stringify(f.values[0])} written by ${describeOp(f.writer, t0)}`);
  if (f.concurrent.length === 0) out.push('  no operation on this key was concurrent with it');
  else out.push(`  concurrent with it (${f.concurrent.length}):`, ...f.concurrent.slice(0, SHOWN).map((o) => `    ${describeOp(o, t0)}`));
  if (f.concurrent.length > SHOWN) out.push(`    … and ${f.concurrent.length - SHOWN} more (--json lists them all)`);
  return out;
}

function print(file: string, result: LinearizabilityResult, t0: number): void {
  const cost = `${result.operations} operations, ${result.keys} key${result.keys === 1 ? '' : 's'}, ${result.steps} search steps`;
  if (result.valid === true) console.log(`${file}: linearizable (${cost})`);
  else if (result.valid === false) console.log([`${file}: NOT linearizable (${cost})`, ...describeFailing(result.failing, t0)].join('\n'));
}

export async function checkHistoryCommand(argv: string[]): Promise<number> {
  const parse = () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { 'max-steps': { type: 'string' }, 'max-ms': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see 'ordinal check-history --help'`);
  }
  if (parsed.values.help) {
    console.log(CHECK_HISTORY_HELP);
    return 0;
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0)
    throw new UsageError(`ordinal check-history takes exactly one history file; see 'ordinal check-history --help'`);
  const maxSteps = positiveInt('max-steps', parsed.values['max-steps']);
  const maxMs = positiveInt('max-ms', parsed.values['max-ms']);
  const events = await readHistory(file);
  if (events.some((e) => e.f === 'transfer' || isBalances(e.value))) return judgeBankFile(file, events, parsed.values.json === true);
  const ops = pair(events);
  const result = checkRegister(ops, { ...(maxSteps === undefined ? {} : { maxSteps }), ...(maxMs === undefined ? {} : { maxMs }) });
  if (parsed.values.json) console.log(JSON.stringify(result));
  else
    print(
      file,
      result,
      ops.reduce((t, o) => Math.min(t, o.call), Number.POSITIVE_INFINITY),
    );
  if (result.valid === 'unknown') {
    errorLine(`${file}: could not judge linearizability: ${result.reason}; raise --max-steps or --max-ms`);
    return 2;
  }
  return result.valid ? 0 : 1;
}

/** A bank history: STS-BANK-INVARIANT's verdict. Exit 0 holds, 1 broken, 2 could not judge. */
function judgeBankFile(file: string, events: readonly HistoryEvent[], json: boolean): number {
  const v = judgeBankHistory({ workload: 'bank', file, events });
  if (json) console.log(JSON.stringify(v));
  else {
    const head = v.status === 'passed' ? 'bank invariant holds' : v.status === 'failed' ? 'bank invariant BROKEN' : 'could not judge';
    console.log(
      [
        `${file}: ${head}: ${v.message}`,
        ...v.evidence.map((e) => `  ${e.subject}: ${e.observed ?? ''}${e.note ? ` (${e.note})` : ''}`),
      ].join('\n'),
    );
  }
  return v.status === 'passed' ? 0 : v.status === 'failed' ? 1 : 2;
}
