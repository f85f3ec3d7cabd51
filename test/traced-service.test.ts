import { Duration } from 'cdk8s';
import { MeshConfigError, MeshNamespace, Mesh, TracedService } from '../src';
import { meshChart, one, service, synth } from './helpers';

describe('TracedService: workloads', () => {
  // GIVEN order-service with v1 and v2 and every default
  const { chart, ns } = meshChart();
  service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  const objects = synth(chart);

  test('a ServiceAccount named after the service is the identity', () => {
    const sa = one(objects, 'ServiceAccount', 'order-service');
    expect(sa.metadata.namespace).toBe('production');
  });

  test('the Service exposes 8080 as port "http" and selects on app only', () => {
    const svc = one(objects, 'Service', 'order-service');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual({ app: 'order-service' });
  });

  test('one Deployment per version, labelled app and version', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['order-service-v1', 'order-service-v2']);
    for (const v of ['v1', 'v2']) {
      const d = one(objects, 'Deployment', `order-service-${v}`);
      expect(d.spec.replicas).toBe(3);
      expect(d.spec.selector.matchLabels).toEqual({ app: 'order-service', version: v });
      expect(d.spec.template.metadata.labels).toEqual({ app: 'order-service', version: v });
      expect(d.spec.template.spec.serviceAccountName).toBe('order-service');
    }
  });

  test('the container: image, port, env, resources and readiness probe', () => {
    const c = one(objects, 'Deployment', 'order-service-v2').spec.template.spec.containers[0];
    expect(c.image).toBe('registry.example.com/order-service:v2');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10 });
    expect(c.env).toEqual([
      { name: 'SERVICE_PORT', value: '8080' },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc.cluster.local:4317' },
      { name: 'OTEL_SERVICE_NAME', value: 'order-service' },
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'service.version=v2' },
    ]);
  });

  test('sidecar resource annotations on the pod template', () => {
    const d = one(objects, 'Deployment', 'order-service-v1');
    expect(d.spec.template.metadata.annotations).toEqual({
      'sidecar.istio.io/proxyCPU': '100m',
      'sidecar.istio.io/proxyMemory': '128Mi',
    });
  });

  test('the namespace carries istio-injection: enabled', () => {
    expect(one(objects, 'Namespace', 'production').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });
});

describe('TracedService: overrides', () => {
  test('every default can be overridden', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'api', {
      port: 9090,
      portName: 'http-api',
      replicas: 2,
      versions: [{ name: 'v1', replicas: 5, image: 'registry.example.com/api@sha256:' + 'a'.repeat(64), env: { MODE: 'blue' } }],
      resources: { cpuRequest: '50m', memoryRequest: '64Mi', cpuLimit: '500m', memoryLimit: '128Mi' },
      readinessProbe: { path: '/ready', initialDelay: Duration.seconds(1), period: Duration.seconds(3) },
      sidecarResources: { cpuRequest: '50m', memoryRequest: '64Mi', cpuLimit: '200m', memoryLimit: '256Mi' },
      openTelemetry: { endpoint: 'http://collector.obs:4317', resourceAttributes: { 'deployment.environment': 'prod' } },
      env: { LOG_LEVEL: 'debug' },
      serviceAccountName: 'api-sa',
    });
    const objects = synth(chart);
    const d = one(objects, 'Deployment', 'api-v1');
    const c = d.spec.template.spec.containers[0];
    expect(d.spec.replicas).toBe(5);
    expect(d.spec.template.spec.serviceAccountName).toBe('api-sa');
    expect(c.ports[0].containerPort).toBe(9090);
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 9090 }, initialDelaySeconds: 1, periodSeconds: 3 });
    expect(c.resources.limits).toEqual({ cpu: '500m', memory: '128Mi' });
    expect(c.env).toContainEqual({ name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'deployment.environment=prod,service.version=v1' });
    expect(c.env).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://collector.obs:4317' });
    expect(c.env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(c.env).toContainEqual({ name: 'MODE', value: 'blue' });
    expect(d.spec.template.metadata.annotations['sidecar.istio.io/proxyMemoryLimit']).toBe('256Mi');
    expect(one(objects, 'Service', 'api').spec.ports[0]).toMatchObject({ name: 'http-api', port: 9090, targetPort: 9090 });
    expect(one(objects, 'ServiceAccount', 'api-sa')).toBeDefined();
  });

  test('replicas may be 0 (a scaled-down version)', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'api', { replicas: 0 });
    expect(one(synth(chart), 'Deployment', 'api-v1').spec.replicas).toBe(0);
  });

  test('ports at the edges of 1..65535 are accepted', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'low', { port: 1 })).not.toThrow();
    expect(() => service(chart, ns, 'high', { port: 65535 })).not.toThrow();
  });
});

