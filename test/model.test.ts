import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Construct } from 'constructs';
import { buildProgressiveApp } from '../examples/progressive';
import { addMeshReport, buildReferenceApp } from '../examples/reference-app';
import {
  CanaryAnalysis,
  CanaryRoute,
  CircuitBreaker,
  ConnectionPool,
  DataPlaneMode,
  Destination,
  HeaderMatch,
  LocalRateLimit,
  MeshIntentModel,
  MetricCheck,
  RetryPolicy,
  RoutingApi,
  serviceOwner,
  TokenBucket,
} from '../src';
import { selectRenderer } from '../src/render';
import { meshChart, one, service, synth } from './helpers';

/** GIVEN a mesh with order-service (v1, v2) in production. */
function orderHost(meshProps = {}) {
  const g = meshChart(meshProps);
  const order = service(g.chart, g.ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  return { ...g, order };
}

const AB = CanaryAnalysis.abTesting({ iterations: 5, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] });
const CANARY = { match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') };

describe('the mesh model is plain, inspectable data', () => {
  test('JSON.stringify(mesh.model) holds the reference app intent, without constructs, deterministically', () => {
    // GIVEN the reference app, built twice
    const first = buildReferenceApp(Testing.chart());
    const second = buildReferenceApp(Testing.chart());
    // WHEN both models are serialized
    const json = JSON.stringify(first.mesh.model);
    // THEN the text is the same, and parsing it gives back the snapshot exactly (plain data only)
    expect(JSON.stringify(second.mesh.model)).toBe(json);
    expect(JSON.parse(json)).toEqual(first.mesh.model.snapshot());
    const data = JSON.parse(json);
    expect(data.services.map((s: any) => `${s.namespace}/${s.name}`)).toEqual(['production/order-service', 'production/payment-service']);
    expect(data.traffic.find((h: any) => h.service.name === 'order-service')).toMatchObject({
      defaults: { timeout: 10000, retries: { attempts: 3, perTryTimeout: 3000, retryOn: ['5xx', 'reset', 'connect-failure', 'refused-stream'] } },
      hostPolicy: { tcp: { maxConnections: 100 } },
      subsetPolicies: [{ version: 'v1', policy: { http: { http1MaxPendingRequests: 50 } } }],
      sources: { rules: expect.stringMatching(/\/OrderRoute$/) },
    });
    expect(data.security.workloads.find((w: any) => w.service.name === 'payment-service')).toMatchObject({
      allow: [{ source: { identities: [{ namespace: 'production', serviceAccount: 'order-service' }] } }],
      mtls: { mode: 'STRICT' },
    });
    expect(data.settings).toMatchObject({ dataPlane: 'sidecar', routingApi: 'istio', trustDomain: 'cluster.local' });
  });

  test('a snapshot is a copy: changing it changes nothing', () => {
    const { mesh, order } = orderHost();
    const snap = mesh.model.snapshot() as any;
    snap.services[0].versions.push({ name: 'v9' });
    expect(order.versions).toEqual(['v1', 'v2']);
  });

  test('reading the model never creates an object', () => {
    // GIVEN a routed host
    const { chart, mesh, order } = orderHost();
    new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1') });
    // WHEN the model and the rendered manifests are read
    mesh.model.snapshot();
    mesh.render();
    // THEN no ApiObject exists yet under the service
    expect(order.node.children.filter((c) => ApiObject.isApiObject(c))).toEqual([]);
  });
});

describe('constructs talk to the model through its public write API', () => {
  test('a construct of another library writes a policy keyed by service identity; it renders like a CircuitBreaker', () => {
    // GIVEN a platform team's construct that only knows the service's identity
    const { chart, mesh, order } = orderHost();
    class TeamDefaults extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        mesh.model.addTrafficPolicy({ namespace: 'production', name: 'order-service' }, { http: { http2MaxRequests: 7 } }, this.node.path);
      }
    }
    new TeamDefaults(chart, 'Team');
    // WHEN synthesized
    const dr = one(synth(chart), 'DestinationRule', 'order-service');
    // THEN
    expect(dr.spec.trafficPolicy).toEqual({ connectionPool: { http: { http2MaxRequests: 7 } } });
    expect(order.traffic.intent.sources.policies).toEqual([{ policy: { http: { http2MaxRequests: 7 } }, source: 'test/Team' }]);
  });

  test('merging lives in the model: the same field twice names both writers', () => {
    const { mesh } = orderHost();
    const ref = { namespace: 'production', name: 'order-service' };
    mesh.model.addTrafficPolicy(ref, { tcp: { maxConnections: 1 } }, 'a/First');
    expect(() => mesh.model.addTrafficPolicy(ref, { tcp: { maxConnections: 2 } }, 'b/Second'))
      .toThrow(/\[b\/Second\] tcp.maxConnections: 2 is invalid: tcp.maxConnections of host "order-service" is already set by a\/First \(to 1\)/);
  });

  test('the selected renderer refuses through the model too: Gateway API retries written directly', () => {
    const { mesh } = orderHost({ routingApi: RoutingApi.GATEWAY_API });
    const ref = { namespace: 'production', name: 'order-service' };
    expect(() => mesh.model.setRouteDefaults(ref, { retries: { attempts: 2, retryOn: [] } }, 'custom/Route'))
      .toThrow(/\[custom\/Route\] retries: .* is invalid: retries are experimental in Gateway API v1\.5\.1/);
    // AND the refused write changed nothing, not even an empty record
    expect(mesh.model.host(ref).defaults).toEqual({});
    expect(mesh.model.snapshot().traffic).toEqual([]);
  });

  test('a second service with the same name in a namespace is refused where it is created, naming both', () => {
    const { chart, ns } = orderHost();
    expect(() => service(chart, ns, 'Again', { name: 'order-service' }))
      .toThrow(/\[test\/Again\] name: "order-service" is invalid: service production\/order-service is already declared by test\/order-service/);
  });

  test('an unknown service is refused, naming the writer', () => {
    const { mesh } = orderHost();
    expect(() => mesh.model.setRoute({ namespace: 'production', name: 'nope' }, [], 'x/Y')).toThrow(/\[x\/Y\] service: "production\/nope" is invalid: is not a service of this mesh/);
  });
});

