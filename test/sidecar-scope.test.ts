import { ApiObject, Testing } from 'cdk8s';
import { buildReferenceApp } from '../examples/reference-app';
import {
  DataPlaneMode,
  EgressHost,
  ExtensionProvider,
  ExternalIdentity,
  HttpMethod,
  Mesh,
  MeshNamespace,
  SidecarScope,
  ZeroTrustPolicy,
  callGraphOf,
  networking,
} from '../src';
import { validateManifests } from '../src/validation';
import { meshChart, one, service, synth } from './helpers';

const ROOT = 'istio-system/*';
const COLLECTOR = 'observability/otel-collector.observability.svc.cluster.local';
const fqdn = (name: string, ns = 'production') => `${ns}/${name}.${ns}.svc.cluster.local`;
const sidecars = (objects: any[]) => objects.filter((o) => o.kind === 'Sidecar');
const hostsOf = (objects: any[], name: string) => one(sidecars(objects), 'Sidecar', name).spec.egress[0].hosts;
/** The validation layer's findings of one code over a chart's synthesized objects (what MeshApp runs at synth). */
const findings = (chart: any, code: string) => validateManifests(synth(chart).map((manifest) => ({ manifest }))).filter((f) => f.code === code);

/** GIVEN a traced mesh with frontend → backend → db in `production` and a lonely service. */
function callChain() {
  const g = meshChart();
  const frontend = service(g.chart, g.ns, 'frontend');
  const backend = service(g.chart, g.ns, 'backend');
  const db = service(g.chart, g.ns, 'db');
  const lonely = service(g.chart, g.ns, 'lonely');
  backend.allowFrom(frontend, { methods: [HttpMethod.GET] });
  db.allowFrom(backend);
  return { ...g, frontend, backend, db, lonely };
}

