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
    expect(run(gateway)).toEqual([expect.stringMatching(/^IST0101 Gateway istio-system\/shop: spec\.servers\[0\]\.tls\.credentialName: Secret "istio-system\/shop-tls" is not in the gateway's namespace "istio-system"$/)]);
  });

  test('GIVEN a Certificate writing the credential into the gateway pods\' namespace WHEN analyzed THEN nothing is reported', () => {
    expect(run(gateway + certificate('istio-system'))).toEqual([]);
  });

  test('GIVEN the Certificate in another namespace WHEN analyzed THEN IST0101 says where the Secret lands instead', () => {
    expect(run(gateway + certificate('production'))).toEqual([
      expect.stringMatching(/IST0101 Gateway istio-system\/shop: .*Secret "istio-system\/shop-tls" is not in the gateway's namespace "istio-system"; the Certificate "shop-tls" writes it into namespace "production", where the gateway pods do not read it/),
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
