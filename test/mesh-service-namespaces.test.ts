import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AdoptedMeshNamespace, CanaryRoute, CircuitBreaker, ConnectionPool, DataPlaneMode, Destination, HttpMethod, installMeshMatchers, LocalRateLimit, MeshNamespace,
  MeshService, MeshSimulator, MeshTesting, MtlsMode, PathMatch, SidecarScope, TokenBucket, ZeroTrustPolicy,
} from '../src';
import { collectFindings } from '../src/warnings';
import { meshChart, one, service, synth } from './helpers';

installMeshMatchers();

/** Kinds of the mesh objects that select the service's pods (workloadSelector / selector). */
const SELECTING = ['AuthorizationPolicy', 'PeerAuthentication', 'Sidecar', 'EnvoyFilter'];

/** The pod selector of a workload-level mesh object, whatever field the kind keeps it in. */
function selectorOf(o: any): unknown {
  return o.spec?.selector?.matchLabels ?? o.spec?.workloadSelector?.labels;
}

/** GIVEN a Helm-deployed payments service in namespace `payments`, which the app neither declares nor adopts. */
function helmPayments(meshProps = {}) {
  const { chart, mesh, ns } = meshChart(meshProps);
  const payments = MeshService.fromAttributes(chart, 'Payments', {
    namespace: 'payments', mesh, name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1', 'v2'],
  });
  return { chart, mesh, ns, payments };
}

/** What the payments Helm chart deploys (for the simulator: the cluster holds it, the app does not write it). */
function helmObjects(): any[] {
  const labels = { app: 'payments', version: 'v1' };
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments', namespace: 'payments' }, spec: { selector: { app: 'payments' }, ports: [{ name: 'http', port: 8080 }] } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payments-v1', namespace: 'payments' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { serviceAccountName: 'payments', containers: [{ name: 'payments', image: 'registry.example.com/payments:1.0.0' }] } } },
    },
  ];
}

