import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { Duration } from 'cdk8s';
import * as YAML from 'yaml';
import { main } from '../examples/main';
import {
  AnalysisWebhook,
  CanaryAnalysis,
  CanaryRoute,
  CanaryRouteProps,
  CircuitBreaker,
  ConnectionPool,
  DataPlaneMode,
  Destination,
  H2UpgradePolicy,
  HeaderMatch,
  LocalRateLimit,
  MetricCheck,
  OutlierDetection,
  RetryOn,
  RetryPolicy,
  RoutingApi,
  StringMatch,
  TokenBucket,
  WebhookType,
} from '../src';
import { collectFindings } from '../src/warnings';
import { meshChart, one, service, synth } from './helpers';
import { renderCanarySpec } from '../src/render/flagger';
import * as schemas from '../imports/schemas/flagger.json';

// ---- helpers -------------------------------------------------------------------------------------

/** GIVEN order-service running v1 (stable) and v2 (canary) in `production`. */
function orderHost(versions = ['v1', 'v2'], meshProps = {}) {
  const { chart, ns } = meshChart(meshProps);
  const order = service(chart, ns, 'order-service', { versions: versions.map((name) => ({ name })) });
  return { chart, ns, order };
}

const TIMEOUT = Duration.seconds(10);
const RETRIES = RetryPolicy.of({
  attempts: 3,
  perTryTimeout: Duration.seconds(3),
  retryOn: [RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM],
});
const CANARY = { headers: [HeaderMatch.exact('x-canary', 'true')] };
const EVEN = { headers: [HeaderMatch.regex('x-user-id', '^[0-9]*[02468]$')] };
const METRICS = [MetricCheck.requestSuccessRate({ minPercent: 99 }), MetricCheck.requestDuration({ maxP99: Duration.millis(500) })];
const WEIGHTED = CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: METRICS });
const AB = CanaryAnalysis.abTesting({ iterations: 10, metrics: METRICS });

function progressive(props: Partial<CanaryRouteProps> = {}, g = orderHost()) {
  const route = new CanaryRoute(g.chart, 'OrderRoute', {
    service: g.order,
    timeout: TIMEOUT,
    retries: RETRIES,
    defaultDestination: Destination.version('v1'),
    progressive: WEIGHTED,
    ...props,
  });
  return { ...g, route };
}

function abRoute(props: Partial<CanaryRouteProps> = {}, g = orderHost()) {
  return progressive({
    rules: [
      { name: 'canary', match: [CANARY], destination: Destination.version('v2') },
      { name: 'ab-even-users', match: [EVEN], destination: Destination.version('v2') },
    ],
    progressive: AB,
    ...props,
  }, g);
}

function canarySpec(chart: any) {
  return one(synth(chart), 'Canary', 'order-service').spec;
}

/**
 * Flagger's Canary schema, strict about unknown fields: the API server prunes fields its structural
 * schema does not declare, so an unknown field is a field silently lost.
 */
function strictSchema(node: any): any {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as any).map(([p, s]) => [p, strictSchema(s)]));
    } else if (['oneOf', 'anyOf', 'allOf', 'not'].includes(k)) {
      out[k] = v; // combinators only add constraints; their branches list subsets of the fields
    } else {
      out[k] = strictSchema(v);
    }
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('string', true);
ajv.addFormat('int32', true);
ajv.addFormat('date-time', true); // status only
ajv.addFormat('url', /^https?:\/\/[^\s/]+(\/\S*)?$/);
const validateCanary = ajv.compile(strictSchema((schemas as any)['flagger.app/v1beta1/Canary'].schema));

function expectSchemaValid(canary: any) {
  const ok = validateCanary(canary);
  expect(validateCanary.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

// ---- the strict schema itself --------------------------------------------------------------------

describe('the strict Flagger schema used by these tests', () => {
  test('rejects an unknown field and a missing required field', () => {
    const base = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: {}, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, analysis: { interval: '1m', threshold: 5, stepWeight: 10 } } };
    expect(validateCanary(base)).toBe(true);
    expect(validateCanary({ ...base, spec: { ...base.spec, service: { port: 80, trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } } } })).toBe(false);
    expect(validateCanary({ ...base, spec: { ...base.spec, analysis: { interval: '1m', threshold: 5 } } })).toBe(false);
    // iterations and stepWeight together match two `oneOf` branches
    expect(validateCanary({ ...base, spec: { ...base.spec, analysis: { interval: '1m', threshold: 5, stepWeight: 10, iterations: 3 } } })).toBe(false);
  });
});

