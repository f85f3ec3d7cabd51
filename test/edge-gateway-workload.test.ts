/**
 * Issue 17 leftover: a dedicated ingress gateway whose workload the library deploys, as Istio documents
 * gateway injection (the `istio/gateway` chart of Istio 1.30.3: manifests/charts/gateway/templates
 * deployment.yaml, service.yaml, role.yaml; the injector's gateway template
 * istio-discovery/files/gateway-injection-template.yaml). istiod serves a credential only to a gateway
 * whose ServiceAccount may list the Secrets of its namespace (pilot/pkg/credentials/kube/secrets.go
 * Authorize), hence the Role.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CertificateIssuer, ControlPlane, GatewayTls, IngressGateway, IngressWorkload, Mesh, MeshApp, MeshChart, MeshNamespace, MeshProps, RoutePath, RoutingApi, ZeroTrustPolicy, MtlsMode,
} from '../src';
import { podSecurityRestrictedViolations } from '../src/rules/pod-security';
import { validateManifests } from '../src/validation';
import { meshChart, one, OTEL, service, synth } from './helpers';

function shop(meshProps = {}) {
  const s = meshChart(meshProps);
  const order = service(s.chart, s.ns, 'order-service');
  return { ...s, order };
}

function deployedGateway(s: ReturnType<typeof shop>, props: Partial<Parameters<typeof IngressWorkload.deployed>[0]> = {}, id = 'Gw') {
  return new IngressGateway(s.chart, id, {
    mesh: s.mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'),
    certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') },
    workload: IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress', ...props }),
  });
}

describe('IngressWorkload.deployed', () => {
  test('GIVEN a deployed gateway workload WHEN synthesized THEN the Deployment, Service, ServiceAccount and credential Role follow Istio\'s gateway injection', () => {
    const s = shop();
    const gw = deployedGateway(s);
    gw.expose(s.order, { paths: [RoutePath.prefix('/api/orders')] });
    const objects = synth(s.chart);
    const d = one(objects, 'Deployment', 'shop-ingress');
    expect(d).toMatchObject({
      metadata: { namespace: 'production' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'shop-ingress', istio: 'shop-ingress' } },
        template: {
          metadata: {
            annotations: { 'inject.istio.io/templates': 'gateway' },
            labels: { 'app': 'shop-ingress', 'istio': 'shop-ingress', 'sidecar.istio.io/inject': 'true', 'istio.io/dataplane-mode': 'none' },
          },
          spec: {
            serviceAccountName: 'shop-ingress',
            securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
            containers: [{ name: 'istio-proxy', image: 'auto' }],
          },
        },
      },
    });
    // THEN the pod meets Pod Security "restricted" (the injected template adds runAsUser/runAsGroup 1337)
    expect(podSecurityRestrictedViolations({ metadata: d.spec.template.metadata, spec: d.spec.template.spec })).toEqual([]);
    expect(one(objects, 'Service', 'shop-ingress').spec).toEqual({
      type: 'LoadBalancer', selector: { app: 'shop-ingress', istio: 'shop-ingress' },
      ports: [
        { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
        { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
      ],
    });
    expect(one(objects, 'ServiceAccount', 'shop-ingress').metadata.namespace).toBe('production');
    expect(one(objects, 'Role', 'shop-ingress')).toMatchObject({ rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }] });
    expect(one(objects, 'RoleBinding', 'shop-ingress')).toMatchObject({ roleRef: { kind: 'Role', name: 'shop-ingress' }, subjects: [{ kind: 'ServiceAccount', name: 'shop-ingress' }] });
    // AND the Gateway selects those pods, and the identity the service allows is the rendered ServiceAccount
    expect(one(objects, 'Gateway', 'shop-gateway').spec.selector).toEqual({ istio: 'shop-ingress' });
    expect(gw.identityNamespace).toBe('production');
    expect(gw.serviceAccountName).toBe('shop-ingress');
    expect(one(objects, 'AuthorizationPolicy', 'order-service-allow').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/production/sa/shop-ingress']);
    // AND the set validates without errors (the selector matches the pods, the server ports are the Service's,
    // the Certificate writes the credential where the pods read it); like istioctl analyze of files, which
    // has no injection webhook in the set, IST0146 warns about image auto (pkg/config/analysis/analyzers/injection/image-auto.go)
    const findings = validateManifests(objects.map((manifest) => ({ manifest })));
    expect(findings.filter((f) => f.level === 'error' || ['IST0101', 'IST0162'].includes(f.code)).map((f) => `${f.code} ${f.message}`)).toEqual([]);
    // (and CI3001 leaves gateway pods alone: Istio's gateway chart gives them no version label)
    expect(findings.filter((f) => f.level === 'warning').map((f) => f.code)).toEqual(['IST0146']);
    // AND with Istio's injection webhook in the set (as the cluster has it), no IST0146
    const webhook = {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-sidecar-injector' },
      webhooks: [{ name: 'object.sidecar-injector.istio.io', objectSelector: { matchLabels: { 'sidecar.istio.io/inject': 'true' } } }],
    };
    expect(validateManifests([...objects, webhook].map((manifest) => ({ manifest }))).filter((f) => f.code === 'IST0146')).toEqual([]);
    expect(one(objects, 'Certificate', 'shop-tls').metadata.namespace).toBe('production');
  });

  test('GIVEN a control-plane revision WHEN synthesized THEN the pods opt in with istio.io/rev instead of sidecar.istio.io/inject', () => {
    const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'edge-gw-')), log: () => undefined });
    const chart = new MeshChart(app, 'app');
    const mesh = new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 } } as MeshProps);
    const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    service(chart, ns, 'order-service');
    new ControlPlane(new MeshChart(app, 'cp', { outputDir: 'cp' }), 'ControlPlane', { mesh, revision: '1-30-3' });
    new IngressGateway(chart, 'Gw', { mesh, hosts: ['shop.example.com'], workload: IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress', replicas: 1 }) });
    const labels = one(synth(chart), 'Deployment', 'shop-ingress').spec.template.metadata.labels;
    expect(labels).toMatchObject({ 'istio.io/rev': '1-30-3' });
    expect(labels['sidecar.istio.io/inject']).toBeUndefined();
  });

  test.each([
    [1, true], [100, true], [0, false], [101, false],
  ])('GIVEN replicas %d THEN accepted: %s (1 to 100)', (replicas, ok) => {
    const make = () => IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress', replicas });
    if (ok) expect(make).not.toThrow();
    else expect(make).toThrow(/\[IngressWorkload\.deployed\] props\.replicas: .* is invalid: must be a whole number from 1 to 100/);
  });

  test('GIVEN a namespace that is neither the root namespace nor one of the mesh THEN refused', () => {
    const s = shop();
    expect(() => deployedGateway(s, { namespace: 'shop-edge' }))
      .toThrow(/\[test\/Gw\] workload: "shop-edge\/shop-ingress" is invalid: the gateway workload is deployed into namespace shop-edge, which is neither the mesh root namespace \(istio-system\) nor a namespace of this mesh.*Hint: declare it with a MeshNamespace/);
  });

  test('GIVEN two gateways deploying the same workload THEN the second is refused, naming the first', () => {
    const s = shop();
    deployedGateway(s);
    expect(() => new IngressGateway(s.chart, 'Other', { mesh: s.mesh, name: 'other', hosts: ['other.example.com'], workload: IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress' }) }))
      .toThrow(/\[test\/Other\] workload: "production\/shop-ingress" is invalid: the gateway workload production\/shop-ingress is already deployed by test\/Gw/);
  });

  test('GIVEN RoutingApi.GATEWAY_API THEN a deployed workload is refused: Istio provisions the Gateway\'s pods itself', () => {
    const s = shop({ routingApi: RoutingApi.GATEWAY_API });
    expect(() => deployedGateway(s)).toThrow(/workload: "dedicated" is invalid: with RoutingApi\.GATEWAY_API, Istio provisions the gateway pods of each Gateway itself/);
  });

  test('GIVEN the root namespace WHEN deployed there THEN accepted, with a default deny in production still admitting the gateway identity', () => {
    const s = shop();
    new ZeroTrustPolicy(s.chart, 'Zt', { mesh: s.mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: s.ns, defaultDeny: true }] });
    const gw = deployedGateway(s, { namespace: 'istio-system' });
    gw.expose(s.order, { paths: [RoutePath.prefix('/')] });
    const objects = synth(s.chart);
    expect(one(objects, 'Deployment', 'shop-ingress').metadata.namespace).toBe('istio-system');
    expect(one(objects, 'AuthorizationPolicy', 'order-service-allow').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/istio-system/sa/shop-ingress']);
  });

  test('GIVEN a deployed gateway in a namespace with a default deny WHEN synthesized THEN refused: the namespace-wide deny applies to the gateway pods too', () => {
    const s = shop();
    deployedGateway(s);
    new ZeroTrustPolicy(s.chart, 'Zt', { mesh: s.mesh, meshMtls: MtlsMode.STRICT, namespaces: [{ namespace: s.ns, defaultDeny: true }] });
    expect(() => synth(s.chart)).toThrow(/workload: "production\/shop-ingress" is invalid: namespace production has a default deny, which applies to the gateway's pods too.*Hint: deploy the gateway into a namespace of its own/);
  });
});
