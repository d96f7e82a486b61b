// Strings from the cluster (Event messages, exec output, error text) reach the console:
// none of their escape sequences or control characters may act on the reader's terminal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { errorLine, logLine, warnLine } from '../../../lib/cli/output.ts';
import { forTerminal } from '../../../lib/report/escape.ts';
import { CLI_REPORTERS } from '../../../lib/report/reporters.ts';
import { writeReports } from '../../../lib/report/write.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

// An Event message as a hostile pod or webhook can make it: clear screen, cursor home,
// a window title (OSC), an OSC 8 hyperlink, a C1 CSI, a bell, a backspace and a lone CR.
const HOSTILE =
  'Back-off \u001b[2J\u001b[Hpulling\u001b]0;pwned\u0007 \u001b]8;;http://evil.example\u001b\\link\u001b]8;;\u001b\\ \u009b31m red\u0007\u0008 ok\rFAKE PASSED';
/** A C0 control other than tab and newline, DEL, or a C1 control. */
const hasControl = (s: string): boolean =>
  [...s].some((c) => {
    const n = c.charCodeAt(0);
    return (n < 0x20 && n !== 0x09 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f);
  });

describe('console: text from the cluster is defused', () => {
  it('forTerminal removes escape sequences and shows other controls as visible pictures', () => {
    const s = forTerminal(HOSTILE);
    expect(hasControl(s), JSON.stringify(s)).to.equal(false);
    expect(s).to.include('Back-off pulling').and.include('\u240dFAKE PASSED').and.include('\u2407');
    expect(s).to.not.include('pwned').and.not.include('evil.example');
  });

  it('the test itself sees a raw escape sequence (it is not vacuous)', () => {
    expect(hasControl(HOSTILE)).to.equal(true);
    expect(hasControl('\u001b[31m')).to.equal(true);
  });

  it('keeps newlines and tabs, and a CRLF line end is a plain newline', () => {
    expect(forTerminal('a\tb\r\nc\n')).to.equal('a\tb\nc\n');
  });

  describe('the CLI output lines', () => {
    const written: string[] = [];
    const real = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
    const capture = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    };
    beforeEach(() => {
      written.length = 0;
      process.stdout.write = capture as typeof process.stdout.write;
      process.stderr.write = capture as typeof process.stderr.write;
    });
    afterEach(() => {
      process.stdout.write = real.out;
      process.stderr.write = real.err;
    });

    it('logLine, errorLine and warnLine write no control character but newline', () => {
      logLine(`timed out waiting for web-1; recent events:\n  Warning BackOff Pod/web-1: ${HOSTILE}`);
      errorLine(`web-1 not ready: ${HOSTILE}`);
      warnLine(HOSTILE);
      process.stdout.write = real.out;
      process.stderr.write = real.err;
      expect(written).to.have.length(4);
      for (const w of written) expect(hasControl(w), JSON.stringify(w)).to.equal(false);
      expect(written.join('')).to.include('Back-off pulling');
    });
  });

  it("the console reporter's lines carry no control character, from check messages or the replay line", async () => {
    const r = JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
    r.checks[0] = { ...r.checks[0], message: `web-0 was recreated: ${HOSTILE}` } as RunResult['checks'][number];
    r.replay = `ordinal run --seed 1 --node-fault-command 'x${HOSTILE}'`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-terminal-'));
    try {
      const log: string[] = [];
      await writeReports(r, dir, undefined, { reporters: CLI_REPORTERS, log: (l) => log.push(l), out: () => undefined, env: {} });
      expect(log.join('\n')).to.include('Back-off pulling');
      for (const l of log) expect(hasControl(l), JSON.stringify(l)).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
