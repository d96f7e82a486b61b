// Jepsen's set checker, for unique adds and final reads of every member: which adds the
// cluster acknowledged and then lost, which elements appeared that nobody added, which adds
// of unknown outcome did take effect (recovered), and which members hold less than their
// peers (stale). Pure: the traffic client supplies the adds, the read-back the reads.
//
// A store is where an element must be found (a pod's volume, or a replicated cluster); its
// members are the replicas it was read through. An element is present in a store when any
// member holds it; it is lost only when every member was read and none holds it, so a
// member that could not be read can leave an element unjudged, never lost.

/** ok: acknowledged; fail: refused, never took effect; info: the outcome is unknown. */
export type AddOutcome = 'ok' | 'fail' | 'info';

export interface SetAdd {
  readonly element: string;
  /** The store the element must be in: the answering pod's when an answer named it. */
  readonly store: string;
  readonly outcome: AddOutcome;
  /** The pod the client addressed. */
  readonly addressed: string;
  /** The pod that answered, when its answer named one. */
  readonly answered?: string;
  readonly answeredUid?: string;
  /** The address the client's DNS answer gave for the addressed pod, when known. */
  readonly address?: string;
  /** When it was sent (run ms), for evidence. */
  readonly at?: number;
}

export interface MemberRead {
  readonly store: string;
  readonly member: string;
  /** Absent: the member could not be read (`error` says why). */
  readonly elements?: readonly string[];
  readonly error?: string;
}

export interface StaleMember {
  readonly store: string;
  readonly member: string;
  /** Elements other members of the store hold and this one does not. */
  readonly missing: readonly string[];
}

export interface Misplaced {
  readonly add: SetAdd;
  /** A store other than the add's that holds its element. */
  readonly foundIn: string;
}

export interface SetVerdict {
  /** Acknowledged and present. */
  readonly ok: readonly SetAdd[];
  /** Acknowledged, every member of its store read, none holds it. */
  readonly lost: readonly SetAdd[];
  /** Outcome unknown, and present: it took effect. */
  readonly recovered: readonly SetAdd[];
  /** Outcome unknown, and absent: it did not take effect (as far as the reads show). */
  readonly notApplied: readonly SetAdd[];
  /** Refused, and yet present: the refusal was not the whole story. */
  readonly failedPresent: readonly SetAdd[];
  /** Refused and absent. */
  readonly failed: readonly SetAdd[];
  /** Absent from every member read while a member of its store could not be read. */
  readonly unjudged: readonly SetAdd[];
  /** Acknowledged by a pod other than the one addressed. */
  readonly misrouted: readonly SetAdd[];
  /** Found in a store other than its add's. */
  readonly misplaced: readonly Misplaced[];
  /** Present in a member, never added by anyone. */
  readonly unexpected: readonly { store: string; member: string; element: string }[];
  readonly stale: readonly StaleMember[];
  readonly unread: readonly MemberRead[];
}

interface StoreView {
  readonly members: MemberRead[];
  readonly held: Set<string>;
  readonly complete: boolean;
}

function viewStores(reads: readonly MemberRead[]): Map<string, StoreView> {
  const stores = new Map<string, StoreView>();
  for (const r of reads) {
    const prev = stores.get(r.store);
    const v: StoreView = prev ?? { members: [], held: new Set(), complete: true };
    v.members.push(r);
    if (r.elements === undefined || r.error !== undefined) stores.set(r.store, { ...v, complete: false });
    else {
      for (const e of r.elements) v.held.add(e);
      if (!prev) stores.set(r.store, v);
    }
  }
  return stores;
}

/** Members that lack elements their store holds through another member. */
function staleMembers(stores: ReadonlyMap<string, StoreView>): StaleMember[] {
  const out: StaleMember[] = [];
  for (const [store, v] of stores) {
    for (const m of v.members) {
      if (m.elements === undefined || m.error !== undefined) continue;
      const mine = new Set(m.elements);
      const missing = [...v.held].filter((e) => !mine.has(e));
      if (missing.length > 0) out.push({ store, member: m.member, missing });
    }
  }
  return out;
}

/** Judges unique adds against the final reads of every member of every store. */
export function checkSet(adds: readonly SetAdd[], reads: readonly MemberRead[]): SetVerdict {
  const stores = viewStores(reads);
  const r = {
    ok: [] as SetAdd[],
    lost: [] as SetAdd[],
    recovered: [] as SetAdd[],
    notApplied: [] as SetAdd[],
    failedPresent: [] as SetAdd[],
    failed: [] as SetAdd[],
    unjudged: [] as SetAdd[],
  };
  const misplaced: Misplaced[] = [];
  const attempted = new Set<string>();
  for (const a of adds) {
    attempted.add(a.element);
    for (const [store, v] of stores) if (store !== a.store && v.held.has(a.element)) misplaced.push({ add: a, foundIn: store });
    const v = stores.get(a.store);
    // A store nobody read (no member listed) says nothing about its adds.
    if (v === undefined) continue;
    const present = v.held.has(a.element);
    if (!present && !v.complete) r.unjudged.push(a);
    else if (a.outcome === 'ok') (present ? r.ok : r.lost).push(a);
    else if (a.outcome === 'info') (present ? r.recovered : r.notApplied).push(a);
    else (present ? r.failedPresent : r.failed).push(a);
  }
  const unexpected: { store: string; member: string; element: string }[] = [];
  for (const [store, v] of stores) {
    for (const m of v.members)
      for (const element of m.elements ?? []) if (!attempted.has(element)) unexpected.push({ store, member: m.member, element });
  }
  return {
    ...r,
    misrouted: adds.filter((a) => a.outcome === 'ok' && a.answered !== undefined && a.answered !== a.addressed),
    misplaced,
    unexpected,
    stale: staleMembers(stores),
    unread: reads.filter((m) => m.elements === undefined || m.error !== undefined),
  };
}