describe('MeshService.fromAttributes in a namespace the app neither declares nor adopts', () => {
  test('GIVEN only a namespace name WHEN every service construct takes the service THEN the mesh writes only its own objects there, each selecting its pods', () => {
    // GIVEN
    const { chart, mesh, ns, payments } = helmPayments();
    const order = service(chart, ns, 'order-service');
    // WHEN
    new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
    new CircuitBreaker(chart, 'Breaker', { service: payments, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 10 } }) });
    new LocalRateLimit(chart, 'Limit', { service: payments, tokenBucket: TokenBucket.of({ maxTokens: 10, tokensPerFill: 10, fillInterval: Duration.seconds(1) }) });
    payments.allowFrom(order, { methods: [HttpMethod.POST] });
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }] }).requireMtls(payments, MtlsMode.STRICT);
    new SidecarScope(chart, 'Scope', { mesh, services: [payments] });
    const objects = synth(chart);
    // THEN the handle says the namespace is not the app's
    expect(payments.namespace).toBe('payments');
    expect(payments.meshNamespace).toBeUndefined();
    // AND in payments: the host's routing objects and policies selecting app=payments, nothing else
    const inPayments = objects.filter((o) => o.metadata.namespace === 'payments');
    expect(inPayments.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AuthorizationPolicy/payments-allow', 'DestinationRule/payments', 'EnvoyFilter/payments-local-ratelimit', 'PeerAuthentication/payments', 'Sidecar/payments', 'VirtualService/payments',
    ]);
    for (const o of inPayments.filter((x) => SELECTING.includes(x.kind))) expect(selectorOf(o)).toEqual({ app: 'payments' });
    // AND no Namespace, no namespace-wide default deny or PeerAuthentication for it (they are written for production only)
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['production']);
    expect(objects.filter((o) => o.metadata.name === 'default-deny').map((o) => o.metadata.namespace)).toEqual(['production']);
    expect(mesh.model.namespace('payments')).toMatchObject({ adoption: 'named', waypoint: false, source: 'test/Payments' });
  });

  test('GIVEN one allow rule WHEN another caller calls THEN it is denied: the ALLOW policy selecting the pods keeps the service deny-by-default without a namespace default deny', () => {
    // GIVEN payments allows only order-service, and no default deny covers namespace payments
    const { chart, ns, payments } = helmPayments();
    const order = service(chart, ns, 'order-service');
    const stranger = service(chart, ns, 'stranger');
    payments.allowFrom(order, { methods: [HttpMethod.POST], paths: [PathMatch.prefix('/pay')] });
    // WHEN the app is synthesized and validated
    const { manifests, errors } = MeshTesting.synth(chart as any);
    expect(errors).toEqual([]);
    // the cluster also holds what the Helm chart deployed: payments' Service and pods
    const sim = MeshSimulator.fromManifests([...manifests, ...helmObjects()]);
    // THEN (Istio authorization: with an ALLOW policy on a workload, a request no rule matches is denied)
    expect(sim).toAllow({ to: payments, fromPrincipal: order, method: 'POST', path: '/pay/1' });
    expect(sim).toDeny({ to: payments, fromPrincipal: stranger, method: 'POST', path: '/pay/1' });
    expect(sim).toDeny({ to: payments, fromPrincipal: order, method: 'GET', path: '/pay/1' });
  });

  test('GIVEN no allow rule on a service in an undeclared namespace THEN synth warns CI5004 once (nothing denies requests to it); one allow rule silences it', () => {
    // GIVEN payments routed but never allowed
    const { chart, ns, payments } = helmPayments();
    new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.version('v1') });
    // WHEN synthesized (twice: validation may run more than once)
    synth(chart);
    synth(chart);
    // THEN
    const open = collectFindings(chart).filter((f) => f.code === 'CI5004');
    expect(open).toMatchObject([{ level: 'warning', path: 'test/Payments', message: expect.stringMatching(/payments runs in namespace payments, which this app neither declares nor adopts, and has no allow rule/) }]);
    // AND with an allow rule (in a fresh app) there is none
    const again = helmPayments();
    again.payments.allowFrom(service(again.chart, again.ns, 'order-service'));
    synth(again.chart);
    expect(collectFindings(again.chart).filter((f) => f.code === 'CI5004')).toEqual([]);
    expect(ns.name).toBe('production');
  });

  test('GIVEN a service from attributes as a caller THEN its principal is declared external on the policy (its ServiceAccount is not in the output), and validation passes', () => {
    // GIVEN order-service allows the Helm-deployed payments
    const { chart, ns, payments } = helmPayments();
    const order = service(chart, ns, 'order-service');
    order.allowFrom(payments, { methods: [HttpMethod.POST] });
    // WHEN
    const { manifests, errors } = MeshTesting.synth(chart as any);
    // THEN no CI3002 (principal of no ServiceAccount in the set), and lint of the YAML knows it from the annotation
    expect(errors).toEqual([]);
    expect(one(manifests, 'AuthorizationPolicy', 'order-service-allow').metadata.annotations).toEqual({ 'validation.cdk8s-istio.io/external-principals': 'cluster.local/ns/payments/sa/payments' });
  });

  test('GIVEN two services naming one undeclared namespace THEN they share it; declaring it afterwards is refused, naming the first service', () => {
    const { chart, mesh } = helmPayments();
    const ledger = MeshService.fromAttributes(chart, 'Ledger', { namespace: 'payments', mesh, name: 'ledger', serviceAccount: 'ledger', port: 8080, versions: ['v1'] });
    expect(ledger.namespace).toBe('payments');
    expect(() => new MeshNamespace(chart, 'PaymentsNs', { mesh, name: 'payments' }))
      .toThrow(/^\[test\/PaymentsNs\] name: "payments" is invalid: namespace payments is already named by test\/Payments as a namespace this app neither declares nor adopts.*Hint: declare \(new MeshNamespace\) or adopt \(MeshNamespace\.fromName\) the namespace before the services in it/);
    expect(() => MeshNamespace.fromName(chart, 'Adopt', 'payments', { mesh })).toThrow(/already named by test\/Payments/);
  });

  test('GIVEN an undeclared namespace THEN no namespace-wide policy is written into it, even through the model', () => {
    const { mesh } = helmPayments();
    expect(() => mesh.model.secureNamespace({ namespace: 'payments', defaultDeny: true, source: 'test/Zt' }))
      .toThrow(/^\[test\/Zt\] namespace: "payments" is invalid: the namespace is only named by a service deployed elsewhere.*Hint: adopt the namespace with MeshNamespace\.fromName/);
  });

  test('GIVEN a name the mesh declares or adopts THEN that namespace is used', () => {
    const { chart, mesh, ns } = meshChart();
    const adopted = MeshNamespace.fromName(chart, 'Billing', 'billing', { mesh });
    const a = MeshService.fromAttributes(chart, 'A', { namespace: 'production', mesh, name: 'a', serviceAccount: 'a', port: 8080, versions: ['v1'] });
    const b = MeshService.fromAttributes(chart, 'B', { namespace: 'billing', mesh, name: 'b', serviceAccount: 'b', port: 8080, versions: ['v1'] });
    expect(a.meshNamespace).toBe(ns);
    expect(b.meshNamespace).toBe(adopted);
  });

  test.each([
    ['Bad_Ns', /attrs\.namespace: "Bad_Ns" is invalid: a namespace name/],
    ['istio-system', /attrs\.namespace: "istio-system" is invalid: istio-system is the mesh root namespace/],
    ['kube-system', /attrs\.namespace: "kube-system" is invalid: kube-system is a cluster system namespace/],
  ])('GIVEN the namespace name %p THEN it is refused', (name, message) => {
    const { chart, mesh } = meshChart();
    expect(() => MeshService.fromAttributes(chart, 'P', { namespace: name, mesh, name: 'p', serviceAccount: 'p', port: 8080, versions: ['v1'] })).toThrow(message);
  });

  test('GIVEN ambient WHEN a service in an undeclared namespace is routed THEN it is refused: the mesh writes no waypoint there, and the hint names fromName', () => {
    const { chart, payments } = helmPayments({ dataPlane: DataPlaneMode.AMBIENT });
    expect(() => new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.version('v1') }))
      .toThrow(/namespace: "payments" is invalid: routes and connection policies are applied by a waypoint in ambient mode, but namespace payments is only named by a service deployed elsewhere.*Hint: adopt the namespace with MeshNamespace\.fromName\(scope, id, 'payments', \{ mesh, waypoint: true \}\)/);
  });
});

