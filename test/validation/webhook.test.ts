/**
 * istiod's webhook rules (CI2xxx) as Istio 1.30.3's pkg/config/validation states them: what
 * istiod accepts passes without a finding, what it rejects gets the named code.
 * Sources: pkg/config/validation/validation.go, virtualservice.go, agent/validation.go,
 * envoyfilter/envoyfilter.go, pkg/config/security/security.go, pkg/config/labels/instance.go.
 */
import { validateManifests } from '../../src/validation';

const md = (kind: string, extra: any = {}) => ({ name: kind.toLowerCase(), namespace: 'shop', ...extra });
const vs = (spec: any, meta: any = {}) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: md('VirtualService', meta), spec });
const route = (extra: any = {}) => ({ route: [{ destination: { host: 'cart' } }], ...extra });
const dr = (spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: md('DestinationRule'), spec: { host: 'cart', ...spec } });
const ap = (spec: any, meta: any = {}) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: md('AuthorizationPolicy', meta), spec });
const sidecar = (spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: md('Sidecar'), spec });
const gw = (spec: any, meta: any = {}) => ({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: md('Gateway', meta), spec });
const se = (spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: md('ServiceEntry'), spec });
const tel = (spec: any) => ({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: md('Telemetry'), spec });
const pa = (spec: any) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: md('PeerAuthentication'), spec });
const ra = (spec: any) => ({ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: md('RequestAuthentication'), spec });
const ef = (configPatches: any[]) => ({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: md('EnvoyFilter'), spec: { configPatches } });

/** Findings of one object, analyzers off (cross-object checks are not what these tests are about). */
function findings(manifest: any) {
  return validateManifests([{ manifest }], { checks: { analyzers: false } });
}
const errors = (manifest: any) => findings(manifest).filter((f) => f.level === 'error');

