import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CanaryAnalysis,
  CanaryRoute,
  CircuitBreaker,
  ConnectionPool,
  Cors,
  CustomTag,
  DelegateRoute,
  Destination,
  DirectResponse,
  DisruptionBudget,
  EnvKeyRef,
  Fault,
  HeaderMatch,
  HeaderMutation,
  HttpMethod,
  LoadBalancer,
  Mesh,
  MeshNamespace,
  MetricCheck,
  Mirror,
  OutlierDetection,
  Probe,
  Redirect,
  RetryOn,
  RetryPolicy,
  Rewrite,
  StringMatch,
  TracedService,
  TracedServiceProps,
  Volume,
} from '../src';
import { OTEL_PROVIDER } from './reference-app';

/** What the features example builds. */
export interface FeaturesApp {
  readonly mesh: Mesh;
  readonly storefront: MeshNamespace;
  /**
   * A two-port gRPC + HTTP host (HTTP on 8080, the primary, gRPC on 9090) with every route effect on
   * its HTTP port, a route of its own on the gRPC port, consistent hashing, locality failover, and a
   * connection pool of its own for gRPC.
   */
  readonly catalog: TracedService;
  /** A host shared by two teams through VirtualService delegation. */
  readonly shop: TracedService;
  /** A host delivered progressively by Flagger in its delegation mode. */
  readonly reviews: TracedService;
}

/**
 * Issue 18's features, one service of each kind, written to dist/features/ (its own deployable set):
 *
 * - `catalog`: two ports, `http` 8080 (primary) and `grpc` 9090. Its HTTP port: requests with `x-chaos: on` get a 5% abort (503) and a 1s delay; `/v1/...` is
 *   rewritten to `/...`; `/old-catalog` redirects (308) to `/catalog`; `/v0/...` answers 410; every
 *   other request goes to v1 with a 10% mirror to v2, CORS for `https://shop.example.com`, `x-env`
 *   set and `x-debug` removed on the request and `server` removed from the response. Its
 *   DestinationRule hashes on `x-user-id` and fails over from europe-west1 to europe-west4, with
 *   the outlier detection failover needs, and its gRPC port a connection pool of its own
 *   (`portLevelSettings`); every route destination names the port (a two-port host, IST0112).
 *   Its gRPC port has a route of its own: calls to `shop.catalog.v1.Catalog` with `x-canary: true` go
 *   to v2, the rest 90/10 to v1/v2, with a 2s timeout and retries on `unavailable`/`resource-exhausted`.
 * - `shop`: one host, two teams: `/cart/` is decided by the cart team's delegate route (its
 *   namespace `cart-team`), `/checkout/` by the checkout team's; the rest goes to v1.
 * - `reviews`: delivered progressively by Flagger in its delegation mode: Flagger's VirtualService
 *   is a delegate of the root `reviews-root`, which keeps the redirect and the response header rule
 *   that Flagger would otherwise drop.
 *
 * catalog also shows the workload features: liveness and startup probes, a ConfigMap volume and an
 * emptyDir, an environment variable from a Secret key, command/args, an autoscaler (2..6 pods per
 * version), a disruption budget (maxUnavailable 1) and a spread across zones.
 *
 * Every Deployment meets Pod Security "restricted".
 */