describe('objects are created once, at synth or when a handle is read, and never removed', () => {
  test('the render step runs under a plain cdk8s App and is idempotent', () => {
    // GIVEN
    const { chart, order } = orderHost();
    new CanaryRoute(chart, 'Route', { service: order, rules: [CANARY], defaultDestination: Destination.version('v1') });
    // WHEN synthesized twice
    const first = synth(chart);
    const second = synth(chart);
    // THEN the same objects, each once, at their stable construct ids
    expect(second).toEqual(first);
    expect(order.node.children.map((c) => c.node.id)).toEqual(['ServiceAccount', 'Service', 'Deployment-v1', 'Deployment-v2', 'PodDisruptionBudget-v1', 'PodDisruptionBudget-v2', 'VirtualService', 'DestinationRule']);
  });

  test('a plain cdk8s App.synth() writes the rendered objects (the render step runs in cdk8s validation)', () => {
    // GIVEN the reference app in a plain cdk8s App
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plain-app-'));
    const app = new App({ outdir });
    buildReferenceApp(new Chart(app, 'ref'));
    // WHEN cdk8s synthesizes it
    app.synth();
    // THEN the file holds the mesh's objects, in the order MeshApp writes them
    const kinds = parseAllDocuments(fs.readFileSync(path.join(outdir, 'ref.k8s.yaml'), 'utf8')).map((d) => d.toJS().kind);
    expect(kinds.slice(0, 6)).toEqual(['Telemetry', 'Namespace', 'ServiceAccount', 'Service', 'Deployment', 'Deployment']);
    expect(kinds.filter((k) => k === 'VirtualService')).toHaveLength(2);
  });

  test('a handle creates its object at once; a JSON patch and a label on it reach the output', () => {
    // GIVEN a Deployment handle read before any route exists
    const { chart, order } = orderHost();
    const d = order.deploymentOf('v1')!;
    expect(d.node.path).toBe('test/order-service/Deployment-v1');
    d.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'high'));
    d.metadata.addLabel('team', 'orders');
    // WHEN more intent is written and the chart synthesized
    new CanaryRoute(chart, 'Route', { service: order, rules: [CANARY], defaultDestination: Destination.version('v1') });
    const out = one(synth(chart), 'Deployment', 'order-service-v1');
    // THEN the patch and the label are there, on top of the rendered content
    expect(out.spec.template.spec.priorityClassName).toBe('high');
    expect(out.metadata.labels).toEqual({ app: 'order-service', version: 'v1', team: 'orders' });
  });

  test('a handed-out Deployment is kept: a progressive route that would drop it is refused, naming both paths', () => {
    // GIVEN the v1 Deployment handed out (an escape hatch)
    const { chart, order } = orderHost();
    order.deploymentOf('v1')!.metadata.addLabel('team', 'orders');
    // WHEN a progressive route would hand v1 to Flagger's primary
    const route = () => new CanaryRoute(chart, 'Route', { service: order, rules: [CANARY], defaultDestination: Destination.version('v1'), progressive: AB });
    // THEN it is refused where it is written, naming the kept object, and nothing changed
    expect(route).toThrow(/\[test\/Route\] intent: "service:production\/order-service" is invalid: it would remove Deployment order-service-v1 \(test\/order-service\/Deployment-v1\).*Hint: write this intent before reading handles/);
    expect(order.traffic.progressive).toBeUndefined();
    expect(synth(chart).filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['order-service-v1', 'order-service-v2']);
  });

  test('a handed-out DestinationRule is kept against a later progressive route', () => {
    const { chart, order } = orderHost();
    const pool = new CircuitBreaker(chart, 'Pool', { service: order, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 100 } }) });
    expect(pool.destinationRule!.node.path).toBe('test/order-service/DestinationRule');
    expect(() => new CanaryRoute(chart, 'Route', { service: order, rules: [CANARY], defaultDestination: Destination.version('v1'), progressive: AB }))
      .toThrow(/would remove DestinationRule order-service \(test\/order-service\/DestinationRule\)/);
  });

  test('handles of objects a mode does not render are undefined, and known when the route is created', () => {
    // Gateway API: no VirtualService, an HTTPRoute
    const gw = orderHost({ routingApi: RoutingApi.GATEWAY_API });
    const r1 = new CanaryRoute(gw.chart, 'Route', { service: gw.order, defaultDestination: Destination.version('v1') });
    expect(r1.virtualService).toBeUndefined();
    expect(r1.httpRoute?.kind).toBe('HTTPRoute');
    // Flagger: no VirtualService, no Service, a Canary; only the canary version has a Deployment
    const fl = orderHost();
    const r2 = new CanaryRoute(fl.chart, 'Route', { service: fl.order, rules: [CANARY], defaultDestination: Destination.version('v1'), progressive: AB });
    expect(r2.virtualService).toBeUndefined();
    expect(r2.canary?.kind).toBe('Canary');
    expect(fl.order.service).toBeUndefined();
    expect(fl.order.deploymentOf('v1')).toBeUndefined();
    expect(fl.order.deploymentOf('v2')!.node.path).toBe('test/order-service/Deployment');
  });

  test('primary objects are the construct\'s Resource child at once, so ApiObject.of works', () => {
    const { chart, ns, order } = orderHost();
    const limit = new LocalRateLimit(chart, 'Limit', { service: order, tokenBucket: TokenBucket.of({ maxTokens: 10, fillInterval: Duration.seconds(1) }) });
    expect(ApiObject.of(ns).kind).toBe('Namespace');
    expect(ApiObject.of(limit).kind).toBe('EnvoyFilter');
    ApiObject.of(limit).metadata.addAnnotation('owner', 'payments');
    expect(one(synth(chart), 'EnvoyFilter').metadata.annotations).toEqual({ owner: 'payments' });
  });

  test('labels the renderer adds after an object was created are merged in (ambient waypoint)', () => {
    // GIVEN the Namespace created (as always), then a route that needs the waypoint
    const { chart, ns, order } = orderHost({ dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
    ns.resource.metadata.addLabel('team', 'orders');
    new CanaryRoute(chart, 'Route', { service: order, defaultDestination: Destination.version('v1') });
    // WHEN / THEN
    expect(one(synth(chart), 'Namespace', 'production').metadata.labels).toEqual({
      'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint', 'team': 'orders',
    });
  });

  test('services sharing a ServiceAccount render it once, and both handles are that object', () => {
    // GIVEN worker runs as order-service's identity
    const { chart, ns, order } = orderHost();
    const worker = service(chart, ns, 'worker', { serviceAccountName: 'order-service' });
    // WHEN / THEN
    expect(worker.serviceAccount).toBe(order.serviceAccount);
    expect(worker.serviceAccount.node.path).toBe('test/order-service/ServiceAccount');
    expect(synth(chart).filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)).toEqual(['order-service']);
  });

  test('a user label wins over a rendered one with the same key', () => {
    const { chart, order } = orderHost();
    order.service!.metadata.addLabel('app', 'renamed');
    expect(one(synth(chart), 'Service', 'order-service').metadata.labels).toEqual({ app: 'renamed' });
  });
});

