/**
 * The rules src/rules/ took over from the analyzers, the manifest index and the simulator (issue 15
 * item 3): each is stated once there, and every layer that needs it answers the same way. Each block
 * names the Istio 1.30.3 source the rule follows; where Istio's code and our docs disagree, the code
 * wins.
 */
import { ManifestIndex } from '../../src/manifests';
import {
  ANNOTATION_VALUE_RULES, analyzerNamespaceMatch, ipInPrefix, ipValue, renderDuration, configHostFqdn, dnsHostFqdn, hostsMatch, hostSubsetOf, isMeshConfigMap, meshConfigSources,
  meshNetworksSource, parseEmbeddedYaml, parseGoBool, parseSpiffePrincipal, spiffePrincipal, policyNamespaceMatch, policyValueMatch, serviceOfFqdn, withMeshConfigDefaults, BUILTIN_EXTENSION_PROVIDERS,
} from '../../src/rules';
import { Duration } from 'cdk8s';
import { isDryRun } from '../../src/simulator/authorize';
import { normalizeDuration } from '../../src/simulator/destination';
import { cidrMatch } from '../../src/simulator/match';
import { meshConfigInSet, meshNetworksInSet, resolveMeshConfig } from '../../src/validation/analyzers/mesh-config';
import { validateManifests } from '../../src/validation';

const pod = (annotations: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', annotations }, spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

/** IST0125 findings of `istioctl analyze`'s annotation analyzer on one pod. */
function ist0125(annotations: Record<string, string>): string[] {
  return validateManifests([{ manifest: pod(annotations) }]).filter((f) => f.code === 'IST0125').map((f) => f.message);
}

describe('annotation values (inject.AnnotationValidation, pkg/kube/inject/validate.go at 1.30.3)', () => {
  const rule = (name: string) => ANNOTATION_VALUE_RULES[name];

  test.each([
    // parsePort: strconv.ParseUint(strings.TrimSpace(v), 10, 16): 0 and 65535 are ports, 65536 is not.
    ['status.sidecar.istio.io/port', '0', true],
    ['status.sidecar.istio.io/port', '65535', true],
    ['status.sidecar.istio.io/port', '65536', false],
    ['status.sidecar.istio.io/port', ' 15020 ', true],
    ['status.sidecar.istio.io/port', '-1', false],
    ['status.sidecar.istio.io/port', '+80', false],
    // parsePorts: empty is no list; every element a parsePort.
    ['traffic.sidecar.istio.io/excludeInboundPorts', '', true],
    ['traffic.sidecar.istio.io/excludeInboundPorts', '80, 443', true],
    ['traffic.sidecar.istio.io/excludeInboundPorts', '80,,443', false],
    ['traffic.sidecar.istio.io/includeInboundPorts', '*', true],
    ['traffic.sidecar.istio.io/excludeOutboundPorts', '65536', false],
    // validateUInt32: ParseUint(v, 10, 32), no trimming.
    ['readiness.status.sidecar.istio.io/periodSeconds', '4294967295', true],
    ['readiness.status.sidecar.istio.io/periodSeconds', '4294967296', false],
    ['readiness.status.sidecar.istio.io/periodSeconds', ' 5', false],
    // validateCIDRList: netip.ParsePrefix on each element.
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/8,fd00::/8', true],
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/33', false],
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0', false],
    ['traffic.sidecar.istio.io/includeOutboundIPRanges', '*', true],
    // netutil.ValidateInterfaceNames (pkg/util/net/ip.go): trimmed, non-empty, ≤ 15, [a-zA-Z][a-zA-Z0-9_.-]*.
    ['traffic.sidecar.istio.io/excludeInterfaces', 'eth0, net1', true],
    ['traffic.sidecar.istio.io/excludeInterfaces', 'a23456789012345', true],
    ['traffic.sidecar.istio.io/excludeInterfaces', 'a234567890123456', false],
    ['traffic.sidecar.istio.io/excludeInterfaces', 'eth0,', false],
    ['traffic.sidecar.istio.io/kubevirtInterfaces', '0eth', false],
    ['istio.io/reroute-virtual-interfaces', 'br-ex', true],
    // validateBool: strconv.ParseBool.
    ['prometheus.istio.io/merge-metrics', 'T', true],
    ['prometheus.istio.io/merge-metrics', 'yes', false],
    // validateResourceQuantity: no control characters, then resource.ParseQuantity.
    ['sidecar.istio.io/proxyCPU', '100m', true],
    ['sidecar.istio.io/proxyMemory', '1Gi', true],
    ['sidecar.istio.io/proxyMemory', '1 Gi', false],
    ['sidecar.istio.io/proxyCPULimit', '1\u0007', false],
    // validateInterceptionMode.
    ['sidecar.istio.io/interceptionMode', 'TPROXY', true],
    ['sidecar.istio.io/interceptionMode', 'tproxy', false],
  ])('GIVEN %s: %p WHEN checked THEN accepted is %p, by the rule and by the analyzer', (name, value, ok) => {
    expect(rule(name)(value) === undefined).toBe(ok);
    expect(ist0125({ [name]: value }).length === 0).toBe(ok);
  });

  test('GIVEN proxy.istio.io/config WHEN it is no YAML mapping THEN the rule refuses it; a mapping or an empty document passes', () => {
    expect(rule('proxy.istio.io/config')('holdApplicationUntilProxyStarts: true')).toBeUndefined();
    expect(rule('proxy.istio.io/config')('')).toBeUndefined();
    expect(rule('proxy.istio.io/config')('[1, 2]')).toMatch(/not ProxyConfig YAML/);
    expect(rule('proxy.istio.io/config')('a: [')).toMatch(/not ProxyConfig YAML/);
  });
});

describe("Go's strconv.ParseBool, read by istio.io/dry-run (builder.go isDryRun) and the webhook", () => {
  test.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%p is true', (v) => expect(parseGoBool(v)).toBe(true));
  test.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%p is false', (v) => expect(parseGoBool(v)).toBe(false));
  test.each(['yes', 'tRUE', '', ' true'])('%p is no boolean', (v) => expect(parseGoBool(v)).toBeUndefined());

  test('GIVEN a dry-run annotation WHEN the simulator and the webhook read it THEN both use the same boolean', () => {
    const ap = (dry: string) => ({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop', annotations: { 'istio.io/dry-run': dry } },
      spec: { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['x'] } }] }] },
    });
    for (const v of ['T', 'True', 'f', 'yes']) {
      const index = new ManifestIndex([ap(v)]);
      const webhookRejects = validateManifests([{ manifest: ap(v) }], { checks: { analyzers: false } }).some((f) => f.code === 'CI2010');
      expect(isDryRun(index.ofKind('AuthorizationPolicy')[0])).toBe(parseGoBool(v) === true);
      expect(webhookRejects).toBe(parseGoBool(v) === undefined);
    }
  });
});

