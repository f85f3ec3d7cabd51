import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { MeshApp, MeshChart, MeshNamespace, Mesh, MtlsMode, TracedService, ZeroTrustPolicy } from '../../src';
import { APPLY_ORDER, applyOrder, applyRank } from '../../src/synth/apply-order';
import { buildReferenceApp } from '../../examples/reference-app';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'apply-order-'));
const id = (m: any) => `${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;

/** One object of each kind the reference apps write, plus a kind we do not know. */
const KINDS: Array<[apiVersion: string, kind: string]> = [
  ['v1', 'Namespace'],
  ['security.istio.io/v1', 'PeerAuthentication'],
  ['security.istio.io/v1', 'AuthorizationPolicy'],
  ['networking.istio.io/v1', 'Sidecar'],
  ['networking.istio.io/v1', 'DestinationRule'],
  ['networking.istio.io/v1alpha3', 'EnvoyFilter'],
  ['telemetry.istio.io/v1', 'Telemetry'],
  ['v1', 'ServiceAccount'],
  ['v1', 'Service'],
  ['gateway.networking.k8s.io/v1', 'Gateway'],
  ['apps/v1', 'Deployment'],
  ['networking.istio.io/v1', 'VirtualService'],
  ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
  ['flagger.app/v1beta1', 'Canary'],
  ['example.com/v1', 'Widget'],
];

describe('apply order', () => {
  test('the documented order: Namespaces, mesh policy, identities, Services, workloads, routes', () => {
    const rank = (apiVersion: string, kind: string) => applyRank({ apiVersion, kind });
    const chain = [
      rank('v1', 'Namespace'),
      rank('security.istio.io/v1', 'PeerAuthentication'),
      rank('security.istio.io/v1', 'AuthorizationPolicy'),
      rank('networking.istio.io/v1', 'Sidecar'),
      rank('networking.istio.io/v1', 'DestinationRule'),
      rank('v1', 'ServiceAccount'),
      rank('v1', 'Service'),
      rank('policy/v1', 'PodDisruptionBudget'),
      rank('apps/v1', 'Deployment'),
      rank('autoscaling/v2', 'HorizontalPodAutoscaler'),
      rank('networking.istio.io/v1', 'VirtualService'),
      rank('gateway.networking.k8s.io/v1', 'HTTPRoute'),
      rank('example.com/v1', 'Widget'),
    ];
    expect([...chain].sort((a, b) => a - b)).toEqual(chain);
    // the group matters: a Service of another API group is not a core Service
    expect(rank('serving.knative.dev/v1', 'Service')).toBe(APPLY_ORDER.length);
  });

  test('property: whatever order constructs are created in, kinds come in rank order and each kind keeps creation order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...KINDS.keys()), { minLength: 1, maxLength: 30 }),
        (picks) => {
          // GIVEN raw objects created in a random order
          const app = new MeshApp({ outdir: tmp(), validation: false });
          const chart = new MeshChart(app, 'c');
          picks.forEach((k, i) => new ApiObject(chart, `o${i}`, { apiVersion: KINDS[k][0], kind: KINDS[k][1], metadata: { name: `o${i}` } }));
          // WHEN resolved
          const out = app.synthFiles()[0].manifests.map((m) => m.manifest);
          // THEN ranks never decrease, and within a kind the creation order is kept
          const ranks = out.map((m) => applyRank(m));
          expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
          for (const [, kind] of KINDS) {
            const names = out.filter((m) => m.kind === kind).map((m) => Number(m.metadata.name.slice(1)));
            expect([...names].sort((a, b) => a - b)).toEqual(names);
          }
          expect(out).toHaveLength(picks.length);
        },
      ),
      { numRuns: 50, seed: 20 },
    );
  });

  test('a ZeroTrustPolicy created in the tree before its namespace still comes after the Namespace, and before the Deployments', () => {
    // GIVEN the policies in a scope that comes first in the construct tree
    const app = new MeshApp({ outdir: tmp() });
    const chart = new MeshChart(app, 'shop');
    const policies = new Construct(chart, 'Policies');
    const mesh = new Mesh(chart, 'Mesh');
    const production = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    new ZeroTrustPolicy(policies, 'ZeroTrust', { mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: production }] });
    new TracedService(chart, 'Orders', { namespace: production, name: 'orders', imageRepository: 'registry.example.com/orders', versions: [{ name: 'v1' }], openTelemetry: { enabled: false } });
    // WHEN written
    const order = app.synthFiles()[0].manifests.map((m) => id(m.manifest));
    // THEN Namespace first, the default deny and mTLS before the ServiceAccount and the Deployment
    expect(order[0]).toBe('Namespace//production');
    const at = (s: string) => order.findIndex((o) => o.startsWith(s));
    expect(at('AuthorizationPolicy/production/default-deny')).toBeGreaterThan(0);
    expect(at('PeerAuthentication/')).toBeGreaterThan(0);
    expect(at('AuthorizationPolicy/production/default-deny')).toBeLessThan(at('ServiceAccount/'));
    expect(at('PeerAuthentication/')).toBeLessThan(at('Deployment/'));
    expect(at('Service/')).toBeLessThan(at('Deployment/'));
  });

  test('the reference app written in apply order: the kinds in their documented sequence', () => {
    const app = new MeshApp({ outdir: tmp() });
    buildReferenceApp(new MeshChart(app, 'reference-app'));
    const kinds = app.synthFiles()[0].manifests.map((m) => m.manifest.kind);
    const runs = kinds.filter((k, i) => i === 0 || kinds[i - 1] !== k);
    expect(runs).toEqual([
      'Namespace', 'PeerAuthentication', 'AuthorizationPolicy', 'Sidecar', 'DestinationRule', 'EnvoyFilter', 'Telemetry',
      'ServiceAccount', 'Service', 'PodDisruptionBudget', 'Deployment', 'VirtualService',
    ]);
  });

  test('a declared dependency wins over the kind rank; everything else stays in apply order', () => {
    // GIVEN a ConfigMap that must come after a Deployment
    const app = new MeshApp({ outdir: tmp(), validation: false });
    const chart = new MeshChart(app, 'c');
    const dep = new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } });
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    new ApiObject(chart, 'vs', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' } });
    cm.addDependency(dep);
    // WHEN written THEN the Namespace first, the Deployment before the ConfigMap, the route last
    expect(app.synthFiles()[0].manifests.map((m) => m.manifest.kind)).toEqual(['Namespace', 'Deployment', 'ConfigMap', 'VirtualService']);
  });

  test('applyOrder: a dependency cycle is an error', () => {
    expect(() => applyOrder([1, 2], () => 0, (i) => [1 - i])).toThrow(/dependency cycle/);
  });
});
