import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AccessLogEncoding,
  CanaryRoute,
  CircuitBreaker,
  Condition,
  ConnectionPool,
  ControlPlane,
  CustomTag,
  Destination,
  ExtensionProvider,
  ExternalIdentity,
  H2UpgradePolicy,
  HeaderMatch,
  HttpMethod,
  IstioProfile,
  LocalRateLimit,
  Mesh,
  MeshNamespace,
  MeshProps,
  MeshReport,
  MtlsMode,
  OutlierDetection,
  PathMatch,
  RateLimitDescriptor,
  RetryOn,
  RetryPolicy,
  SidecarScope,
  TokenBucket,
  TracedService,
  ZeroTrustPolicy,
} from '../src';

/** What the reference app builds, for tests and for the variants that reuse the same intent. */
export interface ReferenceApp {
  readonly mesh: Mesh;
  readonly production: MeshNamespace;
  readonly order: TracedService;
  readonly payment: TracedService;
}

/**
 * Options of {@link buildReferenceApp}. A variant states what it leaves out explicitly: a variant never
 * drops intent silently. The sidecar + Istio API app keeps everything (the defaults).
 */
export interface ReferenceAppOptions {
  /**
   * Scope every sidecar's egress to its declared callees ({@link addEgressScoping}). Ambient meshes
   * have no sidecars, so it must stay off there.
   * @default - true with the sidecar data plane, false in ambient mode
   */
  readonly egressScoping?: boolean;
  /**
   * Keep the route retries (order-service 3 × 3s, payment-service 2 × 2s). Gateway API v1.5.1's
   * standard channel has no retries (HTTPRouteRule.retry is experimental), and the library refuses
   * a route with retries under `RoutingApi.GATEWAY_API`. Without them, Istio applies its default
   * retry policy (2 attempts on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes).
   * @default true
   */
  readonly retries?: boolean;
  /**
   * Add payment-service's LocalRateLimit. It is an EnvoyFilter on the inbound sidecar, and ambient
   * workloads have no sidecar, so the library refuses it on an ambient mesh.
   * @default true
   */
  readonly localRateLimit?: boolean;
}

/**
 * The ambient + Gateway API variant of the reference app (`dist/ambient/`): the same matches,
 * weights, timeouts, pools and authorization; without the two features this data plane and API
 * cannot express (see docs/ambient-gateway-api.md).
 */
export const AMBIENT_VARIANT: ReferenceAppOptions = { retries: false, localRateLimit: false };

/** The collector every proxy and every app SDK sends spans to. */
export const OTEL_PROVIDER = ExtensionProvider.openTelemetry({
  name: 'otel',
  service: 'otel-collector.observability.svc.cluster.local',
  port: 4317,
});

/**
 * The part every variant shares: the mesh with the article's tracing (otel provider, 10% sampling,
 * `user_id` from `x-user-id`), the `production` namespace and order-service with v1 and v2 (the
 * article routes 90% to v1 but only ships a v2 Deployment: both versions run here).
 */
export function buildOrderWorkload(scope: Construct, meshProps: MeshProps = {}): { mesh: Mesh; production: MeshNamespace; order: TracedService } {
  const mesh = new Mesh(scope, 'Mesh', {
    ...meshProps,
    tracing: {
      provider: OTEL_PROVIDER,
      samplingPercentage: 10,
      customTags: { user_id: CustomTag.header('x-user-id') },
    },
  });
  const production = new MeshNamespace(scope, 'Production', { mesh, name: 'production' });
  const order = new TracedService(scope, 'OrderService', {
    namespace: production,
    name: 'order-service',
    imageRepository: 'registry.example.com/order-service',
    versions: [{ name: 'v1' }, { name: 'v2' }],
  });
  return { mesh, production, order };
}

/**
 * The reference app of `reference-app.md`: order-service (v1, v2) and payment-service (v1) in
 * `production`, with mesh-wide tracing. `meshProps` picks the data plane and routing API, so the
 * same intent renders as sidecar + Istio API or ambient + Gateway API.
 */
export function buildReferenceApp(scope: Construct, meshProps: MeshProps = {}, options: ReferenceAppOptions = {}): ReferenceApp {
  const { mesh, production, order } = buildOrderWorkload(scope, meshProps);
  const payment = new TracedService(scope, 'PaymentService', {
    namespace: production,
    name: 'payment-service',
    imageRepository: 'registry.example.com/payment-service',
    versions: [{ name: 'v1' }],
  });

  const app: ReferenceApp = { mesh, production, order, payment };
  addTraffic(app, options);
  addSecurity(app);
  if (options.egressScoping ?? !mesh.isAmbient) addEgressScoping(app);
  return app;
}

/**
 * Sidecar egress scoping for `production`, from the call graph `addSecurity` declares:
 * order-service reaches payment-service, the collector and istio-system; payment-service reaches
 * only the collector and istio-system. Sidecar data plane only (SidecarScope refuses ambient meshes).
 */
export function addEgressScoping(app: ReferenceApp): SidecarScope {
  const { mesh, production } = app;
  return new SidecarScope(mesh.node.scope as Construct, 'EgressScoping', { mesh, namespaces: [production] });
}

/**
 * The mesh cost report (dist/report/mesh-report.json and .md). The request rates are example
 * figures: 50 req/s reach order-service, 20 req/s of them go on to payment-service.
 */
export function addMeshReport(app: ReferenceApp): MeshReport {
  const { mesh, order, payment } = app;
  return new MeshReport(mesh.node.scope as Construct, 'MeshReport', {
    mesh,
    requestRates: [
      { service: order, requestsPerSecond: 50 },
      { service: payment, requestsPerSecond: 20 },
    ],
  });
}

