/**
 * The analyzers on the shapes issue 19 lists, each following the Istio 1.30.3 source it names, plus
 * what our file-mode analysis adds (pod templates as pods, declared external callers).
 */
import * as jsyaml from 'js-yaml';
import { analyze, ANALYZERS, OPT_IN_ANALYZERS } from '../../src/validation/analyzers';
import type { AnalyzerOptions } from '../../src/validation/analyzers';

const docs = (yaml: string) => jsyaml.loadAll(yaml).filter((d) => d !== null && d !== undefined) as any[];
/** `CODE Kind ns/name` of each finding of the named analyzer. */
function run(analyzer: string, yaml: string, options: AnalyzerOptions = {}): string[] {
  return analyze(docs(yaml), { analyzers: [analyzer], ...options })
    .map((f) => `${f.code} ${f.target.kind} ${f.target.metadata?.namespace ? `${f.target.metadata.namespace}/` : ''}${f.target.metadata?.name}`)
    .sort();
}

const ns = (name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }) => `apiVersion: v1
kind: Namespace
metadata: { name: ${name}, labels: ${JSON.stringify(labels)} }
---
`;
const svc = (name: string, namespace: string, extra = '') => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace}${extra} }
spec: { selector: { app: ${name} }, ports: [{ name: http, port: 8080 }] }
---
`;
const deploy = (name: string, namespace: string, version = 'v1') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}-${version}, namespace: ${namespace} }
spec:
  selector: { matchLabels: { app: ${name}, version: ${version} } }
  template:
    metadata: { labels: { app: ${name}, version: ${version} } }
    spec: { containers: [{ name: app, image: example/${name}:${version} }] }
---
`;

describe('the analyzer registry', () => {
  test('every analyzer is named after an Istio analyzer (package.Type) or is ours, and declares codes', () => {
    for (const a of [...ANALYZERS, ...OPT_IN_ANALYZERS]) {
      expect(a.name).toMatch(/^([a-z0-9]+\.[A-Za-z0-9]*Analyzer|schema\.ValidationAnalyzer\.VirtualService|cdk8s-istio\.[A-Za-z]+Analyzer)$/);
      expect(a.codes.length).toBeGreaterThan(0);
    }
    expect(new Set(ANALYZERS.map((a) => a.name)).size).toBe(ANALYZERS.length);
  });
});

describe('workloads (sidecar/selector.go, telemetry/selector.go read Pods)', () => {
  const sidecar = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: cart, namespace: shop }
spec: { workloadSelector: { labels: { app: cart } }, egress: [{ hosts: ['./*'] }] }
---
`;
  test('a bare Pod is a workload a Sidecar selects', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: { name: cart-0, namespace: shop, labels: { app: cart } }\nspec: { containers: [{ name: app, image: x }] }\n';
    expect(run('sidecar.SelectorAnalyzer', sidecar + pod)).toEqual([]);
  });

  test('a Deployment counts by its pod template (our file mode), unless podTemplates is off as in Istio\'s harness', () => {
    expect(run('sidecar.SelectorAnalyzer', sidecar + deploy('cart', 'shop'))).toEqual([]);
    expect(run('sidecar.SelectorAnalyzer', sidecar + deploy('cart', 'shop'), { podTemplates: false })).toEqual(['IST0101 Sidecar shop/cart']);
  });

  test('a Sidecar or Telemetry whose selector matches no pod is IST0101', () => {
    const telemetry = 'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: t, namespace: shop }\nspec: { selector: { matchLabels: { app: nope } } }\n';
    expect(run('sidecar.SelectorAnalyzer', sidecar)).toEqual(['IST0101 Sidecar shop/cart']);
    expect(run('telemetry.SelectorAnalyzer', telemetry)).toEqual(['IST0101 Telemetry shop/t']);
  });
});

describe('unreachable rules (pkg/config/validation/validation.go analyzeUnreachable*Rules)', () => {
  const vs = (proto: string, rules: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: v, namespace: shop }
spec:
  hosts: [cart]
  ${proto}:
${rules}`;
  test('tcp and tls routes are checked too', () => {
    const tcp = vs('tcp', '  - { match: [{ port: 80 }], route: [{ destination: { host: a } }] }\n  - { match: [{ port: 80 }], route: [{ destination: { host: b } }] }\n');
    expect(run('schema.ValidationAnalyzer.VirtualService', tcp)).toEqual(['IST0130 VirtualService shop/v', 'IST0131 VirtualService shop/v']);
    const tls = vs('tls', '  - { match: [{ sniHosts: [a.com] }], route: [{ destination: { host: a } }] }\n  - { match: [{ sniHosts: [a.com] }], route: [{ destination: { host: b } }] }\n');
    expect(run('schema.ValidationAnalyzer.VirtualService', tls)).toEqual(['IST0130 VirtualService shop/v', 'IST0131 VirtualService shop/v']);
  });

  test('a duplicate match within one rule is ineffective, and a rule whose every match is a duplicate is unreachable', () => {
    const within = vs('http', '  - { match: [{ uri: { exact: /a } }, { uri: { exact: /a } }], route: [{ destination: { host: a } }] }\n');
    expect(run('schema.ValidationAnalyzer.VirtualService', within)).toEqual(['IST0131 VirtualService shop/v']);
    const all = vs('http', '  - { match: [{ uri: { exact: /a } }], route: [{ destination: { host: a } }] }\n  - { match: [{ uri: { exact: /a } }], route: [{ destination: { host: b } }] }\n');
    expect(run('schema.ValidationAnalyzer.VirtualService', all)).toEqual(['IST0130 VirtualService shop/v', 'IST0131 VirtualService shop/v']);
  });
});

