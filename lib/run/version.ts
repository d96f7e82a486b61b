// Ordinal's own version, from its package.json, for the `tool` field of every result.
// The file is two levels up from lib/run/ in a clone and three from dist/lib/run/ in the installed
// package and the image (both ship package.json), so the nearest one named ordinal-sts
// going up is ours; a project that depends on Ordinal has its own package.json further up.
import { readFileSync } from 'node:fs';

const NAME = 'ordinal-sts';

function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    let text: string;
    try {
      text = readFileSync(new URL(rel, import.meta.url), 'utf8');
    } catch {
      continue;
    }
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (pkg.name === NAME && typeof pkg.version === 'string') return pkg.version;
  }
  throw new Error(`no package.json of ${NAME} next to ${new URL('.', import.meta.url).pathname}: the installation is incomplete`);
}

let cached: string | undefined;

/** The version in package.json, e.g. "0.1.0" (read once, when a result is first made). */
export function toolVersion(): string {
  cached ??= readVersion();
  return cached;
}