describe('MeshNamespace.fromName: a namespace that exists (Helm), adopted with the mesh\'s namespace policies', () => {
  test('GIVEN an adopted namespace WHEN it is secured and scoped THEN its namespace policies are written, but no Namespace object', () => {
    // GIVEN
    const { chart, mesh, ns } = meshChart();
    const adopted = MeshNamespace.fromName(chart, 'Payments', 'payments', { mesh });
    const payments = MeshService.fromAttributes(chart, 'PaymentsSvc', { namespace: adopted, name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1'] });
    const ledger = service(chart, adopted, 'ledger');
    const order = service(chart, ns, 'order-service');
    payments.allowFrom(order);
    // WHEN
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }, { namespace: adopted, mtls: MtlsMode.STRICT }] });
    new SidecarScope(chart, 'Scope', { mesh, namespaces: [adopted] });
    const objects = synth(chart);
    // THEN the handle is honest: no Namespace object, and the labels its owner must set
    expect(adopted.resource).toBeUndefined();
    expect(AdoptedMeshNamespace.isAdoptedMeshNamespace(adopted)).toBe(true);
    expect(MeshNamespace.isMeshNamespace(adopted)).toBe(false);
    expect(MeshNamespace.isIMeshNamespace(adopted) && MeshNamespace.isIMeshNamespace(ns)).toBe(true);
    expect(adopted.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['production']);
    // AND the namespace-wide policies and the services' objects are written there
    const denyIn = (n: string) => one(objects.filter((o) => o.metadata.namespace === n), 'AuthorizationPolicy', 'default-deny').spec;
    expect(denyIn('payments')).toEqual(denyIn('production'));
    expect(one(objects.filter((o) => o.metadata.namespace === 'payments'), 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(objects.filter((o) => o.kind === 'Sidecar' && o.metadata.namespace === 'payments').map((o) => o.metadata.name).sort()).toEqual(['ledger', 'payments']);
    // AND a TracedService deploys into it as into any namespace
    expect(one(objects, 'Deployment', 'ledger-v1').metadata.namespace).toBe('payments');
    expect(ledger.meshNamespace).toBe(adopted);
  });

  test('GIVEN a revisioned control plane THEN the labels say istio.io/rev', () => {
    const { chart, mesh } = meshChart();
    const adopted = MeshNamespace.fromName(chart, 'Payments', 'payments', { mesh });
    mesh.model.setRevision('canary', 'test/Cp');
    expect(adopted.labels).toEqual({ 'istio.io/rev': 'canary' });
  });

  test.each([
    ['Bad_Ns', {}, /\[test\/A\] name: "Bad_Ns" is invalid: a namespace name/],
    ['istio-system', {}, /name: "istio-system" is invalid: istio-system is the mesh root namespace/],
    ['payments', { waypoint: 'yes' }, /options\.waypoint: "yes" is invalid: must be a boolean/],
    ['production', {}, /\[test\/A\] name: "production" is invalid: namespace production is already declared by test\/Production/],
  ])('GIVEN %p %p THEN it is refused', (name, options, message) => {
    const { chart, mesh } = meshChart();
    expect(() => MeshNamespace.fromName(chart, 'A', name, { mesh, ...options } as any)).toThrow(message);
  });

  test('GIVEN ambient and an adopted namespace without waypoint WHEN a service is routed THEN it is refused, naming the option', () => {
    const { chart, mesh } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    const adopted = MeshNamespace.fromName(chart, 'Payments', 'payments', { mesh });
    const payments = MeshService.fromAttributes(chart, 'PaymentsSvc', { namespace: adopted, name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1'] });
    expect(() => new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.version('v1') }))
      .toThrow(/namespace payments is adopted with waypoint: false.*Hint: adopt it with waypoint: true/);
  });

  test('GIVEN ambient and an adopted namespace with waypoint: true WHEN a Helm service is routed THEN the waypoint Gateway is written and the labels list what its owner must set', () => {
    // GIVEN
    const { chart, mesh } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    const adopted = MeshNamespace.fromName(chart, 'Payments', 'payments', { mesh, waypoint: true });
    const payments = MeshService.fromAttributes(chart, 'PaymentsSvc', { namespace: adopted, name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1'] });
    // WHEN
    new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.version('v1') });
    const objects = synth(chart);
    // THEN
    expect(one(objects, 'Gateway', 'waypoint').metadata.namespace).toBe('payments');
    expect(adopted.waypoint?.namespace).toBe('payments');
    // The ingress label on the namespace: Istio reads it there for a Service without its own
    // (ingressUseWaypointFromLabels, pilot/pkg/serviceregistry/ambient/services.go, Istio 1.30.3).
    expect(adopted.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true' });
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['production']);
  });
});

