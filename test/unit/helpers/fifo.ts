// A real named pipe for the tests that prove a FIFO is refused, never waited on.
import { spawnSync } from 'node:child_process';

export function mkfifo(file: string): string {
  const r = spawnSync('mkfifo', [file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfifo ${file}: ${r.stderr || r.error?.message}`);
  return file;
}
