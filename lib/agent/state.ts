// What the agent has applied, kept in a file on the node (a hostPath), so an agent that
// restarts heals it before anything else: a fault never outlives the agent that set it.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AppliedFault {
  /** namespace/name/uid of the request. */
  key: string;
  podUid: string;
  pid: number;
  appliedAt: number;
  /** Requests that name their peers: pod name to the IP cut now, both ways and arriving only. */
  cut?: Record<string, string>;
  inFrom?: Record<string, string>;
  /** Absent for a partition (state files from before disk-full have none). */
  fault?: 'partition' | 'disk-full';
  /** disk-full: the pod's name (to find a replacement), the volume's mount path, its byte limit, its PersistentVolume. */
  pod?: string;
  path?: string;
  maxBytes?: number;
  volume?: string;
  /**
   * disk-full healed while no process mounted the volume (a pod the rollout replaced, its
   * replacement not started yet): wall ms of that first try. The agent tries again every
   * tick until the fill file goes or TIMEOUTS.agentFreeRetry passes.
   */
  freeing?: number;
}

export async function loadState(path: string): Promise<AppliedFault[]> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as AppliedFault[]) : [];
  } catch {
    return [];
  }
}

export async function saveState(path: string, faults: readonly AppliedFault[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(faults));
  await rename(`${path}.tmp`, path);
}
