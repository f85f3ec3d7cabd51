import { javascript, typescript } from 'projen';

/**
 * cdk8s-istio is a plain TypeScript package compiled by `tsc` (not jsii): the generated Istio
 * imports live at the top level in `imports/`, beside `src/`, and both compile into `lib/`.
 */
const project = new typescript.TypeScriptProject({
  name: 'cdk8s-istio',
  description: 'Typed, validated Istio service-mesh constructs for cdk8s: canary routes, circuit breakers, zero-trust policies, tracing.',
  keywords: ['cdk8s', 'istio', 'service-mesh', 'kubernetes', 'envoy', 'gateway-api', 'ambient'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  eslint: false,
  prettier: false,
  sampleCode: false,
  minNodeVersion: '20.0.0',
  typescriptVersion: '~6.0.3',
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',
  srcdir: 'src',
  libdir: 'lib',
  testdir: 'test',
  peerDeps: ['cdk8s@^2.70.0', 'cdk8s-plus-28@^2.5.6', 'constructs@^10.4.0'],
  deps: ['ajv@^8.17.1', '@bufbuild/cel@^0.6.1', 're2js@^2.10.0', 'js-yaml@^4.3.2', 'kubernetes-models@^4.5.1'],
  bundledDeps: [],
  devDeps: ['yaml@^2.8.0', '@types/js-yaml@^4', 'cdk8s-cli@^2.207.0', 'fast-check@^4.3.0', 'ts-jest@^29.4.0', '@types/jest@^29', 'jest@^29'],
  jestOptions: {
    jestVersion: '^29',
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    junitReporting: false,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      collectCoverage: false,
      testEnvironment: 'node',
      // one temporary folder per run (TMPDIR), removed at the end: test/jest-global-tmpdir.ts
      globalSetup: '<rootDir>/test/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/jest-global-teardown.ts',
    },
  },
  tsconfig: {
    compilerOptions: {
      rootDir: '.',
      outDir: 'lib',
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      // the generated imports declare classes we do not use; keep strictness for our code
      noUnusedLocals: true,
      noUnusedParameters: true,
      inlineSourceMap: false,
      inlineSources: false,
      sourceMap: false,
      declaration: true,
      resolveJsonModule: true,
    },
    include: ['src/**/*.ts', 'imports/**/*.ts', 'imports/schemas/*.json', 'examples/**/*.ts'],
  },
  tsconfigDev: {
    compilerOptions: { skipLibCheck: true },
    include: ['test/**/*.ts', 'bench/**/*.ts', 'projenrc/**/*.ts', '.projenrc.ts'],
  },
  gitignore: ['/node_modules', '/dist/', '/lib/', '/bench/out/', '/test/fixtures/**/dist/', '*.cpuprofile', '/coverage/'],
});

// imports/ ships only the precompiled validators and the schema data validation reads (imports/schemas/kinds/,
// imports/schemas/envoy/: split by scripts/schema-split.js and scripts/envoy-split.js); lib/imports holds the
// compiled classes and the core kinds' field table, not the whole-source schema files the splits come from.
for (const p of ['/examples/', '/lib/examples/', '/bench/', '/test/', '/dist/', '/.ci/', '/scripts/', '/conformance/', 'cdk8s.yaml', '/imports/*.ts', '/imports/schemas/*.json', '/lib/imports/schemas/*.json', '!/lib/imports/schemas/k8s-core-fields.json']) {
  project.npmignore?.addPatterns(p);
}

// ts-jest without type checking: type errors are caught by `tsc` in the build, and checking the 1 MB
// generated imports on every test file would dominate the test run.
project.jest!.config.transform = {
  '^.+\\.tsx?$': [
    'ts-jest',
    {
      tsconfig: { target: 'ES2022', module: 'CommonJS', esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true, isolatedModules: true },
      diagnostics: false,
    },
  ],
};

// `npm ci` compiles the library and the examples, so `npx cdk8s synth` runs plain JavaScript.
// Tests run through ts-jest without type checks (fast); the test task type-checks them once first.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

project.addBins({ 'cdk8s-istio': 'lib/src/cli/main.js' });
// The escape-hatch namespaces (the generated classes) load on first use: scripts/lazy-namespaces.js.
project.addScripts({ prepare: 'tsc --build tsconfig.json && node scripts/lazy-namespaces.js' });
project.postCompileTask.exec('node scripts/lazy-namespaces.js');

// Regenerate imports/ offline from the pinned CRDs (a local copy, ../shared/crds in this workspace).
project.addTask('import', {
  description: 'Regenerate imports/ (classes and schema data) from the pinned CRD files',
  exec: 'node scripts/import.js',
  receiveArgs: true,
});

project.addTask('synth', {
  description: 'Synthesize the reference app into dist/',
  exec: 'cdk8s synth --no-check-upgrade',
});

project.addTask('bench', {
  description: 'Synthesize N mesh services (N = 100, 1000, 5000) and write bench/results.json',
  exec: 'node --expose-gc bench/run.js',
  receiveArgs: true,
});

project.synth();