export function buildFeaturesApp(scope: Construct): FeaturesApp {
  const mesh = new Mesh(scope, 'Mesh', {
    tracing: { provider: OTEL_PROVIDER, samplingPercentage: 10, customTags: { user_id: CustomTag.header('x-user-id') } },
  });
  const storefront = new MeshNamespace(scope, 'Storefront', { mesh, name: 'storefront' });
  const cartTeam = new MeshNamespace(scope, 'CartTeam', { mesh, name: 'cart-team' });
  const checkoutTeam = new MeshNamespace(scope, 'CheckoutTeam', { mesh, name: 'checkout-team' });
  const versions = [{ name: 'v1' }, { name: 'v2' }];
  const service = (id: string, name: string, workload: Partial<TracedServiceProps> = {}) => new TracedService(scope, id, {
    namespace: storefront, name, imageRepository: `registry.example.com/${name}`, versions, ...(workload.autoscaling ? {} : { replicas: 2 }), ...workload,
  });

  // Workload features of catalog: probes, a ConfigMap and a scratch volume, a Secret-backed
  // variable (only the Secret's name and key are in code), command/args, an autoscaler per
  // version (the Deployments leave replicas to it), a disruption budget (every Deployment with 2+
  // pods has one by default; DisruptionBudget.none() opts out) and a zone spread.
  const catalogWorkload: Partial<TracedServiceProps> = {
    livenessProbe: Probe.httpGet('/healthz', { period: Duration.seconds(10), failureThreshold: 3 }),
    startupProbe: Probe.tcp({ period: Duration.seconds(2), failureThreshold: 30 }),
    volumes: [
      { volume: Volume.fromConfigMap('config', 'catalog-config'), mountPath: '/etc/catalog' },
      { volume: Volume.emptyDir('tmp', { sizeLimit: '64Mi' }), mountPath: '/tmp' },
    ],
    ports: [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }],
    envFromKeys: { CATALOG_DB_PASSWORD: EnvKeyRef.secret('catalog-db', 'password') },
    command: ['/catalog'],
    args: ['--config=/etc/catalog/config.yaml'],
    autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilization: 75 },
    disruptionBudget: DisruptionBudget.maxUnavailable(1), // the default for 2+ pods, written out
    topologySpread: { maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' },
  };

  // Route effects on one host.
  const catalog = service('Catalog', 'catalog', catalogWorkload);
  new CanaryRoute(scope, 'CatalogRoute', {
    service: catalog,
    port: 8080,
    timeout: Duration.seconds(5),
    rules: [
      {
        name: 'chaos',
        match: [{ headers: [HeaderMatch.exact('x-chaos', 'on')] }],
        destination: Destination.version('v1'),
        fault: Fault.of({ abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: Duration.seconds(1), percent: 100 } }),
      },
      { name: 'legacy-v1', match: [{ uri: StringMatch.prefix('/v1/') }], destination: Destination.version('v1'), rewrite: Rewrite.uri('/') },
      { name: 'moved', match: [{ uri: StringMatch.exact('/old-catalog') }], redirect: Redirect.to({ uri: '/catalog', code: 308 }) },
      { name: 'retired-v0', match: [{ uri: StringMatch.prefix('/v0/') }], directResponse: DirectResponse.of({ status: 410, body: 'the v0 API is retired; use /catalog' }) },
    ],
    defaultDestination: Destination.version('v1'),
    defaultEffects: {
      mirror: Mirror.toVersion('v2', { percent: 10 }),
      cors: Cors.of({
        allowOrigins: [StringMatch.exact('https://shop.example.com')],
        allowMethods: [HttpMethod.GET, HttpMethod.POST],
        allowHeaders: ['content-type', 'x-user-id'],
        maxAge: Duration.hours(24),
      }),
      headers: HeaderMutation.of({ request: { set: { 'x-env': 'production' }, remove: ['x-debug'] }, response: { remove: ['server'] } }),
    },
  });
  // The gRPC port has a route of its own (one route per port, both in the host's one
  // VirtualService): calls to the Catalog gRPC service with x-canary: true go to v2, the rest is
  // split 90/10, with gRPC's retriable statuses.
  new CanaryRoute(scope, 'CatalogGrpcRoute', {
    service: catalog,
    port: 9090,
    timeout: Duration.seconds(2),
    retries: RetryPolicy.of({ attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: [RetryOn.UNAVAILABLE, RetryOn.RESOURCE_EXHAUSTED] }),
    rules: [{ name: 'grpc-canary', match: [{ uri: StringMatch.prefix('/shop.catalog.v1.Catalog/'), headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
    defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
  });
  new CircuitBreaker(scope, 'CatalogPolicy', {
    service: catalog,
    loadBalancer: LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' }).withLocality({ failover: [{ from: 'europe-west1', to: 'europe-west4' }] }),
    outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) }),
  });
  new CircuitBreaker(scope, 'CatalogGrpcPool', {
    service: catalog,
    port: 9090,
    connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 500, maxRequestsPerConnection: 100 } }),
  });

  // One host shared by two teams.
  const shop = service('Shop', 'shop');
  new CanaryRoute(scope, 'ShopRoute', {
    service: shop,
    delegates: [
      { name: 'shop-cart', namespace: cartTeam, match: [{ uri: StringMatch.prefix('/cart/') }] },
      { name: 'shop-checkout', namespace: checkoutTeam, match: [{ uri: StringMatch.prefix('/checkout/') }] },
    ],
    defaultDestination: Destination.version('v1'),
  });
  new DelegateRoute(scope, 'CartRoute', {
    service: shop,
    name: 'shop-cart',
    namespace: cartTeam,
    rules: [{ name: 'cart-v2', match: [{ uri: StringMatch.prefix('/cart/v2/') }], destination: Destination.version('v2') }],
    defaultDestination: Destination.version('v1'),
  });
  new DelegateRoute(scope, 'CheckoutRoute', {
    service: shop,
    name: 'shop-checkout',
    namespace: checkoutTeam,
    rules: [{ name: 'checkout-beta', match: [{ uri: StringMatch.prefix('/checkout/'), headers: [HeaderMatch.exact('x-beta', 'true')] }], destination: Destination.version('v2') }],
    defaultDestination: Destination.version('v1'),
  });

  // Progressive delivery that keeps the host's own rules.
  const reviews = service('Reviews', 'reviews');
  new CanaryRoute(scope, 'ReviewsRoute', {
    service: reviews,
    timeout: Duration.seconds(3),
    rules: [{ name: 'moved', match: [{ uri: StringMatch.exact('/ratings') }], redirect: Redirect.to({ uri: '/reviews/ratings', code: 301 }) }],
    defaultDestination: Destination.version('v1'),
    defaultEffects: { headers: HeaderMutation.response({ remove: ['server'] }) },
    progressive: CanaryAnalysis.weighted({
      interval: Duration.minutes(1),
      threshold: 5,
      stepWeight: 10,
      maxWeight: 50,
      metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 }), MetricCheck.requestDuration({ maxP99: Duration.millis(500) })],
    }),
    progressiveDelegation: true,
  });

  return { mesh, storefront, catalog, shop, reviews };
}