/** The ingress gateway's identity: the only caller allowed to reach order-service. */
export const INGRESS_GATEWAY = ExternalIdentity.serviceAccount({
  namespace: 'istio-system',
  serviceAccount: 'istio-ingressgateway-service-account',
});

/**
 * Security of `reference-app.md`: mesh-wide PERMISSIVE mTLS for the migration, STRICT for
 * payment-service, a real default deny in `production` (an ALLOW policy that matches nothing, not
 * the article's DENY + notPrincipals), and least-privilege allows from typed identities.
 */
export function addSecurity(app: ReferenceApp): ZeroTrustPolicy {
  const { mesh, production, order, payment } = app;
  const zt = new ZeroTrustPolicy(mesh.node.scope as Construct, 'ZeroTrust', {
    mesh,
    meshMtls: MtlsMode.PERMISSIVE,
    namespaces: [{ namespace: production, defaultDeny: true }],
  });
  zt.requireMtls(payment, MtlsMode.STRICT);

  payment.allowFrom(order, {
    methods: [HttpMethod.POST],
    paths: [PathMatch.prefix('/api/payments/')],
    when: [Condition.requestHeader('x-user-role').notValues('guest')],
  });
  // With default deny in place, someone must still reach order-service: only the ingress gateway.
  order.allowFrom(INGRESS_GATEWAY, {
    methods: [HttpMethod.GET, HttpMethod.POST],
    paths: [PathMatch.exact('/api/orders'), PathMatch.prefix('/api/orders/')],
  });
  return zt;
}

/**
 * The article's install settings, corrected (reference-app.md, "Control plane install"): profile
 * `default` instead of the non-existent `production`, JSON access logs to /dev/stdout, the `otel`
 * provider in mesh config (taken from the mesh, instead of the never-read ConfigMap `istio-otel`),
 * and sidecar requests 100m/128Mi with limits 500m/512Mi. `scope` must be a chart of its own
 * (`new MeshChart(app, 'control-plane', { outputDir: 'control-plane' })`).
 */
export function addControlPlane(scope: Construct, mesh: Mesh): ControlPlane {
  return new ControlPlane(scope, 'ControlPlane', {
    mesh,
    profile: IstioProfile.DEFAULT,
    accessLog: { file: '/dev/stdout', encoding: AccessLogEncoding.JSON },
    proxyResources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    },
  });
}

/**
 * Traffic of the reference app ("Traffic" in reference-app.md): order-service's canary route and
 * connection pool, payment-service's timeout/retries, circuit breaker and local rate limit.
 * Exactly one VirtualService and one DestinationRule per host come out, whichever constructs contribute.
 */
export function addTraffic(app: ReferenceApp, options: ReferenceAppOptions = {}): void {
  const { order, payment } = app;
  const scope = order.node.scope as Construct;
  const retries = options.retries ?? true;

  // The article sets timeout and retries on the default rule only; users mean every rule.
  new CanaryRoute(scope, 'OrderRoute', {
    service: order,
    timeout: Duration.seconds(10),
    retries: retries ? RetryPolicy.of({
      attempts: 3,
      perTryTimeout: Duration.seconds(3),
      retryOn: [RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM],
    }) : undefined,
    rules: [
      { name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') },
      { name: 'ab-even-users', match: [{ headers: [HeaderMatch.regex('x-user-id', '^[0-9]*[02468]$')] }], destination: Destination.version('v2') },
    ],
    defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
  });
  new CircuitBreaker(scope, 'OrderPool', {
    service: order,
    connectionPool: ConnectionPool.of({
      tcp: { maxConnections: 100 },
      http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, h2UpgradePolicy: H2UpgradePolicy.DEFAULT },
    }),
  });
  new CircuitBreaker(scope, 'OrderV1Pool', {
    service: order,
    version: 'v1',
    connectionPool: ConnectionPool.of({ http: { http1MaxPendingRequests: 50 } }),
  });

  // No canary: a route with only a default destination carries the host's timeout and retries.
  new CanaryRoute(scope, 'PaymentRoute', {
    service: payment,
    timeout: Duration.seconds(5),
    retries: retries ? RetryPolicy.of({ attempts: 2, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.FIVE_XX, RetryOn.RESET] }) : undefined,
    defaultDestination: Destination.service(),
  });
  new CircuitBreaker(scope, 'PaymentBreaker', {
    service: payment,
    connectionPool: ConnectionPool.of({
      tcp: { maxConnections: 50, connectTimeout: Duration.seconds(5) },
      http: { http1MaxPendingRequests: 30, http2MaxRequests: 50, h2UpgradePolicy: H2UpgradePolicy.DEFAULT },
    }),
    outlierDetection: OutlierDetection.of({
      consecutive5xxErrors: 3,
      interval: Duration.seconds(30),
      baseEjectionTime: Duration.seconds(60),
      maxEjectionPercent: 50,
      minHealthPercent: 25,
    }),
  });
  // Per pod: 3 replicas admit up to 150 req/s in total, bursts of 100 per pod; payment creation
  // (POST on /api/payments and below) has a tighter 20 req/s per pod. See docs/traffic.md.
  if (options.localRateLimit === false) return;
  new LocalRateLimit(scope, 'PaymentRateLimit', {
    service: payment,
    tokenBucket: TokenBucket.of({ maxTokens: 100, tokensPerFill: 50, fillInterval: Duration.seconds(1) }),
    descriptors: [
      RateLimitDescriptor.pathPrefix('/api/payments', TokenBucket.of({ maxTokens: 20, tokensPerFill: 20, fillInterval: Duration.seconds(1) }), { method: HttpMethod.POST }),
    ],
  });
}