describe('AuthorizationPolicy namespace patterns: two rules in Istio, both stated in rules/authz-match', () => {
  // pilot/pkg/security/authz/model/generator.go srcNamespaceGenerator: every `*` is a regex `.*` on the principal.
  // pkg/config/analysis/analyzers/authz/authorizationpolicies.go namespaceMatch: `*`, a `*` prefix or suffix, or equal.
  test.each([
    ['shop', 'shop', true, true],
    ['sh*', 'shop', true, true],
    ['*op', 'shop', true, true],
    ['*', 'shop', true, true],
    ['s*p', 'shop', true, false], // a `*` inside is a wildcard for pilot, a literal for the analyzer
    ['SHOP', 'shop', false, true], // the analyzer ignores case; the RBAC regex does not
  ])('pattern %p, namespace %p: proxy matches %p, analyzer matches %p', (pattern, ns, proxy, analyzer) => {
    expect(policyNamespaceMatch(pattern, `cluster.local/ns/${ns}/sa/default`)).toBe(proxy);
    expect(analyzerNamespaceMatch(ns, pattern)).toBe(analyzer);
  });

  test('a caller without a principal (plaintext) matches no namespace pattern, not even *', () => {
    expect(policyNamespaceMatch('*', undefined)).toBe(false);
    expect(policyNamespaceMatch('*', '')).toBe(false);
  });

  test.each([
    ['*', '', false], ['*', 'a', true], ['abc*', 'abcd', true], ['*bcd', 'abcd', true], ['a*d', 'a*d', true], ['a*d', 'abcd', false],
  ])('value pattern %p against %p (StringMatcherWithPrefix): %p', (p, v, ok) => expect(policyValueMatch(p, v)).toBe(ok));
});

