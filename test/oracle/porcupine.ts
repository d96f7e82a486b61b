// Builds and runs the Porcupine oracle (test/oracle/porcupine, Go, test-only). The binary
// is cached outside the repository like the cluster's Go builds (cluster/scripts/lib.sh):
// under $ORDINAL_CACHE/bin, keyed by a hash of the module's go.mod, go.sum and main.go, so
// it is built once per change, with the module proxy's pinned versions only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ORACLE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'porcupine');
const CACHE = process.env.ORDINAL_CACHE ?? '/var/cache/ordinal';

export type PorcupineResult = 'Ok' | 'Illegal' | 'Unknown';

export interface PorcupineVerdict {
  readonly file: string;
  readonly result: PorcupineResult;
  /** Time inside porcupine.CheckOperations, ms (parsing excluded). */
  readonly ms: number;
  /** The oracle process's peak RSS so far, KiB. */
  readonly maxRssKiB: number;
  /** CPU time (user + system, all threads) of the check, ms. */
  readonly cpuMs: number;
}

export function porcupineBinary(): string {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(ORACLE_DIR, f)));
  return path.join(CACHE, 'bin', `porcupine-${hash.digest('hex').slice(0, 12)}`);
}

/** The oracle's path, built first if it is not cached yet. Throws with go's output when the build fails. */
export function buildPorcupine(): string {
  const bin = porcupineBinary();
  if (existsSync(bin)) return bin;
  mkdirSync(path.dirname(bin), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  const env = {
    ...process.env,
    GOMODCACHE: path.join(CACHE, 'go/mod'),
    GOCACHE: path.join(CACHE, 'go/build'),
    GOFLAGS: '-mod=readonly',
    GOTOOLCHAIN: 'local',
  };
  const r = spawnSync('go', ['build', '-trimpath', '-o', tmp, '.'], { cwd: ORACLE_DIR, env, encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `building the Porcupine oracle in ${ORACLE_DIR} failed (go on PATH? ${r.error?.message ?? `exit ${r.status}`}): ${r.stderr ?? ''}`,
    );
  }
  renameSync(tmp, bin);
  return bin;
}

/** Porcupine's verdict on each history file, in order. */
export function runPorcupine(bin: string, files: readonly string[], timeoutMs = 0): PorcupineVerdict[] {
  const r = spawnSync(bin, [`-timeout=${timeoutMs}ms`, ...files], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  if (r.error || r.status !== 0) throw new Error(`porcupine oracle failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
  const verdicts = r.stdout
    .trim()
    .split('\n')
    .map((l): PorcupineVerdict => {
      const [file, result, ms, rss, cpu] = l.split(' ');
      if (result !== 'Ok' && result !== 'Illegal' && result !== 'Unknown')
        throw new Error(`porcupine oracle: unexpected line ${JSON.stringify(l)}`);
      return { file: file!, result, ms: Number(ms), maxRssKiB: Number(rss), cpuMs: Number(cpu) };
    });
  if (verdicts.length !== files.length) throw new Error(`porcupine oracle answered ${verdicts.length} of ${files.length} histories`);
  return verdicts;
}
