// The history model: history.jsonl lines validated with their line numbers, and the
// Jepsen pairing rules (fail left out, info open-ended, retired processes never reused).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatHistory, HistoryFormatError, pair, parseHistory, readHistory, retire, writeHistory } from '../../../lib/history/index.ts';
import { UsageError } from '../../../lib/errors.ts';
import { cas, history, r, w } from '../helpers/history-builder.ts';

const line = (o: object) => JSON.stringify({ process: 0, type: 'invoke', f: 'write', key: 'x', value: 1, time: 5, ...o });

describe('history: history.jsonl', function () {
  it('round-trips events through format and parse, fields in a fixed order', () => {
    const events = history(w(0, 1, 10, 20), { ...r(1, 1, 15, 30), pod: 'etcd-1' }, cas(2, 1, 2, 16, 40, 'info'));
    const text = formatHistory(events);
    expect(text.split('\n')[0]).to.equal('{"process":0,"type":"invoke","f":"write","key":"x","value":1,"time":10}');
    expect(parseHistory(text)).to.deep.equal(events);
  });

  it('an empty file is an empty history; trailing blank lines are allowed', () => {
    expect(parseHistory('')).to.deep.equal([]);
    expect(parseHistory(`${line({})}\n\n\n`)).to.have.length(1);
  });

  const bad: [string, string, RegExp][] = [
    ['a line that is not JSON', `${line({})}\n${line({})}\n{"process":`, /^history line 3: not valid JSON/],
    ['a blank line in the middle', `${line({})}\n\n${line({})}`, /^history line 2: blank line$/],
    ['an unknown field', line({ proc: 1 }), /^history line 1: unknown field "proc"$/],
    ['an unknown type', line({ type: 'done' }), /^history line 1: type must be invoke, ok, fail or info, got "done"$/],
    ['an unknown function', line({ f: 'append' }), /^history line 1: f must be read, write, cas, add or transfer/],
    ['a negative process', line({ process: -1 }), /^history line 1: process must be a non-negative integer/],
    ['a fractional time', line({ time: 1.5 }), /^history line 1: time must be a non-negative integer \(ns\)/],
    ['an empty key', line({ key: '' }), /^history line 1: key must be a non-empty string/],
    ['a cas value that is not a pair', line({ f: 'cas', value: 3 }), /^history line 1: a cas value must be \[expected, new\]/],
    ['a write of an object', line({ value: { a: 1 } }), /^history line 1: a write's value must be a number or a string/],
    [
      'a read of an object',
      line({ f: 'read', type: 'ok', value: { v: 1 } }),
      /^history line 1: a read's value must be null, a number, a string, an array of them or balances/,
    ],
    ['a missing value', JSON.stringify({ process: 0, type: 'invoke', f: 'read', key: 'x', time: 1 }), /^history line 1: value is missing/],
    ['an array', '[1,2]', /^history line 1: not a JSON object$/],
    [
      'a pod that is not a pod name',
      line({ pod: 'etcd-1\u001b[2J' }),
      /^history line 1: pod must be a pod name \(a DNS subdomain\), got "etcd-1\\u001b\[2J"$/,
    ],
  ];
  for (const [what, text, message] of bad) {
    it(`${what}: a HistoryFormatError (a usage error, exit 2) naming the line`, () => {
      expect(() => parseHistory(text)).to.throw(HistoryFormatError, message);
      expect(() => parseHistory(text)).to.throw(UsageError);
    });
  }

  it('readHistory names the file; a missing file is a clear error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-history-'));
    try {
      const file = path.join(dir, 'history.jsonl');
      await writeHistory(file, history(w(0, 1, 1, 2)));
      expect(await readHistory(file)).to.have.length(2);
      writeFileSync(file, `${line({})}\nnope\n`);
      await readHistory(file).then(
        () => expect.fail('no error'),
        (err: Error) => expect(err.message).to.match(/history\.jsonl: history line 2: not valid JSON/),
      );
      await readHistory(path.join(dir, 'missing.jsonl')).then(
        () => expect.fail('no error'),
        (err: Error) => expect(err.message).to.match(/cannot read history .*missing\.jsonl: ENOENT/),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('history: pairing', function () {
  it('pairs invocations with completions in invocation order; reads take the completion value', () => {
    const ops = pair(history(w(0, 1, 10, 20), { ...r(1, 1, 15, 30), pod: 'etcd-2' }));
    expect(ops.map((o) => [o.id, o.f, o.value, o.call, o.ret, o.type])).to.deep.equal([
      [0, 'write', 1, 10, 20, 'ok'],
      [1, 'read', 1, 15, 30, 'ok'],
    ]);
    expect(ops[1]!.pod).to.equal('etcd-2');
    expect(ops[1]!.lines).to.deep.equal([2, 4]);
  });

  it('leaves fail out: it did not take effect', () => {
    const ops = pair(history(w(0, 1, 10, 20, 'fail'), w(1, 2, 30, 40)));
    expect(ops.map((o) => o.value)).to.deep.equal([2]);
    expect(ops[0]!.id).to.equal(0);
  });

  it('info and never-completed invocations return at +Infinity', () => {
    const ops = pair(history(w(0, 1, 10, 20, 'info'), w(1, 2, 30)));
    expect(ops.map((o) => [o.type, o.ret])).to.deep.equal([
      ['info', Number.POSITIVE_INFINITY],
      ['info', Number.POSITIVE_INFINITY],
    ]);
    expect(ops[1]!.lines).to.deep.equal([3, 0]);
  });

  it('retire(): the fresh id is process + concurrency, never reused', () => {
    expect(retire(2, 5)).to.equal(7);
    expect(retire(7, 5)).to.equal(12);
    expect(() => retire(1, 0)).to.throw(/concurrency must be a positive integer/);
  });

  const bad: [string, ReturnType<typeof history>, RegExp][] = [
    [
      'a retired process invoking again',
      history(w(0, 1, 10, 20, 'info'), w(0, 2, 30, 40)),
      /^history line 3: process 0 was retired after its info at line 2/,
    ],
    [
      'an invocation while one is open',
      history(w(0, 1, 10, 50), w(0, 2, 20, 60)),
      /^history line 2: process 0 invokes while its operation from line 1 is still open$/,
    ],
    [
      'a completion with no invocation',
      [{ process: 3, type: 'ok', f: 'write', key: 'x', value: 1, time: 1 }],
      /^history line 1: ok for process 3, which has no open invocation$/,
    ],
    [
      'a completion of another function',
      [
        { process: 0, type: 'invoke', f: 'write', key: 'x', value: 1, time: 1 },
        { process: 0, type: 'ok', f: 'read', key: 'x', value: 1, time: 2 },
      ],
      /^history line 2: process 0 completes read but invoked write \(invoked at line 1\)$/,
    ],
    [
      'a completion of another key',
      [
        { process: 0, type: 'invoke', f: 'write', key: 'x', value: 1, time: 1 },
        { process: 0, type: 'ok', f: 'write', key: 'y', value: 1, time: 2 },
      ],
      /completes key "y" but invoked key "x"/,
    ],
    [
      'a write completing with another value',
      [
        { process: 0, type: 'invoke', f: 'write', key: 'x', value: 1, time: 1 },
        { process: 0, type: 'ok', f: 'write', key: 'x', value: 2, time: 2 },
      ],
      /write completes with value 2 but was invoked with 1/,
    ],
    [
      'a process whose time goes back',
      [
        { process: 0, type: 'invoke', f: 'write', key: 'x', value: 1, time: 5 },
        { process: 0, type: 'ok', f: 'write', key: 'x', value: 1, time: 4 },
      ],
      /^history line 2: time 4 of process 0 goes back/,
    ],
  ];
  for (const [what, events, message] of bad) {
    it(`${what}: an error naming the line`, () => {
      expect(() => pair(events)).to.throw(HistoryFormatError, message);
    });
  }
});
