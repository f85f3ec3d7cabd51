import { Duration } from 'cdk8s';
import {
  CanaryRoute, Destination, ExternalIdentity, HeaderMatch, HttpMethod, installMeshMatchers, MeshService, MeshSimulator, MeshTesting, RetryPolicy,
} from '../src';
import { meshChart, service } from './helpers';

installMeshMatchers();

/** GIVEN catalog (v1, v2) routed by header with a 2.5s timeout, called by order. */
function shop(replicasV2 = 1) {
  const { chart, ns } = meshChart();
  const catalog = service(chart, ns, 'catalog', { versions: [{ name: 'v1' }, { name: 'v2', replicas: replicasV2 }] });
  const order = service(chart, ns, 'order');
  new CanaryRoute(chart, 'Route', {
    service: catalog,
    rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
    defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]),
    timeout: Duration.millis(2500),
    retries: RetryPolicy.of({ attempts: 2, perTryTimeout: Duration.seconds(1) }),
  });
  catalog.allowFrom(order, { methods: [HttpMethod.GET] });
  return { chart, catalog, order, ns };
}

describe('MeshTesting.synth', () => {
  test('returns the manifests and no findings for a valid chart', () => {
    const { chart } = shop();
    const { manifests, findings, errors } = MeshTesting.synth(chart);
    expect(manifests.some((m) => m.kind === 'VirtualService')).toBe(true);
    expect(errors).toEqual([]);
    expect(findings.every((f) => ['error', 'warning', 'info'].includes(f.level) && typeof f.code === 'string' && typeof f.message === 'string')).toBe(true);
  });

  test('returns the error finding for a split onto a version with 0 replicas, without throwing', () => {
    const { chart } = shop(0);
    const { errors } = MeshTesting.synth(chart);
    // the header rule sends all its traffic to v2, the catch-all half of it
    expect(errors).toMatchObject([
      { code: 'CI3003', level: 'error', kind: 'VirtualService', name: 'catalog', message: expect.stringMatching(/^spec\.http\[0\]\.route\[0\].*subset "v2", which has no pods/) },
      { code: 'CI3003', level: 'error', kind: 'VirtualService', name: 'catalog', message: expect.stringMatching(/^spec\.http\[1\]\.route\[1\].*weight 50/) },
    ]);
  });
});

describe('mesh matchers', () => {
  test('take services and identities, not only strings', () => {
    const { chart, catalog, order } = shop();
    const sim = MeshSimulator.fromManifests(MeshTesting.synth(chart).manifests);
    expect(sim).toRoute({ host: catalog, headers: { 'x-canary': 'true' } }, { subset: 'v2', weight: 100 });
    expect(sim).toAllow({ to: catalog, fromPrincipal: order, method: 'GET' });
    expect(sim).toDeny({ to: catalog, fromPrincipal: order, method: 'POST' });
    expect(sim).toDeny({ to: catalog, fromPrincipal: ExternalIdentity.serviceAccount({ namespace: 'production', serviceAccount: 'intruder' }) });
  });

  test('compare durations by value', () => {
    const { chart, catalog } = shop();
    const sim = MeshSimulator.fromManifests(MeshTesting.synth(chart).manifests);
    expect(sim).toRoute({ host: catalog }, { timeout: '2.5s' });
    expect(sim).toRoute({ host: catalog }, { timeout: '2500ms' });
    expect(sim).toRoute({ host: catalog }, { timeout: Duration.millis(2500), retries: { attempts: 2, perTryTimeout: '1000ms' } });
    expect(sim).not.toRoute({ host: catalog }, { timeout: '2.4s' });
  });

  test('fail on a host the manifests do not know, in both directions', () => {
    const { chart } = shop();
    const sim = MeshSimulator.fromManifests(MeshTesting.synth(chart).manifests);
    expect(() => expect(sim).toHaveNoRoute({ host: 'catolog.production' })).toThrow(/unknown host "catolog.production".*typo/);
    expect(() => expect(sim).not.toHaveNoRoute({ host: 'catolog.production' })).toThrow(/unknown host/);
    expect(() => expect(sim).toAllow({ to: 'catolog.production', fromPrincipal: 'cluster.local/ns/production/sa/order' })).toThrow(/unknown host/);
  });

  test('a service deployed elsewhere is a known host once the mesh routes it', () => {
    const { chart, ns } = meshChart();
    const ratings = MeshService.fromAttributes(chart, 'Ratings', { namespace: ns, name: 'ratings', serviceAccount: 'ratings', port: 9080, versions: ['v1'] });
    new CanaryRoute(chart, 'Route', { service: ratings, defaultDestination: Destination.version('v1') });
    const sim = MeshSimulator.fromManifests(MeshTesting.synth(chart).manifests);
    expect(sim).toRoute({ host: ratings }, { subset: 'v1', weight: 100 });
  });
});
