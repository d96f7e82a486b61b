// Run IDs on their own, so commands that need no cluster (`run --dry-run`) can name a
// run without loading lib/run/execute.ts and, through it, the Kubernetes client.
import { randomBytes } from 'node:crypto';

/** "20261126-233346-e665": sortable by start time, unique enough for one cluster. */
export function newRunId(date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`.toLowerCase();
}