describe('hosts (pkg/config/host/name.go; ResolveShortnameToFQDN; a client DNS search path)', () => {
  test.each([
    ['*.example.com', 'a.example.com', true, false, true],
    ['a.example.com', '*.example.com', true, true, false],
    ['*.example.com', '*.com', true, true, false],
    ['*', 'a.b', true, false, true],
    ['a.b', 'a.b', true, true, true],
    ['a.b', 'a.c', false, false, false],
  ])('%p ~ %p: Matches %p; first SubsetOf second %p; second SubsetOf first %p', (a, b, matches, aInB, bInA) => {
    expect(hostsMatch(a, b)).toBe(matches);
    expect(hostsMatch(b, a)).toBe(matches);
    expect(hostSubsetOf(a, b)).toBe(aInB);
    expect(hostSubsetOf(b, a)).toBe(bInA);
  });

  test('GIVEN svc.ns WHEN istiod reads it in config THEN it stays as written; WHEN a client calls it THEN DNS completes it', () => {
    expect(configHostFqdn('cart', 'shop')).toBe('cart.shop.svc.cluster.local');
    expect(configHostFqdn('cart.shop', 'shop')).toBe('cart.shop');
    expect(dnsHostFqdn('cart', 'shop')).toBe('cart.shop.svc.cluster.local');
    expect(dnsHostFqdn('Cart.Shop.', 'web')).toBe('cart.shop.svc.cluster.local');
    expect(dnsHostFqdn('cart.shop.svc', 'web')).toBe('cart.shop.svc.cluster.local');
    expect(dnsHostFqdn('api.example.com', 'web')).toBe('api.example.com');
  });

  test('GIVEN the manifest index WHEN it completes and resolves hosts THEN it answers as the rules do', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a.b', namespace: 'c' }, spec: { ports: [{ port: 80 }] } };
    const se = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext', namespace: 'c' }, spec: { hosts: ['*.Example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }] } };
    const index = new ManifestIndex([svc, se], { domainSuffix: 'corp.local' });
    for (const h of ['x', 'x.y', 'x.y.svc', 'x.y.z.w', 'X.Y.']) expect(index.fqdn(h, 'n')).toBe(dnsHostFqdn(h, 'n', 'corp.local'));
    for (const h of ['x', 'x.y', '*.y']) expect(index.configFqdn(h, 'n')).toBe(configHostFqdn(h, 'n', 'corp.local'));
    // GetFullNameFromFQDN is greedy on the name: a.b.c.svc.<suffix> is Service a.b in namespace c.
    expect(serviceOfFqdn('a.b.c.svc.corp.local', 'corp.local')).toEqual({ name: 'a.b', namespace: 'c' });
    expect(index.serviceOfHost('a.b.c.svc.corp.local')?.name).toBe('a.b');
    expect(index.serviceEntryFor('api.example.com')?.name).toBe('ext');
    expect(index.serviceEntryFor('example.com')).toBeUndefined();
  });
});

