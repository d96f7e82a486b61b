// The import layers of lib/, written down once and checked by `npm run lint`
// (dependency-cruiser). Bottom to top; each layer may import only the layers listed in
// its `may` (and its own folder). Type-only imports count: a circle of types is a circle.
//
//   model      lib/model.ts: the shared vocabulary (disruptions, expectations, kill
//              patterns, rounds, the workload and cluster, evidence) and the
//              StatefulSet options (workloads/sts-options.ts, which imports nothing)
//   leaves     lib/*.ts besides the model: names, errors, timeouts, prng, redact, …
//   timeline   entries, markers and queries over the recorded timeline: only the model
//              and names.ts
//   history    history events and the history checkers: pure
//   records    what probes and traffic record (probes/records.ts, traffic/records.ts)
//   checks     pure functions over recorded data: nothing that reaches the cluster
//   cluster    the API client and retry
//   workloads  the samples and derivation from a user's object
//   probes, observe                 read the cluster
//   chaos, traffic, update          act on it
//   report     renders results.json: of the run, only run/results-schema.ts (itself pure
//              data: model, timeline, records, the check API), never the cluster
//   run        plan, subject, phases: everything above but the CLI
//   cli        parses argv and calls the run or the report; nothing imports it
const MODEL = ['^lib/model\\.ts$', '^lib/workloads/sts-options\\.ts$'];
const LEAVES = ['^lib/[^/]+\\.ts$'];
const TIMELINE = ['^lib/timeline/'];
const HISTORY = ['^lib/history/', '^lib/checkers/'];
const RECORDS = ['^lib/probes/records\\.ts$', '^lib/probes/postgres-records\\.ts$', '^lib/traffic/records\\.ts$'];
// Pure helpers inside folders of higher layers that checks may use.
const PURE = ['^lib/traffic/classify\\.ts$', '^lib/chaos/pdb\\.ts$'];
const CHECKS = ['^lib/checks/'];
const CLUSTER = ['^lib/cluster/'];
const WORKLOADS = ['^lib/workloads/'];
const SENSE = ['^lib/probes/', '^lib/observe/'];
const ACT = ['^lib/chaos/', '^lib/traffic/', '^lib/update/'];
const SCHEMA = ['^lib/run/results-schema\\.ts$'];

const LAYERS = [
  { name: 'model', from: '^lib/model\\.ts$', may: ['^lib/workloads/sts-options\\.ts$'] },
  { name: 'sts-options', from: '^lib/workloads/sts-options\\.ts$', may: [] },
  { name: 'leaves', from: '^lib/[^/]+\\.ts$', may: [...MODEL, ...LEAVES] },
  { name: 'timeline', from: '^lib/timeline/', may: [...MODEL, '^lib/names\\.ts$', ...TIMELINE] },
  { name: 'history', from: '^lib/(history|checkers)/', may: [...MODEL, ...LEAVES, ...HISTORY] },
  { name: 'records', from: '^lib/(probes/(postgres-)?records|traffic/records)\\.ts$', may: [...MODEL, '^lib/history/'] },
  { name: 'checks', from: '^lib/checks/', may: [...MODEL, ...LEAVES, ...TIMELINE, ...HISTORY, ...RECORDS, ...PURE, ...CHECKS] },
  { name: 'cluster', from: '^lib/cluster/', may: [...MODEL, ...LEAVES, ...CLUSTER] },
  { name: 'workloads', from: '^lib/workloads/', may: [...MODEL, ...LEAVES, ...CLUSTER, ...WORKLOADS] },
  {
    name: 'probes, observe',
    from: '^lib/(probes|observe)/',
    may: [...MODEL, ...LEAVES, ...TIMELINE, ...RECORDS, ...CLUSTER, ...WORKLOADS, ...SENSE],
  },
  {
    name: 'chaos, traffic, update',
    from: '^lib/(chaos|traffic|update)/',
    // The fault request (lib/agent/request.ts) is the pure contract between the harness and the node agent;
    // disk-request.ts (a full disk's fields), bandwidth.ts (the qdisc's handle and bucket) and node-caps.ts (the nodes' probes) are pure parts of it.
    may: [
      ...MODEL,
      ...LEAVES,
      ...TIMELINE,
      ...HISTORY,
      ...RECORDS,
      ...CLUSTER,
      ...WORKLOADS,
      ...SENSE,
      ...ACT,
      '^lib/agent/(request|disk-request|bandwidth|node-caps)\\.ts$',
    ],
  },
  // The node agent: its own process (`ordinal agent`); it shares the run-namespace rules with cleanup.
  { name: 'agent', from: '^lib/agent/', may: [...MODEL, ...LEAVES, ...CLUSTER, '^lib/workloads/common\\.ts$', '^lib/run/namespace\\.ts$', '^lib/agent/'] },
  {
    name: 'report',
    from: '^lib/report/',
    may: [...MODEL, ...LEAVES, ...TIMELINE, ...HISTORY, ...RECORDS, ...CHECKS, ...SCHEMA, '^lib/report/'],
  },
  { name: 'results-schema', from: '^lib/run/results-schema\\.ts$', may: [...MODEL, ...TIMELINE, ...RECORDS, '^lib/checks/api\\.ts$'] },
  { name: 'run', from: '^lib/run/', mayNot: ['^lib/cli/'] },
];

const layerRules = LAYERS.map(({ name, from, may, mayNot }) => ({
  name: `layer-${name.replace(/, /g, '-')}`,
  comment: may
    ? `${name} may import only: ${may.join(' ') || 'nothing in lib/'} (see the table at the top of .dependency-cruiser.cjs)`
    : `${name} may not import ${mayNot.join(' ')}`,
  severity: 'error',
  from: { path: from },
  to: may ? { path: '^lib/', pathNot: [from, ...may] } : { path: mayNot },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle (type-only imports count): one of the modules belongs in a lower layer.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'checks-are-pure',
      comment: 'A check is a pure function over recorded data: nothing it imports may, even indirectly, reach the cluster client, the observer, the run or the CLI.',
      severity: 'error',
      from: { path: '^lib/checks/' },
      to: { path: ['@kubernetes/client-node', '^lib/(cluster|observe|run|cli)/'], reachable: true },
    },
    {
      name: 'report-offline',
      comment: '`ordinal report` renders results.json without a cluster: nothing a reporter imports may, even indirectly, reach the cluster client, the observer or the run beyond its schema.',
      severity: 'error',
      from: { path: '^lib/report/' },
      to: { path: ['@kubernetes/client-node', '^lib/(cluster|observe|cli)/', '^lib/run/(?!results-schema\\.ts$)'], reachable: true },
    },
    {
      name: 'pure-no-io',
      comment: 'Checks, history checkers and timeline queries do no I/O: no node: modules.',
      severity: 'error',
      from: { path: '^lib/(checks|checkers|timeline)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'lib/cli/ parses argv and calls the library; only bin/ and the CLI itself import it.',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/cli/' },
      to: { path: '^lib/cli/' },
    },
    {
      name: 'lib-not-to-tests',
      comment: 'The library never imports tests, suites or benchmarks.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(test|suites|bench)/' },
    },
    ...layerRules,
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