// ---- the Canary ------------------------------------------------------------------------------------

describe('progressive CanaryRoute: the Canary', () => {
  test('weighted analysis maps field by field', () => {
    // GIVEN / WHEN
    const { chart } = progressive({
      progressive: CanaryAnalysis.weighted({
        interval: Duration.seconds(30),
        threshold: 3,
        stepWeight: 5,
        maxWeight: 40,
        progressDeadline: Duration.minutes(10),
        metrics: [
          MetricCheck.requestSuccessRate({ minPercent: 99.5, interval: Duration.seconds(90) }),
          MetricCheck.requestDuration({ maxP99: Duration.millis(250) }),
        ],
        webhooks: [
          AnalysisWebhook.of({ name: 'gate', type: WebhookType.CONFIRM_ROLLOUT, url: 'http://flagger-loadtester.test/gate/check' }),
          AnalysisWebhook.of({ name: 'load-test', url: 'http://flagger-loadtester.test/', timeout: Duration.seconds(5), metadata: { cmd: 'hey -z 1m', b: 'x' } }),
        ],
      }),
    });
    // THEN
    const spec = canarySpec(chart);
    expect(spec.provider).toBe('istio');
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-service' });
    expect(spec.progressDeadlineSeconds).toBe(600);
    expect(spec.analysis).toEqual({
      interval: '30s',
      threshold: 3,
      maxWeight: 40,
      stepWeight: 5,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99.5 }, interval: '90s' },
        { name: 'request-duration', thresholdRange: { max: 250 }, interval: '1m' },
      ],
      webhooks: [
        { name: 'gate', type: 'confirm-rollout', url: 'http://flagger-loadtester.test/gate/check' },
        { name: 'load-test', type: 'rollout', url: 'http://flagger-loadtester.test/', timeout: '5s', metadata: { b: 'x', cmd: 'hey -z 1m' } },
      ],
    });
    expectSchemaValid(one(synth(chart), 'Canary'));
  });

  test('explicit stepWeights replace stepWeight and maxWeight; defaults are 1m and 5', () => {
    const { chart } = progressive({ progressive: CanaryAnalysis.weighted({ stepWeights: [1, 5, 25, 50], metrics: METRICS }) });
    const a = canarySpec(chart).analysis;
    expect(a.stepWeights).toEqual([1, 5, 25, 50]);
    expect(a.stepWeight).toBeUndefined();
    expect(a.maxWeight).toBeUndefined();
    expect(a.interval).toBe('1m');
    expect(a.threshold).toBe(5);
    expectSchemaValid(one(synth(chart), 'Canary'));
  });

  test('a templated metric carries its templateRef and range', () => {
    const { chart } = progressive({
      progressive: CanaryAnalysis.weighted({
        stepWeight: 10, maxWeight: 50,
        metrics: [MetricCheck.template({ name: 'error-budget', templateName: 'budget', templateNamespace: 'flagger', min: 0, max: 2 })],
      }),
    });
    expect(canarySpec(chart).analysis.metrics).toEqual([
      { name: 'error-budget', templateRef: { name: 'budget', namespace: 'flagger' }, thresholdRange: { min: 0, max: 2 }, interval: '1m' },
    ]);
    expectSchemaValid(one(synth(chart), 'Canary'));
  });

  test('A/B: the rules to the canary version become analysis.match (ORed blocks, headers only), with iterations', () => {
    const { chart } = abRoute();
    const spec = canarySpec(chart);
    expect(spec.analysis.iterations).toBe(10);
    expect(spec.analysis.stepWeight).toBeUndefined();
    expect(spec.analysis.match).toEqual([
      { headers: { 'x-canary': { exact: 'true' } } },
      { headers: { 'x-user-id': { regex: '^[0-9]*[02468]$' } } },
    ]);
    // service.match would restrict EVERY route Flagger creates (others get no route), which no CanaryRoute means
    expect(spec.service.match).toBeUndefined();
    expectSchemaValid(one(synth(chart), 'Canary'));
  });

  test('A/B: a block with several headers stays one block (AND), prefix matches included', () => {
    const { chart } = abRoute({
      rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true'), HeaderMatch.prefix('cookie', 'canary=')] }], destination: Destination.version('v2') }],
    });
    expect(canarySpec(chart).analysis.match).toEqual([{ headers: { 'x-canary': { exact: 'true' }, 'cookie': { prefix: 'canary=' } } }]);
  });

  test('the service block carries port, timeout, retries and the host CircuitBreaker policy', () => {
    // GIVEN a host pool and outlier detection, written before and after the route
    const g = orderHost();
    new CircuitBreaker(g.chart, 'Pool', {
      service: g.order,
      connectionPool: ConnectionPool.of({ http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, h2UpgradePolicy: H2UpgradePolicy.DEFAULT } }),
    });
    const { chart } = abRoute({}, g);
    new CircuitBreaker(g.chart, 'Outliers', {
      service: g.order,
      outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 3, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(60), maxEjectionPercent: 50, minHealthPercent: 25 }),
    });
    // THEN
    const spec = canarySpec(chart);
    expect(spec.service).toEqual({
      name: 'order-service',
      port: 8080,
      targetPort: 8080,
      portName: 'http',
      timeout: '10s',
      retries: { attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset,connect-failure,refused-stream' },
      trafficPolicy: {
        connectionPool: { http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, h2UpgradePolicy: 'DEFAULT' } },
        outlierDetection: { consecutive5xxErrors: 3, interval: '30s', baseEjectionTime: '60s', maxEjectionPercent: 50, minHealthPercent: 25 },
      },
    });
    expectSchemaValid(one(synth(chart), 'Canary'));
  });

  test('without route timeout/retries/policy the service block has only the port', () => {
    const { chart } = progressive({ timeout: undefined, retries: undefined });
    expect(canarySpec(chart).service).toEqual({ name: 'order-service', port: 8080, targetPort: 8080, portName: 'http' });
  });

  test('RetryPolicy.none() renders attempts 0 (retries off), unlike unset retries', () => {
    const { chart } = progressive({ retries: RetryPolicy.none() });
    expect(canarySpec(chart).service.retries).toEqual({ attempts: 0 });
  });

  test('a rule repeating the route timeout and retries is accepted', () => {
    const { chart } = abRoute({ rules: [{ match: [CANARY], destination: Destination.version('v2'), timeout: Duration.seconds(10), retries: RETRIES }] });
    expect(canarySpec(chart).service.timeout).toBe('10s');
  });

  test('the route exposes the Canary and no VirtualService', () => {
    const { route } = abRoute();
    expect(route.canary?.kind).toBe('Canary');
    expect(route.service.traffic.virtualService).toBeUndefined();
    expect(route.service.traffic.destinationRule).toBeUndefined();
  });
});

