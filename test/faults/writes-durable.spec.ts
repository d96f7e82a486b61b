// STS-WRITES-DURABLE against acknowledged data lost on a volume: while traffic writes
// through each pod's DNS name, and after the client has stopped, web-1's key file is
// emptied inside the pod — every key web-1 acknowledged is gone from its claim.
import { WEB_KEYS_FILE } from '../../lib/traffic/driver.ts';
import { at, expectCheck, expectExit, faultRun, shIn } from './support.ts';

let held = '';

faultRun("fault: web-1's acknowledged keys removed from its volume during a run with traffic", {
  argv: ['--rounds', '1', '--seed', '5', '--traffic', 'on'],
  hook: at('before-after-snapshot', async (ctx) => {
    const file = `${ctx.workload.dataPath}/${WEB_KEYS_FILE}`;
    held = await shIn(ctx, 'web-1', `wc -l < ${file}`);
    await shIn(ctx, 'web-1', `: > ${file} && sync`);
  }),
  summary: () => `web-1 held ${held.trim()} keys`,
}, (t) => {
  it('STS-WRITES-DURABLE fails, naming web-1 and its missing keys', function () {
    const c = expectCheck(t.run, 'STS-WRITES-DURABLE', 'failed', 'pod web-1');
    const e = c.evidence.find((x) => x.subject === 'pod web-1');
    if (!e?.observed?.includes(`${t.run.result.runId}-web-1-`)) throw new Error(`evidence does not name web-1's keys: ${JSON.stringify(e)}`);
    if (c.evidence.some((x) => x.subject === 'pod web-0' || x.subject === 'pod web-2')) throw new Error(`untouched pods named: ${c.message}`);
  });

  it('results.json counts the lost writes, all of them web-1\'s', function () {
    const tr = t.run.result.traffic;
    if (!tr || tr.counts.lost === 0 || tr.lost.some((k) => k.pod !== 'web-1')) throw new Error(`traffic summary: ${JSON.stringify(tr?.counts)} ${JSON.stringify(tr?.lost.slice(0, 3))}`);
  });

  it('exits 1', function () {
    expectExit(t.run, 1);
  });
});