describe('mesh config: one reader (pilot/pkg/bootstrap/mesh.go getMeshConfigMapName; pkg/config/mesh/kubemesh)', () => {
  const cm = (name: string, data: Record<string, string>, namespace?: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data });
  const canaryPod = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/rev': 'canary' } } };

  test.each([
    ['istio in istio-system', 'a.example', [cm('istio', { mesh: 'trustDomain: a.example' }, 'istio-system')]],
    ['istio without a namespace (bare YAML)', 'b.example', [cm('istio', { mesh: 'trustDomain: b.example' })]],
    ['istio in another namespace: istiod never reads it', undefined, [cm('istio', { mesh: 'trustDomain: c.example' }, 'shop')]],
    ['istio-canary, no workload on revision canary', undefined, [cm('istio-canary', { mesh: 'trustDomain: d.example' }, 'istio-system')]],
    ['istio-canary, a namespace on revision canary', 'e.example', [canaryPod, cm('istio-canary', { mesh: 'trustDomain: e.example' }, 'istio-system')]],
    ['istio-default: revision "default" reads istio', undefined, [cm('istio-default', { mesh: 'trustDomain: f.example' }, 'istio-system')]],
    ['an IstioOperator', 'g.example', [{ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', spec: { meshConfig: { trustDomain: 'g.example' } } }]],
  ])('GIVEN %s WHEN the rules and the analyzers look for mesh config THEN they find trust domain %p', (_, trustDomain, set: any[]) => {
    const sources = meshConfigSources(set);
    expect(sources[0]?.meshConfig?.trustDomain).toBe(trustDomain);
    expect(meshConfigInSet(set)?.trustDomain).toBe(trustDomain);
    expect(resolveMeshConfig(set).source).toBe(trustDomain ? 'set' : 'default');
  });

  test('GIVEN an IstioOperator and a ConfigMap WHEN the analyzers pick one THEN the IstioOperator wins, whatever the order', () => {
    const set = [cm('istio', { mesh: 'trustDomain: cm.example' }, 'istio-system'), { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', spec: { meshConfig: { trustDomain: 'iop.example' } } }];
    expect(meshConfigSources(set).map((s) => s.field)).toEqual(['data.mesh', 'spec.meshConfig']);
    expect(meshConfigInSet(set)?.trustDomain).toBe('iop.example');
  });

  test('GIVEN unparseable mesh YAML WHEN read THEN the source has no config and the analyzers run on the defaults (CI2603 reports it)', () => {
    const set = [cm('istio', { mesh: 'a: [' }, 'istio-system')];
    expect(meshConfigSources(set)[0].meshConfig).toBeUndefined();
    expect(meshConfigInSet(set)).toEqual({});
    expect(validateManifests([{ manifest: set[0] }]).map((f) => f.code)).toContain('CI2603');
  });

  test('GIVEN meshNetworks WHEN read THEN rules and analyzers find the same ConfigMap, in the root namespace only', () => {
    const nets = 'networks:\n  n1:\n    endpoints: [{fromRegistry: c1}]\n    gateways: [{address: 1.1.1.1, port: 15443}]';
    const inRoot = [cm('istio', { meshNetworks: nets }, 'istio-system')];
    const elsewhere = [cm('istio', { meshNetworks: nets }, 'shop')];
    expect(meshNetworksSource(inRoot)?.meshConfig).toMatchObject({ networks: { n1: {} } });
    expect(meshNetworksInSet(inRoot)?.config).toEqual(meshNetworksSource(inRoot)?.meshConfig);
    expect(meshNetworksSource(elsewhere)).toBeUndefined();
    expect(meshNetworksInSet(elsewhere)).toBeUndefined();
    expect(meshNetworksInSet(elsewhere, 'shop')).toBeDefined();
  });

  test('isMeshConfigMap: revision names at the boundary (getMeshConfigMapName: "" and "default" are istio)', () => {
    const m = cm('istio-', { mesh: '' }, 'istio-system');
    expect(isMeshConfigMap(m, [''])).toBe(false);
    expect(isMeshConfigMap(cm('istio-x', { mesh: '' }, 'istio-system'), ['x'])).toBe(true);
    expect(isMeshConfigMap(cm('istio-x', { mesh: '' }, 'istio-system'), ['x'], 'istio-system', 'meshNetworks')).toBe(false);
  });

  test('defaults (pkg/config/mesh/mesh.go DefaultMeshConfig): a declared provider replaces a built-in one of the same name', () => {
    expect(BUILTIN_EXTENSION_PROVIDERS).toEqual(['envoy', 'prometheus', 'stackdriver']);
    const merged = withMeshConfigDefaults({ extensionProviders: [{ name: 'envoy', envoyOtelAls: { service: 'x.y.svc.cluster.local', port: 4317 } }] });
    expect(merged.extensionProviders?.map((p) => p.name)).toEqual(['envoy', 'prometheus', 'stackdriver']);
    expect(merged.extensionProviders?.[0]).toHaveProperty('envoyOtelAls');
    expect(merged.rootNamespace).toBe('istio-system');
  });

  test('embedded YAML is read with the hardened reader: an alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    expect(parseEmbeddedYaml(bomb)).toBeUndefined();
    expect(parseEmbeddedYaml('a: 1')).toEqual({ a: 1 });
    expect(parseEmbeddedYaml('')).toEqual({});
    expect(parseEmbeddedYaml('- 1')).toBeUndefined();
  });
});

describe('IP ranges (Envoy RBAC CidrRange; istiod makes a bare address /32 or /128: generator.go, util.AddrStrToCidrRange)', () => {
  test.each([
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['10.1.2.3/32', '10.1.2.3', true],
    ['10.1.2.3/32', '10.1.2.4', false],
    ['10.1.2.3', '10.1.2.3', true],
    ['10.1.2.3/33', '10.1.2.3', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '::1', true],
    ['2001:db8::1', '2001:0db8:0:0:0:0:0:1', true],
    ['::ffff:10.0.0.0/104', '::ffff:10.9.8.7', true],
    ['2001:db8::1/128', '2001:db8::2', false],
    ['10.0.0.0/8', '::ffff:10.0.0.1', false], // another family never matches
    ['0.0.0.0/0', '::1', false],
  ])('GIVEN range %p WHEN the caller is %p THEN it matches: %p (the simulator uses the same rule)', (cidr, ip, ok) => {
    expect(ipInPrefix(cidr, ip)).toBe(ok);
    expect(cidrMatch(cidr, ip)).toBe(ok);
  });

  test('addresses as numbers: both ends of each family', () => {
    expect(ipValue('0.0.0.0')).toEqual({ family: 4, value: 0n });
    expect(ipValue('255.255.255.255')).toEqual({ family: 4, value: 2n ** 32n - 1n });
    expect(ipValue('::')).toEqual({ family: 6, value: 0n });
    expect(ipValue('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual({ family: 6, value: 2n ** 128n - 1n });
    expect(ipValue('::1.2.3.4')).toEqual({ family: 6, value: 0x01020304n });
    expect(ipValue('256.0.0.1')).toBeUndefined();
    expect(ipValue('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(ipInPrefix('10.0.0.0/8', undefined)).toBe(false);
  });
});

describe("durations the simulator reports are written as the renderer writes them (rules/duration renderDuration)", () => {
  test.each([['10s', 10000], ['10000ms', 10000], ['1.5s', 1500], ['500us', 0.5], ['1m', 60000], ['0s', 0]])('%p → %p ms', (text, ms) => {
    expect(normalizeDuration(text)).toBe(renderDuration(Duration.millis(ms)));
  });
  test('a value Go cannot parse is kept as written', () => expect(normalizeDuration('10 s')).toBe('10 s'));
});

describe('workload principals (pkg/spiffe/spiffe.go Identity.String, ParseIdentity)', () => {
  test('GIVEN a ServiceAccount WHEN its principal is written and read back THEN the parts are the same', () => {
    expect(spiffePrincipal('cluster.local', 'shop', 'cart')).toBe('cluster.local/ns/shop/sa/cart');
    expect(parseSpiffePrincipal('cluster.local/ns/shop/sa/cart')).toEqual({ trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart' });
    expect(parseSpiffePrincipal('*/ns/sh*/sa/*')).toEqual({ trustDomain: '*', namespace: 'sh*', serviceAccount: '*' });
  });
  test.each(['cluster.local/ns/shop/sa', 'cluster.local/ns/shop/sa/cart/x', 'cluster.local/namespace/shop/sa/cart', 'cluster.local/ns//sa/cart', '/ns/shop/sa/cart', 'spiffe://cluster.local/ns/shop/sa/cart'])(
    '%p is no principal', (p) => expect(parseSpiffePrincipal(p)).toBeUndefined());
});

describe('external principals declare namespaces through the same principal rule (rules/spiffe)', () => {
  const ap = {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' },
    spec: { action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['partner'] } }] }] },
  };
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
  const unknownNamespace = (externalPrincipals: string[]) => validateManifests([{ manifest: ns }, { manifest: ap }], { externalPrincipals })
    .some((f) => f.code === 'IST0101' && f.message.includes('"partner"'));

  test.each([
    [[], true],
    [['cluster.local/ns/partner/sa/api'], false],
    [['*/ns/partner/sa/*'], false],
    [['cluster.local/ns/part*/sa/api'], true], // a wildcard namespace declares none
    [['cluster.local/ns/partner/sa'], true], // no principal
  ])('GIVEN external principals %p WHEN a policy names namespace partner THEN IST0101 is reported: %p', (principals, reported) => {
    expect(unknownNamespace(principals)).toBe(reported);
  });
});