describe('rendered objects serialize exactly as cdk8s would', () => {
  const variants: Array<[string, () => { chart: Construct; mesh: { prepareSynth(): string[] } }]> = [
    ['sidecar + Istio API', () => {
      const chart = Testing.chart();
      const app = buildReferenceApp(chart);
      addMeshReport(app);
      return { chart, mesh: app.mesh };
    }],
    ['ambient + Gateway API', () => {
      const chart = Testing.chart();
      return { chart, mesh: buildReferenceApp(chart, { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API }, { retries: false, localRateLimit: false }).mesh };
    }],
    ['Flagger', () => {
      const chart = Testing.chart();
      return { chart, mesh: buildProgressiveApp(chart).mesh };
    }],
  ];

  test.each(variants)('%s: every object, patched or not, equals ApiObject.toJson, key order included', (_name, build) => {
    // GIVEN an example, rendered, with a JSON patch and a label on the first object of each kind
    const { chart, mesh } = build();
    expect(mesh.prepareSynth()).toEqual([]);
    const objects = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const patched = new Set<string>();
    for (const o of objects) {
      if (patched.has(o.kind)) continue;
      patched.add(o.kind);
      o.addJsonPatch(JsonPatch.add('/metadata/annotations', { patched: 'yes' }));
      o.metadata.addLabel('team', 'platform');
    }
    // WHEN each is serialized by the fast path and by cdk8s's own ApiObject.toJson
    // THEN both agree exactly
    expect(objects.length).toBeGreaterThanOrEqual(5);
    for (const o of objects) expect(JSON.stringify(o.toJson())).toBe(JSON.stringify(ApiObject.prototype.toJson.call(o)));
  });

  test('with custom App resolvers, cdk8s\'s own resolution runs', () => {
    // GIVEN an App with a resolver that replaces one value
    const app = Testing.app({ resolvers: [{ resolve: (ctx) => { if (ctx.value === 'DEFAULT') ctx.replaceValue('UPGRADE'); } }] });
    const chart = new Chart(app, 'test');
    buildReferenceApp(chart);
    // WHEN / THEN the resolver sees rendered specs too
    expect(one(synth(chart), 'DestinationRule', 'order-service').spec.trafficPolicy.connectionPool.http.h2UpgradePolicy).toBe('UPGRADE');
  });
});

