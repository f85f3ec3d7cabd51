/**
 * Core kinds checked as the Kubernetes API server checks them (1.33): OpenAPI schema (CI1201),
 * strict unknown fields (CI1002), and the validation code of pkg/apis/{core,apps,autoscaling,policy}
 * (CI1203). Valid shapes pass without findings.
 */
import { validateManifests } from '../../src/validation';

const ns = { namespace: 'shop' };
const container = (extra: any = {}) => ({ name: 'app', image: 'registry.example.com/app:v1', ...extra });
const deployment = (spec: any = {}, tplSpec: any = {}, labels: any = { app: 'cart' }) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', ...ns },
  spec: { replicas: 2, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels }, spec: { containers: [container()], ...tplSpec } }, ...spec },
});
const service = (spec: any = {}, meta: any = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', ...ns, ...meta },
  spec: { selector: { app: 'cart' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }], ...spec },
});
const hpa = (spec: any) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'cart', ...ns }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart' }, maxReplicas: 5, ...spec } });
const pdb = (spec: any) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'cart', ...ns }, spec: { selector: { matchLabels: { app: 'cart' } }, ...spec } });

function codes(manifest: any, level = 'error'): string[] {
  return validateManifests([{ manifest }], { checks: { analyzers: false } }).filter((f) => f.level === level).map((f) => `${f.code} ${f.message}`);
}

describe('valid core objects pass', () => {
  test.each([
    ['a Deployment with probes, resources and a rolling update in percent', deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } } }, {
      containers: [container({
        ports: [{ name: 'http', containerPort: 8080 }],
        env: [{ name: 'LOG.LEVEL', value: 'info' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi', 'example.com/gpu': '1' } },
        readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
        livenessProbe: { tcpSocket: { port: 8080 }, successThreshold: 1 },
      })],
    })],
    ['a Deployment selected by matchExpressions', deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['cart'] }] } })],
    ['a Service with a named targetPort and a headless one without ports', service({ ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'grpc', port: 9090, targetPort: 9090 }] })],
    ['a headless Service', service({ clusterIP: 'None', ports: [] })],
    ['an ExternalName Service', service({ type: 'ExternalName', externalName: 'db.example.com', ports: [] })],
    ['a LoadBalancer with source ranges', service({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'], externalTrafficPolicy: 'Local' })],
    ['an HPA on CPU', hpa({ minReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] })],
    ['a PDB in percent', pdb({ maxUnavailable: '50%' })],
    ['a ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { 'mesh': 'x', 'a.b_c-d': 'y' } }],
    ['annotations with an upper-case prefix (keys are checked lowercased)', service({}, { annotations: { 'Example.COM/owner': 'team' } })],
  ])('%s', (_name, manifest) => {
    expect(codes(manifest)).toEqual([]);
  });
});