describe('false positives removed: istiod accepts these, so do we', () => {
  test.each([
    ['a VirtualService host with a trailing dot (agent.ValidateDNS1123Labels allows it)', vs({ hosts: ['payment-service.'], http: [{ route: [{ destination: { host: 'payment-service.' } }] }] })],
    ['a DestinationRule host with a trailing dot', dr({ host: 'payment-service.production.svc.cluster.local.' })],
    ['upper-case subset names (labels.IsDNS1123Label allows upper case)', vs({ hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart', subset: 'V1' } }] }] })],
    ['an upper-case DestinationRule subset name', dr({ subsets: [{ name: 'V1', labels: { version: 'V1' } }] })],
    ['an empty destination.subset (unset for proto3)', vs({ hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart', subset: '' } }] }] })],
    ['an empty retryOn with attempts 0 (validateHTTPRetry skips it)', vs({ hosts: ['cart'], http: [route({ retries: { attempts: 0, retryOn: '' } })] })],
    ['a Telemetry custom tag {} (no type set)', tel({ tracing: [{ customTags: { user: {} } }] })],
    ['an empty uri prefix (Envoy allows it; only scheme/method/authority do not)', vs({ hosts: ['cart'], http: [route({ match: [{ uri: { prefix: '' } }] })] })],
    ['a pseudo-header match key', vs({ hosts: ['cart'], http: [route({ match: [{ headers: { ':authority': { exact: 'cart' } } }] })] })],
    ['a nested claim when key (request.auth.claims[a][b])', ap({ rules: [{ when: [{ key: 'request.auth.claims[a][b]', values: ['x'] }] }] })],
    ['a path with a literal after {**} (CheckValidPathTemplate)', ap({ rules: [{ to: [{ operation: { paths: ['/a/{**}/b'] } }] }] })],
    ['a VirtualService host that is an IP address', vs({ hosts: ['10.0.0.1'], http: [route()] })],
    ['a long label value in a subset (Istio sets no length limit)', dr({ subsets: [{ name: 'v1', labels: { version: 'v'.repeat(80) } }] })],
    ['request.headers[...] with any name inside the brackets', ap({ rules: [{ when: [{ key: 'request.headers[x y]', values: ['a'] }] }] })],
    ['a uri regex of "*" in withoutHeaders (translated to a presence match)', vs({ hosts: ['cart'], http: [route({ match: [{ withoutHeaders: { 'x-a': { regex: '*' } } }] })] })],
    ['a tcp idleTimeout of 0s (disables the timeout)', dr({ trafficPolicy: { connectionPool: { tcp: { idleTimeout: '0s' } } } })],
    ['a Go duration with minutes (legacy jsonpb reads time.ParseDuration)', dr({ trafficPolicy: { outlierDetection: { interval: '1m30s', baseEjectionTime: '2m' } } })],
  ])('%s', (_name, manifest) => {
    // WHEN validated THEN there is no error
    expect(errors(manifest)).toEqual([]);
  });
});

describe('rules istiod applies that we lacked', () => {
  test.each([
    // Sidecar (ValidateSidecar)
    ['an empty Sidecar', sidecar({}), 'CI2701'],
    ['a Sidecar egress host without a namespace', sidecar({ egress: [{ hosts: ['cart.shop.svc.cluster.local'] }] }), 'CI2704'],
    ['a Sidecar egress short host', sidecar({ egress: [{ hosts: ['shop/cart'] }] }), 'CI2704'],
    ['a Sidecar egress listener without hosts', sidecar({ egress: [{ hosts: [] }] }), 'CI2704'],
    ['a Sidecar egress partial wildcard', sidecar({ egress: [{ hosts: ['shop/a*.example.com'] }] }), 'CI2704'],
    ['two port-less Sidecar egress listeners', sidecar({ egress: [{ hosts: ['./*'] }, { hosts: ['istio-system/*'] }] }), 'CI2703'],
    ['a Sidecar ingress listener with a bad defaultEndpoint', sidecar({ ingress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '10.1.1.1:8080' }] }), 'CI2702'],
    ['a Sidecar ingress port with an unknown protocol', sidecar({ ingress: [{ port: { number: 8080, protocol: 'SMTP', name: 'x' } }] }), 'CI2702'],
    // AuthorizationPolicy IPs, targetRefs, CUSTOM, values (security.go, validation.go)
    ['an ipBlocks CIDR with 33 bits', ap({ rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] }), 'CI2413'],
    ['a remoteIpBlocks value that is no IP', ap({ rules: [{ from: [{ source: { remoteIpBlocks: ['example.com'] } }] }] }), 'CI2413'],
    ['a source.ip condition with a short IPv4', ap({ rules: [{ when: [{ key: 'source.ip', values: ['1.2.3'] }] }] }), 'CI2413'],
    ['a notIpBlocks IPv4 with a leading zero (netip.ParseAddr)', ap({ rules: [{ from: [{ source: { notIpBlocks: ['010.0.0.1'] } }] }] }), 'CI2413'],
    ['a targetRef to a Deployment', ap({ targetRef: { kind: 'Deployment', group: 'apps', name: 'cart' } }), 'CI2013'],
    ['a targetRefs entry with a namespace', ap({ targetRefs: [{ kind: 'Service', group: '', name: 'cart', namespace: 'other' }] }), 'CI2013'],
    ['a targetRef without a name', ap({ targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io' } }), 'CI2013'],
    ['a provider on an ALLOW policy', ap({ provider: { name: 'authz' }, rules: [{}] }), 'CI2416'],
    ['principals in a CUSTOM policy', ap({ action: 'CUSTOM', provider: { name: 'authz' }, rules: [{ from: [{ source: { principals: ['a'] } }] }] }), 'CI2415'],
    ['a source.principal when key in a CUSTOM policy', ap({ action: 'CUSTOM', provider: { name: 'authz' }, rules: [{ when: [{ key: 'source.principal', values: ['a'] }] }] }), 'CI2415'],
    ['a serviceAccounts value with two slashes', ap({ rules: [{ from: [{ source: { serviceAccounts: ['a/b/c'] } }] }] }), 'CI2417'],
    ['a trustDomains value with a wildcard inside', ap({ rules: [{ from: [{ source: { trustDomains: ['a*b'] } }] }] }), 'CI2417'],
    ['a deprecated when key', ap({ rules: [{ when: [{ key: 'destination.name', values: ['x'] }] }] }), 'CI2411'],
    ['a destination.port condition that is a range', ap({ rules: [{ when: [{ key: 'destination.port', values: ['80-90'] }] }] }), 'CI2413'],
    // VirtualService (virtualservice.go, validation.go)
    ['retries without attempts but with perTryTimeout (attempts defaults to 0)', vs({ hosts: ['cart'], http: [route({ retries: { perTryTimeout: '2s' } })] }), 'CI2117'],
    ['overlapping hosts', vs({ hosts: ['*.a.com', 'b.a.com'], http: [route()] }), 'CI2106'],
    ['a response header set on Host', vs({ hosts: ['cart'], http: [route({ headers: { response: { set: { host: 'x' } } } })] }), 'CI2122'],
    ['an unterminated %-command in a header value', vs({ hosts: ['cart'], http: [route({ headers: { request: { add: { 'x-a': 'abc%' } } } })] }), 'CI2122'],
    ['a fault without abort or delay', vs({ hosts: ['cart'], http: [route({ fault: {} })] }), 'CI2125'],
    ['an abort status above 600', vs({ hosts: ['cart'], http: [route({ fault: { abort: { httpStatus: 700 } } })] }), 'CI2125'],
    ['an empty redirect', vs({ hosts: ['cart'], http: [{ redirect: {} }] }), 'CI2125'],
    ['a redirect code outside 3xx', vs({ hosts: ['cart'], http: [{ redirect: { uri: '/x', redirectCode: 200 } }] }), 'CI2125'],
    ['a rewrite with uri and uriRegexRewrite', vs({ hosts: ['cart'], http: [route({ rewrite: { uri: '/x', uriRegexRewrite: { match: 'a', rewrite: 'b' } } })] }), 'CI2126'],
    ['a gateway name with a bad namespace', vs({ hosts: ['cart'], gateways: ['Bad_NS/gw'], http: [route()] }), 'CI2120'],
    ['JWT claim routing on a mesh VirtualService', vs({ hosts: ['cart'], http: [route({ match: [{ headers: { '@request.auth.claims.group': { exact: 'a' } } }] })] }), 'CI2121'],
    ['a delegate VirtualService with tcp routes', vs({ tcp: [{ route: [{ destination: { host: 'cart' } }] }] }), 'CI2119'],
    ['exportTo ~ on a VirtualService', vs({ hosts: ['cart'], exportTo: ['~'], http: [route()] }), 'CI2014'],
    ['a destination port selector without a number', vs({ hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart', port: {} } }] }] }), 'CI2116'],
    ['a destination host with an all-numeric top-level label', vs({ hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart.123' } }] }] }), 'CI2104'],
    ['a CORS method Go does not know', vs({ hosts: ['cart'], http: [route({ corsPolicy: { allowMethods: ['FETCH'] } })] }), 'CI2123'],
    ['a TLS route whose SNI host is not one of the hosts', vs({ hosts: ['a.example.com'], tls: [{ match: [{ sniHosts: ['b.example.com'] }], route: [{ destination: { host: 'a.example.com' } }] }] }), 'CI2124'],
    // DestinationRule
    ['tunnel with proxyProtocol', dr({ trafficPolicy: { tunnel: { protocol: 'CONNECT', targetHost: 'a.b', targetPort: 80 }, proxyProtocol: { version: 'V1' } } }), 'CI2211'],
    ['a maglev table size that is not prime', dr({ trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x', maglev: { tableSize: 4 } } } } }), 'CI2212'],
    ['MUTUAL client TLS without certificates', dr({ trafficPolicy: { tls: { mode: 'MUTUAL' } } }), 'CI2214'],
    ['a port traffic policy with only a port', dr({ trafficPolicy: { portLevelSettings: [{ port: { number: 80 } }] } }), 'CI2203'],
    ['locality weights that do not total 100', dr({ trafficPolicy: { loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/*', to: { 'b/*': 50 } }] } } } }), 'CI2212'],
    // Gateway, ServiceEntry
    ['a Gateway without servers', gw({ servers: [] }), 'CI2901'],
    ['a Gateway named with a dot', gw({ servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/x.example.com'] }] }, { name: 'a.b' }), 'CI2901'],
    ['a Gateway server port without a name', gw({ servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts: ['*/x.example.com'] }] }), 'CI2903'],
    ['an HTTPS Gateway server without TLS settings', gw({ servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*/x.example.com'] }] }), 'CI2904'],
    ['a ServiceEntry host "*"', se({ hosts: ['*'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' }), 'CI2802'],
    ['a ServiceEntry address that is no IP', se({ hosts: ['a.example.com'], addresses: ['x'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] }), 'CI2803'],
    ['a DNS ServiceEntry with two hosts and a TCP port', se({ hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS' }), 'CI2806'],
    // PeerAuthentication, RequestAuthentication, Telemetry
    ['portLevelMtls with an empty selector', pa({ selector: { matchLabels: {} }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }), 'CI2302'],
    ['a JWT rule without issuer or jwksUri', ra({ jwtRules: [{ audiences: ['a'] }] }), 'CI2352'],
    ['a jwksUri that is not http(s)', ra({ jwtRules: [{ issuer: 'i', jwksUri: 'ftp://keys.example.com' }] }), 'CI2352'],
    ['an UPSERT tag override without value', tel({ metrics: [{ overrides: [{ tagOverrides: { x: { operation: 'UPSERT' } } }] }] }), 'CI2505'],
    ['an access-log filter that is not CEL', tel({ accessLogging: [{ filter: { expression: 'response.code ==' } }] }), 'CI2507'],
    // Shared: metadata annotations and selectors (validateMetadata, validateWorkloadSelector)
    ['istio.io/dry-run on a VirtualService', vs({ hosts: ['cart'], http: [route()] }, { annotations: { 'istio.io/dry-run': 'true' } }), 'CI2010'],
    ['istio.io/dry-run on a CUSTOM policy', ap({ action: 'CUSTOM', provider: { name: 'x' }, rules: [{}] }, { annotations: { 'istio.io/dry-run': 'true' } }), 'CI2010'],
    ['istio.io/dry-run that is not a boolean', ap({ rules: [{}] }, { annotations: { 'istio.io/dry-run': 'yes' } }), 'CI2010'],
    ['a selector with a wildcard value', ap({ selector: { matchLabels: { app: 'cart*' } }, rules: [{}] }), 'CI2011'],
    // EnvoyFilter shape (envoyfilter.go)
    ['a MERGE patch without value', ef([{ applyTo: 'HTTP_FILTER', patch: { operation: 'MERGE' } }]), 'CI2951'],
    ['an HTTP_FILTER patch with a cluster match', ef([{ applyTo: 'HTTP_FILTER', match: { cluster: { name: 'x' } }, patch: { operation: 'REMOVE' } }]), 'CI2952'],
    ['a subFilter match outside the HTTP connection manager', ef([{ applyTo: 'HTTP_FILTER', match: { listener: { filterChain: { filter: { name: 'envoy.filters.network.tcp_proxy', subFilter: { name: 'x' } } } } }, patch: { operation: 'REMOVE' } }]), 'CI2952'],
  ])('%s: %#', (_name, manifest, code) => {
    // WHEN validated THEN the named code is an error
    expect(errors(manifest).map((f) => f.code)).toContain(code);
  });
});

describe('the reference shapes of these kinds pass', () => {
  test.each([
    ['a scoped Sidecar', sidecar({ workloadSelector: { labels: { app: 'cart' } }, egress: [{ hosts: ['./*', 'istio-system/*', 'observability/otel-collector.observability.svc.cluster.local'] }] })],
    ['an HTTPS Gateway with a credential', gw({ servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop/cart.example.com'], tls: { mode: 'SIMPLE', credentialName: 'cart-cert' } }] })],
    ['an HTTP Gateway that redirects to HTTPS', gw({ servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/cart.example.com'], tls: { httpsRedirect: true } }] })],
    ['a DNS ServiceEntry', se({ hosts: ['api.stripe.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL' })],
    ['a RequestAuthentication', ra({ selector: { matchLabels: { app: 'cart' } }, jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/keys', outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }] }] })],
    ['a dry-run DENY policy', ap({ action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'], methods: ['DELETE'] } }] }] }, { annotations: { 'istio.io/dry-run': 'true' } })],
    ['a targetRef to a Gateway', ap({ targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }, rules: [{}] })],
    ['a Telemetry with an access-log filter', tel({ accessLogging: [{ providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' } }] })],
  ])('%s', (_name, manifest) => {
    expect(errors(manifest)).toEqual([]);
  });
});

describe('DENY rules with only HTTP attributes (Istio: from without TCP sources and no to, or a to without ports)', () => {
  test.each([
    [{ to: [{ operation: { methods: ['DELETE'] } }] }, true],
    [{ from: [{ source: { principals: ['a'] } }], to: [{ operation: { methods: ['DELETE'] } }] }, true],
    [{ from: [{ source: { requestPrincipals: ['*'] } }] }, true],
    [{ from: [{ source: { principals: ['a'] } }] }, false],
    [{ to: [{ operation: { ports: ['8080'], methods: ['DELETE'] } }] }, false],
    [{ when: [{ key: 'request.headers[x]', values: ['a'] }] }, false],
  ])('rule %j warns: %p', (rule, warns) => {
    const f = findings(ap({ action: 'DENY', rules: [rule] }));
    expect(f.some((x) => x.code === 'CI2410' && x.level === 'warning')).toBe(warns);
  });
});