describe('the Canary of an exposed host (issue 22 item 6)', () => {
  test('GIVEN ingress exposures WHEN the Canary spec is rendered THEN service.gateways lists them plus mesh, service.hosts the exposed hosts', () => {
    // Flagger v1.44.0 pkg/router/istio.go reconcileVirtualService: `mesh` is added only when gateways is empty,
    // so an exposed host must list it, or in-mesh callers lose the A/B routes
    const { route } = progressive({ progressive: AB, rules: [{ match: [CANARY], destination: Destination.version('v2') }], defaultDestination: Destination.version('v1') });
    const model = route.service.mesh.model;
    const spec = renderCanarySpec(model.service(route.service.ref)!, model.host(route.service.ref), [
      { gateway: 'istio-system/public', host: 'shop.example.com' },
      { gateway: 'edge/partners', host: 'api.example.com' },
      { gateway: 'istio-system/public', host: 'www.example.com' },
    ]) as any;
    expect(spec.service).toMatchObject({
      gateways: ['edge/partners', 'istio-system/public', 'mesh'],
      hosts: ['api.example.com', 'shop.example.com', 'www.example.com'],
    });
    // AND the Canary is valid against Flagger's CRD schema
    expectSchemaValid({ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'order-service', namespace: 'production' }, spec });
    // AND without exposures neither field is rendered (Flagger binds to mesh itself)
    const plain = renderCanarySpec(model.service(route.service.ref)!, model.host(route.service.ref)) as any;
    expect(plain.service.gateways).toBeUndefined();
    expect(plain.service.hosts).toBeUndefined();
  });
});

