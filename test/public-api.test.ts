import * as fs from 'fs';
import * as path from 'path';
import * as api from '../src';

/** The public API is exported by name: nothing internal leaks through `export *`. */
describe('src/index.ts', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'index.ts'), 'utf8');

  test('re-exports whole modules only for the generated CRD classes (as namespaces)', () => {
    const star = source.split('\n').filter((l) => /^export \*/.test(l) || /^export type \*/.test(l));
    expect(star.length).toBeGreaterThan(0);
    for (const line of star.filter((l) => !l.startsWith('export type * as ManifestTypes '))) expect(line).toMatch(/^export \* as \w+ from '\.\.\/imports\//);
    // the one type-only namespace: the typed manifest views ManifestIndex returns
    expect(star).toContain("export type * as ManifestTypes from './manifests/types';");
  });

  test.each([
    'collectFindings', 'selectRenderer', 'BUILTIN_EXTENSION_PROVIDERS', 'fail', 'validationMessage', 'resetCelCounters',
    'addBrand', 'hasBrand', 'brandSymbol', 'prefixAsRegex', 'versionServiceName',
  ])('internal helper %s is not exported', (name) => {
    expect(Object.keys(api)).not.toContain(name);
  });

  test('the extension points are exported', () => {
    for (const name of ['Mesh', 'MeshNamespace', 'AdoptedMeshNamespace', 'MeshService', 'WARN_OPEN_SERVICE_ELSEWHERE', 'TracedService', 'MeshIntentModel', 'MeshConfigError', 'identityRef', 'principalOf', 'serviceOwner', 'sourceOwner', 'AppProtocol', 'meshServicePorts']) {
      expect(Object.keys(api)).toContain(name);
    }
  });

  test('the route warning code of F14 is exported by name, its helper is not', () => {
    expect(api.WARN_PREFIX_REWRITE_SEAM).toBe('CI3011');
    expect(Object.keys(api)).not.toContain('warnPrefixRewriteSeams');
  });

  test('the workload value objects of issue 18 are exported by name', () => {
    for (const name of ['DisruptionBudget', 'EnvKeyRef', 'Probe', 'Volume']) expect(Object.keys(api)).toContain(name);
    for (const name of ['workloadParts', 'podsDisruptionBudget', 'checkMountPath', 'renderVersionScaling', 'renderDisruptionBudget', 'renderPrimaryDisruptionBudget', 'progressiveWorkloadProblems']) {
      expect(Object.keys(api)).not.toContain(name);
    }
  });

  test('the workload option interfaces are exported by name, once (TracedServiceProps extends WorkloadOptions)', () => {
    // Types leave no runtime key: the type-only export line is what a consumer imports.
    const typeExports = source.split('export type {').slice(1).map((block) => block.slice(0, block.indexOf('}')));
    for (const name of ['WorkloadOptions', 'VersionWorkloadOptions', 'DisruptionBudgetOptions', 'DisruptionBudgetEvictionOptions']) {
      expect(typeExports.filter((block) => new RegExp(`\\b${name}\\b`).test(block))).toHaveLength(1);
    }
    const options: api.WorkloadOptions = { disruptionBudget: api.DisruptionBudget.none() };
    const props: Pick<api.TracedServiceProps, keyof api.WorkloadOptions> = options;
    const version: api.VersionWorkloadOptions = { autoscaling: false };
    const serviceVersion: api.ServiceVersion = { name: 'v1', ...version };
    expect([props.disruptionBudget, serviceVersion.autoscaling]).toEqual([options.disruptionBudget, false]);
  });
});
