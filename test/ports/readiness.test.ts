/**
 * The readiness probe checks the primary port by its protocol: an HTTP GET only makes sense on an HTTP
 * port (on a gRPC or TCP port it never succeeds, so no pod would ever be ready).
 */
import { MeshTesting } from '../../src';
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
