// Traffic during chaos on the local cluster: a web run with traffic on passes
// STS-WRITES-DURABLE with 0 lost writes, and results.json carries the figures.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { main } from '../../lib/cli/main.ts';
import { WEB_KEYS_FILE } from '../../lib/workloads/web.ts';
import { execIn } from '../../lib/probes/exec.ts';
import { exitCodeOf } from '../../lib/report/stats.ts';
import { parseRunArgs } from '../../lib/cli/args.ts';
import { executeRun } from '../../lib/run/execute.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';

describe('traffic during chaos (web, local cluster)', function () {
  this.timeout(300_000);
  let result: RunResult;
  // ordinal verify-writes against the live pods, before the run scales them away: the keys
  // web-0 holds as an acked file (exit 0), then with one key it never got (exit 1).
  // Then an acked file naming the traffic client pod as a store: verify-writes must not exec
  // into a pod the StatefulSet does not own (exit 2, saying so), and still read web-0.
  const verify: {
    present?: number;
    missing?: number;
    held?: number;
    foreign?: number;
    foreignOutput?: string[];
    ns?: string;
    me?: string;
    uid?: string;
  } = {};

  before(async function () {
    const args = parseRunArgs(['--workload', 'web', '--rounds', '2', '--seed', '11', '--dns-budget', '5', '--traffic-rate', '20']);
    result = (
      await executeRun({
        ...args,
        kubeconfig: process.env.KUBECONFIG,
        log: () => undefined,
        hook: async (ctx) => {
          if (ctx.phase !== 'before-after-snapshot') return;
          const ns = ctx.workload.info.namespace;
          const r = await execIn(ctx.cluster, ns, 'web-0', 'web', ['cat', `${ctx.workload.dataPath}/${WEB_KEYS_FILE}`]);
          const keys = r.stdout.split('\n').filter((k) => k !== '');
          verify.held = keys.length;
          // What web-0's CGI names in its acknowledgements, against the API's UID for web-0.
          verify.me = (
            await execIn(ctx.cluster, ns, 'web-0', 'web', ['sed', '-n', 's/^me=//p', `${ctx.workload.dataPath}/cgi-bin/put`])
          ).stdout.trim();
          verify.uid = (await ctx.cluster.core.readNamespacedPod({ name: 'web-0', namespace: ns })).metadata?.uid;
          const dir = mkdtempSync(path.join(tmpdir(), 'ordinal-acked-'));
          const file = path.join(dir, 'acked.log');
          writeFileSync(file, keys.map((k) => `time="x" level=info msg="ACK web-0 ${k}" source=console`).join('\n'));
          verify.present = await main(['verify-writes', '--acked', file, '--namespace', ns]);
          writeFileSync(file, `${keys.map((k) => `ACK web-0 ${k}`).join('\n')}\nACK web-0 ${keys[0]}-never-written-1\n`);
          verify.missing = await main(['verify-writes', '--acked', file, '--namespace', ns]);
          writeFileSync(file, `ACK ordinal-traffic ${keys[0]}\nACK web-0 ${keys[0]}\n`);
          const printed: string[] = [];
          const realLog = console.log;
          console.log = (...a: unknown[]) => void printed.push(a.join(' '));
          try {
            verify.foreign = await main(['verify-writes', '--acked', file, '--namespace', ns]);
          } finally {
            console.log = realLog;
          }
          verify.foreignOutput = printed;
          verify.ns = ns;
        },
      })
    ).result;
  });

  it('ordinal verify-writes reads the keys back from the live pods: 0 when all are there, 1 when one is missing', function () {
    expect(verify.held).to.be.greaterThan(0);
    expect(verify).to.deep.include({ present: 0, missing: 1 });
  });

  it('verify-writes execs only into pods of the named StatefulSet: another pod named in the acked file is refused (exit 2)', function () {
    const out = verify.foreignOutput ?? [];
    expect(verify.foreign, out.join('\n')).to.equal(2);
    expect(out).to.include(`UNREAD  ordinal-traffic: not a pod of StatefulSet ${verify.ns}/web; not read`);
    expect(
      out.some((l) => l.startsWith('OK') && l.includes('web-0: 1 acknowledged keys present')),
      out.join('\n'),
    ).to.equal(true);
  });

  it('passes STS-WRITES-DURABLE with writes acknowledged and none lost', function () {
    const c = result.checks.find((x) => x.id === 'STS-WRITES-DURABLE');
    expect(c?.status, c?.message).to.equal('passed');
    expect(result.traffic?.counts.lost).to.equal(0);
    expect(result.traffic?.counts.acked).to.be.greaterThan(20);
    expect(exitCodeOf(result), JSON.stringify(result.checks.filter((x) => x.status !== 'passed' && x.status !== 'skipped'))).to.equal(0);
  });

  it("web-0's acknowledgements name web-0 and its UID (downward API), and no write was acknowledged by another pod", function () {
    expect(verify.uid).to.be.a('string');
    expect(verify.me).to.equal(`'web-0 ${verify.uid}'`);
    expect(result.traffic?.counts.misrouted).to.equal(0);
    expect(result.traffic?.counts.unexpected).to.equal(0);
  });

  it('records availability per pod, per second and per round', function () {
    const a = result.traffic?.availability;
    expect(a?.perPod.map((p) => p.pod)).to.deep.equal(['web-0', 'web-1', 'web-2']);
    expect(a?.perSecond.length).to.be.greaterThan(1);
    expect(a?.rounds.map((r) => r.round)).to.deep.equal([1, 2]);
    expect(a?.overall.fraction).to.be.within(0, 1);
  });
});
