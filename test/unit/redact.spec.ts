// A secret written inline into --node-fault-command (or printed by it) must not reach the
// replay line, results.json, HTML, JUnit or the GitHub summary: redact is the net.
import { expect } from 'chai';
import { redact, redactDeep } from '../../lib/redact.ts';

describe('redact: credential-shaped parts of commands and their output', () => {
  const cases: [string, string][] = [
    ['curl -sf -u admin:S3cr3t https://bmc.example/node/{node}/{action}', 'curl -sf -u admin:*** https://bmc.example/node/{node}/{action}'],
    ['curl -uadmin:S3cr3t https://x', 'curl -uadmin:*** https://x'],
    ["curl --user 'admin:S3 cr3t' https://x", "curl --user 'admin:***' https://x"],
    ['curl --user=admin:S3cr3t https://x', 'curl --user=admin:*** https://x'],
    ['ipmitool -U root --password S3cr3t power {action}', 'ipmitool -U root --password *** power {action}'],
    ["nodectl --password='S3 cr3t' {action}", 'nodectl --password=*** {action}'],
    ['nodectl --api-key abc123 --token=xyz {action} {node}', 'nodectl --api-key *** --token=*** {action} {node}'],
    ['https://hooks.example/?token=abc123&node={node}', 'https://hooks.example/?token=***&node={node}'],
    ['PGPASSWORD=S3cr3t psql -c x', 'PGPASSWORD=*** psql -c x'],
    ["curl -H 'Authorization: Bearer eyJhbGciOi.J9.x' https://x", "curl -H 'Authorization: Bearer ***' https://x"],
    ['curl -H "Authorization: Basic YWRtaW46UzNjcjN0" https://x', 'curl -H "Authorization: Basic ***" https://x'],
    ['Authorization: abc123', 'Authorization:  ***'],
    ['curl https://admin:S3cr3t@bmc.example/{action}', 'curl https://admin:***@bmc.example/{action}'],
    ['git clone https://ghp_abcdef123456@github.example/x', 'git clone https://***@github.example/x'],
    ['sshpass -p S3cr3t ssh root@{node} systemctl {action} kubelet', 'sshpass -p *** ssh root@{node} systemctl {action} kubelet'],
    ['{"user":"admin","password":"S3cr3t"}', '{"user":"admin","password":***}'],
    ['client_secret: abc', 'client_secret: ***'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      expect(redact(input)).to.equal(expected);
      expect(redact(input)).to.not.include('S3cr3t');
    });
  }

  it('leaves ordinary commands and Ordinal text alone', () => {
    for (const s of [
      'ssh -p 2222 root@{node} systemctl {action} kubelet',
      'docker {action} {node}',
      'sha256 5923f761…, 64 bytes, token 1d7660365769eda7b4f7bd89798bb33c2115b5ad16f99c2b4df1816d99c1f864',
      'http://web-0.nginx.ordinal-1.svc.cluster.local:80/cgi-bin/put?key=k6-x-web-0-1',
      "npx ordinal run --workload web --seed 42 --chaos node-fault --node-fault-command 'bmc {action} {node}'",
    ])
      expect(redact(s)).to.equal(s);
  });

  it('takes linear time on long lines without spaces (every string of a result passes through it)', () => {
    for (const line of [
      'a.'.repeat(100_000),
      'x'.repeat(200_000),
      `${'token'.repeat(40_000)}`,
      `https://${'u'.repeat(100_000)}`,
      `-u ${'a'.repeat(100_000)}`,
    ]) {
      const started = performance.now();
      redact(line);
      expect(performance.now() - started, line.slice(0, 20)).to.be.below(1000);
    }
  });

  it('redactDeep reaches every string of a result, keys and numbers untouched', () => {
    const r = {
      replay: 'x --node-fault-command "curl -u a:b c"',
      error: { message: 'failed', detail: 'token=abc\nline 2' },
      n: 3,
      list: ['--password p'],
    };
    expect(redactDeep(r)).to.deep.equal({
      replay: 'x --node-fault-command "curl -u a:*** c"',
      error: { message: 'failed', detail: 'token=***\nline 2' },
      n: 3,
      list: ['--password ***'],
    });
  });
});
