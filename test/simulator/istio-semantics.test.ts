/**
 * Routing and authorization exactly as Istio 1.30.3 configures Envoy: each test names the Istio source
 * (istio/istio at tag 1.30.3) whose behaviour it pins down.
 */
import { MeshSimulator, SimulatorError } from '../../src';
import { routeCommand } from '../../src/cli/simulate';
import { referenceSim, workloadYaml } from './helpers';

const INV = 'inventory-service.production';
const TO = (subset: string) => `route: [{ destination: { host: inventory-service, subset: ${subset} } }]`;
/** GIVEN the reference app plus inventory-service and a VirtualService with these http rules. */
function routes(rules: string, extra = ''): MeshSimulator {
  return referenceSim(workloadYaml('inventory-service'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-service, namespace: production }
spec:
  hosts: [inventory-service]
  http: ${rules}
`, ...(extra ? [extra] : []));
}

describe('withoutHeaders (pilot/pkg/networking/core/route/route.go TranslateRouteMatch: invert_match + treat_missing_header_as_empty)', () => {
  test.each([
    ['exact', "{ exact: 'yes' }", true],
    ['prefix', "{ prefix: 'y' }", true],
    ['regex that does not match the empty string', "{ regex: 'y.*' }", true],
    ['regex that matches the empty string', "{ regex: '.*' }", false],
    ['exact empty string', "{ exact: '' }", false],
  ])('a missing header is compared as empty: %s → rule matches = %s', (_what, spec, matches) => {
    // GIVEN a rule that excludes requests carrying the header
    const s = routes(`[{ match: [{ withoutHeaders: { x-internal: ${spec} } }], ${TO('a')} }]`);
    // WHEN the request does not carry it THEN Envoy compares '' and inverts the result
    const r = s.route({ host: INV });
    if (matches) expect(r.rule).toBe(0);
    else expect(r.noRoute).toBe(true);
  });

  test('presence ({} or regex "*", canBeConvertedToPresentMatch) inverted matches exactly when the header is absent', () => {
    for (const spec of ['{}', "{ regex: '*' }"]) {
      const s = routes(`[{ match: [{ withoutHeaders: { x-internal: ${spec} } }], ${TO('a')} }]`);
      expect(s.route({ host: INV }).rule).toBe(0);
      expect(s.route({ host: INV, headers: { 'x-internal': '' } }).noRoute).toBe(true);
    }
  });

  test('headers with regex "*" is a presence match, not an RE2 regex', () => {
    const s = routes(`[{ match: [{ headers: { x-debug: { regex: '*' } } }], ${TO('a')} }]`);
    expect(s.route({ host: INV, headers: { 'x-debug': 'anything' } }).rule).toBe(0);
    expect(s.route({ host: INV }).noRoute).toBe(true);
  });
});

describe('query parameters (route.go translateQueryParamMatch; Envoy matches the query string as sent)', () => {
  test('a malformed % escape in the query string is no error, whether or not a rule uses queryParams', () => {
    expect(routes(`[{ ${TO('a')} }]`).route({ host: INV, path: '/a?q=%zz&r=%' }).rule).toBe(0);
    expect(routes(`[{ match: [{ queryParams: { q: { exact: '%zz' } } }], ${TO('a')} }]`).route({ host: INV, path: '/a?q=%zz' }).rule).toBe(0);
  });

  test('values are compared as sent, not percent-decoded', () => {
    const s = routes(`[{ match: [{ queryParams: { q: { exact: 'a b' } } }], ${TO('a')} }, { match: [{ queryParams: { q: { exact: 'a%20b' } } }], ${TO('b')} }]`);
    expect(s.route({ host: INV, path: '/?q=a%20b' }).rule).toBe(1);
  });
});

describe('sourceLabels and gateways (route.go sourceMatchHTTP)', () => {
  test('sourceLabels: {} matches every caller, with or without labels', () => {
    const s = routes(`[{ match: [{ sourceLabels: {} }], ${TO('a')} }]`);
    expect(s.route({ host: INV }).rule).toBe(0);
    expect(s.route({ host: INV, sourceLabels: { app: 'x' } }).rule).toBe(0);
  });

  test('a match that names gateways ignores sourceLabels and sourceNamespace', () => {
    const s = routes(`[{ match: [{ gateways: [mesh], sourceLabels: { app: nobody }, sourceNamespace: nowhere }], ${TO('a')} }]`);
    expect(s.route({ host: INV, sourceLabels: { app: 'other' }, sourceNamespace: 'production' }).rule).toBe(0);
  });

  test('without gateways, sourceLabels must be among the caller labels', () => {
    const s = routes(`[{ match: [{ sourceLabels: { app: order-service } }], ${TO('a')} }, { match: [{ headers: { x-b: {} } }], ${TO('b')} }]`);
    expect(s.route({ host: INV, sourceLabels: { app: 'order-service', version: 'v1' } }).rule).toBe(0);
    expect(s.route({ host: INV, sourceLabels: { app: 'payment-service' } }).noRoute).toBe(true);
  });
});

describe('a VirtualService with no route for the caller (route.go BuildHTTPRoutesForVirtualService, buildSidecarVirtualHostsForVirtualService)', () => {
  // istiod translates only the match blocks whose sourceLabels/sourceNamespace (sourceMatchHTTP) and
  // port apply to the sidecar it configures; with none left it returns "no routes matched", builds no
  // virtual host for the VirtualService, and the Service keeps its default virtual host.
  test('every rule names other callers by sourceLabels: the host takes its default route, not 404', () => {
    // GIVEN rules only for order-service callers
    const s = routes(`[{ match: [{ sourceLabels: { app: order-service } }], ${TO('a')} }]`);
    // WHEN payment-service calls THEN the request goes to the Service as if no VirtualService bound it
    const r = s.route({ host: INV, sourceLabels: { app: 'payment-service' }, sourceNamespace: 'production' });
    expect(r).toMatchObject({ defaultRoute: true, routedBy: null, destinations: [{ host: 'inventory-service.production.svc.cluster.local', weight: 100 }] });
    expect(r.noRoute).toBeUndefined();
    expect(r.reason).toMatch(/every match of it names other callers/);
    // AND the caller the rule names is still routed by it
    expect(s.route({ host: INV, sourceLabels: { app: 'order-service' } }).rule).toBe(0);
  });

  test('every rule names another source namespace or another port: default route', () => {
    const s = routes(`[{ match: [{ sourceNamespace: elsewhere }], ${TO('a')} }, { match: [{ port: 9999 }], ${TO('b')} }]`);
    expect(s.route({ host: INV, sourceNamespace: 'production', port: 8080 }).defaultRoute).toBe(true);
    expect(s.route({ host: INV, sourceNamespace: 'production', port: 9999 }).rule).toBe(1);
  });

  test('one rule applies to the caller but does not match the request: 404, as before', () => {
    const s = routes(`[{ match: [{ sourceLabels: { app: order-service } }], ${TO('a')} }, { match: [{ headers: { x-b: {} } }], ${TO('b')} }]`);
    expect(s.route({ host: INV, sourceLabels: { app: 'payment-service' } }).noRoute).toBe(true);
  });

  test('an ingress gateway gets no virtual host either, so it answers 404', () => {
    const s = routes(`[{ match: [{ sourceLabels: { app: order-service } }], ${TO('a')} }]`, `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-edge, namespace: production }
spec:
  hosts: [inventory-service]
  gateways: [production/edge]
  http: [{ match: [{ sourceLabels: { app: order-service } }], ${TO('a')} }]
`);
    expect(s.route({ host: INV, gateway: 'production/edge' }).noRoute).toBe(true);
  });
});

describe('hosts with a dot in a VirtualService are taken as written (pilot/pkg/model ResolveShortnameToFQDN)', () => {
  // ResolveShortnameToFQDN appends .<namespace>.svc.<domain> only to a host without a dot, so
  // `inventory-service.production` is a literal host: a virtual host of its own whose domain is that
  // Host header (route.go separateVSHostsAndServices: a non-registry host), not the Service's.
  const twoLabel = (dest = 'inventory-service', port = 80, portName = 'http') => referenceSim(
    workloadYaml('inventory-service', 'production', portName).replace('port: 8080, targetPort', `port: ${port}, targetPort`), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-service, namespace: production }
spec:
  hosts: [inventory-service.production]
  http: [{ route: [{ destination: { host: ${dest}, subset: a } }] }]
`);

  test('a request to the Service FQDN, or by its short name, takes the Service default route', () => {
    const s = twoLabel();
    expect(s.route({ host: 'inventory-service.production.svc.cluster.local', port: 80 })).toMatchObject({ defaultRoute: true, routedBy: null });
    expect(s.route({ host: 'inventory-service', sourceNamespace: 'production', port: 80 })).toMatchObject({ defaultRoute: true, routedBy: null });
  });

  test('on an HTTP port 80, a request whose Host header is exactly the two-label host is routed by the VirtualService', () => {
    // the literal host gets a virtual host of its own on port 80 (httproute.go: "hack to keep consistent with previous behavior")
    const s = twoLabel();
    expect(s.route({ host: 'inventory-service.production', port: 80 })).toMatchObject({ rule: 0, routedBy: 'VirtualService/production/inventory-service' });
    expect(s.route({ host: 'inventory-service.production.svc.cluster.local', port: 80, authority: 'inventory-service.production:80' }).rule).toBe(0);
  });

  test('on another port, or on a sniffed port, the literal host binds nothing: default route', () => {
    // BuildSidecarOutboundVirtualHosts keeps only VirtualServices that bind a Service on ports other than 80;
    // a sniffed port's route config keeps only the Service's virtual host (getVirtualHostsForSniffedServicePort)
    expect(twoLabel('inventory-service', 8080).route({ host: 'inventory-service.production', port: 8080 })).toMatchObject({ defaultRoute: true });
    expect(twoLabel('inventory-service', 80, 'web').route({ host: 'inventory-service.production', port: 80 })).toMatchObject({ defaultRoute: true });
  });

  test('a destination host with a dot is taken as written too: no Service has it', () => {
    const r = twoLabel('inventory-service.production').route({ host: 'inventory-service.production', port: 80 });
    expect(r.destinations).toEqual([{ host: 'inventory-service.production', subset: 'a', weight: 100 }]);
    expect(r.warnings).toEqual([expect.stringMatching(/destination inventory-service\.production names no Service or ServiceEntry \(IST0101\): istiod takes a host with a dot as written/)]);
  });

  test('a DestinationRule host with a dot is taken as written: its subsets are not the Service\'s', () => {
    // GIVEN subset a defined by a DestinationRule for inventory-service.production (literal), and the VirtualService routing to subset a
    const dr = (host: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: inventory-service, namespace: production }
spec: { host: ${host}, subsets: [{ name: a, labels: { version: v1 } }] }
`;
    const route = (host: string) => referenceSim(workloadYaml('inventory-service'), dr(host), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-service, namespace: production }
spec: { hosts: [inventory-service], http: [{ ${TO('a')} }] }
`).route({ host: INV });
    // THEN the subset is unknown for the Service; with the short host it is defined
    expect(route('inventory-service.production').warnings).toEqual([expect.stringMatching(/subset a of inventory-service\.production\.svc\.cluster\.local is defined in no DestinationRule/)]);
    expect(route('inventory-service').warnings).toEqual([]);
  });
});

