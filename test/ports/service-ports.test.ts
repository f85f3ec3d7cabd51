import { ApiObject } from 'cdk8s';
import { AppProtocol, MeshService, meshServicePorts, ServicePort } from '../../src';
import { meshChart, one, service, synth } from '../helpers';

const GRPC_HTTP: ServicePort[] = [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }];

describe('TracedService ports: several named ports, each with its protocol', () => {
  test('GIVEN http and grpc ports WHEN synthesized THEN the Service and every container expose both, in order', () => {
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'catalog', { versions: [{ name: 'v1' }, { name: 'v2' }], ports: GRPC_HTTP });
    const objects = synth(chart);
    expect(one(objects, 'Service', 'catalog').spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' },
      { name: 'grpc', port: 9090, targetPort: 9090, protocol: 'TCP' },
    ]);
    for (const v of ['v1', 'v2']) {
      expect(one(objects, 'Deployment', `catalog-${v}`).spec.template.spec.containers[0].ports).toEqual([
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'grpc', containerPort: 9090, protocol: 'TCP' },
      ]);
    }
    // AND the service exposes its ports, the primary first
    expect(svc.port).toBe(8080);
    expect(svc.portName).toBe('http');
    expect(svc.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 8080, protocol: 'HTTP', primary: true },
      { name: 'grpc', port: 9090, targetPort: 9090, protocol: 'GRPC', primary: false },
    ]);
  });

  test('GIVEN a port marked primary THEN it is the primary port (SERVICE_PORT, readiness probe), and the Service keeps it first', () => {
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'catalog', { ports: [{ name: 'grpc', port: 9090 }, { name: 'http', port: 80, targetPort: 8080, primary: true }] });
    expect(svc.port).toBe(80);
    expect(svc.ports.map((p) => p.name)).toEqual(['http', 'grpc']);
    const c = one(synth(chart), 'Deployment', 'catalog-v1').spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'SERVICE_PORT', value: '8080' });
    expect(c.readinessProbe.httpGet.port).toBe(8080);
  });

  test('GIVEN a port whose name says nothing but protocol is set THEN the Service port carries appProtocol', () => {
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'catalog', { ports: [{ name: 'web', port: 8080, protocol: AppProtocol.HTTP }, { name: 'api', port: 9090, protocol: AppProtocol.GRPC }] });
    expect(one(synth(chart), 'Service', 'catalog').spec.ports).toEqual([
      { name: 'web', port: 8080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' },
      { name: 'api', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'grpc' },
    ]);
    expect(svc.ports.map((p) => p.protocol)).toEqual(['HTTP', 'GRPC']);
  });

  test('GIVEN one port in ports THEN the output is what port/portName give (single-port apps are unchanged)', () => {
    const a = meshChart();
    service(a.chart, a.ns, 'catalog', { ports: [{ name: 'http', port: 8080 }] });
    const b = meshChart();
    service(b.chart, b.ns, 'catalog', { port: 8080, portName: 'http' });
    expect(synth(a.chart)).toEqual(synth(b.chart));
  });

  describe('refusals', () => {
    const refused = (ports: ServicePort[], message: RegExp, extra: object = {}) => {
      const { chart, ns } = meshChart();
      expect(() => service(chart, ns, 'catalog', { ports, ...extra })).toThrow(message);
    };

    test('GIVEN no port THEN refused', () => {
      refused([], /\[.*catalog\] props\.ports: \[\] is invalid: a service needs at least one port\. Hint: e\.g\. ports: \[\{ name: 'http', port: 8080 \}\]/);
    });

    test('GIVEN port and ports together THEN refused', () => {
      refused(GRPC_HTTP, /props\.port: 8080 is invalid: set either ports or port\/portName, not both/, { port: 8080 });
      refused(GRPC_HTTP, /props\.portName: "http" is invalid: set either ports or port\/portName, not both/, { portName: 'http' });
    });

    test('GIVEN a name without a protocol prefix and no protocol THEN refused: Istio would sniff it', () => {
      refused([{ name: 'web', port: 8080 }], /props\.ports\[0\]\.name: "web" is invalid: Istio reads a port's protocol from its appProtocol or its name prefix.*Hint: name it 'http-web' or 'grpc-web'/);
    });

    test('GIVEN a protocol that contradicts the name prefix THEN refused', () => {
      refused([{ name: 'http', port: 8080, protocol: AppProtocol.GRPC }], /props\.ports\[0\]\.protocol: "GRPC" is invalid: the name "http" says HTTP/);
    });

    test('GIVEN a protocol that agrees with the name THEN accepted', () => {
      const { chart, ns } = meshChart();
      expect(service(chart, ns, 'catalog', { ports: [{ name: 'grpc-api', port: 9090, protocol: AppProtocol.GRPC }] }).ports[0].protocol).toBe('GRPC');
    });

    test('GIVEN a bad name THEN refused (DNS-1123 label of at most 15 characters: 15 ok, 16 refused)', () => {
      const { chart, ns } = meshChart();
      expect(service(chart, ns, 'ok', { ports: [{ name: 'http-abcdefghij', port: 8080 }] }).portName).toHaveLength(15);
      refused([{ name: 'http-abcdefghijk', port: 8080 }], /props\.ports\[0\]\.name: "http-abcdefghijk" is invalid: a port name must be a DNS-1123 label of at most 15 characters/);
      refused([{ name: 'HTTP', port: 8080 }], /props\.ports\[0\]\.name: "HTTP" is invalid/);
    });

    test.each([
      [0, false], [1, true], [65535, true], [65536, false],
    ])('GIVEN port %d THEN accepted: %s (1..65535)', (port, ok) => {
      const { chart, ns } = meshChart();
      const make = () => service(chart, ns, 'catalog', { ports: [{ name: 'http', port }] });
      if (ok) expect(make().port).toBe(port);
      else expect(make).toThrow(/props\.ports\[0\]\.port: -?\d+ is invalid: a port must be an integer in 1\.\.65535/);
    });

    test('GIVEN a targetPort out of range THEN refused (1..65535)', () => {
      refused([{ name: 'http', port: 80, targetPort: 65536 }], /props\.ports\[0\]\.targetPort: 65536 is invalid: a port must be an integer in 1\.\.65535/);
    });

    test.each([15000, 15001, 15006, 15008, 15020, 15021, 15090])('GIVEN Envoy-reserved port %d THEN refused as port and as targetPort', (p) => {
      refused([{ name: 'http', port: 8080 }, { name: 'grpc', port: p }], new RegExp(`props\\.ports\\[1\\]\\.port: ${p} is invalid: port ${p} is reserved by Istio's proxy`));
      refused([{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090, targetPort: p }], new RegExp(`props\\.ports\\[1\\]\\.targetPort: ${p} is invalid: port ${p} is reserved`));
    });

    test('GIVEN two ports with one name, number or targetPort THEN refused, naming the first', () => {
      refused([{ name: 'http', port: 8080 }, { name: 'http', port: 9090 }], /props\.ports\[1\]\.name: "http" is invalid: port names must be unique: props\.ports\[0\] has it too/);
      refused([{ name: 'http', port: 8080 }, { name: 'grpc', port: 8080, targetPort: 9090 }], /props\.ports\[1\]\.port: 8080 is invalid: port ports must be unique/);
      refused([{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090, targetPort: 8080 }], /props\.ports\[1\]\.targetPort: 8080 is invalid: port targetPorts must be unique/);
    });

    test('GIVEN two primary ports THEN refused (at most one)', () => {
      refused([{ name: 'http', port: 8080, primary: true }, { name: 'grpc', port: 9090, primary: true }], /props\.ports\[1\]\.primary: true is invalid: at most one port is primary: props\.ports\[0\] is primary already/);
    });
  });
});

