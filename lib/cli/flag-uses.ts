// What else is generated from the flag table (flags.ts) besides parsing: the replay
// command every report carries, the argv `npm run suites` builds from ORDINAL_*, and --help.
import { redact } from '../redact.ts';
import type { RunPlan } from '../run/plan.ts';
import { formatPvcRetention } from '../workloads/sts-options.ts';
import { FROM_OBJECT, flagEntries, type RunArgs } from './flags.ts';

const FLAGS = flagEntries();

const quote = (v: string): string => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/**
 * The command that repeats a run: every option that shapes it, with the seed made
 * explicit; the `always` flags first, then whatever differs from its default.
 */
export function replayCommand(a: RunArgs, plan: Pick<RunPlan, 'update'>): string {
  // The update as planned: the seed's choice is named, so a reader sees it in the command.
  const shown: RunArgs = { ...a, update: plan.update.mode };
  const parts = ['npx', 'ordinal', 'run'];
  for (const pass of ['always', 'changed'] as const) {
    for (const [flag, spec] of FLAGS) {
      if (spec.replay !== pass || spec.type !== 'string') continue;
      if ((a.target !== undefined || a.manifest !== undefined) && FROM_OBJECT.includes(flag)) continue;
      const v = shown[spec.key];
      if (v === undefined || typeof v === 'function') continue;
      const t = Array.isArray(v) ? v.join(',') : typeof v === 'object' ? formatPvcRetention(v) : String(v);
      if (pass === 'changed' && t === spec.value) continue;
      // The replay line reaches every report: an inline secret in the user's command does not.
      parts.push(`--${flag}`, flag === 'node-fault-command' ? redact(t) : t);
    }
  }
  return parts.map(quote).join(' ');
}

/** The ORDINAL_* variables `npm run suites` reads, as `ordinal run` flags (unset or empty ones left out). */
export function argvFromEnv(env: Record<string, string | undefined>): string[] {
  const argv: string[] = [];
  for (const [flag, spec] of FLAGS) {
    const v = spec.env === undefined ? undefined : env[spec.env];
    if (v) argv.push(`--${flag}`, v);
  }
  return argv;
}

export function runHelp(): string {
  const rows = FLAGS.map(([k, v]) => {
    const flag = v.type === 'string' ? `--${k} <value>` : `--${k}`;
    const notes = [
      v.range ? `${v.range[0]}-${v.range[1]}` : undefined,
      (v.value ?? v.defaultText) ? `default: ${v.value ?? v.defaultText}` : undefined,
      v.env ? `suites: ${v.env}` : undefined,
    ].filter((n) => n !== undefined);
    return `  ${flag.padEnd(26)} ${v.help}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
  return [
    'Usage: ordinal run [flags]',
    '',
    'Deploys a sample StatefulSet into a fresh namespace (or yours: --manifest; or adopts a',
    'running one labelled ordinal.dev/chaos=allowed: --target), kills pods in seeded rounds,',
    'and checks ordering, identity, DNS, volume binding and data.',
    '',
    'Flags:',
    ...rows,
    '',
    'Exit codes: 0 all checks passed, 1 a check failed, 2 usage, configuration or cluster error.',
  ].join('\n');
}
