// The run namespace as the watches last showed it: one map per watched kind, updated
// from each timeline entry, plus the one-line and multi-line dumps that progress lines
// and timeout messages print. Adding a kind: one map and one line in apply().
import type { EventState, PodState, PvState, PvcState, WatchEntry } from '../timeline/entries.ts';
import { describePod } from './digest.ts';

/** How many of the latest events a namespace dump shows. */
const DUMP_EVENTS = 10;

export class StateStore {
  readonly pods = new Map<string, PodState>();
  readonly pvcs = new Map<string, PvcState>();
  readonly pvs = new Map<string, PvState>();
  readonly events: EventState[] = [];

  apply(e: WatchEntry): void {
    const del = e.type === 'DELETED';
    if (e.kind === 'Pod') del ? this.pods.delete(e.name) : e.pod && this.pods.set(e.name, e.pod);
    if (e.kind === 'PersistentVolumeClaim') del ? this.pvcs.delete(e.name) : e.pvc && this.pvcs.set(e.name, e.pvc);
    if (e.kind === 'PersistentVolume') del ? this.pvs.delete(e.name) : e.pv && this.pvs.set(e.name, e.pv);
    if (e.kind === 'Event' && e.event && !del) this.events.push(e.event);
  }

  /**
   * The last state of a pod deleted while no watch was open (a re-list finds it gone),
   * with the identity the re-list knew: what its DELETED entry carries.
   */
  lastPod(name: string, uid: string): PodState {
    return { ...(this.pods.get(name) ?? { phase: 'Unknown', ready: false, claims: {} }), uid };
  }

  /** Every pod on one line, in ordinal order: for progress output. */
  podSummary(): string {
    if (this.pods.size === 0) return 'no pods yet';
    return [...this.pods]
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([n, s]) => describePod(n, s))
      .join(', ');
  }

  /** Pods, PVCs and the last events: the namespace dump a timeout message shows. */
  describe(): string {
    const pvcs = [...this.pvcs].map(([n, s]) => `${n} ${s.phase}${s.volumeName ? ` -> ${s.volumeName}` : ''}`).join(', ');
    const events = this.events
      .slice(-DUMP_EVENTS)
      .map((e) => `  ${e.type} ${e.reason} ${e.involved}: ${e.message}`)
      .join('\n');
    return `pods: ${this.podSummary()}\nPVCs: ${pvcs || 'none'}\nrecent events:\n${events || '  none'}`;
  }
}