describe('hosts and exportTo (util/service_lookup.go, virtualservice/destinationhosts.go, conflictingmeshgatewayhosts.go)', () => {
  const route = (name: string, namespace: string, host: string, extra = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${namespace} }
spec: { hosts: [${name}.example], http: [{ route: [{ destination: { host: ${host}${extra} } }] }] }
---
`;
  const se = (name: string, namespace: string, host: string, exportTo?: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ${name}, namespace: ${namespace} }
spec: { hosts: [${host}], ports: [{ number: 443, name: https, protocol: HTTPS }], resolution: DNS${exportTo ? `, exportTo: [${exportTo}]` : ''} }
---
`;
  test('a two-label host is taken as written: a ServiceEntry for example.com provides it', () => {
    expect(run('virtualservice.DestinationHostAnalyzer', se('ext', 'shop', 'example.com') + route('v', 'shop', 'example.com'))).toEqual([]);
  });

  test('a ServiceEntry exported only to its namespace is not visible from another', () => {
    const set = se('ext', 'other', 'api.example.com', "'.'") + route('v', 'shop', 'api.example.com');
    expect(run('virtualservice.DestinationHostAnalyzer', set)).toEqual(['IST0101 VirtualService shop/v']);
  });

  test('a Service exported to its own namespace by annotation is not visible from another', () => {
    const set = svc('cart', 'shop', ', annotations: { networking.istio.io/exportTo: "." }') + route('v', 'web', 'cart.shop.svc.cluster.local');
    expect(run('virtualservice.DestinationHostAnalyzer', set)).toEqual(['IST0101 VirtualService web/v']);
  });

  test('mirror hosts and destination ports are checked', () => {
    const mirror = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: m, namespace: shop }
spec: { hosts: [cart], http: [{ route: [{ destination: { host: cart } }], mirror: { host: nowhere } }] }
---
`;
    expect(run('virtualservice.DestinationHostAnalyzer', svc('cart', 'shop') + mirror)).toEqual(['IST0101 VirtualService shop/m']);
    expect(run('virtualservice.DestinationHostAnalyzer', svc('cart', 'shop') + route('p', 'shop', 'cart', ', port: { number: 9999 }'))).toEqual(['IST0101 VirtualService shop/p']);
  });

  test('a subset is checked whether or not the host exists', () => {
    expect(run('virtualservice.DestinationRuleAnalyzer', route('v', 'shop', 'ghost', ', subset: v9'))).toEqual(['IST0101 VirtualService shop/v']);
  });

  test('IST0109 reports every VirtualService of a conflict, wildcards included, within overlapping exportTo scopes', () => {
    const vs = (name: string, namespace: string, host: string, exportTo?: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${namespace} }
spec: { hosts: ['${host}'], ${exportTo ? `exportTo: [${exportTo}], ` : ''}http: [{ route: [{ destination: { host: a } }] }] }
---
`;
    expect(run('virtualservice.ConflictingMeshGatewayHostsAnalyzer', vs('a', 'x', 'cart.shop.svc.cluster.local') + vs('b', 'y', 'cart.shop.svc.cluster.local'))).toEqual(['IST0109 VirtualService x/a', 'IST0109 VirtualService y/b']);
    expect(run('virtualservice.ConflictingMeshGatewayHostsAnalyzer', vs('a', 'x', '*.example.com', "'.'") + vs('b', 'y', 'api.example.com'))).toEqual(['IST0109 VirtualService x/a', 'IST0109 VirtualService y/b']);
    expect(run('virtualservice.ConflictingMeshGatewayHostsAnalyzer', vs('a', 'x', 'api.example.com', "'.'") + vs('b', 'y', 'api.example.com', "'.'"))).toEqual([]);
  });
});

