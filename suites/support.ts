// One mocha `it` per check ID over one real run. The run happens once in `before`;
// each `it` reports its check's verdict with the evidence, so mocha's output and the
// HTML report tell the same story. Options come from ORDINAL_* environment variables.
import { expect } from 'chai';
import { CHECKS } from '../lib/checks/catalog.ts';
import { argvFromEnv, parseRunArgs } from '../lib/cli/args.ts';
import { logLine } from '../lib/cli/output.ts';
import { SUITE_REPORTERS } from '../lib/report/reporters.ts';
import { writeReports } from '../lib/report/write.ts';
import { executeRun } from '../lib/run/execute.ts';
import type { Evidence } from '../lib/model.ts';
import type { RunResult } from '../lib/run/results-schema.ts';
import type { WorkloadKind } from '../lib/workloads/index.ts';

// ORDINAL_* variables become `ordinal run` flags through the CLI's one options table.
function argsFromEnv(workload: WorkloadKind): string[] {
  return ['--workload', workload, ...argvFromEnv(process.env)];
}

const show = (e: Evidence[]): string =>
  e
    .slice(0, 12)
    .map(
      (x) =>
        `  - ${x.subject}${x.expected !== undefined ? ` expected ${x.expected}` : ''}${x.observed !== undefined ? `, observed ${x.observed}` : ''}${x.note ? ` (${x.note})` : ''}`,
    )
    .join('\n');

export function statefulSetSuite(workload: WorkloadKind): void {
  describe(`StatefulSet guarantees under chaos: ${workload}`, function () {
    let result: RunResult | undefined;

    before(async function () {
      const args = parseRunArgs(argsFromEnv(workload));
      const out = await executeRun({ ...args, log: logLine });
      result = out.result;
      const { dir, warnings } = await writeReports(result, args.reportDir, out.input, { reporters: SUITE_REPORTERS, log: logLine });
      for (const w of warnings) logLine(`warning: ${w}`);
      logLine(`report: ${dir}/index.html`);
    });

    for (const check of CHECKS) {
      it(`${check.id}: ${check.guarantee}`, function () {
        if (!result) throw new Error('the run did not produce a result');
        if (result.error) throw new Error(`the run could not finish: ${result.error.message}`);
        const r = result.checks.find((c) => c.id === check.id);
        if (!r) throw new Error(`no result for ${check.id}`);
        if (r.status === 'skipped') this.skip();
        expect(r.status, `${r.message}\n${show(r.evidence)}`).to.equal('passed');
      });
    }
  });
}
