// The layering of the common library, checked on every CI run (`npm run check:deps`).
//
// shared/ is a stack of floors. A module may import modules on the floors below its own, never
// on its own floor or above, and only through their public index.ts. The deployables
// (functions/, bridge/, cli/, bench/, infra/, scripts/) sit on top; no one imports a function.
// ARCHITECTURE.md draws the same stack.
const FLOORS = [
  ['failures', 'json', 'logging'], // no imports of their own
  ['names', 'cloudevents'], // route keys, subjects, registry xids, host patterns; the CloudEvents NATS binding: syntax only, no I/O
  ['config'], // the only reader of the environment
  ['avro', 'nats', 'postgres', 'telemetry'], // the three wire formats and clients; OpenTelemetry set-up, trace context, the metric catalog
  ['sinks'], // sink targets and the three sink kinds: http/, nats/, postgres/
  ['contracts', 'deadletters', 'deliveries', 'figures', 'routes'], // stage wire types; dead letters; delivery state; the bridge replicas' figures in NATS KV; the data path's view of the registry
  ['middleware', 'producer', 'xregistry'], // function middleware; the producer API; the registry model, store and service
  ['stages', 'registryApi'], // the functions' logic, as a library
  ['console'], // the operator console's API: views, endpoints, auth, assets
  ['wiring'], // builds each function's dependencies, one way for all
];

const all = FLOORS.flat();
const either = (names) => `(${names.join('|')})`;

const floorRules = FLOORS.flatMap((floor, level) => {
  const sameOrAbove = FLOORS.slice(level).flat();
  return floor.map((name) => ({
    name: `floor-${name}`,
    comment: `shared/${name} (floor ${level}) may import only floors below it: ${FLOORS.slice(0, level).flat().join(', ') || 'none'}`,
    severity: 'error',
    from: { path: `^shared/${name}/` },
    to: { path: `^shared/${either(sameOrAbove.filter((other) => other !== name))}/` },
  }));
});

module.exports = {
  forbidden: [
    ...floorRules,
    {
      name: 'known-floor',
      comment: 'every folder of shared/ has a floor in .dependency-cruiser.cjs (add a new one there, and to ARCHITECTURE.md)',
      severity: 'error',
      from: {},
      to: { path: '^shared/[^/]+/', pathNot: `^shared/${either(all)}/` },
    },
    {
      name: 'no-deep-imports',
      comment: 'import another shared module through its index.ts, never a file behind it',
      severity: 'error',
      from: { path: '^(shared/([^/]+)/|functions/|bridge/|cli/|bench/|infra/|scripts/)' },
      // The console page (browser code) takes the console API's view types straight from views.ts:
      // the module's index.ts also exports server code the browser must not compile against.
      to: { path: '^shared/([^/]+)/.+', pathNot: ['^shared/$2/', '^shared/[^/]+/index\\.ts$', '^shared/console/views\\.ts$'] },
    },
    {
      name: 'console-page-takes-views-only',
      comment: 'functions/console/web runs in the browser: of shared/ it imports only the console API view types',
      severity: 'error',
      from: { path: '^functions/console/web/' },
      to: { path: '^shared/', pathNot: '^shared/console/views\\.ts$' },
    },
    {
      name: 'no-imports-into-functions',
      comment: 'functions/<name> is a deployable: only its own files import it; its logic is in shared/stages',
      severity: 'error',
      from: { pathNot: ['^functions/', '^test/unit/consoleWeb\\.test\\.ts$'] },
      to: { path: '^functions/' },
    },
    {
      name: 'console-page-helpers-only',
      comment: "the console page's unit test imports only its pure helpers (no DOM), nothing else of a function",
      severity: 'error',
      from: { path: '^test/unit/consoleWeb\\.test\\.ts$' },
      to: { path: '^functions/', pathNot: '^functions/console/web/(format|filters|hashRoute|diffModel|series|messageTemplate)\\.ts$' },
    },
    {
      name: 'no-function-to-function',
      comment: 'one function never imports another one; what they share is in shared/',
      severity: 'error',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'shared-imports-only-shared',
      comment: 'the library does not know its deployables',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|bridge|cli|bench|infra|scripts|test)/' },
    },
    {
      name: 'no-circular',
      comment: 'no module imports itself back, however far round',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: "every import resolves (but the console page's files, a module only its esbuild plugin makes: infra/esbuild/consoleAssetsPlugin.cjs)",
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^ingest-console-assets$' },
    },
  ],
  options: {
    // The repo's TypeScript is version 7, which dependency-cruiser cannot load; swc parses the sources.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    // dependency-cruiser's swc parser reads TypeScript without JSX, so the console page's .tsx files
    // (functions/console/web: its folder, preact, uplot, diff and shared/console's types only) are left out.
    exclude: { path: ['^(node_modules|\\.esbuild|reports)/', '\\.tsx$'] },
    enhancedResolveOptions: { conditionNames: ['import', 'require', 'node', 'default'], exportsFields: ['exports'] },
  },
};
