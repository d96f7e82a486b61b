// One node-agent fault at a time within a process: every kind (partition, loss, bandwidth,
// disk-full) writes its request under the run's one name (lib/agent/request.ts), and each is
// confirmed against pods that no other fault holds at that moment. A burst round starts them
// together; they take turns here. One queue per kind let a burst's bandwidth and disk-full
// collide on the name (a soak run: 'configmaps "ordinal-fault" already exists').
let last: Promise<void> = Promise.resolve();

/** Runs `fault` once every agent fault started before it has ended (however it ended). */
export function agentTurn(fault: () => Promise<void>): Promise<void> {
  const run = last.catch(() => undefined).then(fault);
  last = run;
  return run;
}
