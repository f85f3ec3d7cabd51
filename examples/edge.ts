import { Construct } from 'constructs';
import {
  CertificateIssuer,
  Condition,
  ControlPlane,
  EgressGatewayMode,
  ExternalPort,
  ExternalService,
  GatewayTls,
  HttpMethod,
  IngressGateway,
  IstioProfile,
  JwtRule,
  MtlsMode,
  OutboundTrafficPolicy,
  PathMatch,
  RequestAuthentication,
  RequestPrincipal,
  RoutePath,
  SidecarScope,
  TracedService,
  ZeroTrustPolicy,
} from '../src';
import { addTraffic, buildOrderWorkload, ReferenceApp } from './reference-app';

/** What the edge example builds, for tests. */
export interface EdgeApp extends ReferenceApp {
  readonly gateway: IngressGateway;
  readonly stripe: ExternalService;
  readonly jwt: RequestAuthentication;
}

/** The issuer of the shop's end-user tokens. */
export const SHOP_ISSUER = 'https://auth.example.com';

/**
 * The edge of the reference app (`dist/edge/`): how traffic enters and leaves the mesh, and who the
 * end user is.
 *
 * - **Ingress**: order-service is exposed at `shop.example.com` on `istio-system/shop-gateway` (the
 *   shared `istio-ingressgateway`): HTTPS on 443 with the credential `shop-example-com-tls`, a
 *   cert-manager Certificate from ClusterIssuer `letsencrypt` written into `istio-system` (where the
 *   gateway reads it); HTTP on 80 redirects to HTTPS. `/api/orders` and everything below it go to
 *   order-service with its canary rules (the reference app's CanaryRoute: `x-canary`, even user ids
 *   to v2, else 90/10).
 * - **End-user auth**: order-service validates tokens of `https://auth.example.com` (audience
 *   `shop-api`). The gateway may GET `/api/orders` and below; POST `/api/orders` needs a valid token
 *   whose `scope` claim contains `orders:write`.
 * - **Egress**: payment-service calls `api.stripe.com:443` (its own TLS) through the egress gateway,
 *   which admits only payment-service; the control plane (`dist/edge/control-plane/`) sets
 *   `outboundTrafficPolicy: REGISTRY_ONLY` and installs the egress gateway, so nothing else leaves
 *   the mesh.
 *
 * `controlPlaneScope` must be a chart of its own (`outputDir: 'edge/control-plane'`).
 */
export function buildEdgeApp(scope: Construct, controlPlaneScope: Construct): EdgeApp {
  const { mesh, production, order } = buildOrderWorkload(scope);
  const payment = new TracedService(scope, 'PaymentService', {
    namespace: production,
    name: 'payment-service',
    imageRepository: 'registry.example.com/payment-service',
    versions: [{ name: 'v1' }],
  });
  const app: ReferenceApp = { mesh, production, order, payment };
  addTraffic(app, { localRateLimit: false });

  const zt = new ZeroTrustPolicy(scope, 'ZeroTrust', {
    mesh,
    meshMtls: MtlsMode.STRICT,
    namespaces: [{ namespace: production, defaultDeny: true }],
  });
  zt.requireMtls(payment, MtlsMode.STRICT);
  payment.allowFrom(order, {
    methods: [HttpMethod.POST],
    paths: [PathMatch.prefix('/api/payments/')],
    when: [Condition.requestHeader('x-user-role').notValues('guest')],
  });

  // Ingress: the shared istio-ingressgateway serves shop.example.com.
  const gateway = new IngressGateway(scope, 'ShopGateway', {
    mesh,
    name: 'shop-gateway',
    hosts: ['shop.example.com'],
    tls: GatewayTls.simple('shop-example-com-tls'),
    certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') },
  });
  gateway.expose(order, { paths: [RoutePath.prefix('/api/orders')], methods: [HttpMethod.GET] });

  // End-user auth: creating orders needs a token with scope orders:write.
  const jwt = new RequestAuthentication(scope, 'ShopJwt', {
    target: order,
    jwtRules: [JwtRule.of({ issuer: SHOP_ISSUER, jwksUri: `${SHOP_ISSUER}/.well-known/jwks.json`, audiences: ['shop-api'] })],
  });
  order.allowFrom(gateway, {
    methods: [HttpMethod.POST],
    paths: [PathMatch.exact('/api/orders')],
    requestPrincipals: [RequestPrincipal.fromIssuer(SHOP_ISSUER)],
    when: [Condition.requestAuthClaim('scope').values('orders:write')],
  });

  // Egress: payment-service reaches Stripe through the egress gateway, and nothing else leaves.
  const stripe = new ExternalService(scope, 'Stripe', {
    namespace: production,
    name: 'stripe',
    hosts: ['api.stripe.com'],
    ports: [ExternalPort.tls(443)],
    egressGateway: EgressGatewayMode.passthrough(),
  });
  stripe.allowFrom(payment);
  new SidecarScope(scope, 'EgressScoping', { mesh, namespaces: [production] });

  new ControlPlane(controlPlaneScope, 'ControlPlane', {
    mesh,
    profile: IstioProfile.DEFAULT,
    outboundTrafficPolicy: OutboundTrafficPolicy.REGISTRY_ONLY,
    egressGateway: true,
  });
  return { ...app, gateway, stripe, jwt };
}
