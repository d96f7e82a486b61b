// The README is the front door: at most 450 lines, and its "Project layout" section
// names the folders that really exist. Files move between lib/ folders often, and a
// layout that lists a folder that is gone (or misses a new one) misleads every newcomer,
// so the section is parsed and compared with the tree on disk.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const MAX_README_LINES = 450;

/** The repository root: the nearest folder above this file that holds package.json (survives moves of this spec). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/**
 * The folders the README's "Project layout" code block lists, as paths from the root
 * ending in `/`. One line per folder: two spaces of indent per level under the folder
 * above it, the name ending in `/`, then at least two spaces and a description.
 */
function parseLayout(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Project layout\n'));
  if (!section) throw new Error('README has no "## Project layout" section');
  const block = /^```\n([\s\S]*?)^```/m.exec(section);
  if (!block) throw new Error('the "Project layout" section has no ``` code block');
  const stack: string[] = [];
  const folders: string[] = [];
  for (const line of (block[1] ?? '').split('\n').filter((l) => l.trim() !== '')) {
    const m = /^( *)(\S+\/) {2,}\S/.exec(line);
    const [, indent = '', name = ''] = m ?? [];
    if (!m) throw new Error(`Project layout line is not "<folder>/  <description>": ${JSON.stringify(line)}`);
    const depth = indent.length / 2;
    if (!Number.isInteger(depth) || depth > stack.length)
      throw new Error(
        `Project layout line indented by ${indent.length} spaces under ${stack.join('') || 'the root'}: ${JSON.stringify(line)}`,
      );
    stack.length = depth;
    stack.push(name);
    folders.push(stack.join(''));
  }
  return folders;
}

/** Folders under `dir` (relative to `root`, ending in `/`) that hold at least one file somewhere below them. */
function foldersWithFiles(root: string, dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const rel = `${dir}${e.name}/`;
    if (!holdsFile(path.join(root, rel))) continue;
    out.push(rel);
    if (recursive) out.push(...foldersWithFiles(root, rel, true));
  }
  return out;
}

function holdsFile(abs: string): boolean {
  return readdirSync(abs, { withFileTypes: true }).some((e) => e.isFile() || (e.isDirectory() && holdsFile(path.join(abs, e.name))));
}

/** Top-level folders git ignores (`dist/`): listed in the layout although a clone does not have them. */
function ignoredTopLevel(root: string): Set<string> {
  const file = path.join(root, '.gitignore');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  return new Set(
    lines
      .map((l) => l.trim())
      .filter((l) => /^[^!#*/][^*/]*\/?$/.test(l))
      .map((l) => (l.endsWith('/') ? l : `${l}/`)),
  );
}

/** What the layout gets wrong about the tree at `root`: listed folders that do not exist, and folders it must list but does not. */
function layoutProblems(readme: string, root: string): { notThere: string[]; notListed: string[] } {
  const listed = parseLayout(readme);
  const ignored = ignoredTopLevel(root);
  const notThere = listed.filter((f) => !ignored.has(f) && !(existsSync(path.join(root, f)) && statSync(path.join(root, f)).isDirectory()));
  const required = [
    ...foldersWithFiles(root, '', false).filter((f) => f !== '.git/' && !ignored.has(f)),
    ...(existsSync(path.join(root, 'lib')) ? foldersWithFiles(root, 'lib/', true) : []),
  ];
  const notListed = required.filter((f) => !listed.includes(f));
  return { notThere, notListed };
}

describe('README', () => {
  const root = repoRoot();
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

  it(`is at most ${MAX_README_LINES} lines (topics live in docs/)`, () => {
    const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
    expect(lines, `README.md has ${lines} lines; move a topic to docs/`).to.be.at.most(MAX_README_LINES);
  });

  it('"Project layout" lists every top-level folder and every folder of lib/, and only folders that exist', () => {
    const { notThere, notListed } = layoutProblems(readme, root);
    expect(notThere, 'listed in README "Project layout" but not in the tree').to.deep.equal([]);
    expect(notListed, 'in the tree but missing from README "Project layout"').to.deep.equal([]);
  });
});

describe('README layout checker', () => {
  const readmeWith = (block: string): string => `# X\n\n## Project layout\n\n\`\`\`\n${block}\n\`\`\`\n\n## Next\n`;
  function tree(dirs: string[]): string {
    const root = mkdtempSync(path.join(tmpdir(), 'ordinal-layout-'));
    for (const d of dirs) {
      mkdirSync(path.join(root, d), { recursive: true });
      writeFileSync(path.join(root, d, 'f.ts'), '');
    }
    writeFileSync(path.join(root, '.gitignore'), 'node_modules\ndist/\nreports/*\n');
    return root;
  }

  it('reads nesting from the indent', () => {
    expect(
      parseLayout(readmeWith('bin/  entry\nlib/  library\n  chaos/  plan\n    disruptions/  one per file\n  checks/  pure\ntest/  tests')),
    ).to.deep.equal(['bin/', 'lib/', 'lib/chaos/', 'lib/chaos/disruptions/', 'lib/checks/', 'test/']);
  });

  it('rejects a line without a description, and an indent that skips a level', () => {
    expect(() => parseLayout(readmeWith('bin/'))).to.throw('is not "<folder>/  <description>"');
    expect(() => parseLayout(readmeWith('lib/  x\n    chaos/  y'))).to.throw('indented by 4 spaces under lib/');
    expect(() => parseLayout('# X\n')).to.throw('no "## Project layout" section');
  });

  it('names a listed folder that is gone and a lib/ folder that is not listed', () => {
    const root = tree(['bin', 'lib/chaos', 'lib/run', 'test']);
    const problems = layoutProblems(readmeWith('bin/  x\nlib/  x\n  chaos/  x\n  observe/  x\ntest/  x\ndist/  build output'), root);
    expect(problems).to.deep.equal({ notThere: ['lib/observe/'], notListed: ['lib/run/'] });
  });

  it('requires every top-level folder with files, but not empty ones or git-ignored ones', () => {
    const root = tree(['bin', 'lib', 'suites']);
    mkdirSync(path.join(root, 'empty'));
    mkdirSync(path.join(root, 'node_modules/x'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules/x/f.js'), '');
    expect(layoutProblems(readmeWith('bin/  x\nlib/  x'), root)).to.deep.equal({ notThere: [], notListed: ['suites/'] });
  });

  it('passes a layout that matches the tree', () => {
    const root = tree(['.ci', 'bin', 'lib/chaos/disruptions', 'lib/checks']);
    expect(layoutProblems(readmeWith('.ci/  ci\nbin/  x\nlib/  x\n  chaos/  x\n    disruptions/  x\n  checks/  x'), root)).to.deep.equal({
      notThere: [],
      notListed: [],
    });
  });
});
