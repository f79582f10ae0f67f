/**
 * The module map of docs/ARCHITECTURE.md as rules: a module may use the modules listed below it,
 * never one above it or beside it; and no import cycle anywhere. `npm run check` runs this, so a
 * wrong arrow fails CI.
 */
const LAYERS = [
  // Entry points over the same services.
  ['cli', 'openapi'],
  ['console', 'health'],
  ['admin'],
  ['auth'],
  ['accounts', 'legacy-import'],
  ['users'],
  ['sessions'],
  ['passwords'],
  ['mail'],
  ['rate-limit'],
  ['audit'],
  ['user-storage'],
  ['metrics', 'redis', 'logging'],
  ['database'],
  ['common'],
  ['config'],
];

const ROOT_FILES = '[^/]+\\.ts$'; // main.ts, app.module.ts, app.setup.ts, runtime.ts, entities.ts, data-source.ts

const layerRules = LAYERS.flatMap((layer, index) =>
  layer.map((module) => {
    const forbidden = [...LAYERS.slice(0, index).flat(), ...layer.filter((other) => other !== module)];
    // The entry points (first layer) may use the root files that assemble the app; nothing else may.
    const roots = index === 0 ? [] : [ROOT_FILES];
    const targets = [...(forbidden.length ? [`(${forbidden.join('|')})/`] : []), ...roots];
    return {
      name: `${module}-uses-only-lower-modules`,
      comment: `src/${module} may use only the modules below it in the map (docs/ARCHITECTURE.md)`,
      severity: 'error',
      from: { path: `^src/${module}/` },
      to: { path: `^src/(${targets.join('|')})` },
    };
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make the order of start-up and the meaning of a change hard to follow',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'unknown-top-level-module',
      comment: 'A new folder under src/ must get its place in LAYERS',
      severity: 'error',
      from: { path: `^src/(?!(${LAYERS.flat().join('|')})/)[^/]+/` },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