describe('progressive CanaryRoute: what Flagger owns is not emitted', () => {
  test('no VirtualService or DestinationRule for the host, even when a CircuitBreaker came first', () => {
    const g = orderHost();
    new CircuitBreaker(g.chart, 'Pool', { service: g.order, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 100 } }) });
    expect(g.order.traffic.hostPolicy).toEqual({ http: { http2MaxRequests: 100 } });
    const { chart } = abRoute({}, g);
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'VirtualService' || o.kind === 'DestinationRule')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Canary')).toHaveLength(1);
  });

  test('one Deployment, the canary version, named after the service with selector `app` only; no Service', () => {
    const { chart } = abRoute();
    const objects = synth(chart);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['order-service']);
    const d = deployments[0];
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'order-service' } });
    // the pods also carry the label the host's policies select, which Flagger copies to its primary
    expect(d.spec.template.metadata.labels).toEqual({ 'app': 'order-service', 'version': 'v2', 'service.istio.io/canonical-name': 'order-service' });
    expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com/order-service:v2');
    expect(d.spec.replicas).toBe(3);
    // Flagger creates order-service, -primary and -canary and would rewrite our selector
    expect(objects.filter((o) => o.kind === 'Service')).toEqual([]);
    expect(one(objects, 'ServiceAccount', 'order-service')).toBeDefined();
  });

  test('with the stable version named second, the first version is the canary', () => {
    const { chart } = progressive({ defaultDestination: Destination.version('v2') });
    const d = one(synth(chart), 'Deployment', 'order-service');
    expect(d.spec.template.metadata.labels.version).toBe('v1');
  });

  test('one version (the first release) makes that version the target', () => {
    const { chart } = progressive({}, orderHost(['v1']));
    const d = one(synth(chart), 'Deployment', 'order-service');
    expect(d.spec.template.metadata.labels.version).toBe('v1');
  });

  test('other hosts keep their VirtualService', () => {
    const g = orderHost();
    const payment = service(g.chart, g.ns, 'payment-service');
    new CanaryRoute(g.chart, 'PaymentRoute', { service: payment, timeout: Duration.seconds(5), defaultDestination: Destination.service() });
    abRoute({}, g);
    expect(one(synth(g.chart), 'VirtualService', 'payment-service')).toBeDefined();
  });
});

// ---- refused combinations ------------------------------------------------------------------------