describe('MeshService ports', () => {
  test('GIVEN fromAttributes with ports THEN the model holds every port, the primary first', () => {
    const { chart, ns } = meshChart();
    const svc = MeshService.fromAttributes(chart, 'Inventory', {
      namespace: ns, name: 'inventory', serviceAccount: 'inventory', versions: ['v1'],
      ports: [{ name: 'grpc', port: 9090 }, { name: 'http', port: 8080, primary: true }],
    });
    expect(svc.port).toBe(8080);
    expect(svc.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 8080, protocol: 'HTTP', primary: true },
      { name: 'grpc', port: 9090, targetPort: 9090, protocol: 'GRPC', primary: false },
    ]);
    expect(meshServicePorts(svc.mesh.model.service(svc.ref)!)).toEqual(svc.ports);
  });

  test('GIVEN fromAttributes with ports and port THEN refused', () => {
    const { chart, ns } = meshChart();
    expect(() => MeshService.fromAttributes(chart, 'Inventory', { namespace: ns, name: 'inventory', serviceAccount: 'inventory', versions: ['v1'], port: 8080, ports: GRPC_HTTP }))
      .toThrow(/attrs\.port: 8080 is invalid: set either ports or port\/portName\/targetPort, not both/);
  });

  test('GIVEN fromAttributes with a port named after no protocol THEN refused as for TracedService', () => {
    const { chart, ns } = meshChart();
    expect(() => MeshService.fromAttributes(chart, 'Inventory', { namespace: ns, name: 'inventory', serviceAccount: 'inventory', versions: ['v1'], ports: [{ name: 'web', port: 8080 }] }))
      .toThrow(/attrs\.ports\[0\]\.name: "web" is invalid: Istio reads a port's protocol/);
  });

  test('GIVEN fromAttributes without port or ports THEN refused', () => {
    const { chart, ns } = meshChart();
    expect(() => MeshService.fromAttributes(chart, 'Inventory', { namespace: ns, name: 'inventory', serviceAccount: 'inventory', versions: ['v1'] }))
      .toThrow(/attrs\.port: undefined is invalid: a port must be an integer in 1\.\.65535\. Hint: give the Service port, or every port in `ports`/);
  });

  const adopted = (servicePorts: unknown[], containerPorts: unknown[], port?: number) => {
    const { chart, ns } = meshChart();
    const svcObj = new ApiObject(chart, 'Svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'inventory', namespace: 'production' }, spec: { selector: { app: 'inventory' }, ports: servicePorts } });
    const dep = new ApiObject(chart, 'Dep', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'inventory-v1', namespace: 'production' },
      spec: { template: { metadata: { labels: { app: 'inventory', version: 'v1' } }, spec: { serviceAccountName: 'inventory', containers: [{ name: 'app', image: 'x:1', ports: containerPorts }] } } },
    });
    return MeshService.fromWorkloads(chart, 'Inventory', { namespace: ns, service: svcObj, deployments: [dep], ...(port !== undefined ? { port } : {}) });
  };

  test('GIVEN fromWorkloads of a two-port Service THEN every Service port is read, the mesh port first; a named targetPort is followed', () => {
    const svc = adopted([{ name: 'grpc', port: 9090, targetPort: 'grpc-app' }, { name: 'http', port: 80, targetPort: 8080 }], [{ name: 'grpc-app', containerPort: 9091 }], 80);
    expect(svc.ports).toEqual([
      { name: 'http', port: 80, targetPort: 8080, protocol: 'HTTP', primary: true },
      { name: 'grpc', port: 9090, targetPort: 9091, protocol: 'GRPC', primary: false },
    ]);
  });

  test('GIVEN fromWorkloads of a Service whose second port is unnamed or names no container port THEN refused', () => {
    expect(() => adopted([{ name: 'http', port: 80 }, { port: 9090 }], []))
      .toThrow(/props\.service: ".*port 9090" is invalid: every port of a several-port Service needs a name/);
    expect(() => adopted([{ name: 'http', port: 80 }, { name: 'grpc', port: 9090, targetPort: 'nope' }], []))
      .toThrow(/props\.service: ".*port grpc" is invalid: its targetPort "nope" names no container port/);
  });
});

describe('MeshService.fromWorkloads: the mesh port\'s appProtocol', () => {
  test('GIVEN an adopted mesh port named "web" with appProtocol http THEN its protocol is HTTP', () => {
    const { chart, ns } = meshChart();
    const svcObj = new ApiObject(chart, 'Svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'production' }, spec: { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 8080, appProtocol: 'http' }, { name: 'grpc', port: 9090 }] } });
    const dep = new ApiObject(chart, 'Dep', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-v1', namespace: 'production' },
      spec: { template: { metadata: { labels: { app: 'web', version: 'v1' } }, spec: { serviceAccountName: 'web', containers: [{ name: 'app', image: 'x:1' }] } } },
    });
    const svc = MeshService.fromWorkloads(chart, 'Web', { namespace: ns, service: svcObj, deployments: [dep] });
    expect(svc.ports.map((p) => `${p.name}:${p.protocol}`)).toEqual(['web:HTTP', 'grpc:GRPC']);
  });
});
