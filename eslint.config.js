// `npm run lint`: ESLint over src/, test/, bench/, bin/ and the root config files, with type
// information (typescript-eslint reads tsconfig.eslint.json: tsconfig.json plus the JavaScript files).
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/*
 * Layers of src/, lowest first. A file may import its own layer and any layer on a lower level,
 * never one on its own level or above; tests and benchmarks may import anything.
 *
 *   0  base        errors.ts, version.ts, log.ts, log-limit.ts, config/types.ts (the config's types,
 *                  imported by every layer; derived from the config's declarations, see LAYER_EXCEPTIONS)
 *   1  codec/      pure: bytes and values in, bytes and values out; no I/O, no timers
 *   2  transport/  sockets, serial ports, listeners, lines, backoff
 *      bank/       register banks, point values, frame stores
 *   3  devices/    outbound links to field devices (Modbus RTU/TCP, raw TCP/serial, simulator, polls)
 *   4  servers/    what every server is (server.ts: the GatewayServer contract and its deps;
 *                  observer.ts; session-lifecycle.ts, session-set.ts, session-server.ts: the session
 *                  and server parts the protocol servers share); not servers/factory.ts (level 6)
 *   5  modbus/     the Modbus TCP server: sessions, request handling on banks and devices
 *      raw/        the raw TCP server: sessions and frame handlers
 *      commands/   named commands sent to raw devices
 *   6  status/     status document, /metrics, the status endpoint, systemd notify (reads everything)
 *      config/     loading and checking the config file (all of config/ but types.ts)
 *      servers/factory.ts  picks the server for a server config (modbus/ or raw/)
 *   7  gateway/    the composition root (gateway/gateway.ts): builds and reloads everything
 *      simulate/   `fieldgate simulate`: a PLC or RTU slave built from the same layers
 *      reference/  the editor schema, man page and README key tables, from the config's declarations
 *   8  cli.ts      the command line
 *
 * Type-only imports count like any other. Exceptions, each for one file and one import, are listed
 * under LAYER_EXCEPTIONS with the reason.
 */
const LAYERS = [
  {
    name: 'base',
    level: 0,
    paths: [
      'src/errors.ts',
      'src/version.ts',
      'src/log.ts',
      'src/log-ring.ts',
      'src/log-limit.ts',
      'src/config/types.ts',
    ],
  },
  { name: 'codec', level: 1, paths: ['src/codec'] },
  { name: 'transport', level: 2, paths: ['src/transport'] },
  { name: 'bank', level: 2, paths: ['src/bank'] },
  { name: 'devices', level: 3, paths: ['src/devices'] },
  {
    name: 'servers',
    level: 4,
    paths: ['src/servers'],
    except: ['factory.ts'],
    targets: ['src/servers/**/!(factory).ts'],
  },
  { name: 'modbus', level: 5, paths: ['src/modbus'] },
  { name: 'raw', level: 5, paths: ['src/raw'] },
  { name: 'commands', level: 5, paths: ['src/commands'] },
  { name: 'config', level: 6, paths: ['src/config'], except: ['types.ts'] },
  { name: 'server factory', level: 6, paths: ['src/servers/factory.ts'] },
  { name: 'mqtt', level: 7, paths: ['src/mqtt'] },
  { name: 'status', level: 8, paths: ['src/status'] },
  { name: 'gateway', level: 9, paths: ['src/gateway'] },
  { name: 'simulate', level: 9, paths: ['src/simulate'] },
  { name: 'reference', level: 9, paths: ['src/reference'] },
  { name: 'cli', level: 10, paths: ['src/cli.ts'] },
];

/** Imports that break the direction today, each allowed for one file only: { file, layer, import }. */
const LAYER_EXCEPTIONS = [
  // The config's types are derived from its declarations: one type-only import, nothing at run time.
  { file: 'src/config/types.ts', layer: 'config', import: 'declared.ts' },
];

/** no-restricted-paths zones for the files of `layer`: one per layer it may not import. */
function layerZones(layer, allowed = []) {
  return LAYERS.filter((other) => other !== layer && other.level >= layer.level).flatMap((other) =>
    other.paths.map((from) => ({
      target: layer.targets ?? layer.paths,
      from,
      except: [...(other.except ?? []), ...allowed.filter((a) => a.layer === other.name).map((a) => a.import)],
      message: `${layer.name} (level ${layer.level}) may not import ${other.name} (level ${other.level}): see the layers in eslint.config.js.`,
    })),
  );
}

const layerOf = (file) =>
  [...LAYERS]
    .reverse()
    .find(
      (l) =>
        l.paths.some((p) => file === p || file.startsWith(`${p}/`)) &&
        !(l.except ?? []).some((e) => file.endsWith(`/${e}`)),
    );

const layerRules = [
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: LAYERS.flatMap((l) => layerZones(l)) }] },
  },
  ...LAYER_EXCEPTIONS.map((exception) => {
    const layer = layerOf(exception.file);
    if (!layer) throw new Error(`LAYER_EXCEPTIONS: ${exception.file} is in no layer`);
    const zones = LAYERS.flatMap((l) => (l === layer ? layerZones(l, [exception]) : []));
    return { files: [exception.file], rules: { 'import-x/no-restricted-paths': ['error', { zones }] } };
  }),
];

export default defineConfig(
  globalIgnores(['dist/', 'bench/out/', 'bench/bin/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Every import must resolve, or the layer rule below would not see it.
      'import-x/no-unresolved': 'error',
      // `cond ? buf.writeUInt16LE(v) : buf.writeUInt16BE(v)` is how the codecs pick a byte order.
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
      // `_name` marks a parameter or a destructured key left unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `let link; new Transport({ onState: () => link?.x() }); link = new Link(...)`: a closure made
      // before the value exists reads it later.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Off: `async` on a method with no await is deliberate here (it implements a Promise-returning
      // interface, and a throw becomes a rejection).
      '@typescript-eslint/require-await': 'off',
      // 120 columns: Prettier wraps the code; this catches the comments it leaves alone. Long strings
      // (log messages, error texts, byte vectors) stay whole so they can be searched for.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  ...layerRules,
  {
    // Tests: vitest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any`, and
    // JSON bodies read in tests are `any` on purpose; mocked methods are passed around unbound.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // JavaScript (benchmarks, bin/, this file): the JavaScript rules and the promise rules, which
    // need types; the rest of the type-checked set assumes TypeScript's annotations.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        Buffer: 'readonly',
        URL: 'readonly',
        clearInterval: 'readonly',
        clearTimeout: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        process: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // console/: the web console, plain browser modules served as they are (no build step).
    files: ['console/**/*.js'],
    languageOptions: {
      globals: {
        ArrayBuffer: 'readonly',
        DataView: 'readonly',
        Element: 'readonly',
        EventSource: 'readonly',
        TextDecoder: 'readonly',
        document: 'readonly',
        sessionStorage: 'readonly',
      },
    },
  },
  {
    // bin/fieldgate.js loads the build (dist/), which a fresh clone has only after `npm run build`.
    files: ['bin/**'],
    rules: { 'import-x/no-unresolved': 'off' },
  },
);