describe('a port Istio does not route as HTTP is proxied as TCP (pilot/pkg/networking/core/tls.go buildSidecarOutboundTCPFilterChainOpts)', () => {
  // pkg/config/kube/conversion.go ConvertProtocol gives the port its protocol; only IsHTTPOrSniffed
  // ports get HTTP routes (route.go BuildSidecarVirtualHostWrapper), the others a tcp_proxy filter.
  const tcpSim = (portName: string, tcpRules = '') => referenceSim(workloadYaml('inventory-service', 'production', portName), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-service, namespace: production }
spec:
  hosts: [inventory-service]
  http: [{ ${TO('a')} }]
${tcpRules}
`);

  test.each(['tcp', 'tcp-db', 'mongo', 'redis-cache', 'mysql', 'tls', 'https'])('port named %s: http rules do not apply, the connection goes to the Service', (name) => {
    const r = tcpSim(name).route({ host: INV, port: 8080 });
    expect(r).toMatchObject({ tcp: true, defaultRoute: true, destinations: [{ host: 'inventory-service.production.svc.cluster.local', weight: 100 }] });
    expect(r.retries).toBeUndefined();
  });

  test.each(['http', 'http-web', 'grpc', 'web', 'unnamed-sniffed'])('port named %s (HTTP or sniffed): http rules apply', (name) => {
    expect(tcpSim(name).route({ host: INV, port: 8080 })).toMatchObject({ rule: 0 });
  });

  test('appProtocol wins over the name', () => {
    const s = referenceSim(workloadYaml('inventory-service').replace('name: http, port: 8080', 'name: http, appProtocol: tcp, port: 8080'));
    expect(s.route({ host: INV, port: 8080 }).tcp).toBe(true);
  });

  test('tcp rules apply on a TCP port: first rule whose match holds (matchTCP: port, sourceLabels, sourceNamespace)', () => {
    const s = tcpSim('tcp', `  tcp:
  - match: [{ port: 9999 }]
    route: [{ destination: { host: inventory-service, subset: x } }]
  - match: [{ sourceLabels: { app: order-service } }]
    route: [{ destination: { host: inventory-service, subset: b }, weight: 30 }, { destination: { host: inventory-service, subset: a }, weight: 70 }]
`);
    expect(s.route({ host: INV, port: 8080, sourceLabels: { app: 'order-service' } })).toMatchObject({
      tcp: true, rule: 1, match: 0, destinations: [{ subset: 'b', weight: 30 }, { subset: 'a', weight: 70 }],
    });
    expect(s.route({ host: INV, port: 8080, sourceLabels: { app: 'other' } })).toMatchObject({ tcp: true, defaultRoute: true });
  });

  test('without a port, the Service\'s first port decides', () => {
    expect(tcpSim('tcp').route({ host: INV }).tcp).toBe(true);
    expect(tcpSim('http').route({ host: INV }).tcp).toBeUndefined();
  });
});

describe('hosts', () => {
  const se = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: example, namespace: production }
spec: { hosts: [example.com], ports: [{ number: 443, name: https, protocol: HTTPS }], resolution: DNS }
`;
  test('a two-label host served by a ServiceEntry is that host, not a Service "example" of namespace "com"', () => {
    const r = referenceSim(se).route({ host: 'example.com' });
    expect(r).toMatchObject({ defaultRoute: true, host: 'example.com', destinations: [{ host: 'example.com', weight: 100 }] });
  });

  test('route on a host nothing serves is an error, as authz on an unknown Service (CLI exit 2)', () => {
    expect(() => referenceSim().route({ host: 'nothing.production' })).toThrow(SimulatorError);
    let stderr = '';
    const code = routeCommand({ out: () => undefined, err: (t) => (stderr += t) }).run([require('./helpers').REFERENCE_DIR, '--host', 'nothing.production']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no VirtualService, HTTPRoute, Service or ServiceEntry/);
  });
});