describe('Services, Deployments, Namespaces (service/portname.go, deployment/services.go, injection/injection.go)', () => {
  test('control-plane Services and namespaces Istio ignores are not analyzed; ExternalName gets IST0150', () => {
    const unnamed = (name: string, namespace: string, labels = '') => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace}${labels} }
spec: { ports: [{ name: web, port: 80 }] }
---
`;
    expect(run('service.PortNameAnalyzer', unnamed('a', 'shop') + unnamed('istiod', 'istio-system', ', labels: { istio: pilot }') + unnamed('dns', 'kube-system'))).toEqual(['IST0118 Service shop/a']);
    const external = 'apiVersion: v1\nkind: Service\nmetadata: { name: ext, namespace: shop }\nspec: { type: ExternalName, externalName: example.com, ports: [{ name: tcp, port: 80 }] }\n';
    expect(run('service.PortNameAnalyzer', external)).toEqual(['IST0150 Service shop/ext']);
  });

  test('IST0116 compares a Service port\'s protocol field, only for Deployments in the mesh', () => {
    const two = svc('cart', 'shop') + 'apiVersion: v1\nkind: Service\nmetadata: { name: cart-udp, namespace: shop }\nspec: { selector: { app: cart }, ports: [{ name: udp, port: 8080, protocol: UDP }] }\n---\n';
    expect(run('deployment.ServiceAssociationAnalyzer', ns('shop') + two + deploy('cart', 'shop'))).toEqual(['IST0116 Deployment shop/cart-v1']);
    expect(run('deployment.ServiceAssociationAnalyzer', ns('shop', {}) + two + deploy('cart', 'shop'))).toEqual([]);
  });

  test('IST0102 is reported on the Namespace', () => {
    expect(run('injection.Analyzer', ns('shop', {}) + deploy('cart', 'shop'))).toEqual(['IST0102 Namespace shop']);
  });

  test('IST0144 is reported once per object however many containers run as 1337 (istioctl drops identical messages)', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: shop }\nspec: { securityContext: { runAsUser: 1337 }, containers: [{ name: a, securityContext: { runAsUser: 1337 } }, { name: b, securityContext: { runAsUser: 1337 } }] }\n';
    expect(run('deployment.ApplicationUIDAnalyzer', pod)).toEqual(['IST0144 Pod shop/p']);
  });
});

describe('AuthorizationPolicies (authz/authorizationpolicies.go)', () => {
  const policy = (name: string, namespace: string, spec: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: ${namespace} }
spec: ${spec}
---
`;
  test('a selector-less policy in a namespace without pods in the mesh is IST0127', () => {
    expect(run('authz.AuthorizationPoliciesAnalyzer', ns('empty') + policy('deny', 'empty', '{ action: DENY, rules: [{}] }'))).toEqual(['IST0127 AuthorizationPolicy empty/deny']);
    expect(run('authz.AuthorizationPoliciesAnalyzer', ns('shop') + deploy('cart', 'shop') + policy('deny', 'shop', '{ action: DENY, rules: [{}] }'))).toEqual([]);
  });

  test('pods of an ambient namespace count (the pod templates get the ambient redirection istio-cni gives their pods)', () => {
    expect(run('authz.AuthorizationPoliciesAnalyzer', ns('amb', { 'istio.io/dataplane-mode': 'ambient' }) + deploy('cart', 'amb') + policy('allow', 'amb', '{ selector: { matchLabels: { app: cart } } }'))).toEqual([]);
  });

  test('a namespace no Namespace object matches is IST0101, unless a declared external caller lives there', () => {
    const ap = policy('allow', 'shop', '{ rules: [{ from: [{ source: { namespaces: [monitoring], principals: [cluster.local/ns/monitoring/sa/prometheus] } }] }] }');
    expect(run('authz.AuthorizationPoliciesAnalyzer', ns('shop') + deploy('cart', 'shop') + ap)).toEqual(['IST0101 AuthorizationPolicy shop/allow']);
    expect(run('authz.AuthorizationPoliciesAnalyzer', ns('shop') + deploy('cart', 'shop') + ap, { externalPrincipals: ['cluster.local/ns/monitoring/sa/prometheus'] })).toEqual([]);
  });
});