describe('progressive CanaryRoute: combinations Flagger cannot express', () => {
  test('a split across more than two versions', () => {
    const g = orderHost(['v1', 'v2', 'v3']);
    expect(() => progressive({
      defaultDestination: Destination.split([{ version: 'v1', percent: 80 }, { version: 'v2', percent: 10 }, { version: 'v3', percent: 10 }]),
    }, g)).toThrow(/\[test\/OrderRoute\] props.defaultDestination: "v1,v2,v3" is invalid: a split across more than two versions cannot be delivered by Flagger.*Hint: name the stable version/);
  });

  test('a fixed two-version split (Flagger sets the weights)', () => {
    expect(() => progressive({
      defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
    })).toThrow(/props.defaultDestination: "v1,v2" is invalid: in progressive delivery Flagger sets the weights.*Destination.version\('v1'\)/);
  });

  test('the whole host as default destination (no stable version)', () => {
    expect(() => progressive({ defaultDestination: Destination.service() })).toThrow(/props.defaultDestination: "Destination.service\(\)" is invalid: progressive delivery needs the stable version/);
  });

  test('a service running more than two versions', () => {
    expect(() => progressive({}, orderHost(['v1', 'v2', 'v3']))).toThrow(/props.service: "v1,v2,v3" is invalid: progressive delivery needs at most two versions.*Hint: Flagger runs one primary and one canary/);
  });

  test('header rules with a weighted canary', () => {
    expect(() => progressive({ rules: [{ match: [CANARY], destination: Destination.version('v2') }] }))
      .toThrow(/props.rules: \["rules\[0\]"\] is invalid: a weighted Flagger canary shifts all traffic by weight.*Hint: use CanaryAnalysis.abTesting/);
  });

  test('an A/B test without rules (Flagger would run blue/green)', () => {
    expect(() => progressive({ progressive: AB })).toThrow(/props.rules: \[\] is invalid: an A\/B test needs rules/);
  });

  test('an A/B rule routing to the stable version, to a split or to the whole host', () => {
    expect(() => abRoute({ rules: [{ match: [CANARY], destination: Destination.version('v1') }] }))
      .toThrow(/props.rules\[0\].destination: "v1" is invalid: in an A\/B test every rule sends its requests to the canary version "v2".*Hint: use Destination.version\('v2'\)/);
    expect(() => abRoute({ rules: [{ match: [CANARY], destination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v2', percent: 50 }]) }] }))
      .toThrow(/props.rules\[0\].destination: "v1,v2" is invalid/);
    expect(() => abRoute({ rules: [{ match: [CANARY], destination: Destination.service() }] }))
      .toThrow(/props.rules\[0\].destination: "Destination.service\(\)" is invalid/);
  });

  test('an A/B rule matching on uri or method', () => {
    expect(() => abRoute({ rules: [{ match: [CANARY, { uri: StringMatch.prefix('/api/v2') }], destination: Destination.version('v2') }] }))
      .toThrow(/props.rules\[0\].match\[1\].uri: "\/api\/v2" is invalid: Flagger's analysis.match selects A\/B requests by headers only/);
    expect(() => abRoute({ rules: [{ match: [{ headers: CANARY.headers, method: StringMatch.exact('POST') }], destination: Destination.version('v2') }] }))
      .toThrow(/props.rules\[0\].match\[0\].method: "POST" is invalid/);
  });

  test('a rule with its own timeout or retries', () => {
    expect(() => abRoute({ rules: [{ match: [CANARY], destination: Destination.version('v2'), timeout: Duration.seconds(2) }] }))
      .toThrow(/props.rules\[0\].timeout: .* is invalid: Flagger applies one timeout \(service.timeout\) to every route/);
    expect(() => abRoute({ rules: [{ match: [CANARY], destination: Destination.version('v2'), retries: RetryPolicy.none() }] }))
      .toThrow(/props.rules\[0\].retries: .* is invalid: Flagger applies one retry policy/);
  });

  test('a CircuitBreaker per version, before or after the route', () => {
    const g = orderHost();
    new CircuitBreaker(g.chart, 'V1Pool', { service: g.order, version: 'v1', connectionPool: ConnectionPool.of({ http: { http1MaxPendingRequests: 50 } }) });
    expect(() => abRoute({}, g)).toThrow(/\[test\/V1Pool\] props\.version: "v1" is invalid: the host is delivered progressively by test\/OrderRoute, and Flagger applies one traffic policy.*Hint: drop `version`/);

    const h = abRoute();
    expect(() => new CircuitBreaker(h.chart, 'V2Pool', { service: h.order, version: 'v2', connectionPool: ConnectionPool.of({ http: { http1MaxPendingRequests: 50 } }) }))
      .toThrow(/\[test\/V2Pool\] props\.version: "v2" is invalid: the host is delivered progressively/);
  });

  test('TCP pool settings and useClientProtocol (the Canary schema has neither), before or after the route', () => {
    const g = orderHost();
    new CircuitBreaker(g.chart, 'Tcp', { service: g.order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 } }) });
    expect(() => abRoute({}, g)).toThrow(/\[test\/Tcp\] props\.connectionPool.tcp.maxConnections: 100 is invalid: .*has no connectionPool.tcp/);

    const h = abRoute();
    expect(() => new CircuitBreaker(h.chart, 'Tcp', { service: h.order, connectionPool: ConnectionPool.of({ tcp: { connectTimeout: Duration.seconds(5) } }) }))
      .toThrow(/\[test\/Tcp\] props\.connectionPool.tcp.connectTimeout: .* is invalid/);
    expect(() => new CircuitBreaker(h.chart, 'Proto', { service: h.order, connectionPool: ConnectionPool.of({ http: { useClientProtocol: true } }) }))
      .toThrow(/\[test\/Proto\] props\.connectionPool.http.useClientProtocol: true is invalid/);
  });

  test('a LocalRateLimit and an allow rule on the host select the label Flagger copies to its primary, not app', () => {
    // GIVEN a progressive host WHEN a rate limit and an allow rule are added after the route
    const { chart, order } = abRoute();
    new LocalRateLimit(chart, 'Limit', { service: order, tokenBucket: TokenBucket.of({ maxTokens: 10, tokensPerFill: 10, fillInterval: Duration.seconds(1) }) });
    order.allowFrom(service(chart, order.meshNamespace, 'frontend'));
    // THEN synth accepts them (Flagger v1.44.0 pkg/canary/util.go makePrimaryLabels keeps every label but app)
    const objects = synth(chart);
    expect(one(objects, 'EnvoyFilter').spec.workloadSelector).toEqual({ labels: { 'service.istio.io/canonical-name': 'order-service' } });
    expect(one(objects, 'AuthorizationPolicy', 'order-service-allow').spec.selector).toEqual({ matchLabels: { 'service.istio.io/canonical-name': 'order-service' } });
  });

  test('an ambient mesh or Gateway API routing', () => {
    expect(() => abRoute({}, orderHost(['v1', 'v2'], { dataPlane: DataPlaneMode.AMBIENT })))
      .toThrow(/props.progressive: "ambient data plane" is invalid: Flagger's Istio provider drives traffic through VirtualServices/);
    expect(() => abRoute({}, orderHost(['v1', 'v2'], { routingApi: RoutingApi.GATEWAY_API })))
      .toThrow(/props.progressive: "Gateway API routing" is invalid: .*Hint: use RoutingApi.ISTIO/);
  });

  test('a second route on a progressive host', () => {
    const { chart, order } = abRoute();
    expect(() => new CanaryRoute(chart, 'Other', { service: order, defaultDestination: Destination.version('v1') })).toThrow(/already routed by test\/OrderRoute/);
  });

  test('progressive must be a CanaryAnalysis', () => {
    expect(() => progressive({ progressive: { stepWeight: 10 } as any })).toThrow(/props.progressive: .* is invalid: must be a CanaryAnalysis/);
  });
});

// ---- value objects -------------------------------------------------------------------------------

describe('CanaryAnalysis ranges', () => {
  test.each([[1], [100]])('stepWeight %d with maxWeight 100 is accepted', (w) => {
    expect(() => CanaryAnalysis.weighted({ stepWeight: w, maxWeight: 100 })).not.toThrow();
  });
  test.each([[0], [101], [2.5]])('stepWeight %d is refused', (w) => {
    expect(() => CanaryAnalysis.weighted({ stepWeight: w, maxWeight: 100 })).toThrow(/options.stepWeight: .* is invalid: a weight is an integer percent in 1..100/);
  });
  test.each([[0], [101]])('maxWeight %d is refused', (w) => {
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: w })).toThrow(/options.maxWeight: .* is invalid/);
  });
  test('stepWeight equal to maxWeight is accepted, one more is refused', () => {
    expect(() => CanaryAnalysis.weighted({ stepWeight: 50, maxWeight: 50 })).not.toThrow();
    expect(() => CanaryAnalysis.weighted({ stepWeight: 51, maxWeight: 50 })).toThrow(/stepWeight must not exceed maxWeight \(50\)/);
  });
  test('stepWeight needs maxWeight; weighted needs some steps', () => {
    expect(() => CanaryAnalysis.weighted({ stepWeight: 10 })).toThrow(/options.maxWeight: undefined is invalid: stepWeight needs maxWeight/);
    expect(() => CanaryAnalysis.weighted({})).toThrow(/needs stepWeight \(with maxWeight\) or stepWeights/);
  });
  test('stepWeights: increasing, 1..100, not empty, not with stepWeight/maxWeight', () => {
    expect(() => CanaryAnalysis.weighted({ stepWeights: [1, 100] })).not.toThrow();
    expect(() => CanaryAnalysis.weighted({ stepWeights: [10, 10] })).toThrow(/options.stepWeights\[1\]: 10 is invalid: steps must increase strictly/);
    expect(() => CanaryAnalysis.weighted({ stepWeights: [20, 10] })).toThrow(/steps must increase strictly \(the step before is 20\)/);
    expect(() => CanaryAnalysis.weighted({ stepWeights: [0, 10] })).toThrow(/options.stepWeights\[0\]: 0 is invalid/);
    expect(() => CanaryAnalysis.weighted({ stepWeights: [10, 101] })).toThrow(/options.stepWeights\[1\]: 101 is invalid/);
    expect(() => CanaryAnalysis.weighted({ stepWeights: [] })).toThrow(/needs at least one step/);
    expect(() => CanaryAnalysis.weighted({ stepWeights: [10], maxWeight: 50 })).toThrow(/stepWeights cannot be combined with stepWeight or maxWeight/);
  });
  test('threshold and iterations are integers of at least 1', () => {
    expect(() => CanaryAnalysis.abTesting({ iterations: 1, threshold: 1 })).not.toThrow();
    expect(() => CanaryAnalysis.abTesting({ iterations: 0 })).toThrow(/options.iterations: 0 is invalid/);
    expect(() => CanaryAnalysis.abTesting({ iterations: 1.5 })).toThrow(/options.iterations: 1.5 is invalid/);
    expect(() => CanaryAnalysis.abTesting({ iterations: 3, threshold: 0 })).toThrow(/options.threshold: 0 is invalid/);
  });
  test('interval: whole seconds, at least 1s (the CRD pattern is ^[0-9]+(m|s))', () => {
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, interval: Duration.seconds(1) })).not.toThrow();
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, interval: Duration.millis(1500) })).toThrow(/options.interval: .* is invalid: Flagger durations are whole seconds/);
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, interval: Duration.millis(0) })).toThrow(/options.interval: .* is invalid: must be at least 1s/);
  });
  test('the progress deadline is at least one interval', () => {
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, progressDeadline: Duration.seconds(60) })).not.toThrow();
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, progressDeadline: Duration.seconds(59) })).toThrow(/options.progressDeadline: .* is invalid: the progress deadline must be at least one interval/);
  });
  test('metric and webhook names are unique', () => {
    const m = MetricCheck.requestSuccessRate({ minPercent: 99 });
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, metrics: [m, MetricCheck.requestSuccessRate({ minPercent: 95 })] })).toThrow(/options.metrics\[1\]: "request-success-rate" is invalid: metric names must be unique/);
    const w = AnalysisWebhook.of({ name: 'hook', url: 'http://a.test/' });
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, webhooks: [w, w] })).toThrow(/options.webhooks\[1\]: "hook" is invalid: webhook names must be unique/);
  });
  test('confirm-traffic-increase only gates weighted canaries', () => {
    const w = AnalysisWebhook.of({ name: 'gate', type: WebhookType.CONFIRM_TRAFFIC_INCREASE, url: 'http://a.test/' });
    expect(() => CanaryAnalysis.weighted({ stepWeight: 1, maxWeight: 2, webhooks: [w] })).not.toThrow();
    expect(() => CanaryAnalysis.abTesting({ iterations: 3, webhooks: [w] })).toThrow(/confirm-traffic-increase webhook gates weight steps/);
  });
  test('an analysis without metrics warns CI2002', () => {
    const { route } = progressive({ progressive: CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50 }) });
    expect(collectFindings(route).map((f) => f.code)).toEqual(['CI2002']);
    const { route: withMetrics } = progressive();
    expect(collectFindings(withMetrics)).toEqual([]);
  });
});