describe('renderers are pure and chosen in one place', () => {
  test.each([
    [DataPlaneMode.SIDECAR, RoutingApi.ISTIO, 'sidecar+istio'],
    [DataPlaneMode.SIDECAR, RoutingApi.GATEWAY_API, 'sidecar+gateway-api'],
    [DataPlaneMode.AMBIENT, RoutingApi.ISTIO, 'ambient+istio'],
    [DataPlaneMode.AMBIENT, RoutingApi.GATEWAY_API, 'ambient+gateway-api'],
  ])('%s data plane with %s routing selects %s', (dataPlane, routingApi, name) => {
    const { mesh } = orderHost({ dataPlane, routingApi });
    expect(mesh.renderer.name).toBe(name);
    expect(selectRenderer(mesh.model.settings).name).toBe(name);
  });

  test('the same model renders the same manifests, key order included, from a fresh renderer', () => {
    const app = buildReferenceApp(Testing.chart());
    const a = JSON.stringify(app.mesh.render());
    const b = JSON.stringify(selectRenderer(app.mesh.model.settings).render(app.mesh.model));
    expect(b).toBe(a);
  });

  test('a model built without constructs renders on its own', () => {
    // GIVEN a model written directly (what a test or another tool can do)
    const model = new MeshIntentModel({ rootNamespace: 'istio-system', trustDomain: 'cluster.local', dataPlane: 'sidecar', routingApi: 'istio', extensionProviders: [] });
    model.addNamespace({ name: 'shop', labels: {}, waypoint: true, source: 'x' });
    model.addService({ name: 'cart', namespace: 'shop', serviceAccount: 'cart', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'cart' }, versions: [{ name: 'v1', replicas: 1, podLabels: { app: 'cart', version: 'v1' } }], source: 'x/Cart' });
    model.setRoute({ namespace: 'shop', name: 'cart' }, [{ matches: [], destinations: [{ version: 'v1', weight: 100 }], timeout: 1500 }], 'x/Route');
    // WHEN
    const objects = selectRenderer(model.settings).render(model).objects;
    // THEN a service deployed elsewhere (no workload) gets only mesh objects
    expect(objects.map((o) => `${o.owner} ${o.id} ${o.manifest.kind}`)).toEqual([
      'namespace:shop Resource Namespace',
      `${serviceOwner({ namespace: 'shop', name: 'cart' })} VirtualService VirtualService`,
      'service:shop/cart DestinationRule DestinationRule',
    ]);
    expect(objects[1].manifest.spec).toEqual({ hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart', subset: 'v1' }, weight: 100 }], timeout: '1500ms' }] });
  });

  test('durations are milliseconds in the model and Istio durations in the output', () => {
    const { chart, mesh, order } = orderHost();
    new CanaryRoute(chart, 'Route', { service: order, timeout: Duration.millis(2500), retries: RetryPolicy.of({ attempts: 1, perTryTimeout: Duration.seconds(1) }), defaultDestination: Destination.service() });
    expect(mesh.model.host(order.ref).defaults).toEqual({ timeout: 2500, retries: { attempts: 1, perTryTimeout: 1000, retryOn: [] } });
    expect(one(synth(chart), 'VirtualService').spec.http[0]).toMatchObject({ timeout: '2500ms', retries: { attempts: 1, perTryTimeout: '1s' } });
  });
});