describe('ambient: istio.io/ingress-use-waypoint for adopted services', () => {
  /** GIVEN a cdk8s-plus Service and Deployment in production, optionally with the app's own ingress label. */
  function plus(chart: Construct, ownLabel?: string) {
    const sa = new kplus.ServiceAccount(chart, 'ReviewsSa', { metadata: { name: 'reviews', namespace: 'production' } });
    const d = new kplus.Deployment(chart, 'ReviewsV1', {
      metadata: { name: 'reviews-v1', namespace: 'production' }, serviceAccount: sa,
      containers: [{ image: 'registry.example.com/reviews:1.0.0', portNumber: 9080 }],
    });
    d.podMetadata.addLabel('app', 'reviews');
    d.podMetadata.addLabel('version', 'v1');
    const svc = new kplus.Service(chart, 'ReviewsService', { metadata: { name: 'reviews', namespace: 'production', ...(ownLabel ? { labels: { 'istio.io/ingress-use-waypoint': ownLabel } } : {}) }, ports: [{ name: 'http', port: 9080 }] });
    svc.selectLabel('app', 'reviews');
    return { d, svc };
  }

  test('GIVEN fromWorkloads in a namespace with a waypoint THEN the adopted Service carries the label, as a TracedService\'s does', () => {
    // GIVEN
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    const { d, svc } = plus(chart);
    const reviews = MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [d] });
    // WHEN a route makes the namespace need its waypoint
    new CanaryRoute(chart, 'Route', { service: reviews, defaultDestination: Destination.version('v1') });
    const objects = synth(chart);
    // THEN
    expect(one(objects, 'Service', 'reviews').metadata.labels).toEqual({ 'istio.io/ingress-use-waypoint': 'true' });
    expect(one(objects, 'Namespace', 'production').metadata.labels).not.toHaveProperty(['istio.io/ingress-use-waypoint']);
  });

  test('GIVEN fromWorkloads with no L7 intent (no waypoint) THEN the Service is left unlabelled', () => {
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    const { d, svc } = plus(chart);
    MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [d] });
    expect(one(synth(chart), 'Service', 'reviews').metadata.labels).toBeUndefined();
  });

  test('GIVEN the app set the label itself THEN its value wins', () => {
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    const { d, svc } = plus(chart, 'false');
    const reviews = MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [d] });
    new CanaryRoute(chart, 'Route', { service: reviews, defaultDestination: Destination.version('v1') });
    expect(one(synth(chart), 'Service', 'reviews').metadata.labels).toEqual({ 'istio.io/ingress-use-waypoint': 'false' });
  });

  test('GIVEN fromAttributes in a MeshNamespace with a waypoint THEN the Namespace carries the label (Istio falls back to it: services.go ingressUseWaypointFromLabels, 1.30.3)', () => {
    // GIVEN a Helm service the mesh cannot label, routed through the namespace waypoint
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    const payments = MeshService.fromAttributes(chart, 'Payments', { namespace: ns, name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1'] });
    new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.version('v1') });
    // WHEN
    const objects = synth(chart);
    // THEN
    expect(one(objects, 'Namespace', 'production').metadata.labels).toMatchObject({ 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true' });
    expect(ns.labels).toMatchObject({ 'istio.io/ingress-use-waypoint': 'true' });
  });

  test('GIVEN only TracedServices THEN the Namespace does not carry it (their Services do)', () => {
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    const order = service(chart, ns, 'order-service');
    new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1') });
    const objects = synth(chart);
    expect(one(objects, 'Namespace', 'production').metadata.labels).not.toHaveProperty(['istio.io/ingress-use-waypoint']);
    expect(one(objects, 'Service', 'order-service').metadata.labels).toMatchObject({ 'istio.io/ingress-use-waypoint': 'true' });
  });
});

