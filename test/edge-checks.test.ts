/**
 * The edge's traps (issue 17 items 3 and 4), refused or warned: a RequestAuthentication alone does
 * not require a token (CI5003), a rule reading a token nobody validates never matches (error), a
 * gateway that strips the token in front of a service that needs it (error), the egress gateway
 * routed but not installed (CI0602), and what an ambient data plane cannot do.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CertificateIssuer, Condition, ControlPlane, DataPlaneMode, EgressGatewayMode, ExternalPort, ExternalService, GatewayTls, IngressGateway, IstioProfile, JwtRule,
  Mesh, MeshApp, MeshChart, MeshNamespace, MeshProps, OutboundTrafficPolicy, RequestAuthentication, RequestPrincipal, RoutePath, Validation,
} from '../src';
import { OTEL, service } from './helpers';

const ISSUER = 'https://auth.example.com';
const rule = (props: Partial<Parameters<typeof JwtRule.of>[0]> = {}) => JwtRule.of({ issuer: ISSUER, jwksUri: `${ISSUER}/jwks.json`, ...props });

function setup(meshProps: MeshProps = {}, nsProps: { waypoint?: boolean } = {}) {
  const logged: string[] = [];
  const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'edge-checks-')), log: (l) => logged.push(l) });
  const chart = new MeshChart(app, 'app');
  const mesh = new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 }, ...meshProps });
  const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production', ...nsProps });
  const order = service(chart, ns, 'order-service');
  const payment = service(chart, ns, 'payment-service');
  const cpChart = new MeshChart(app, 'control-plane', { outputDir: 'control-plane' });
  return { app, chart, mesh, ns, order, payment, cpChart, logged };
}

describe('RequestAuthentication traps', () => {
  test('GIVEN a RequestAuthentication that no rule pairs with WHEN synthesized THEN CI5003 warns that requests without a token still pass', () => {
    const s = setup();
    new RequestAuthentication(s.chart, 'Jwt', { target: s.order, jwtRules: [rule()] });
    s.app.synth();
    expect(s.logged.join('\n')).toMatch(/CI5003.*the RequestAuthentication on service production\/order-service rejects invalid tokens, but no authorization rule requires a token/);
  });

  test('GIVEN the RequestAuthentication paired with a requestPrincipals rule WHEN synthesized THEN there is no CI5003', () => {
    const s = setup();
    new RequestAuthentication(s.chart, 'Jwt', { target: s.order, jwtRules: [rule()] });
    s.order.allowFrom(s.payment, { requestPrincipals: [RequestPrincipal.fromIssuer(ISSUER)] });
    s.app.synth();
    expect(s.logged.join('\n')).not.toMatch(/CI5003/);
  });

  test('GIVEN a claim condition on a workload without a RequestAuthentication WHEN synthesized THEN it is an error naming the rule and the hint', () => {
    const s = setup();
    s.order.allowFrom(s.payment, { when: [Condition.requestAuthClaim('scope').values('orders:write')] });
    expect(() => s.app.synth()).toThrow(/allowFrom: "request\.auth\.claims\[scope\]" is invalid: the rule reads the end-user token, but no RequestAuthentication validates tokens on production\/order-service.*Hint: add a RequestAuthentication with target order-service/s);
  });

  test('GIVEN a request principal of an issuer the workload does not validate WHEN synthesized THEN it is an error', () => {
    const s = setup();
    new RequestAuthentication(s.chart, 'Jwt', { target: s.order, jwtRules: [rule()] });
    s.order.allowFrom(s.payment, { requestPrincipals: [RequestPrincipal.fromIssuer('https://other.example.com')] });
    expect(() => s.app.synth()).toThrow(/requestPrincipals: "https:\/\/other\.example\.com\/\*" is invalid: issuer https:\/\/other\.example\.com is not validated on production\/order-service/);
  });

  test('GIVEN a gateway validating the issuer without forwardOriginalToken in front of a service whose rules need the token WHEN synthesized THEN it is an error with the fix', () => {
    const s = setup();
    const gw = new IngressGateway(s.chart, 'Gw', { mesh: s.mesh, hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') });
    gw.expose(s.order, { paths: [RoutePath.prefix('/api')], requestPrincipals: [RequestPrincipal.fromIssuer(ISSUER)] });
    new RequestAuthentication(s.chart, 'GwJwt', { target: gw, jwtRules: [rule()] });
    new RequestAuthentication(s.chart, 'Jwt', { target: s.order, jwtRules: [rule()] });
    expect(() => s.app.synth()).toThrow(/jwtRules: "https:\/\/auth\.example\.com" is invalid: gateway istio-system\/gw validates this issuer and removes the token.*Hint: set forwardOriginalToken: true/s);
  });

  test('GIVEN the same with forwardOriginalToken WHEN synthesized THEN it passes', () => {
    const s = setup();
    // (the certificate writes the credential Secret, which the gateway analyzers otherwise miss: IST0101)
    const gw = new IngressGateway(s.chart, 'Gw', {
      mesh: s.mesh, hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'), certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') },
    });
    gw.expose(s.order, { paths: [RoutePath.prefix('/api')], requestPrincipals: [RequestPrincipal.fromIssuer(ISSUER)] });
    new RequestAuthentication(s.chart, 'GwJwt', { target: gw, jwtRules: [rule({ forwardOriginalToken: true })] });
    new RequestAuthentication(s.chart, 'Jwt', { target: s.order, jwtRules: [rule()] });
    expect(() => s.app.synth()).not.toThrow();
  });

  test.each([
    [() => RequestPrincipal.subject(ISSUER, 'team/alice'), /\[RequestPrincipal\.subject\] subject: "team\/alice" is invalid: Istio splits a request principal at its last '\/'.*Hint:/],
    [() => RequestPrincipal.subject(ISSUER, ''), /subject: "" is invalid: a subject is non-empty: Istio requires a non-empty sub/],
    [() => RequestPrincipal.fromIssuer('https://*.example.com'), /issuer: "https:\/\/\*\.example\.com" is invalid: '\*' would be read as a wildcard/],
  ])('GIVEN a request principal Istio cannot match exactly WHEN built THEN it is refused (%#)', (make, message) => {
    expect(make).toThrow(message);
  });

  test('GIVEN an ambient namespace without a waypoint WHEN a RequestAuthentication targets its service THEN it is refused: ztunnel sees no HTTP', () => {
    const s = setup({ dataPlane: DataPlaneMode.AMBIENT }, { waypoint: false });
    expect(() => new RequestAuthentication(s.chart, 'Jwt', { target: s.order, jwtRules: [rule()] }))
      .toThrow(/target: "production\/order-service" is invalid: JWTs are validated at the namespace waypoint in ambient mode/);
  });
});

describe('egress traps', () => {
  const stripe = (s: ReturnType<typeof setup>) => new ExternalService(s.chart, 'Stripe', { namespace: s.ns, hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)], egressGateway: EgressGatewayMode.passthrough() });

  test('GIVEN an external service through the egress gateway and a control plane that does not install it WHEN synthesized THEN CI0602 warns', () => {
    const s = setup();
    stripe(s);
    new ControlPlane(s.cpChart, 'ControlPlane', { mesh: s.mesh, profile: IstioProfile.DEFAULT });
    s.app.synth();
    expect(s.logged.join('\n')).toMatch(/CI0602.*external services production\/stripe route through the egress gateway, but this install does not deploy it/);
  });

  test('GIVEN egressGateway: true WHEN synthesized THEN no warning and the IstioOperator enables istio-egressgateway', () => {
    const s = setup();
    stripe(s);
    new ControlPlane(s.cpChart, 'ControlPlane', { mesh: s.mesh, profile: IstioProfile.DEFAULT, egressGateway: true, outboundTrafficPolicy: OutboundTrafficPolicy.REGISTRY_ONLY });
    s.app.synth();
    expect(s.logged.join('\n')).not.toMatch(/CI0602/);
  });

  test('GIVEN an outboundTrafficPolicy that is not one of the values WHEN the control plane is built THEN it is refused', () => {
    const s = setup();
    expect(() => new ControlPlane(s.cpChart, 'ControlPlane', { mesh: s.mesh, outboundTrafficPolicy: 'REGISTRY_ONLY' as any }))
      .toThrow(/props\.outboundTrafficPolicy: "REGISTRY_ONLY" is invalid: must be OutboundTrafficPolicy\.REGISTRY_ONLY or ALLOW_ANY/);
  });

  test('GIVEN an ambient mesh WHEN an external service routes through the egress gateway THEN it is refused: the calling sidecar applies that route', () => {
    const s = setup({ dataPlane: DataPlaneMode.AMBIENT });
    expect(() => stripe(s)).toThrow(/egressGateway: "passthrough" is invalid: routing to the egress gateway is applied by the calling sidecar's VirtualService; ambient workloads have no sidecar/);
  });

  test('GIVEN a caller in a namespace the external service is not exported to WHEN allowed THEN it is refused with the fix', () => {
    const s = setup();
    const other = new MeshNamespace(s.chart, 'Other', { mesh: s.mesh, name: 'other' });
    const caller = service(s.chart, other, 'reporting');
    const es = new ExternalService(s.chart, 'Api', { namespace: s.ns, hosts: ['api.example.org'], ports: [ExternalPort.tls(443)], exportTo: ['.'] });
    expect(() => es.allowFrom(caller)).toThrow(/allowFrom|caller: "other\/reporting" is invalid: production\/api is exported to \. only, so workloads of namespace other cannot see it.*Hint: add "other" to its exportTo/s);
  });
});

describe('gateway credentials', () => {
  test('GIVEN a TLS credential that neither the set nor a Certificate provides WHEN synthesized THEN IST0101 fails synth, and a suppression with a reason lets a Secret provided otherwise pass', () => {
    const s = setup();
    new IngressGateway(s.chart, 'Gw', { mesh: s.mesh, hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') });
    expect(() => s.app.synth()).toThrow(/IST0101 .*Gateway\/istio-system\/gw .*no Secret "istio-system\/shop-tls" in the set \(the gateway pods read their credential from their own namespace "istio-system"\)/);
    const t = setup();
    const gw = new IngressGateway(t.chart, 'Gw', { mesh: t.mesh, hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') });
    Validation.suppress(gw, 'IST0101', 'the TLS Secret is synced by external-secrets');
    expect(() => t.app.synth()).not.toThrow();
  });
});