describe('SidecarScope: egress hosts', () => {
  test('one networking.istio.io/v1 Sidecar per workload, in its namespace, selecting app: <service>', () => {
    // GIVEN
    const { chart, mesh, ns } = callChain();
    // WHEN
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    // THEN
    const objects = synth(chart);
    expect(sidecars(objects).map((s) => s.metadata.name).sort()).toEqual(['backend', 'db', 'frontend', 'lonely']);
    expect(one(objects, 'Sidecar', 'frontend')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'frontend', namespace: 'production' },
      spec: {
        workloadSelector: { labels: { app: 'frontend' } },
        egress: [{ hosts: [ROOT, COLLECTOR, fqdn('backend')] }],
      },
    });
  });

  test('hosts are exactly the callees, the root namespace and the tracing collector', () => {
    // GIVEN
    const { chart, mesh, ns } = callChain();
    // WHEN
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    const objects = synth(chart);
    // THEN
    expect(hostsOf(objects, 'frontend')).toEqual([ROOT, COLLECTOR, fqdn('backend')]);
    expect(hostsOf(objects, 'backend')).toEqual([ROOT, COLLECTOR, fqdn('db')]);
    expect(hostsOf(objects, 'db')).toEqual([ROOT, COLLECTOR]);
    expect(hostsOf(objects, 'lonely')).toEqual([ROOT, COLLECTOR]);
  });

  test('a service with no declared callees and no tracing gets only istio-system/*', () => {
    // GIVEN a mesh without tracing
    const chart = Testing.chart();
    const mesh = new Mesh(chart, 'Mesh');
    const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    const quiet = service(chart, ns, 'quiet', { openTelemetry: { enabled: false } });
    // WHEN
    new SidecarScope(chart, 'Scope', { mesh, services: [quiet] });
    // THEN
    expect(hostsOf(synth(chart), 'quiet')).toEqual(['istio-system/*']);
  });

  test('the root namespace entry follows the mesh root namespace', () => {
    // GIVEN
    const { chart, ns, mesh } = (() => {
      const c = Testing.chart();
      const m = new Mesh(c, 'Mesh', { rootNamespace: 'mesh-root' });
      return { chart: c, mesh: m, ns: new MeshNamespace(c, 'Production', { mesh: m, name: 'production' }) };
    })();
    const svc = service(chart, ns, 'svc', { openTelemetry: { enabled: false } });
    // WHEN
    new SidecarScope(chart, 'Scope', { mesh, services: [svc] });
    // THEN
    expect(hostsOf(synth(chart), 'svc')).toEqual(['mesh-root/*']);
  });

  test('the collector comes from the provider: its namespace/host form is kept', () => {
    // GIVEN a provider given as ns/host in another namespace
    const provider = ExtensionProvider.openTelemetry({ name: 'jaeger', service: 'tracing/jaeger-collector.tracing.svc.cluster.local' });
    const { chart, mesh, ns } = meshChart({ tracing: { provider, samplingPercentage: 5 } });
    const svc = service(chart, ns, 'svc');
    // WHEN
    new SidecarScope(chart, 'Scope', { mesh, services: [svc] });
    // THEN
    expect(hostsOf(synth(chart), 'svc')).toEqual([ROOT, 'tracing/jaeger-collector.tracing.svc.cluster.local']);
  });

  test('sorted and de-duplicated: two rules to one callee and an explicit duplicate give one entry', () => {
    // GIVEN
    const { chart, mesh, frontend, backend } = callChain();
    backend.allowFrom(frontend, { methods: [HttpMethod.POST] });
    const other = new MeshNamespace(chart, 'Billing', { mesh, name: 'billing' });
    const invoices = service(chart, other, 'invoices');
    invoices.allowFrom(frontend);
    // WHEN
    const scope = new SidecarScope(chart, 'Scope', { mesh, services: [frontend], egressHosts: [EgressHost.of('*', 'api.stripe.com')] });
    scope.addEgress(frontend, EgressHost.service(backend), EgressHost.of('observability', 'otel-collector.observability.svc.cluster.local'));
    // THEN
    expect(hostsOf(synth(chart), 'frontend')).toEqual([
      '*/api.stripe.com',
      fqdn('invoices', 'billing'),
      ROOT,
      COLLECTOR,
      fqdn('backend'),
    ]);
  });

  test('scope-wide egress hosts go to every scoped workload, addEgress only to its service', () => {
    // GIVEN
    const { chart, mesh, ns } = callChain();
    // WHEN
    const scope = new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns], egressHosts: [EgressHost.namespace('shared')] });
    scope.addEgress(scope.services.find((s) => s.name === 'db')!, EgressHost.of('databases', 'pg.databases.svc.cluster.local'));
    const objects = synth(chart);
    // THEN
    expect(hostsOf(objects, 'lonely')).toEqual([ROOT, COLLECTOR, 'shared/*']);
    expect(hostsOf(objects, 'db')).toEqual(['databases/pg.databases.svc.cluster.local', ROOT, COLLECTOR, 'shared/*']);
  });

  test('callers that are external identities get no Sidecar and add no hosts', () => {
    // GIVEN the ingress gateway may call frontend
    const { chart, mesh, ns, frontend } = callChain();
    frontend.allowFrom(ExternalIdentity.serviceAccount({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' }));
    // WHEN
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    const objects = synth(chart);
    // THEN
    expect(sidecars(objects)).toHaveLength(4);
    expect(objects.filter((o) => o.kind === 'Sidecar').every((s) => !s.spec.egress[0].hosts.includes(fqdn('frontend')))).toBe(true);
  });

  test('allow rules added after the scope still reach the Sidecars (rendered at synth)', () => {
    // GIVEN
    const { chart, mesh, ns, lonely, db } = callChain();
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    // WHEN
    db.allowFrom(lonely);
    // THEN
    expect(hostsOf(synth(chart), 'lonely')).toEqual([ROOT, COLLECTOR, fqdn('db')]);
  });
});

describe('SidecarScope: the call graph and the Sidecars agree', () => {
  test('every AuthorizationPolicy principal → target pair is a Sidecar host, and nothing else is', () => {
    // GIVEN
    const { chart, mesh, ns } = callChain();
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, defaultDeny: true }] });
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    // WHEN
    const objects = synth(chart);
    // THEN the expected hosts, read from the rendered AuthorizationPolicies only
    const expected = new Map<string, Set<string>>();
    for (const ap of objects.filter((o) => o.kind === 'AuthorizationPolicy' && o.spec.selector)) {
      const target = ap.spec.selector.matchLabels.app;
      for (const rule of ap.spec.rules ?? []) {
        for (const from of rule.from ?? []) {
          for (const p of from.source.principals ?? []) {
            const m = /^cluster\.local\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p)!;
            const caller = m[2];
            expected.set(caller, new Set([...(expected.get(caller) ?? []), fqdn(target, ap.metadata.namespace)]));
          }
        }
      }
    }
    for (const s of sidecars(objects)) {
      const own = s.spec.egress[0].hosts.filter((h: string) => h !== ROOT && h !== COLLECTOR);
      expect([s.metadata.name, own]).toEqual([s.metadata.name, [...(expected.get(s.metadata.name) ?? [])].sort()]);
    }
    expect(expected.size).toBe(2);
  });

  test('callGraphOf(mesh) edges name exactly the hosts of the callers\' Sidecars', () => {
    // GIVEN
    const { chart, mesh, ns } = callChain();
    const scope = new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    // WHEN
    const edges = callGraphOf(mesh);
    // THEN
    for (const s of scope.services) {
      const fromEdges = edges.filter((e) => e.caller.namespace === s.namespace && e.caller.serviceAccount === s.serviceAccountName)
        .map((e) => `${e.target.namespace}/${e.target.name}.${e.target.namespace}.svc.cluster.local`);
      const own = scope.egressOf(s)!.hosts.filter((h) => h !== ROOT && h !== COLLECTOR);
      expect(own).toEqual([...new Set(fromEdges)].sort());
    }
  });

  test('services sharing a ServiceAccount share the callees (Istio authorizes principals)', () => {
    // GIVEN worker runs as frontend's identity
    const { chart, mesh, ns } = callChain();
    const worker = service(chart, ns, 'worker', { serviceAccountName: 'frontend' });
    // WHEN
    new SidecarScope(chart, 'Scope', { mesh, services: [worker] });
    // THEN
    expect(hostsOf(synth(chart), 'worker')).toEqual([ROOT, COLLECTOR, fqdn('backend')]);
  });
});