describe('MeshService.fromWorkloads reads the objects once: later changes are refused at synth', () => {
  /** GIVEN a raw Service and Deployment in production. */
  function raw(chart: Construct) {
    const svc = new ApiObject(chart, 'RatingsSvc', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'ratings', namespace: 'production' },
      spec: { selector: { app: 'ratings' }, ports: [{ name: 'http', port: 80, targetPort: 9080 }] },
    });
    const dep = new kplus.Deployment(chart, 'RatingsV1', {
      metadata: { name: 'ratings-v1', namespace: 'production' },
      serviceAccount: new kplus.ServiceAccount(chart, 'RatingsSa', { metadata: { name: 'ratings', namespace: 'production' } }),
      containers: [{ image: 'registry.example.com/ratings:1.0.0', portNumber: 9080 }],
    });
    dep.podMetadata.addLabel('app', 'ratings');
    return { svc, dep };
  }

  test('GIVEN the version label set before adopting THEN synth is clean', () => {
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart);
    dep.podMetadata.addLabel('version', 'v1');
    const ratings = MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] });
    expect(ratings.versions).toEqual(['v1']);
    expect(MeshTesting.synth(chart as any).errors).toEqual([]);
  });

  test('GIVEN the version label set after adopting THEN adopting fails at once, naming the missing label', () => {
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart);
    expect(() => MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] })).toThrow(/its pod template has no version label/);
  });

  test('GIVEN a label changed after adopting THEN synth fails, naming the Deployment, the old and the new value', () => {
    // GIVEN v1 adopted, then relabelled v2 (the mesh's subsets still say v1)
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart);
    dep.podMetadata.addLabel('version', 'v1');
    MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] });
    dep.podMetadata.addLabel('version', 'v2');
    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/Ratings\] props\.deployments\[0\]: "v2" is invalid: the pods' version label was "v1" when adopted; it changed after MeshService\.fromWorkloads read the objects.*Hint: set labels, ports, replicas and the ServiceAccount before calling MeshService\.fromWorkloads/);
  });

  test('GIVEN the port changed after adopting THEN synth fails, naming the port', () => {
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart);
    dep.podMetadata.addLabel('version', 'v1');
    MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] });
    svc.addJsonPatch(JsonPatch.replace('/spec/ports/0/targetPort', 9090));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/Ratings\] props\.service: \{"name":"http","port":80,"targetPort":9090\} is invalid: the mesh port was \{"name":"http","port":80,"targetPort":9080\} when adopted/);
  });

  test('GIVEN the selector label removed from the pods after adopting THEN synth fails with the check adopting applies', () => {
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart);
    dep.podMetadata.addLabel('version', 'v1');
    MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] });
    svc.addJsonPatch(JsonPatch.replace('/spec/selector', { app: 'ratings', tier: 'web' }));
    expect(() => Testing.synth(chart)).toThrow(/props\.deployments\[0\]: .* is invalid: its pods lack the Service selector label\(s\) tier=web.*; it changed after MeshService\.fromWorkloads read the objects/);
  });
});