describe('MetricCheck ranges', () => {
  test('success rate: more than 0, at most 100', () => {
    expect(() => MetricCheck.requestSuccessRate({ minPercent: 100 })).not.toThrow();
    expect(() => MetricCheck.requestSuccessRate({ minPercent: 0.1 })).not.toThrow();
    expect(() => MetricCheck.requestSuccessRate({ minPercent: 0 })).toThrow(/options.minPercent: 0 is invalid: a success rate threshold is a percent greater than 0 and at most 100/);
    expect(() => MetricCheck.requestSuccessRate({ minPercent: 100.1 })).toThrow(/options.minPercent: 100.1 is invalid/);
  });
  test('request duration: at least 1ms, whole milliseconds', () => {
    expect(() => MetricCheck.requestDuration({ maxP99: Duration.millis(1) })).not.toThrow();
    expect(() => MetricCheck.requestDuration({ maxP99: Duration.millis(0) })).toThrow(/options.maxP99: .* is invalid: a duration must be at least 1ms/);
    expect(() => MetricCheck.requestDuration({ maxP99: Duration.millis(1.5) })).toThrow(/millisecond precision/);
  });
  test('metric interval: whole seconds', () => {
    expect(() => MetricCheck.requestSuccessRate({ minPercent: 99, interval: Duration.millis(500) })).toThrow(/options.interval: .* is invalid/);
  });
  test('template: a range, min <= max, a custom name', () => {
    const ok = { name: 'latency', templateName: 'latency' };
    expect(() => MetricCheck.template({ ...ok, min: 1, max: 1 })).not.toThrow();
    expect(() => MetricCheck.template({ ...ok, min: 2, max: 1 })).toThrow(/options.min: 2 is invalid: min must not exceed max \(1\)/);
    expect(() => MetricCheck.template(ok)).toThrow(/a metric check without a range can never fail/);
    expect(() => MetricCheck.template({ ...ok, name: 'request-duration', max: 1 })).toThrow(/this is a Flagger builtin metric name.*MetricCheck.requestDuration/);
    expect(() => MetricCheck.template({ ...ok, name: 'Bad_Name', max: 1 })).toThrow(/options.name: "Bad_Name" is invalid/);
  });
});

