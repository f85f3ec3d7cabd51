/**
 * The edge constructs (issue 17): IngressGateway, ExternalService, RequestAuthentication, as
 * rendered (Testing.synth, no synth-time validation) and as refused.
 */
import {
  CertificateIssuer, Condition, EgressGatewayMode, ExternalPort, ExternalService, GatewayTls, HttpMethod, IngressGateway,
  JwtRule, PathMatch, RequestAuthentication, RequestPrincipal, Resolution, RoutePath,
} from '../src';
import { meshChart, one, service, synth } from './helpers';

const ISSUER = 'https://auth.example.com';

function shop() {
  const { chart, mesh, ns } = meshChart();
  const order = service(chart, ns, 'order-service');
  const payment = service(chart, ns, 'payment-service');
  return { chart, mesh, ns, order, payment };
}

function gateway(s: ReturnType<typeof shop>, props: Partial<ConstructorParameters<typeof IngressGateway>[2]> = {}) {
  return new IngressGateway(s.chart, 'Gw', {
    mesh: s.mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'),
    certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') }, ...props,
  });
}

describe('IngressGateway', () => {
  test('GIVEN a TLS gateway with a certificate WHEN synthesized THEN HTTPS 443 reads the credential, HTTP 80 redirects, and the Certificate writes the Secret into the gateway pods\' namespace', () => {
    const s = shop();
    gateway(s);
    const out = synth(s.chart);
    expect(one(out, 'Gateway', 'shop-gateway')).toMatchObject({
      apiVersion: 'networking.istio.io/v1',
      metadata: { namespace: 'istio-system' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          { port: { number: 443, protocol: 'HTTPS' }, hosts: ['istio-system/shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } },
          { port: { number: 80, protocol: 'HTTP' }, tls: { httpsRedirect: true } },
        ],
      },
    });
    expect(one(out, 'Certificate', 'shop-tls')).toMatchObject({
      apiVersion: 'cert-manager.io/v1',
      metadata: { namespace: 'istio-system' },
      spec: { secretName: 'shop-tls', dnsNames: ['shop.example.com'], issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' } },
    });
  });

  test('GIVEN mutual TLS WHEN synthesized THEN the server is MUTUAL with the same credential', () => {
    const s = shop();
    gateway(s, { tls: GatewayTls.mutual('shop-tls'), certificate: undefined });
    expect(one(synth(s.chart), 'Gateway', 'shop-gateway').spec.servers[0].tls).toEqual({ mode: 'MUTUAL', credentialName: 'shop-tls' });
  });

  test('GIVEN a service exposed on a prefix WHEN synthesized THEN a VirtualService binds the host to the service and the gateway identity is allowed on those paths only', () => {
    const s = shop();
    const gw = gateway(s);
    gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')], methods: [HttpMethod.GET] });
    const out = synth(s.chart);
    expect(one(out, 'VirtualService', 'shop-gateway-shop-example-com')).toMatchObject({
      metadata: { namespace: 'istio-system' },
      spec: {
        hosts: ['shop.example.com'],
        gateways: ['istio-system/shop-gateway'],
        http: [{ match: [{ uri: { exact: '/api/orders' } }, { uri: { prefix: '/api/orders/' } }], route: [{ destination: { host: 'order-service.production.svc.cluster.local' } }] }],
      },
    });
    expect(one(out, 'AuthorizationPolicy', 'order-service-allow').spec.rules).toEqual([{
      from: [{ source: { namespaces: ['istio-system'], principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }],
      to: [{ operation: { methods: ['GET'], paths: ['/api/orders', '/api/orders/*'] } }],
    }]);
  });

  test.each([
    [{ hosts: ['*'] }, /props\.hosts\[0\]: "\*" is invalid: a gateway host "\*" serves every host name.*Hint:/],
    [{ hosts: ['Shop.example.com'] }, /props\.hosts\[0\]: "Shop\.example\.com" is invalid: host names are compared in lowercase/],
    [{ hosts: [] }, /props\.hosts: \[\] is invalid: a gateway serves at least one host/],
    [{ tls: undefined }, /props\.certificate: "Certificate" is invalid: a certificate is written into the TLS credential Secret, so it needs tls/],
    [{ httpPort: 443 }, /props\.httpPort: 443 is invalid: the HTTP and HTTPS servers need different ports/],
    [{ httpsPort: 65536 }, /props\.httpsPort: 65536 is invalid/],
  ])('GIVEN bad gateway props %j WHEN constructed THEN it is refused naming path, property, value and rule', (props, message) => {
    expect(() => gateway(shop(), props as any)).toThrow(message);
    expect(() => gateway(shop(), props as any)).toThrow(/^\[test\/Gw\] /);
  });

  test('GIVEN ports at their limits WHEN constructed THEN 1 and 65535 are accepted', () => {
    const s = shop();
    expect(() => gateway(s, { httpsPort: 65535, httpPort: 1 })).not.toThrow();
  });

  test('GIVEN an exposure WHEN its host is not served or its paths overlap another exposure THEN it is refused', () => {
    const s = shop();
    const gw = gateway(s);
    expect(() => gw.expose(s.order, { host: 'admin.example.com', paths: [RoutePath.prefix('/api')] })).toThrow(/host: "admin\.example\.com" is invalid: gateway istio-system\/shop-gateway does not serve this host/);
    gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')] });
    expect(() => gw.expose(s.payment, { paths: [RoutePath.exact('/api/orders/1')] })).toThrow(/paths: "exact \/api\/orders\/1" is invalid: it overlaps prefix \/api\/orders.*Hint: expose disjoint paths/);
    // disjoint paths are fine
    expect(() => gw.expose(s.payment, { paths: [RoutePath.prefix('/api/payments')] })).not.toThrow();
  });

  test('GIVEN two gateways on the shared workload serving one host on one port WHEN constructed THEN the second is refused (IST0145)', () => {
    const s = shop();
    gateway(s);
    expect(() => new IngressGateway(s.chart, 'Gw2', { mesh: s.mesh, name: 'other', hosts: ['shop.example.com'], tls: GatewayTls.simple('other-tls') }))
      .toThrow(/hosts: "shop\.example\.com" is invalid: gateway istio-system\/shop-gateway .* already serves shop\.example\.com on port 443.*IST0145/);
  });
});

describe('ExternalService', () => {
  test('GIVEN an external TLS host through the egress gateway with one caller WHEN synthesized THEN ServiceEntry, gateway routes and a gateway policy admitting only that caller are written', () => {
    const s = shop();
    const es = new ExternalService(s.chart, 'Stripe', { namespace: s.ns, name: 'stripe', hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)], egressGateway: EgressGatewayMode.passthrough() });
    es.allowFrom(s.payment);
    const out = synth(s.chart);
    expect(one(out, 'ServiceEntry', 'stripe').spec).toMatchObject({
      hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: 443, protocol: 'TLS' }], exportTo: ['.', 'istio-system'],
    });
    expect(one(out, 'Gateway', 'stripe-egress').spec).toMatchObject({ selector: { istio: 'egressgateway' }, servers: [{ port: { number: 443, protocol: 'TLS' }, tls: { mode: 'ISTIO_MUTUAL' } }] });
    expect(one(out, 'VirtualService', 'stripe-egress').spec).toMatchObject({
      gateways: ['mesh', 'production/stripe-egress'],
      tls: [{ match: [{ gateways: ['mesh'], port: 443, sniHosts: ['api.stripe.com'] }], route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'stripe' } }] }],
      tcp: [{ match: [{ gateways: ['production/stripe-egress'], port: 443 }], route: [{ destination: { host: 'api.stripe.com', port: { number: 443 } } }] }],
    });
    const policy = out.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === 'istio-system');
    expect(policy.spec).toEqual({
      selector: { matchLabels: { istio: 'egressgateway' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/payment-service'], namespaces: ['production'] } }], when: [{ key: 'connection.sni', values: ['api.stripe.com'] }] }],
    });
  });

  test('GIVEN an external service without callers WHEN synthesized THEN the egress gateway policy has no rule: it admits nobody', () => {
    const s = shop();
    new ExternalService(s.chart, 'Stripe', { namespace: s.ns, name: 'stripe', hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)], egressGateway: EgressGatewayMode.passthrough() });
    const policy = synth(s.chart).find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === 'istio-system');
    expect(policy.spec).toEqual({ selector: { matchLabels: { istio: 'egressgateway' } }, action: 'ALLOW' });
  });

  test('GIVEN TLS origination at the sidecar WHEN synthesized THEN a DestinationRule sets tls SIMPLE with the SNI on the plain port', () => {
    const s = shop();
    new ExternalService(s.chart, 'Api', { namespace: s.ns, name: 'api', hosts: ['api.example.org'], ports: [ExternalPort.http(80, { targetPort: 443 })], tlsOrigination: undefined });
    const s2 = shop();
    const { TlsOrigination } = require('../src');
    new ExternalService(s2.chart, 'Api', { namespace: s2.ns, name: 'api', hosts: ['api.example.org'], ports: [ExternalPort.http(80, { targetPort: 443 })], tlsOrigination: TlsOrigination.onPort(80) });
    expect(one(synth(s2.chart), 'DestinationRule', 'api').spec.trafficPolicy.portLevelSettings).toEqual([
      { port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'api.example.org', caCertificates: '/etc/ssl/certs/ca-certificates.crt' } },
    ]);
  });

  test.each([
    [{ hosts: ['*.stripe.com'] }, /props\.hosts\[0\]: "\*\.stripe\.com" is invalid: a wildcard host cannot be resolved with DNS.*Hint: use resolution: Resolution\.NONE/],
    [{ ports: [ExternalPort.tcp(5432)] }, /props\.addresses: \[\] is invalid: port 5432 is plain TCP.*IST0134/],
    [{ endpoints: ['10.0.0.1'] }, /props\.endpoints: .* is invalid: endpoints are used with Resolution\.STATIC, not DNS/],
    [{ resolution: Resolution.STATIC }, /props\.endpoints: \[\] is invalid: Resolution\.STATIC needs endpoint addresses/],
    [{ ports: [ExternalPort.tls(443), ExternalPort.http(80)], egressGateway: EgressGatewayMode.passthrough() }, /props\.ports: .* is invalid: TLS passthrough through the egress gateway routes one TLS port/],
  ])('GIVEN bad external service props %# WHEN constructed THEN it is refused', (props, message) => {
    const s = shop();
    expect(() => new ExternalService(s.chart, 'Ext', { namespace: s.ns, hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)], ...(props as any) })).toThrow(message);
  });

  test('GIVEN one host declared by two external services WHEN constructed THEN the second is refused', () => {
    const s = shop();
    new ExternalService(s.chart, 'A', { namespace: s.ns, hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)] });
    expect(() => new ExternalService(s.chart, 'B', { namespace: s.ns, hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)] })).toThrow(/hosts: "api\.stripe\.com" is invalid: external service production\/a .* already declares this host/);
  });

  test('GIVEN a caller of an external service WHEN synthesized THEN its Sidecar egress lists the external host', () => {
    const s = shop();
    const { SidecarScope } = require('../src');
    const es = new ExternalService(s.chart, 'Stripe', { namespace: s.ns, name: 'stripe', hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)] });
    es.allowFrom(s.payment);
    new SidecarScope(s.chart, 'Scope', { mesh: s.mesh, namespaces: [s.ns] });
    const sidecar = one(synth(s.chart), 'Sidecar', 'payment-service');
    expect(sidecar.spec.egress[0].hosts).toContain('production/api.stripe.com');
    const orderSidecar = one(synth(s.chart), 'Sidecar', 'order-service');
    expect(orderSidecar.spec.egress[0].hosts).not.toContain('production/api.stripe.com');
  });
});