describe('AuthorizationPolicy sources (pilot/pkg/security/authz/model)', () => {
  // A namespace of its own: the reference app's production namespace has a default deny.
  const INV_HOST = 'inventory-service.shop';
  const policy = (name: string, spec: string, annotations = '') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: shop${annotations} }
spec: ${spec}
`;
  const sim = (...docs: string[]) => referenceSim(workloadYaml('inventory-service', 'shop'), ...docs);
  const from = (ns: string) => `cluster.local/ns/${ns}/sa/caller`;

  test.each([
    ['team-*-prod', 'team-a-prod', 'ALLOW'],
    ['team-*-prod', 'team-a-staging', 'DENY'],
    ['*ro*', 'production', 'ALLOW'],
    ['*ro*', 'staging', 'DENY'],
    ['prod*', 'production', 'ALLOW'],
  ])('namespaces: every * is a wildcard (generator.go srcNamespaceGenerator): %s vs %s → %s', (pattern, ns, decision) => {
    const s = sim(policy('allow', `{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { namespaces: ['${pattern}'] } }] }] }`));
    expect(s.authorize({ to: INV_HOST, fromPrincipal: from(ns) }).decision).toBe(decision);
  });

  test('namespaces never match a plaintext caller, even "*"', () => {
    const s = sim(policy('allow', "{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { namespaces: ['*'] } }] }] }"));
    expect(s.authorize({ to: INV_HOST, plaintext: true }).decision).toBe('DENY');
    expect(s.authorize({ to: INV_HOST, fromPrincipal: from('anything') }).decision).toBe('ALLOW');
  });

  test('an explicitly empty list is ignored, as if absent (model.go ruleList.insertFront/appendLast skip empty keys)', () => {
    const s = sim(policy('allow', '{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { principals: [], notNamespaces: [] } }] }] }'));
    expect(s.authorize({ to: INV_HOST, fromPrincipal: from('anyone') }).decision).toBe('ALLOW');
  });

  test('a dry-run policy (istio.io/dry-run: "true", builder.go isDryRun) is not enforced; its shadow decision is reported', () => {
    const deny = policy('deny-all', '{ selector: { matchLabels: { app: inventory-service } }, action: DENY, rules: [{}] }', ', annotations: { istio.io/dry-run: "true" }');
    const r = sim(deny).authorize({ to: INV_HOST, fromPrincipal: from('production') });
    expect(r.decision).toBe('ALLOW');
    expect(r.shadow).toEqual([expect.objectContaining({ action: 'DENY', decision: 'DENY', policy: 'shop/deny-all', rule: 0, enforcedBy: 'sidecar' })]);
    // An unparseable value enforces the policy, as strconv.ParseBool fails.
    const enforced = policy('deny-all', '{ selector: { matchLabels: { app: inventory-service } }, action: DENY, rules: [{}] }', ', annotations: { istio.io/dry-run: "yes" }');
    expect(sim(enforced).authorize({ to: INV_HOST, fromPrincipal: from('production') }).decision).toBe('DENY');
  });

  test('a dry-run ALLOW policy shadows a default deny without changing the decision', () => {
    const allow = policy('allow-x', "{ selector: { matchLabels: { app: inventory-service } }, rules: [{ from: [{ source: { namespaces: ['x'] } }] }] }", ', annotations: { istio.io/dry-run: "true" }');
    const r = sim(allow).authorize({ to: INV_HOST, fromPrincipal: from('production') });
    expect(r.decision).toBe('ALLOW');
    expect(r.shadow).toEqual([expect.objectContaining({ action: 'ALLOW', decision: 'DENY', policy: null })]);
  });
});

describe('tls and tcp match blocks (pilot/pkg/networking/core/tls.go matchTLS/matchTCP: every condition holds)', () => {
  /** GIVEN inventory-service on a TLS port and a VirtualService with one tls rule whose match names the mesh gateway and a source namespace. */
  const tlsRoutes = (sourceNamespace: string) => MeshSimulator.fromYaml([workloadYaml('inventory-service', 'production', 'tls'), `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: inventory-service, namespace: production }
