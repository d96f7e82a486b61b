// The measured tables in the docs are generated: each sits between
//   <!-- figures:<name> --> (or <!-- figures:<date>/<name> -->) and <!-- /figures -->
// and is rendered from the committed set in bench/results/ (<name> alone: its newest date).
// `npm run bench:figures -- --docs` rewrites them; test/unit/bench/figures-docs.spec.ts
// asserts that every block equals what the committed data renders to.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderFaultSummary, renderMarkdown, renderRuns } from './figures-render.ts';
import { readSet, resolveRef, type StoredSet } from './figures-store.ts';

export const REPO_ROOT = path.join(import.meta.dirname, '..');
const BLOCK = /(<!-- figures:([\w./-]+) -->\n)[\s\S]*?(<!-- \/figures -->)/g;
// One row per fault kind over several sets: <!-- fault-figures:<ref>,<ref>… --> … <!-- /figures -->.
const FAULT_BLOCK = /(<!-- fault-figures:([\w./,-]+) -->\n)[\s\S]*?(<!-- \/figures -->)/g;

/** The files whose figure blocks are generated: README.md and docs/*.md. */
export function docFiles(repo = REPO_ROOT): string[] {
  const docs = path.join(repo, 'docs');
  return [
    path.join(repo, 'README.md'),
    ...readdirSync(docs)
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => path.join(docs, f)),
  ].filter((f) => existsSync(f));
}

/** A set as a doc shows it, with links relative to the doc at `docPath`. */
export function renderSet(set: StoredSet, dataDir: string, docPath: string): string {
  const { meta, figures: f } = set;
  const rel = path.relative(path.dirname(docPath), dataDir).split(path.sep).join('/');
  return [
    renderMarkdown(f, meta.machine, 4),
    `Command: \`${meta.command}\`. Data: [${rel}/](${rel}/) (one file per run, and \`aggregate.json\`).`,
    '',
    renderRuns(set.runs),
  ].join('\n');
}

/** `text` with every figure block rendered again from the sets under `root`. */
export function rewriteBlocks(text: string, docPath: string, root: string): string {
  return text
    .replace(BLOCK, (_m, open: string, ref: string, close: string) => {
      const { date, name } = resolveRef(root, ref);
      return `${open}${renderSet(readSet(root, date, name), path.join(root, date, name), docPath)}${close}`;
    })
    .replace(FAULT_BLOCK, (_m, open: string, refs: string, close: string) => {
      const sets = refs.split(',').map((ref) => {
        const { date, name } = resolveRef(root, ref);
        return readSet(root, date, name);
      });
      return `${open}${renderFaultSummary(sets)}${close}`;
    });
}

/** The refs of the figure blocks in `text`, in order (a fault summary's each). */
export const blockRefs = (text: string): string[] => [
  ...[...text.matchAll(BLOCK)].map((m) => m[2] as string),
  ...[...text.matchAll(FAULT_BLOCK)].flatMap((m) => (m[2] as string).split(',')),
];

/** Rewrites every doc's figure blocks; returns the files that changed. */
export function rewriteDocs(root: string, repo = REPO_ROOT): string[] {
  const changed: string[] = [];
  for (const file of docFiles(repo)) {
    const before = readFileSync(file, 'utf8');
    const after = rewriteBlocks(before, file, root);
    if (after !== before) {
      writeFileSync(file, after);
      changed.push(file);
    }
  }
  return changed;
}
