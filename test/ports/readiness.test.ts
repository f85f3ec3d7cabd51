/**
 * The readiness probe checks the primary port by its protocol: an HTTP GET only makes sense on an HTTP
 * port (on a gRPC or TCP port it never succeeds, so no pod would ever be ready).
 */
import { MeshTesting, Probe } from '../../src';
import { meshChart, service } from '../helpers';

function readinessOf(ports: Array<{ name: string; port: number }>): any {
  const { chart, ns } = meshChart();
  service(chart, ns, 'svc', { ports });
  const { manifests } = MeshTesting.synth(chart);
  const d: any = manifests.find((m: any) => m.kind === 'Deployment');
  return d.spec.template.spec.containers[0].readinessProbe;
}

describe('readiness probe by the primary port protocol', () => {
  test('GIVEN an HTTP primary port THEN an HTTP GET on its container port', () => {
    expect(readinessOf([{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }])).toMatchObject({ httpGet: { path: '/health', port: 8080 } });
  });

  test('GIVEN a gRPC primary port THEN the gRPC health check, no HTTP GET', () => {
    const probe = readinessOf([{ name: 'grpc', port: 9090 }, { name: 'http', port: 8080 }]);
    expect(probe).toMatchObject({ grpc: { port: 9090 } });
    expect(probe.httpGet).toBeUndefined();
  });

  test('GIVEN a TCP primary port THEN a TCP connect', () => {
    const probe = readinessOf([{ name: 'tcp-db', port: 5432 }, { name: 'http', port: 8080 }]);
    expect(probe).toMatchObject({ tcpSocket: { port: 5432 } });
    expect(probe.httpGet).toBeUndefined();
  });

  test('GIVEN a readiness path on a gRPC primary port THEN it is refused naming the property', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'svc', { ports: [{ name: 'grpc', port: 9090 }], readinessProbe: { path: '/ready' } }))
      .toThrow(/props\.readinessProbe\.path: "\/ready" is invalid: the primary port grpc \(9090\) is not HTTP.*Hint: drop readinessProbe\.path/);
  });
});

describe('liveness and startup probes fit the port they probe', () => {
  const TWO = [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }];
  test('GIVEN Probe.grpc() without port on an HTTP primary port THEN refused naming the port protocol', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'svc', { ports: TWO, livenessProbe: Probe.grpc() }))
      .toThrow(/props\.livenessProbe: "a gRPC health check on port http \(8080\)" is invalid: port http is HTTP.*Hint: probe a gRPC port/);
  });

  test('GIVEN Probe.httpGet on a gRPC-only service THEN refused', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'svc', { ports: [{ name: 'grpc', port: 9090 }], startupProbe: Probe.httpGet('/h') }))
      .toThrow(/props\.startupProbe: .* is invalid: port grpc is GRPC/);
  });

  test('GIVEN a probe port that is no container port THEN refused', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'svc', { ports: TWO, livenessProbe: Probe.tcp({ port: 1234 }) }))
      .toThrow(/props\.livenessProbe\.port: 1234 is invalid: a TCP connect on a port that is no container port of the service \(8080, 9090\)/);
  });

  test('GIVEN fitting probes (gRPC on 9090, HTTP GET on the primary, TCP anywhere) THEN rendered', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'svc', { ports: TWO, livenessProbe: Probe.grpc({ port: 9090 }), startupProbe: Probe.httpGet('/h') });
    const d: any = MeshTesting.synth(chart).manifests.find((m: any) => m.kind === 'Deployment');
    expect(d.spec.template.spec.containers[0]).toMatchObject({ livenessProbe: { grpc: { port: 9090 } }, startupProbe: { httpGet: { path: '/h', port: 8080 } } });
  });
});
