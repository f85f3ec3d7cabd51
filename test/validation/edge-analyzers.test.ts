/**
 * What our file-mode analysis adds for the edge (issue 17): a cert-manager Certificate counts as the
 * Secret it writes (in its own namespace only), and objects that declare they rely on the installed
 * egress gateway (annotation validation.cdk8s-istio.io/installed-gateways) see its Pod and Service,
 * as istioctl sees the ingress gateway in file mode (pkg/config/analysis/local/defaults.go).
 */
import * as jsyaml from 'js-yaml';
import { analyze } from '../../src/validation/analyzers';

const docs = (yaml: string) => jsyaml.loadAll(yaml).filter((d) => d !== null && d !== undefined) as any[];
function run(yaml: string): string[] {
  return analyze(docs(yaml)).map((f) => `${f.code} ${f.target.kind} ${f.target.metadata?.namespace}/${f.target.metadata?.name}: ${f.message}`).sort();
}

const gateway = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: shop, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 443, name: https, protocol: HTTPS }, hosts: [shop.example.com], tls: { mode: SIMPLE, credentialName: shop-tls } }]
---
`;
const certificate = (namespace: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: shop-tls, namespace: ${namespace} }
spec: { secretName: shop-tls, dnsNames: [shop.example.com], issuerRef: { kind: ClusterIssuer, name: letsencrypt } }
---
`;

describe('gateway credentials written by cert-manager', () => {
  test('GIVEN a gateway credential with neither Secret nor Certificate WHEN analyzed THEN IST0101 names the missing Secret (Istio gateway/secret.go)', () => {
    expect(run(gateway)).toEqual([expect.stringMatching(/^IST0101 Gateway istio-system\/shop: spec\.servers\[0\]\.tls\.credentialName: no Secret "istio-system\/shop-tls" in the set \(the gateway pods read their credential from their own namespace "istio-system"\)$/)]);
  });

  test('GIVEN a Certificate writing the credential into the gateway pods\' namespace WHEN analyzed THEN nothing is reported', () => {
    expect(run(gateway + certificate('istio-system'))).toEqual([]);
  });

  test('GIVEN the Certificate in another namespace WHEN analyzed THEN IST0101 says where the Secret lands instead', () => {
    expect(run(gateway + certificate('production'))).toEqual([
      expect.stringMatching(/IST0101 Gateway istio-system\/shop: .*no Secret "istio-system\/shop-tls" in the set \(the gateway pods read their credential from their own namespace "istio-system"\); the Certificate "shop-tls" writes it into namespace "production", where the gateway pods do not read it/),
    ]);
  });
});

describe('the installed egress gateway', () => {
  const egress = (annotated: boolean) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: stripe-egress
  namespace: production
${annotated ? '  annotations: { validation.cdk8s-istio.io/installed-gateways: istio-egressgateway }\n' : ''}spec:
  selector: { istio: egressgateway }
  servers: [{ port: { number: 443, name: tls, protocol: TLS }, hosts: [production/api.stripe.com], tls: { mode: ISTIO_MUTUAL } }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: egress, namespace: istio-system }
spec: { selector: { matchLabels: { istio: egressgateway } }, action: ALLOW }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: egress, namespace: production }
spec: { host: istio-egressgateway.istio-system.svc.cluster.local }
---
`;

  test('GIVEN egress-gateway objects without the annotation WHEN analyzed THEN the gateway selector, the policy selector and the host are unknown (as for Istio)', () => {
    const codes = run(egress(false)).map((l) => l.split(':')[0]);
    expect(codes).toEqual(expect.arrayContaining(['IST0101 Gateway production/stripe-egress', 'IST0127 AuthorizationPolicy istio-system/egress', 'IST0174 DestinationRule production/egress']));
  });

  test('GIVEN the same objects declaring they rely on the installed egress gateway WHEN analyzed THEN its Pod and Service are known and nothing is reported about them', () => {
    expect(run(egress(true))).toEqual([]);
  });
});

describe('CI3005: routing on JWT claims', () => {
  const vs = (gateways: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: istio-system }
spec:
  hosts: [shop.example.com]
  gateways: ${gateways}
  http:
  - match: [{ headers: { "@request.auth.claims.groups": { exact: admins } } }]
    route: [{ destination: { host: admin.production.svc.cluster.local } }]
  - route: [{ destination: { host: shop.production.svc.cluster.local } }]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: shop, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [shop.example.com] }]
---
`;
  const ra = (selector: string) => `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: { name: jwt, namespace: istio-system }
spec:
  ${selector}
  jwtRules: [{ issuer: https://auth.example.com, jwksUri: https://auth.example.com/jwks.json }]
---
`;
  const ci3005 = (yaml: string) => analyze(docs(yaml), { analyzers: ['cdk8s-istio.ClaimRoutingAnalyzer'] }).map((f) => f.message);

  test('GIVEN a claim route at a gateway without a RequestAuthentication on its pods WHEN analyzed THEN CI3005 says it never matches', () => {
    expect(ci3005(vs('[istio-system/shop]'))).toEqual([expect.stringMatching(/spec\.http\[0\]\.match\[0\]\.headers: "@request\.auth\.claims\.groups" routes on a JWT claim at gateway istio-system\/shop, but no RequestAuthentication validates tokens on its pods/)]);
  });

  test('GIVEN a RequestAuthentication selecting the gateway pods, or mesh-wide WHEN analyzed THEN nothing is reported', () => {
    expect(ci3005(vs('[istio-system/shop]') + ra('selector: { matchLabels: { istio: ingressgateway } }'))).toEqual([]);
    expect(ci3005(vs('[istio-system/shop]') + ra(''))).toEqual([]);
  });

  test('GIVEN a RequestAuthentication selecting other pods WHEN analyzed THEN CI3005 is still reported', () => {
    expect(ci3005(vs('[istio-system/shop]') + ra('selector: { matchLabels: { app: other } }'))).toHaveLength(1);
  });

  test('GIVEN a claim route for sidecar traffic WHEN analyzed THEN CI3005 says claims are routed on at gateways only', () => {
    expect(ci3005(vs('[mesh]') + ra(''))).toEqual([expect.stringMatching(/routes on a JWT claim for sidecar traffic \(gateway "mesh"\); Istio routes on claims at gateways only/)]);
  });
});

