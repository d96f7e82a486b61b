// A secret written inline into --node-fault-command (here curl's -u admin:S3cr3t and a
// bearer token), and the same secret echoed in the command's output, must not appear in
// anything Ordinal writes: the replay line, results.json, junit.xml, index.html, the
// console lines, the GitHub annotations and step summary.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { commandNodeFault } from '../../../lib/chaos/node-fault/adapter.ts';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { replayOf } from '../helpers/plan.ts';
import { ClusterError } from '../../../lib/errors.ts';
import { CLI_REPORTERS } from '../../../lib/report/reporters.ts';
import { writeReports } from '../../../lib/report/write.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SECRET = 'S3cr3t';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0';
const COMMAND = `curl -sf -u admin:${SECRET} -H 'Authorization: Bearer ${TOKEN}' https://bmc.example/{node}/{action}`;

describe('--node-fault-command: inline secrets never reach what Ordinal writes', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-redact-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the replay line keeps the command readable and the user, and drops the password and token', () => {
    const a = parseRunArgs(['--seed', '1', '--node-fault-command', COMMAND]);
    expect(a.nodeFaultCommand, 'the command itself runs as given').to.equal(COMMAND);
    const replay = replayOf(a);
    expect(replay).to.include('--node-fault-command').and.include('-u admin:***').and.include('https://bmc.example/{node}/{action}');
    expect(replay).to.not.include(SECRET).and.not.include(TOKEN);
  });

  it("a failing command's message and its last output lines are redacted", async () => {
    // The command fails and prints what a verbose tool prints: its URL with credentials, a header.
    const f = commandNodeFault(
      `echo "connecting to https://admin:${SECRET}@bmc.example" >&2; echo "Authorization: Bearer ${TOKEN}"; echo "password=${SECRET} rejected for {node}" >&2; exit 7 # -u admin:${SECRET}`,
    );
    const err = await f.stop('n1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ClusterError);
    const { message, detail } = err as ClusterError;
    expect(message).to.include('exit 7').and.include('-u admin:***');
    expect(detail).to.include('https://admin:***@bmc.example').and.include("password=*** rejected for 'n1'");
    for (const text of [message, detail ?? '', f.name]) expect(text).to.not.include(SECRET).and.not.include(TOKEN);
  });

  it('writeReports redacts results.json, junit.xml, index.html, the console and GitHub output', async () => {
    const r = JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
    r.replay = replayOf(parseRunArgs(['--seed', '1', '--node-fault-command', COMMAND]));
    // As if an older version had written the raw command: the writer redacts on its own.
    r.error = {
      message: `--node-fault-command for stop n1 (${COMMAND}) failed (exit 7)`,
      detail: `curl: (22) 401 for https://admin:${SECRET}@bmc.example\ntoken=${TOKEN}`,
    };
    const lines: string[] = [];
    const summary = path.join(dir, 'summary.md');
    await writeReports(r, dir, undefined, {
      reporters: CLI_REPORTERS,
      log: (l) => lines.push(l),
      out: (l) => lines.push(l),
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    });
    const files = readdirSync(path.join(dir, r.runId)).map((f) => path.join(dir, r.runId, f));
    expect(files.map((f) => path.basename(f))).to.include.members(['results.json', 'junit.xml', 'index.html']);
    for (const f of [...files, summary]) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).to.not.include(SECRET).and.not.include(TOKEN);
    }
    expect(readFileSync(path.join(dir, r.runId, 'results.json'), 'utf8')).to.include('-u admin:***');
    expect(lines.join('\n')).to.include('replay:').and.not.include(SECRET).and.not.include(TOKEN);
  });

  it('`ordinal run --dry-run` prints the replay line redacted (CLI)', async () => {
    const r = await promisify(execFile)(
      process.execPath,
      [path.join(ROOT, 'bin/ordinal.js'), 'run', '--dry-run', '--seed', '3', '--chaos', 'node-fault', '--node-fault-command', COMMAND],
      { cwd: ROOT },
    );
    expect(r.stdout).to.match(/^# replay: .*--node-fault-command .*-u admin:\*\*\*/m);
    expect(r.stdout + r.stderr)
      .to.not.include(SECRET)
      .and.not.include(TOKEN);
  });
});