describe('AnalysisWebhook', () => {
  test('defaults to type rollout; metadata keys are sorted', () => {
    const { chart } = progressive({
      progressive: CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: METRICS, webhooks: [AnalysisWebhook.of({ name: 'w', url: 'https://hooks.example.com/x', metadata: { z: '1', a: '2' } })] }),
    });
    const w = canarySpec(chart).analysis.webhooks[0];
    expect(w.type).toBe('rollout');
    expect(Object.keys(w.metadata)).toEqual(['a', 'z']);
  });
  test.each([
    ['ftp://files.test/', /the scheme must be http or https, not "ftp"/],
    ['/relative/path', /not an absolute URL/],
    ['http://a.test/ x', /without spaces/],
    ['', /non-empty string/],
  ])('url %p is refused', (url, message) => {
    expect(() => AnalysisWebhook.of({ name: 'w', url })).toThrow(message);
  });
  test('name, timeout and metadata values are checked', () => {
    expect(() => AnalysisWebhook.of({ name: '', url: 'http://a.test/' })).toThrow(/options.name: "" is invalid/);
    expect(() => AnalysisWebhook.of({ name: 'w', url: 'http://a.test/', timeout: Duration.millis(500) })).toThrow(/options.timeout: .* is invalid/);
    expect(() => AnalysisWebhook.of({ name: 'w', url: 'http://a.test/', metadata: { n: 1 as any } })).toThrow(/options.metadata.n: 1 is invalid: metadata values must be strings/);
  });
});