spec:
  hosts: [inventory-service]
  tls: [{ match: [{ sniHosts: [inventory-service.production], gateways: [mesh], sourceNamespace: ${sourceNamespace} }], ${TO('a')} }]
`].join('\n---\n'));

  test('a tls match naming gateways still needs its sourceNamespace (unlike an http match)', () => {
    // WHEN a sidecar in production opens the connection THEN only the block naming production matches
    expect(tlsRoutes('production').route({ host: INV, sourceNamespace: 'production' })).toMatchObject({ rule: 0, match: 0, section: 'tls' });
    expect(tlsRoutes('elsewhere').route({ host: INV, sourceNamespace: 'production' }).noRoute).toBe(true);
  });
});

describe('a request port the Service does not declare', () => {
  test('GIVEN inventory-service with port 8080 WHEN routed on port 7070 THEN a warning says the port does not exist', () => {
    const s = MeshSimulator.fromYaml(workloadYaml('inventory-service'));
    expect(s.route({ host: INV, port: 7070 }).warnings.join('\n')).toMatch(/Service production\/inventory-service has no port 7070 \(its ports: 8080\)/);
    expect(s.route({ host: INV, port: 8080 }).warnings.join('\n')).not.toMatch(/has no port/);
  });
});

// Found by a consumer trial: `authz --path x` (no leading '/') was answered. A proxy only receives
// origin-form paths (RFC 9112 §3.2.1); the simulator refuses the request instead of answering for a
// request that cannot exist (the CLI prints it as a usage error, exit 2).
describe('request paths', () => {
  const sim = () => MeshSimulator.fromManifests([
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } },
  ]);
  test.each([['x'], [''], ['api/orders']])('GIVEN path %p THEN route and authz refuse it, naming the rule', (path) => {
    expect(() => sim().route({ host: 'web.shop', path })).toThrow(/route request: path .* is invalid: a request path starts with '\/'/);
    expect(() => sim().authorize({ to: 'web.shop', plaintext: true, path })).toThrow(/authz request: path .* is invalid: a request path starts with '\/'/);
  });

  test('GIVEN an origin-form path with a query THEN answered', () => {
    expect(sim().route({ host: 'web.shop', path: '/api?x=1' })).toMatchObject({ defaultRoute: true });
  });
});
