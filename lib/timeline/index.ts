// One home for the timeline: its entry types, the queries checks share, the causal
// ordering oracle and recovery timings. Readers import from here.
export * from './types.ts';
export * from './queries.ts';
export * from './causal.ts';
export * from './recovery.ts';
