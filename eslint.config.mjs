import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers (README "Layout"; STYLE.md): who may import whom. Each folder is one element; imports
 * inside an element are free, anything between elements not allowed here fails lint.
 */
const layers = [
  { type: 'functions', pattern: 'lambda/functions' },
  { type: 'runtime', pattern: 'lambda/runtime' },
  { type: 'domain', pattern: 'lambda/domain' },
  { type: 'routes', pattern: 'lambda/routes' },
  { type: 'shared', pattern: 'lambda/shared' },
  { type: 'config', pattern: 'lib/config' },
  { type: 'constructs', pattern: 'lib/constructs' },
  { type: 'stacks', pattern: 'lib/stacks' },
  { type: 'local', pattern: 'lib/local' },
  { type: 'preflight', pattern: 'lib/preflight' },
  // Failover steps the drills call (SDK clients in, exact requests out): they reuse domain code.
  { type: 'dr', pattern: 'lib/dr' },
  { type: 'cost', pattern: 'lib/cost' },
  { type: 'drill', pattern: 'lib/drill' },
  // Last of lib/: what no folder above claims, i.e. lib/rampart-app.ts (the first match wins).
  { type: 'app', pattern: 'lib' },
  { type: 'bin', pattern: 'bin' },
  { type: 'scripts', pattern: 'scripts' },
  { type: 'test', pattern: 'test' },
  // Apps mounted behind Rampart (examples/<app>/): their own code, which may use only the toolkit.
  { type: 'examples', pattern: 'examples' },
].map((element) => ({ ...element, partialMatch: false }));

const LAMBDA = ['functions', 'runtime', 'domain', 'routes', 'shared'];
const LIB = ['app', 'local', 'preflight', 'cost', 'dr', 'drill', 'stacks', 'constructs', 'config'];

/** Which layers each layer may import, besides itself. */
const MAY_IMPORT = {
  // A mounted app's handler file composes the app (examples/) with the wrapper.
  functions: ['routes', 'runtime', 'domain', 'shared', 'examples'],
  runtime: ['domain', 'shared'],
  domain: ['shared'],
  // And the request schemas of the domain (below): the manifest declares them, nothing else.
  routes: ['shared'],
  shared: [],
  config: ['routes', 'shared'],
  constructs: ['config', 'shared'],
  stacks: ['constructs', 'config', 'routes', 'domain', 'shared'],
  app: ['stacks', 'constructs', 'config'],
  local: [...LIB, ...LAMBDA],
  // The deploy preflight reads configs and calls AWS; it builds no construct.
  preflight: ['config'],
  // Region failover steps: SDK calls, the origin-verify updaters of the domain; no construct.
  dr: ['config', 'domain', 'shared'],
  // The cost model synthesizes an environment (app) and prices its templates; it builds no construct itself.
  cost: ['app', 'config'],
  // DR drills: read configs, call AWS (the failover steps of lib/dr, the shared signed REST-JSON call), and
  // rehearse on the local stack.
  drill: ['config', 'local', 'dr', 'shared'],
  bin: ['app', 'local', 'preflight', 'cost', 'dr', 'drill', 'config'],
  scripts: [...LIB, ...LAMBDA, 'test'],
  test: [...LIB, ...LAMBDA, 'bin', 'scripts', 'examples'],
  // The principal's type, the Hono variables and the pooled client: never a route, domain or lib/.
  examples: ['shared'],
};

const layering = {
  default: 'disallow',
  message:
    'Layering: {{from.element.type}} may not import {{to.element.type}} ({{to.file.path}}). See README "Layout".',
  policies: [
    ...Object.entries(MAY_IMPORT)
      .filter(([, to]) => to.length > 0)
      .map(([from, to]) => ({
        from: { element: { type: from } },
        allow: { to: { element: { types: { anyOf: to } } } },
      })),
    {
      from: { element: { type: 'routes' } },
      allow: { to: { element: { type: 'domain', fileInternalPath: '*/schemas.ts' } } },
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.local/', 'bench-out/', '.probe*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['bin/**', 'scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['lambda/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'zod',
              message:
                'Lambda code uses zod/mini: classic zod adds to the bundle and installs its English locale on globalThis, which changes every validation message in the process (lambda/shared/http/validation-messages.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': layers,
      'boundaries/include': [
        'bin/**/*.ts',
        'lib/**/*.ts',
        'lambda/**/*.ts',
        'scripts/**/*.ts',
        'test/**/*.ts',
        'examples/**/*.ts',
      ],
      // Imports, re-exports, require() and import(): a lazy import crosses a layer as much as a static one.
      'boundaries/dependency-nodes': ['import', 'export', 'require', 'dynamic-import'],
      // Without the .ts extension the default node resolver finds no relative import, and the rule
      // silently checks nothing (test/lint/layers.test.ts proves it resolves).
      'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': ['error', layering],
      // Every file under the checked folders belongs to a layer; a new top-level folder must be placed.
      'boundaries/no-unknown-files': 'error',
    },
  },
);