describe('TracedService: bad input names the construct path, the property and the rule', () => {
  const cases: Array<[string, (s: (props: any) => TracedService) => void, RegExp]> = [
    ['a name that is not DNS-1123', (s) => s({ name: 'Order_Service' }), /\[test\/Svc\] props\.name: "Order_Service" is invalid: a service name must be a DNS-1035 label.*Hint: try "order-service"/],
    ['a version that is not a label value', (s) => s({ versions: [{ name: 'v1!' }] }), /\[test\/Svc\] props\.versions\[0\]\.name: "v1!" is invalid: a version must be a valid label value/],
    ['an empty version', (s) => s({ versions: [{ name: '' }] }), /props\.versions\[0\]\.name: "" is invalid/],
    ['duplicate versions', (s) => s({ versions: [{ name: 'v1' }, { name: 'v1' }] }), /\[test\/Svc\] props\.versions\[1\]\.name: "v1" is invalid: versions must be unique/],
    ['no versions', (s) => s({ versions: [] }), /props\.versions: \[\] is invalid: a service needs at least one version/],
    ['port 0', (s) => s({ port: 0 }), /\[test\/Svc\] props\.port: 0 is invalid: a port must be an integer in 1\.\.65535/],
    ['port 65536', (s) => s({ port: 65536 }), /props\.port: 65536 is invalid: a port must be an integer in 1\.\.65535/],
    ['replicas -1', (s) => s({ replicas: -1 }), /\[test\/Svc\] props\.replicas: -1 is invalid: replicas must be an integer of at least 0/],
    ['version replicas -1', (s) => s({ versions: [{ name: 'v1', replicas: -1 }] }), /props\.versions\[0\]\.replicas: -1 is invalid/],
    ['an unpinned image', (s) => s({ versions: [{ name: 'v1', image: 'nginx:latest' }] }), /props\.versions\[0\]\.image: "nginx:latest" is invalid: images must be pinned/],
    ['an image repository with a tag', (s) => s({ imageRepository: 'registry.example.com/x:v1' }), /props\.imageRepository: .* is invalid/],
    ['a probe period of 0', (s) => s({ readinessProbe: { period: Duration.seconds(0) } }), /props\.readinessProbe\.period: .* is invalid: must be a whole number of seconds, at least 1/],
    ['a resource that is not a quantity', (s) => s({ resources: { memoryLimit: '512MB' } }), /props\.resources\.memoryLimit: "512MB" is invalid: must be a non-negative Kubernetes quantity/],
    ['a request above its limit', (s) => s({ resources: { cpuRequest: '2', cpuLimit: '1' } }), /props\.resources\.cpuRequest: "2" is invalid: a request must not exceed its limit \(1\)/],
    ['overriding a wired env var', (s) => s({ env: { SERVICE_PORT: '1' } }), /props\.env: "SERVICE_PORT" is invalid/],
  ];
  test.each(cases)('%s', (_name, build, message) => {
    const make = (props: any) => {
      const { chart, ns } = meshChart();
      return new TracedService(chart, 'Svc', { namespace: ns, name: 'svc', imageRepository: 'registry.example.com/svc', versions: [{ name: 'v1' }], ...props });
    };
    expect(() => build(make)).toThrow(MeshConfigError);
    expect(() => build(make)).toThrow(message);
  });

  test('no OpenTelemetry endpoint and no mesh tracing is an error unless disabled', () => {
    const { chart } = meshChart();
    const bare = new Mesh(chart, 'Bare');
    const ns = new MeshNamespace(chart, 'Ns', { mesh: bare, name: 'other' });
    expect(() => service(chart, ns, 'a')).toThrow(/props\.openTelemetry\.endpoint: undefined is invalid/);
    const ok = service(chart, ns, 'b', { openTelemetry: { enabled: false } });
    const c = one(synth(chart), 'Deployment', 'b-v1').spec.template.spec.containers[0];
    expect(ok.name).toBe('b');
    expect(c.env).toEqual([{ name: 'SERVICE_PORT', value: '8080' }]);
  });
});