describe('what the API server rejects', () => {
  test.each([
    // ports
    ['a Service port over 65535', service({ ports: [{ name: 'http', port: 70000 }] }), 'CI1203 spec.ports[0].port: 70000 is invalid'],
    ['a Service targetPort over 65535', service({ ports: [{ name: 'http', port: 80, targetPort: 70000 }] }), 'CI1203 spec.ports[0].targetPort: 70000 is invalid'],
    ['a targetPort name that is not an IANA name', service({ ports: [{ name: 'http', port: 80, targetPort: 'http_port' }] }), 'CI1203 spec.ports[0].targetPort: "http_port" is invalid'],
    ['a containerPort of 0', deployment({}, { containers: [container({ ports: [{ containerPort: 0 }] })] }), 'CI1203 spec.template.spec.containers[0].ports[0].containerPort: 0 is invalid'],
    ['a probe port over 65535', deployment({}, { containers: [container({ readinessProbe: { httpGet: { path: '/', port: 70000 } } })] }), 'CI1203 spec.template.spec.containers[0].readinessProbe.httpGet.port: 70000 is invalid'],
    // ranges
    ['negative replicas', deployment({ replicas: -1 }), 'CI1203 spec.replicas: -1 is invalid: must be greater than or equal to 0'],
    ['negative probe seconds', deployment({}, { containers: [container({ readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: -5 } })] }), 'CI1203 spec.template.spec.containers[0].readinessProbe.periodSeconds: -5 is invalid'],
    ['a liveness probe with successThreshold 2', deployment({}, { containers: [container({ livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } })] }), 'livenessProbe.successThreshold: 2 is invalid: must be 1'],
    // IPs
    ['a clusterIP that is no IP', service({ clusterIP: '10.0.0.300' }), 'CI1203 spec.clusterIP: "10.0.0.300" is invalid'],
    ['a loopback externalIP', service({ externalIPs: ['127.0.0.1'] }), 'CI1203 spec.externalIPs[0]: "127.0.0.1" is invalid: may not be in the loopback range'],
    ['a loadBalancerSourceRange with 33 bits', service({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/33'] }), 'CI1203 spec.loadBalancerSourceRanges[0]: "10.0.0.0/33" is invalid'],
    ['loadBalancerSourceRanges on a ClusterIP Service', service({ loadBalancerSourceRanges: ['10.0.0.0/8'] }), "CI1203 spec.loadBalancerSourceRanges: may only be used when `type` is 'LoadBalancer'"],
    ['a hostAlias IP that is no IP', deployment({}, { hostAliases: [{ ip: 'db', hostnames: ['db.local'] }] }), 'CI1203 spec.template.spec.hostAliases[0].ip: "db" is invalid'],
    // selector/labels, uniqueness
    ['a Deployment selector that does not match the template labels', deployment({}, {}, { app: 'other' }), 'CI1203 spec.template.metadata.labels: {"app":"other"} is invalid: `selector` does not match template `labels`'],
    ['duplicate container names', deployment({}, { containers: [container(), container()] }), 'CI1203 spec.template.spec.containers[1].name: "app" is invalid: Duplicate value'],
    ['duplicate container port names', deployment({}, { containers: [container({ ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] })] }), 'CI1203 spec.template.spec.containers[0].ports[1].name: "http" is invalid: Duplicate value'],
    ['duplicate Service port names', service({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }), 'CI1203 spec.ports[1].name: "http" is invalid: Duplicate value'],
    ['a Service with two ports, one unnamed', service({ ports: [{ name: 'http', port: 80 }, { port: 81 }] }), 'CI1203 spec.ports[1].name: Required value'],
    ['the same port and protocol twice', service({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }), 'CI1203 spec.ports[1]: "80/TCP" is invalid: Duplicate value'],
    ['a Service port name that is not a DNS label', service({ ports: [{ name: 'HTTP', port: 80 }] }), 'CI1203 spec.ports[0].name: "HTTP" is invalid'],
    // required, env, probes
    ['an empty env name', deployment({}, { containers: [container({ env: [{ name: '', value: 'x' }] })] }), 'CI1203 spec.template.spec.containers[0].env[0].name: Required value'],
    ['an env name with "="', deployment({}, { containers: [container({ env: [{ name: 'A=B', value: 'x' }] })] }), 'CI1203 spec.template.spec.containers[0].env[0].name: "A=B" is invalid'],
    ['a probe without a handler', deployment({}, { containers: [container({ readinessProbe: { periodSeconds: 10 } })] }), 'CI1203 spec.template.spec.containers[0].readinessProbe: must specify a handler type'],
    ['a probe with two handlers', deployment({}, { containers: [container({ readinessProbe: { tcpSocket: { port: 80 }, exec: { command: ['x'] } } })] }), 'may not specify more than 1 handler type'],
    ['a Service without ports', service({ ports: [] }), 'CI1203 spec.ports: Required value'],
    ['a container without image', deployment({}, { containers: [{ name: 'app' }] }), 'CI1203 spec.template.spec.containers[0].image: Required value'],
    ['a secretKeyRef without key', deployment({}, { containers: [container({ env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db' } } }] })] }), 'CI1201 spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: required value'],
    ['a secret volume with an invalid name', deployment({}, { volumes: [{ name: 'creds', secret: { secretName: 'Db_Creds' } }], containers: [container({ volumeMounts: [{ name: 'creds', mountPath: '/c' }] })] }), 'secret.secretName: "Db_Creds" is invalid'],
    ['a volumeMount of an undeclared volume', deployment({}, { containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/d' }] })] }), 'volumeMounts[0].name: "data" is invalid: Not found'],
    ['restartPolicy Never in a Deployment', deployment({}, { restartPolicy: 'Never' }), 'CI1203 spec.template.spec.restartPolicy: "Never" is invalid'],
    // quantities
    ['a quantity with unit d', deployment({}, { containers: [container({ resources: { limits: { memory: '1d' } } })] }), 'CI1203 spec.template.spec.containers[0].resources.limits["memory"]: "1d" is invalid: must be a Kubernetes quantity'],
    ['a quantity with unit c', deployment({}, { containers: [container({ resources: { requests: { cpu: '100c' } } })] }), 'CI1203 spec.template.spec.containers[0].resources.requests["cpu"]: "100c" is invalid'],
    ['a quantity with unit Y', deployment({}, { containers: [container({ resources: { limits: { memory: '1Y' } } })] }), 'CI1203 spec.template.spec.containers[0].resources.limits["memory"]: "1Y" is invalid'],
    ['a request above its limit', deployment({}, { containers: [container({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } })] }), 'CI1203 spec.template.spec.containers[0].resources.requests["cpu"]: "2" is invalid: must be less than or equal to cpu limit of 1'],
    ['a negative request', deployment({}, { containers: [container({ resources: { requests: { memory: '-1Mi' } } })] }), 'must be greater than or equal to 0'],
    // strategy, HPA, PDB
    ['maxUnavailable and maxSurge both 0', deployment({ strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } }), 'may not be 0 when `maxSurge` is 0'],
    ['maxUnavailable over 100%', deployment({ strategy: { rollingUpdate: { maxUnavailable: '150%' } } }), 'must not be greater than 100%'],
    ['an HPA whose maxReplicas is below minReplicas', hpa({ minReplicas: 6, maxReplicas: 5 }), 'CI1203 spec.maxReplicas: 5 is invalid: must be greater than or equal to `minReplicas`'],
    ['an HPA with minReplicas 0', hpa({ minReplicas: 0 }), 'CI1203 spec.minReplicas: 0 is invalid'],
    ['an HPA utilization target of 0', hpa({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] }), 'averageUtilization: 0 is invalid: must be greater than 0'],
    ['an HPA metric with the wrong source', hpa({ metrics: [{ type: 'Resource', pods: { metric: { name: 'x' }, target: { type: 'AverageValue', averageValue: '1' } } }] }), 'must populate the given metric source only'],
    ['an HPA scaling policy period over 1800s', hpa({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } } }), 'periodSeconds: 3600 is invalid'],
    ['a PDB with minAvailable and maxUnavailable', pdb({ minAvailable: 1, maxUnavailable: 1 }), 'CI1203 spec: minAvailable and maxUnavailable cannot be both set'],
    ['a PDB over 100%', pdb({ minAvailable: '120%' }), 'CI1203 spec.minAvailable: "120%" is invalid'],
    // ConfigMap
    ['a ConfigMap key with a slash', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...ns }, data: { 'a/b': 'x' } }, 'CI1203 data["a/b"]: "a/b" is invalid'],
    // names
    ['an ExternalName with upper case', service({ type: 'ExternalName', externalName: 'DB.example.com', ports: [] }), 'CI1203 spec.externalName'],
  ])('%s', (_name, manifest, expected) => {
    expect(codes(manifest).join('\n')).toContain(expected);
  });
});

describe('unknown fields (kubectl strict field validation)', () => {
  test.each([
    ['in a Service spec', service({ portz: [] }), 'CI1002 spec.portz: unknown field "portz"'],
    ['in a container', deployment({}, { containers: [container({ imagePullPolicyy: 'Always' })] }), 'CI1002 spec.template.spec.containers[0].imagePullPolicyy: unknown field'],
    ['in a probe', deployment({}, { containers: [container({ readinessProbe: { httpGet: { path: '/', port: 80, host_name: 'x' } } })] }), 'readinessProbe.httpGet.host_name: unknown field'],
    ['in a core kind\'s metadata', service({}, { label: { a: 'b' } }), 'CI1002 metadata.label: unknown field "label"'],
    ['in an Istio kind\'s metadata', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'd', namespace: 'shop', annotation: {} }, spec: { host: 'cart' } }, 'CI1002 metadata.annotation: unknown field'],
    ['at the top of a core kind', { ...service(), status2: {} }, 'CI1002 status2: unknown field'],
  ])('%s', (_name, manifest, expected) => {
    expect(codes(manifest).join('\n')).toContain(expected);
  });

  test('free-form values (labels, annotations, data) take any key', () => {
    expect(codes({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...ns, labels: { anything: 'x' } }, data: { anything: 'y' } })).toEqual([]);
  });
});

describe('Istio-reserved application ports (warning)', () => {
  test('a containerPort of 15006 warns; Istio\'s own components in istio-system do not', () => {
    const app = deployment({}, { containers: [container({ ports: [{ containerPort: 15006 }] })] });
    expect(codes(app, 'warning').join('\n')).toContain('CI1204 spec.template.spec.containers[0].ports[0].containerPort: port 15006 is reserved by Istio\'s proxy (Envoy inbound)');
    const gateway = { ...app, metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' } };
    expect(codes(gateway, 'warning')).toEqual([]);
  });
});
