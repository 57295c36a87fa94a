/**
 * Import rules checked by `make lint` (npx depcruise): see docs/architecture.md, "Layers".
 * The launcher (src/stack starts local services, src/cli parses commands) may use the runtime;
 * the runtime (serving, consumers, producers, topics and the rest of src/) never imports the launcher.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'runtime-not-launcher',
      severity: 'error',
      comment:
        'Running components must not need the launcher: move what they share to src/ (home, metrics, util).',
      from: { path: '^(serving|consumers|producers|topics)/|^src/(?!stack/|cli/)' },
      to: { path: '^src/(stack|cli)/' },
    },
    {
      name: 'src-inward',
      severity: 'error',
      comment: 'Shared modules in src/ do not import the top-level components; only the CLI wires them.',
      from: { path: '^src/(?!cli/)' },
      to: { path: '^(serving|consumers|producers)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
