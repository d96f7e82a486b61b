// Topics moved from the README into docs/, and pages link to each other's sections:
// every relative link in the README and in docs/ must name a file that exists and, when
// it has a #fragment into a Markdown page, a heading of that page (GitHub's anchors).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCode(markdown).split('\n')) {
    const m = /^#{1,6} +(.*?) *#*$/.exec(line);
    if (!m) continue;
    const base = (m[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Fenced code blocks blanked out: a `#` or `](` inside them is not Markdown. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** Every relative link target in `file`, as written. */
function links(markdown: string): string[] {
  return [...withoutCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '').filter((t) => !/^[a-z]+:/i.test(t));
}

/** Why the link `target` in the page `from` is broken, or undefined when it is not. */
function broken(from: string, target: string): string | undefined {
  const [file = '', fragment] = target.split('#', 2);
  const abs = file === '' ? from : path.resolve(path.dirname(from), file);
  if (!existsSync(abs)) return `${target}: no file ${path.relative(repoRoot(), abs)}`;
  if (fragment === undefined || !abs.endsWith('.md')) return undefined;
  if (fragment === '' || !anchors(readFileSync(abs, 'utf8')).has(fragment))
    return `${target}: no heading #${fragment} in ${path.relative(repoRoot(), abs)}`;
  return undefined;
}

describe('links in the README and docs/', () => {
  const root = repoRoot();
  const pages = [
    'README.md',
    'reports/README.md',
    ...readdirSync(path.join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  for (const page of pages) {
    it(`${page}: every relative link reaches a file and heading`, () => {
      const abs = path.join(root, page);
      const problems = links(readFileSync(abs, 'utf8'))
        .map((t) => broken(abs, t))
        .filter((p) => p !== undefined);
      expect(problems).to.deep.equal([]);
    });
  }

  it('the anchor rule matches GitHub on the headings this project uses', () => {
    const a = anchors(
      '# Disruptions\n## Node disruptions: `node-fault` and `kubelet-restart`\n## `STS-PDB`\n### Measured\n### Measured\n```\n# not a heading\n```\n',
    );
    expect([...a]).to.deep.equal(['disruptions', 'node-disruptions-node-fault-and-kubelet-restart', 'sts-pdb', 'measured', 'measured-1']);
  });

  it('finds a broken file and a broken heading', () => {
    const readme = path.join(root, 'README.md');
    expect(broken(readme, 'docs/nope.md')).to.equal('docs/nope.md: no file docs/nope.md');
    expect(broken(readme, 'docs/checks.md#no-such-heading')).to.equal(
      'docs/checks.md#no-such-heading: no heading #no-such-heading in docs/checks.md',
    );
    expect(broken(readme, 'docs/checks.md#sts-pdb')).to.equal(undefined);
  });
});