describe('CI3006: Gateway API certificateRefs (the credential rule of IST0101, for the Gateway API)', () => {
  // Istio 1.30.3 pilot/pkg/config/kube/gateway/conversion.go buildTLS: a cross-namespace certificateRef
  // needs a ReferenceGrant (else RefNotPermitted); the Secret must exist with a certificate (else InvalidCertificateRef).
  const k8sGateway = (ref: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: shop, namespace: shop-edge }
spec:
  gatewayClassName: istio
  listeners: [{ name: https, hostname: shop.example.com, port: 443, protocol: HTTPS, tls: { mode: Terminate, certificateRefs: [${ref}] } }]
---
`;
  const grant = (namespace: string, from: string, name?: string) => `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: shop-certs, namespace: ${namespace} }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: Gateway, namespace: ${from} }]
  to: [{ group: "", kind: Secret${name ? `, name: ${name}` : ''} }]
---
`;
  const ci3006 = (yaml: string) => run(yaml).filter((f) => f.startsWith('CI3006'));

  test('GIVEN a certificateRef in the Gateway\'s namespace with a Certificate writing it there WHEN analyzed THEN nothing is reported', () => {
    expect(ci3006(k8sGateway('{ name: shop-tls }') + certificate('shop-edge'))).toEqual([]);
  });

  test('GIVEN a certificateRef nothing provides WHEN analyzed THEN CI3006, as IST0101 for credentialName', () => {
    expect(ci3006(k8sGateway('{ name: shop-tls }'))).toEqual([
      'CI3006 Gateway shop-edge/shop: spec.listeners[0].tls.certificateRefs[0]: Secret "shop-edge/shop-tls" is neither in the set nor written there by a Certificate of the set: istiod marks the listener InvalidCertificateRef',
    ]);
  });

  test('GIVEN the Certificate in another namespace WHEN analyzed THEN CI3006 names where it writes the Secret (refused the same way as for credentialName)', () => {
    expect(ci3006(k8sGateway('{ name: shop-tls }') + certificate('istio-system'))).toEqual([
      expect.stringMatching(/Secret "shop-edge\/shop-tls" is neither in the set .*; the Certificate "shop-tls" writes it into namespace "istio-system", where the gateway pods do not read it/),
    ]);
  });

  test('GIVEN a cross-namespace certificateRef WHEN no ReferenceGrant allows it THEN CI3006 RefNotPermitted; WHEN one does THEN nothing', () => {
    const crossNs = k8sGateway('{ name: shop-tls, namespace: certs }') + certificate('certs');
    expect(ci3006(crossNs)).toEqual([expect.stringMatching(/Secret "certs\/shop-tls" is not in the Gateway's namespace "shop-edge", and no ReferenceGrant in "certs" lets Gateways of "shop-edge" read it: .*RefNotPermitted/)]);
    expect(ci3006(crossNs + grant('certs', 'shop-edge'))).toEqual([]);
    expect(ci3006(crossNs + grant('certs', 'shop-edge', 'shop-tls'))).toEqual([]);
    // a grant for another Secret, from another namespace, or in the Gateway's namespace does not count
    expect(ci3006(crossNs + grant('certs', 'shop-edge', 'other-tls'))).toHaveLength(1);
    expect(ci3006(crossNs + grant('certs', 'elsewhere'))).toHaveLength(1);
    expect(ci3006(crossNs + grant('shop-edge', 'shop-edge'))).toHaveLength(1);
  });
});