describe('RequestAuthentication', () => {
  test('GIVEN a JWT rule on a service and an allow rule requiring a token with a claim WHEN synthesized THEN the RequestAuthentication selects the workload and the rule carries requestPrincipals and the claim', () => {
    const s = shop();
    const gw = gateway(s);
    new RequestAuthentication(s.chart, 'Jwt', {
      target: s.order,
      jwtRules: [JwtRule.of({ issuer: ISSUER, jwksUri: `${ISSUER}/.well-known/jwks.json`, audiences: ['shop-api'] })],
    });
    s.order.allowFrom(gw, {
      methods: [HttpMethod.POST], paths: [PathMatch.exact('/api/orders')],
      requestPrincipals: [RequestPrincipal.fromIssuer(ISSUER)], when: [Condition.requestAuthClaim('scope').values('orders:write')],
    });
    const out = synth(s.chart);
    expect(one(out, 'RequestAuthentication', 'order-service-jwt')).toMatchObject({
      apiVersion: 'security.istio.io/v1',
      metadata: { namespace: 'production' },
      spec: { selector: { matchLabels: { app: 'order-service' } }, jwtRules: [{ issuer: ISSUER, jwksUri: `${ISSUER}/.well-known/jwks.json`, audiences: ['shop-api'] }] },
    });
    expect(one(out, 'AuthorizationPolicy', 'order-service-allow').spec.rules[0]).toMatchObject({
      from: [{ source: { requestPrincipals: [`${ISSUER}/*`] } }],
      when: [{ key: 'request.auth.claims[scope]', values: ['orders:write'] }],
    });
  });

  test('GIVEN an allow rule requiring a token and no RequestAuthentication WHEN validated THEN it is an error: the rule would never match', () => {
    const s = shop();
    const gw = gateway(s);
    s.order.allowFrom(gw, { requestPrincipals: [RequestPrincipal.fromIssuer(ISSUER)] });
    const errors = s.order.node.validate().join('\n');
    expect(errors).toMatch(/no RequestAuthentication validates tokens on production\/order-service.*never matches/);
  });

  test('GIVEN bad JWT rules WHEN constructed THEN they are refused', () => {
    const s = shop();
    expect(() => new RequestAuthentication(s.chart, 'A', { target: s.order, jwtRules: [] })).toThrow(/props\.jwtRules: \[\] is invalid: a RequestAuthentication needs at least one JWT rule/);
    const rule = JwtRule.of({ issuer: ISSUER, jwksUri: `${ISSUER}/jwks.json` });
    expect(() => new RequestAuthentication(s.chart, 'B', { target: s.order, jwtRules: [rule, rule] })).toThrow(/props\.jwtRules\[1\]\.issuer: .* is invalid: each issuer is configured once/);
  });
});