describe('SidecarScope: refused shapes', () => {
  test('scoping a namespace and a service in it', () => {
    // GIVEN
    const { chart, mesh, ns, frontend } = callChain();
    const scope = new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    // WHEN / THEN
    expect(() => scope.addService(frontend)).toThrow(/\[test\/Scope\] addService\.service: "production\/frontend" is invalid: the service is already scoped by this SidecarScope \(through namespace production\); two Sidecars selecting one workload is Istio's IST0110 error/);
  });

  test('scoping one service from two SidecarScopes', () => {
    // GIVEN
    const { chart, mesh, frontend } = callChain();
    new SidecarScope(chart, 'First', { mesh, services: [frontend] });
    // WHEN / THEN
    expect(() => new SidecarScope(chart, 'Second', { mesh, services: [frontend] })).toThrow(/already scoped by test\/First \(through service\).*IST0110/);
  });

  test('scoping a namespace twice', () => {
    const { chart, mesh, ns } = callChain();
    const scope = new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    expect(() => scope.addNamespace(ns)).toThrow(/the namespace is already scoped by this SidecarScope/);
  });

  // IST0110/IST0111 over escape hatches are the validation layer's (Istio's analyzers), run by MeshApp at synth.
  test('IST0110: a raw Sidecar selecting a scoped workload is an error at synth', () => {
    // GIVEN
    const { chart, mesh, frontend } = callChain();
    new SidecarScope(chart, 'Scope', { mesh, services: [frontend] });
    // WHEN
    new networking.Sidecar(chart, 'Raw', {
      metadata: { name: 'handmade', namespace: 'production' },
      spec: { workloadSelector: { labels: { version: 'v1' } }, egress: [{ hosts: ['./*'] }] },
    });
    // THEN both Sidecars that select frontend-v1 are reported
    const found = findings(chart, 'IST0110');
    expect(found.map((f) => f.name).sort()).toEqual(['frontend', 'handmade']);
    expect(found[0]).toMatchObject({ level: 'error', message: expect.stringMatching(/Sidecars frontend, handmade all select pod production\/frontend-v1; only one Sidecar may select a workload/) });
  });

  test('IST0110: a raw Sidecar selecting other pods only is accepted', () => {
    const { chart, mesh, frontend } = callChain();
    new SidecarScope(chart, 'Scope', { mesh, services: [frontend] });
    new networking.Sidecar(chart, 'Raw', {
      metadata: { name: 'handmade', namespace: 'production' },
      spec: { workloadSelector: { labels: { app: 'backend' } }, egress: [{ hosts: ['./*'] }] },
    });
    expect(findings(chart, 'IST0110')).toEqual([]);
  });

  test('IST0111: two selector-less Sidecars in one namespace are an error at synth; one is accepted', () => {
    // GIVEN one namespace-wide Sidecar beside the scoped workloads
    const { chart, mesh, ns } = callChain();
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    new networking.Sidecar(chart, 'Default', { metadata: { name: 'default', namespace: 'production' }, spec: { egress: [{ hosts: ['./*'] }] } });
    expect(findings(chart, 'IST0111')).toEqual([]);
    // WHEN a second one is added
    new networking.Sidecar(chart, 'Other', { metadata: { name: 'other', namespace: 'production' }, spec: { egress: [{ hosts: ['./*'] }] } });
    // THEN
    const found = findings(chart, 'IST0111');
    expect(found.map((f) => f.name).sort()).toEqual(['default', 'other']);
    expect(found[0].message).toMatch(/namespace "production" has 2 Sidecars without workloadSelector \(default, other\); at most one is allowed/);
  });

  test('a service declared after its namespace was scoped fails synth', () => {
    // GIVEN
    const { chart, mesh, ns } = callChain();
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    // WHEN
    service(chart, ns, 'late');
    // THEN
    expect(() => synth(chart)).toThrow(/service late was declared after its namespace was scoped.*Hint: create the SidecarScope after the services, or call addService for it/);
  });

  test('a late service scoped with addService is accepted', () => {
    const { chart, mesh, ns } = callChain();
    const scope = new SidecarScope(chart, 'Scope', { mesh, namespaces: [ns] });
    scope.addService(service(chart, ns, 'late'));
    expect(hostsOf(synth(chart), 'late')).toEqual([ROOT, COLLECTOR]);
  });

  test('egress added for an unscoped service fails synth', () => {
    const { chart, mesh, frontend, backend } = callChain();
    const scope = new SidecarScope(chart, 'Scope', { mesh, services: [frontend] });
    scope.addEgress(backend, EgressHost.namespace('shared'));
    expect(() => synth(chart)).toThrow(/egress hosts were added for a service this SidecarScope does not scope/);
  });

  test('ambient meshes have no sidecars: scoping is refused', () => {
    const { chart, mesh } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    expect(() => new SidecarScope(chart, 'Scope', { mesh })).toThrow(/the mesh uses the ambient data plane, which has no sidecars.*Hint: create the SidecarScope only when mesh\.isAmbient is false/);
  });

  test('a namespace or service of another mesh is refused', () => {
    const { chart, mesh } = callChain();
    const other = meshChart();
    const foreign = service(other.chart, other.ns, 'foreign');
    expect(() => new SidecarScope(chart, 'A', { mesh, namespaces: [other.ns] })).toThrow(/the namespace belongs to another mesh/);
    expect(() => new SidecarScope(chart, 'B', { mesh, services: [foreign] })).toThrow(/the service belongs to another mesh/);
  });
});

describe('EgressHost', () => {
  test.each([
    [() => EgressHost.of('observability', 'otel-collector.observability.svc.cluster.local'), 'observability/otel-collector.observability.svc.cluster.local'],
    [() => EgressHost.of('*', 'api.stripe.com'), '*/api.stripe.com'],
    [() => EgressHost.of('external', '*.example.com'), 'external/*.example.com'],
    [() => EgressHost.namespace('shared'), 'shared/*'],
  ])('valid %#', (make, value) => {
    expect(make().value).toBe(value);
  });

  test.each([
    [() => EgressHost.of('*', '*'), /"\*\/\*" makes every service of the mesh visible again/],
    [() => EgressHost.of('Prod', 'x.prod.svc.cluster.local'), /EgressHost\.of\] namespace: "Prod" is invalid: a namespace must be a DNS-1123 label/],
    [() => EgressHost.of('prod', 'bad_host'), /host: "bad_host" is invalid: "bad_host" is a short name: only fully qualified names/],
    [() => EgressHost.of('prod', 'a.*.com'), /host: "a\.\*\.com" is invalid/],
    [() => EgressHost.service({} as any), /must be a TracedService/],
  ])('invalid %#', (make, error) => {
    expect(make).toThrow(error);
  });
});

describe('reference app: egress scoping', () => {
  test('order-service reaches payment-service, the collector and istio-system; payment-service not order-service', () => {
    // GIVEN
    const chart = Testing.chart();
    buildReferenceApp(chart);
    // WHEN
    const objects = synth(chart);
    // THEN
    expect(sidecars(objects)).toHaveLength(2);
    expect(hostsOf(objects, 'order-service')).toEqual([ROOT, COLLECTOR, 'production/payment-service.production.svc.cluster.local']);
    expect(hostsOf(objects, 'payment-service')).toEqual([ROOT, COLLECTOR]);
    expect(one(objects, 'Sidecar', 'payment-service').spec.workloadSelector).toEqual({ labels: { app: 'payment-service' } });
  });

  test('scoping can be turned off for sidecar meshes', () => {
    const chart = Testing.chart();
    buildReferenceApp(chart, {}, { egressScoping: false });
    expect(chart.node.findAll().some((c) => c instanceof ApiObject && c.kind === 'Sidecar')).toBe(false);
  });
});
