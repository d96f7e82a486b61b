import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { renderJunit } from '../../../lib/report/junit.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

// A deliberately strict, tiny XML 1.0 reader: enough to prove the output is well formed
// (one root, matched tags, quoted unique attributes, known entities, legal characters,
// no stray `]]>`) without adding a dependency.
interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const ENTITY = /&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function parseXml(src: string): XmlElement {
  const bad = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u.exec(src);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)?.toString(16)} is not allowed in XML 1.0`);
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at ${i}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  const decode = (raw: string): string => {
    for (let j = raw.indexOf('&'); j !== -1; j = raw.indexOf('&', j + 1)) {
      ENTITY.lastIndex = j;
      if (!ENTITY.test(raw)) fail(`bad entity reference ${JSON.stringify(raw.slice(j, j + 12))}`);
    }
    return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (_, ref: string) =>
      ref.startsWith('#x')
        ? String.fromCodePoint(parseInt(ref.slice(2), 16))
        : ref.startsWith('#')
          ? String.fromCodePoint(Number(ref.slice(1)))
          : (NAMED[ref] ?? ''),
    );
  };
  const name = (): string => {
    const m = /[A-Za-z_][\w.:-]*/y;
    m.lastIndex = i;
    const r = m.exec(src);
    if (!r) return fail('expected a name');
    i += r[0].length;
    return r[0];
  };
  const ws = (): void => {
    while (/\s/.test(src[i] ?? '')) i++;
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail('expected <');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [] };
    for (;;) {
      const before = i;
      ws();
      if (src.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected whitespace before attribute');
      const attr = name();
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      if (src[i] !== '=') fail('expected =');
      const quote = src[++i];
      if (quote !== '"' && quote !== "'") fail('expected quoted value');
      const end = src.indexOf(quote as string, i + 1);
      if (end === -1) fail('unterminated attribute');
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail('< in attribute value');
      el.attrs[attr] = decode(raw).replace(/[\t\n\r]/g, (c) => (raw.includes(c) ? ' ' : c));
      i = end + 1;
    }
    for (;;) {
      if (i >= src.length) fail(`unclosed <${el.name}>`);
      if (src.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        ws();
        if (src[i] !== '>') fail('expected >');
        i++;
        return el;
      }
      if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end === -1) fail('unterminated CDATA');
        el.children.push(src.slice(i + 9, end));
        i = end + 3;
      } else if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end === -1) fail('unterminated comment');
        i = end + 3;
      } else if (src[i] === '<') {
        el.children.push(element());
      } else {
        const end = src.indexOf('<', i);
        const raw = src.slice(i, end === -1 ? src.length : end);
        if (raw.includes(']]>')) fail(']]> in text');
        el.children.push(decode(raw));
        i += raw.length;
      }
    }
  };
  if (src.startsWith('<?xml')) i = src.indexOf('?>') + 2;
  ws();
  const root = element();
  ws();
  if (i !== src.length) fail('content after the root element');
  return root;
}

const kids = (el: XmlElement, tag?: string): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== 'string' && (tag === undefined || c.name === tag));
const text = (el: XmlElement): string => el.children.filter((c) => typeof c === 'string').join('');
const all = (el: XmlElement): XmlElement[] => [el, ...kids(el).flatMap(all)];
const only = <T>(list: T[]): T => {
  expect(list).to.have.length(1);
  return list[0] as T;
};

function suiteOf(result: RunResult): XmlElement {
  const root = parseXml(renderJunit(result));
  expect(root.name).to.equal('testsuites');
  return only(kids(root, 'testsuite'));
}

describe('report: JUnit XML', () => {
  it('the strict reader used here rejects malformed XML', () => {
    for (const broken of [
      '<a><b></a>',
      '<a>]]></a>',
      '<a x="<"/>',
      '<a x="1" x="2"/>',
      '<a>\u0001</a>',
      '<a>&bogus;</a>',
      '<a>AT&T</a>',
      '<a/><b/>',
      '<a><![CDATA[x</a>',
    ]) {
      expect(() => parseXml(broken), broken).to.throw();
    }
    expect(text(parseXml('<a>x &amp; <![CDATA[<y>]]]]><![CDATA[>]]></a>'))).to.equal('x & <y>]]>');
  });

  it('renders one suite with counts that match its testcases', () => {
    const suite = suiteOf(load('sample'));
    expect(suite.attrs).to.include({ name: 'ordinal', tests: '8', failures: '1', errors: '1', skipped: '1', time: '118.400' });
    expect(suite.attrs.timestamp).to.equal('2026-03-14T10:15:02.118Z');
    const cases = kids(suite, 'testcase');
    expect(cases).to.have.length(8);
    expect(cases.filter((c) => kids(c, 'failure').length > 0)).to.have.length(1);
    expect(cases.filter((c) => kids(c, 'error').length > 0)).to.have.length(1);
    expect(cases.filter((c) => kids(c, 'skipped').length > 0)).to.have.length(1);
  });

  it('names each testcase "<ID> <guarantee>" under ordinal.<kind>, time in seconds', () => {
    const r = load('sample');
    const cases = kids(suiteOf(r), 'testcase');
    expect(cases.map((c) => c.attrs.name)).to.deep.equal(r.checks.map((c) => `${c.id} ${c.guarantee}`));
    expect(new Set(cases.map((c) => c.attrs.classname))).to.deep.equal(new Set(['ordinal.web']));
    const sentinel = cases.find((c) => c.attrs.name?.startsWith('STS-DATA-SENTINEL '));
    expect(sentinel?.attrs.time).to.equal('20.130');
  });

  it('maps failed to <failure>, error to <error>, skipped to <skipped>, passed to neither', () => {
    const r = load('sample');
    const byId = new Map(kids(suiteOf(r), 'testcase').map((c) => [c.attrs.name?.split(' ')[0], c]));
    const dns = byId.get('STS-DNS-A');
    const failure = only(kids(dns as XmlElement, 'failure'));
    expect(failure.attrs.type).to.equal('STS-DNS-A');
    expect(failure.attrs.message).to.equal(r.checks.find((c) => c.id === 'STS-DNS-A')?.message);
    expect(text(failure)).to.include('Evidence:').and.include('observed A 10.244.1.7 (old pod');
    expect(kids(dns as XmlElement, 'error')).to.be.empty;

    const sentinel = byId.get('STS-DATA-SENTINEL') as XmlElement;
    expect(only(kids(sentinel, 'error')).attrs.type).to.equal('STS-DATA-SENTINEL');
    expect(text(only(kids(sentinel, 'error')))).to.include('exec error: timeout after 20000 ms');
    expect(kids(sentinel, 'failure')).to.be.empty;

    expect(kids(byId.get('STS-TOPOLOGY-PRIMARY') as XmlElement, 'skipped')).to.have.length(1);
    const passed = byId.get('STS-IDENTITY') as XmlElement;
    expect(kids(passed).map((c) => c.name)).to.deep.equal(['system-out']);
  });

  it('carries run id, seed, replay, cluster version and workload as properties', () => {
    const r = load('sample');
    const props = Object.fromEntries(kids(only(kids(suiteOf(r), 'properties')), 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).to.include({
      'ordinal.runId': r.runId,
      'ordinal.seed': '2718281',
      'ordinal.replay': r.replay,
      'cluster.version': 'v1.34.0',
      'workload.kind': 'web',
      'workload.statefulSet': 'web',
    });
  });

  it('reports a run error with no checks as one ordinal.run <error>', () => {
    const r = { ...load('sample'), checks: [], error: { message: 'kubeconfig has no current context', detail: 'KUBECONFIG=/x' } };
    const suite = suiteOf(r);
    expect(suite.attrs).to.include({ tests: '1', failures: '0', errors: '1', skipped: '0' });
    const c = only(kids(suite, 'testcase'));
    expect(c.attrs).to.include({ classname: 'ordinal.run', name: 'ordinal.run' });
    const error = only(kids(c, 'error'));
    expect(error.attrs.message).to.equal('kubeconfig has no current context');
    expect(text(error)).to.include('KUBECONFIG=/x');
  });

  it('keeps a run error visible next to passing checks', () => {
    const r = load('sample');
    r.checks = r.checks.filter((c) => c.status === 'passed');
    r.error = { message: 'watch on pods ended and could not be resumed' };
    const suite = suiteOf(r);
    expect(suite.attrs).to.include({ tests: '6', errors: '1', failures: '0' });
    expect(kids(suite, 'testcase').at(-1)?.attrs.classname).to.equal('ordinal.run');
  });

  it('keeps hostile strings as data: well formed, no injected elements, ANSI and controls stripped', () => {
    const r = load('hostile');
    const xml = renderJunit(r);
    const suite = suiteOf(r);
    const names = new Set(all(suite).map((e) => e.name));
    for (const tag of ['script', 'img', 'svg', 'iframe', 'b']) expect(names.has(tag), `<${tag}> element`).to.equal(false);
    expect(xml).to.not.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);

    const failure = only(kids(suite, 'testcase').flatMap((c) => kids(c, 'failure')));
    const check = r.checks.find((c) => c.status === 'failed');
    expect(failure.attrs.message).to.equal(check?.message, 'a multi-line message survives as an attribute');
    expect(failure.attrs.type).to.equal('STS-DNS-A,title=x:y');
    const body = text(failure);
    expect(body).to.include('observed </script><!-- ]]> ANSI &amp; ');
    expect(body).to.include("<img src=x onerror=alert('event')> ]]> </script>");
    expect(body).to.not.include('\u001b');

    const props = kids(only(kids(suite, 'properties')), 'property');
    expect(props.find((p) => p.attrs.name === 'cluster.server')?.attrs.value).to.equal(r.cluster.server);
    expect(props.find((p) => p.attrs.name === 'ordinal.replay')?.attrs.value).to.equal(
      r.replay.replace(/\u001b\[[0-9;]*m/g, '').replace('\u0001', ''),
    );
  });
});