describe('IngressGateway with RoutingApi.GATEWAY_API', () => {
  test('GIVEN a TLS gateway exposing a service WHEN synthesized THEN a Gateway of class istio with HTTPS and HTTP listeners, a redirect HTTPRoute and an HTTPRoute with hostnames in the service namespace are written', () => {
    const { RoutingApi } = require('../src');
    const { chart, mesh, ns } = meshChart({ routingApi: RoutingApi.GATEWAY_API });
    const order = service(chart, ns, 'order-service');
    const gw = new IngressGateway(chart, 'Gw', { mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') });
    gw.expose(order, { paths: [RoutePath.prefix('/api/orders')] });
    const out = synth(chart);
    const gateways = out.filter((o) => o.kind === 'Gateway' && o.metadata.name === 'shop-gateway');
    expect(gateways).toHaveLength(1);
    expect(gateways[0]).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      spec: {
        gatewayClassName: 'istio',
        listeners: [
          { name: 'https-shop-example-com', hostname: 'shop.example.com', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'shop-tls' }] } },
          { name: 'http-shop-example-com', hostname: 'shop.example.com', port: 80, protocol: 'HTTP' },
        ],
      },
    });
    const routes = out.filter((o) => o.kind === 'HTTPRoute' && o.metadata.name.startsWith('shop-gateway'));
    expect(routes.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual(['istio-system/shop-gateway-https-redirect', 'production/shop-gateway-order-service-shop-example-com']);
    const redirect = routes.find((r) => r.metadata.name === 'shop-gateway-https-redirect');
    expect(redirect.spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
    const route = routes.find((r) => r.metadata.namespace === 'production');
    expect(route.spec).toMatchObject({
      parentRefs: [{ kind: 'Gateway', name: 'shop-gateway', namespace: 'istio-system', sectionName: 'https-shop-example-com' }],
      hostnames: ['shop.example.com'],
      rules: [{ matches: [{ path: { type: 'Exact', value: '/api/orders' } }, { path: { type: 'RegularExpression', value: '^/api/orders/.*$' } }], backendRefs: [{ name: 'order-service', port: 8080 }] }],
    });
  });

  test('GIVEN a dedicated gateway workload WHEN the Gateway API is used THEN it is refused: Istio provisions the pods', () => {
    const { RoutingApi, IngressWorkload } = require('../src');
    const { chart, mesh } = meshChart({ routingApi: RoutingApi.GATEWAY_API });
    expect(() => new IngressGateway(chart, 'Gw', {
      mesh, hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'),
      workload: IngressWorkload.dedicated({ namespace: 'ingress', selector: { istio: 'shop' }, serviceAccount: 'shop-gw' }),
    })).toThrow(/workload: "dedicated" is invalid: with RoutingApi\.GATEWAY_API, Istio provisions the gateway pods/);
  });
});

