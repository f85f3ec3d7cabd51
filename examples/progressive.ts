import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AnalysisWebhook,
  CanaryAnalysis,
  CanaryRoute,
  CircuitBreaker,
  ConnectionPool,
  Destination,
  ExternalIdentity,
  H2UpgradePolicy,
  HeaderMatch,
  HttpMethod,
  Mesh,
  MeshNamespace,
  MetricCheck,
  MtlsMode,
  PathMatch,
  RetryOn,
  RetryPolicy,
  TracedService,
  WebhookType,
  ZeroTrustPolicy,
} from '../src';
import { buildOrderWorkload, INGRESS_GATEWAY } from './reference-app';

/** What the progressive example builds. */
export interface ProgressiveApp {
  readonly mesh: Mesh;
  readonly production: MeshNamespace;
  readonly order: TracedService;
  readonly route: CanaryRoute;
}

/** Flagger's load tester, installed next to Flagger (https://docs.flagger.app/usage/webhooks#load-testing). */
export const LOAD_TESTER_URL = 'http://flagger-loadtester.test/';

/**
 * The load tester's identity. It must run in the mesh (namespace `test` with sidecar injection) under
 * a ServiceAccount of its own (the Helm chart's `serviceAccountName`, or `rbac.create: true`): without
 * a sidecar its requests skip the A/B routes and reach the primary only, and with the default deny in
 * place they must come from an identity order-service allows.
 */
export const LOAD_TESTER = ExternalIdentity.serviceAccount({ namespace: 'test', serviceAccount: 'flagger-loadtester' });

/**
 * order-service delivered progressively by Flagger (the article's advanced tip 4): the reference
 * app's CanaryRoute, unchanged in its intent (timeout 10s, retries 3 × 3s on
 * 5xx,reset,connect-failure,refused-stream, `x-canary: true` and even `x-user-id` to v2), run as an
 * A/B test. During the analysis the matched requests go to the canary (v2); everything else stays on
 * Flagger's primary (v1). Flagger promotes after 10 one-minute steps while the success rate stays at
 * 99% or more and P99 latency at 500ms or less, and rolls back after 5 failed checks.
 *
 * It keeps the reference app's zero trust for order-service: mesh-wide PERMISSIVE mTLS, the default
 * deny in `production`, and least-privilege allows (the ingress gateway; Flagger's load tester for the
 * analysis), holding for Flagger's primary and canary pods alike.
 *
 * Written to dist/progressive/: deploy it instead of the reference app's order-service objects, with
 * Flagger installed (provider istio). See docs/progressive-delivery.md.
 */
export function buildProgressiveApp(scope: Construct): ProgressiveApp {
  // v1 is the stable release (Flagger's primary), v2 the release under analysis (Flagger's target).
  const { mesh, production, order } = buildOrderWorkload(scope);

  const route = new CanaryRoute(scope, 'OrderRoute', {
    service: order,
    timeout: Duration.seconds(10),
    retries: RetryPolicy.of({
      attempts: 3,
      perTryTimeout: Duration.seconds(3),
      retryOn: [RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM],
    }),
    rules: [
      { name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') },
      { name: 'ab-even-users', match: [{ headers: [HeaderMatch.regex('x-user-id', '^[0-9]*[02468]$')] }], destination: Destination.version('v2') },
    ],
    defaultDestination: Destination.version('v1'),
    progressive: CanaryAnalysis.abTesting({
      interval: Duration.minutes(1),
      threshold: 5,
      iterations: 10,
      metrics: [
        MetricCheck.requestSuccessRate({ minPercent: 99 }),
        MetricCheck.requestDuration({ maxP99: Duration.millis(500) }),
      ],
      webhooks: [
        AnalysisWebhook.of({
          name: 'smoke-test',
          type: WebhookType.PRE_ROLLOUT,
          url: LOAD_TESTER_URL,
          timeout: Duration.seconds(30),
          metadata: { type: 'bash', cmd: 'curl -sf http://order-service-canary.production:8080/health' },
        }),
        AnalysisWebhook.of({
          name: 'load-test',
          type: WebhookType.ROLLOUT,
          url: LOAD_TESTER_URL,
          timeout: Duration.seconds(5),
          metadata: { cmd: "hey -z 1m -q 10 -c 2 -H 'x-canary: true' http://order-service.production:8080/api/orders" },
        }),
      ],
    }),
  });

  // The reference app's host pool, as far as Flagger's Canary can carry it: its trafficPolicy has no
  // connectionPool.tcp (tcp.maxConnections would be dropped) and applies to primary and canary alike
  // (the v1-only override cannot be expressed).
  new CircuitBreaker(scope, 'OrderPool', {
    service: order,
    connectionPool: ConnectionPool.of({
      http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, h2UpgradePolicy: H2UpgradePolicy.DEFAULT },
    }),
  });
  // The reference app's zero trust for order-service, on Flagger's primary and canary pods alike (the
  // policies select a label Flagger copies to its primary; docs/progressive-delivery.md).
  new ZeroTrustPolicy(scope, 'ZeroTrust', {
    mesh,
    meshMtls: MtlsMode.PERMISSIVE,
    namespaces: [{ namespace: production, defaultDeny: true }],
  });
  order.allowFrom(INGRESS_GATEWAY, {
    methods: [HttpMethod.GET, HttpMethod.POST],
    paths: [PathMatch.exact('/api/orders'), PathMatch.prefix('/api/orders/')],
  });
  // The analysis's webhooks: the smoke test's health check on the canary, the load test's GET /api/orders.
  order.allowFrom(LOAD_TESTER, {
    methods: [HttpMethod.GET],
    paths: [PathMatch.exact('/health'), PathMatch.exact('/api/orders')],
  });
  return { mesh, production, order, route };
}