describe('adopted namespaces across two copies of the package (symbol brands)', () => {
  test('GIVEN a namespace adopted with another copy of the package THEN this copy\'s constructs take it', () => {
    // GIVEN a second, independent copy of the library, as a second install would load it
    let B: typeof import('../src');
    jest.isolateModules(() => {
      B = require('../src');
    });
    const { chart, mesh } = meshChart();
    const adopted = B!.MeshNamespace.fromName(chart, 'Billing', 'billing', { mesh: mesh as any });
    // WHEN / THEN this copy recognises it, and a service and a policy of this copy take it
    expect(AdoptedMeshNamespace.isAdoptedMeshNamespace(adopted)).toBe(true);
    expect(adopted instanceof AdoptedMeshNamespace).toBe(true);
    expect(MeshNamespace.isIMeshNamespace(adopted)).toBe(true);
    const invoices = MeshService.fromAttributes(chart, 'Invoices', { namespace: adopted as any, name: 'invoices', serviceAccount: 'invoices', port: 8080, versions: ['v1'] });
    new ZeroTrustPolicy(chart, 'Zt', { mesh, namespaces: [{ namespace: adopted as any }] });
    expect(invoices.meshNamespace).toBe(adopted);
    expect(one(synth(chart).filter((o) => o.metadata.namespace === 'billing'), 'AuthorizationPolicy', 'default-deny')).toBeDefined();
  });

  test.each([undefined, null, 'billing', {}])('GIVEN %p THEN the guards are false', (x) => {
    expect(AdoptedMeshNamespace.isAdoptedMeshNamespace(x)).toBe(false);
    expect(MeshNamespace.isIMeshNamespace(x)).toBe(false);
  });
});