describe('ExternalService: TLS origination at the egress gateway', () => {
  test('GIVEN plain HTTP 80 → 443 through the egress gateway WHEN synthesized THEN sidecars send HTTP to the gateway over mTLS and the gateway originates TLS with the SNI', () => {
    const s = shop();
    const es = new ExternalService(s.chart, 'Api', {
      namespace: s.ns, name: 'api', hosts: ['api.example.org'],
      ports: [ExternalPort.http(80, { targetPort: 443 }), ExternalPort.https(443)],
      egressGateway: EgressGatewayMode.originateTls(),
    });
    es.allowFrom(s.payment);
    const out = synth(s.chart);
    expect(one(out, 'Gateway', 'api-egress').spec.servers).toEqual([
      { port: { number: 80, name: 'https-80', protocol: 'HTTPS' }, hosts: ['production/api.example.org'], tls: { mode: 'ISTIO_MUTUAL' } },
    ]);
    expect(one(out, 'VirtualService', 'api-egress').spec.http).toEqual([
      { match: [{ gateways: ['mesh'], port: 80 }], route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'api', port: { number: 80 } } }] },
      { match: [{ gateways: ['production/api-egress'], port: 80 }], route: [{ destination: { host: 'api.example.org', port: { number: 443 } } }] },
    ]);
    expect(one(out, 'DestinationRule', 'api').spec.trafficPolicy.portLevelSettings).toEqual([
      { port: { number: 443 }, tls: { mode: 'SIMPLE', sni: 'api.example.org', caCertificates: '/etc/ssl/certs/ca-certificates.crt' } },
    ]);
  });
});