// ---- the example ---------------------------------------------------------------------------------

describe('examples/progressive: order-service delivered progressively', () => {
  let outdir: string;
  let docs: any[];
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'progressive-'));
    main(outdir);
    docs = YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, 'progressive', 'progressive.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('is written to progressive/, apart from the reference app', () => {
    expect(fs.existsSync(path.join(outdir, 'reference-app.k8s.yaml'))).toBe(true);
    const reference = YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, 'reference-app.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    expect(one(reference, 'VirtualService', 'order-service')).toBeDefined();
  });

  test('holds a schema-valid Canary carrying the route timeout, retries and matches', () => {
    const canary = one(docs, 'Canary', 'order-service');
    expectSchemaValid(canary);
    expect(canary.metadata.namespace).toBe('production');
    expect(canary.spec.service.timeout).toBe('10s');
    expect(canary.spec.service.retries).toEqual({ attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset,connect-failure,refused-stream' });
    expect(canary.spec.analysis.match).toEqual([
      { headers: { 'x-canary': { exact: 'true' } } },
      { headers: { 'x-user-id': { regex: '^[0-9]*[02468]$' } } },
    ]);
    expect(canary.spec.analysis.metrics.map((m: any) => [m.name, m.thresholdRange])).toEqual([
      ['request-success-rate', { min: 99 }],
      ['request-duration', { max: 500 }],
    ]);
    expect(canary.spec.service.trafficPolicy.connectionPool.http).toEqual({ h2UpgradePolicy: 'DEFAULT', http1MaxPendingRequests: 100, http2MaxRequests: 100 });
  });

  test('holds no VirtualService or DestinationRule, and the objects order-service needs', () => {
    expect(docs.filter((d) => d.kind === 'VirtualService' || d.kind === 'DestinationRule')).toEqual([]);
    expect(one(docs, 'Namespace', 'production').metadata.labels['istio-injection']).toBe('enabled');
    expect(one(docs, 'ServiceAccount', 'order-service')).toBeDefined();
    expect(one(docs, 'Deployment', 'order-service').spec.template.metadata.labels).toEqual({ 'app': 'order-service', 'version': 'v2', 'service.istio.io/canonical-name': 'order-service' });
    // and its zero trust (issue 20 item 8; test/progressive-zero-trust.test.ts simulates it on Flagger's pods)
    expect(docs.filter((d) => d.kind === 'AuthorizationPolicy' || d.kind === 'PeerAuthentication').map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`).sort()).toEqual([
      'AuthorizationPolicy production/default-deny', 'AuthorizationPolicy production/order-service-allow', 'PeerAuthentication istio-system/default',
    ]);
  });
});