describe('options', () => {
  test('objects without namespace are in the default namespace (istioctl analyze -n)', () => {
    const sidecar = 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: { name: s }\nspec: { workloadSelector: { labels: { app: cart } } }\n---\n';
    expect(run('sidecar.SelectorAnalyzer', sidecar + deploy('cart', 'shop'))).toEqual(['IST0101 Sidecar s']);
    expect(run('sidecar.SelectorAnalyzer', sidecar + deploy('cart', 'shop'), { defaultNamespace: 'shop' })).toEqual([]);
  });

  test('the mesh config decides the root namespace and the default providers', () => {
    const meshWide = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p, namespace: mesh-root }\nspec: { selector: { matchLabels: { app: cart } } }\n';
    // In the root namespace a selector is matched against pods of every namespace.
    expect(run('authz.AuthorizationPoliciesAnalyzer', ns('shop') + deploy('cart', 'shop') + meshWide, { meshConfig: { rootNamespace: 'mesh-root' } })).toEqual([]);
    expect(run('authz.AuthorizationPoliciesAnalyzer', ns('shop') + deploy('cart', 'shop') + meshWide)).toEqual(['IST0127 AuthorizationPolicy mesh-root/p']);
    const telemetry = 'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: t, namespace: istio-system }\nspec: { accessLogging: [{}] }\n';
    expect(run('telemetry.ProviderAnalyzer', telemetry)).toEqual(['IST0157 Telemetry istio-system/t']);
    expect(run('telemetry.ProviderAnalyzer', telemetry, { meshConfig: { defaultProviders: { accessLogging: ['envoy'] } } })).toEqual([]);
  });

  test('the cluster domain comes from options, not a constant', () => {
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: v, namespace: web }\nspec: { hosts: [v.example], http: [{ route: [{ destination: { host: cart.shop.svc.corp.internal } }] }] }\n';
    const s = svc('cart', 'shop', ', annotations: { networking.istio.io/exportTo: "." }');
    expect(run('virtualservice.DestinationHostAnalyzer', s + vs, { domainSuffix: 'corp.internal' })).toEqual(['IST0101 VirtualService web/v']);
    expect(run('virtualservice.DestinationHostAnalyzer', svc('cart', 'shop') + vs, { domainSuffix: 'corp.internal' })).toEqual([]);
    expect(run('virtualservice.DestinationHostAnalyzer', svc('cart', 'shop') + vs)).toEqual(['IST0101 VirtualService web/v']);
  });

  test('the alpha-annotation analyzer runs only when named, as in Istio (skipAll)', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: shop, annotations: { sidecar.istio.io/proxyCPU: 100m } }\nspec: { containers: [{ name: a }], initContainers: [{ name: istio-init }] }\n';
    expect(analyze(docs(pod)).map((f) => f.code)).not.toContain('IST0136');
    expect(run('maturity.AlphaAnalyzer', pod)).toEqual(['IST0136 Pod shop/p']);
  });
});
