/**
 * Flagger's port discovery on a several-port progressive service (`portDiscovery: true`). Callers
 * reach every port through the Services Flagger generates (`<svc>`, `<svc>-primary`, `<svc>-canary`),
 * so the protocol Istio gives a port there must be the one the service declares. Flagger v1.44.0:
 * `pkg/canary/util.go` getPorts names a discovered port after the target's container port
 * (`tcp-<container>-<i>` without a name), and `pkg/router/kubernetes_default.go` reconcileService
 * writes it with port = targetPort = the container port and no appProtocol; the primary port gets
 * `service.portName` and `service.appProtocol`. Istio 1.30.3 reads a Service port's protocol from
 * appProtocol, else the name prefix (pkg/config/kube/conversion.go ConvertProtocol).
 */
import { Duration } from 'cdk8s';
import { AppProtocol, CanaryAnalysis, CanaryRoute, Destination, MetricCheck, ServicePort } from '../../src';
import { flaggerDiscoveredPorts } from '../../src/render/flagger';
import { portProtocol } from '../../src/rules/protocol';
import { meshChart, one, service, synth } from '../helpers';

const analysis = () => CanaryAnalysis.weighted({ interval: Duration.minutes(1), threshold: 5, stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] });

/** GIVEN a progressive service `catalog` with these ports. */
function progressive(ports: ServicePort[]) {
  const { chart, ns, mesh } = meshChart();
  const catalog = service(chart, ns, 'catalog', { versions: [{ name: 'v1' }, { name: 'v2' }], ports });
  const route = () => new CanaryRoute(chart, 'Route', { service: catalog, defaultDestination: Destination.version('v1'), progressive: analysis() });
  return { chart, mesh, catalog, route };
}

describe('Flagger port discovery keeps each port\'s protocol and number', () => {
  test('GIVEN ports named after their protocols (http, grpc, tcp-db) THEN Flagger\'s Services carry the same names, so Istio gives them the same protocols: gRPC stays gRPC', () => {
    // GIVEN
    const { chart, mesh, catalog, route } = progressive([{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }, { name: 'tcp-db', port: 5432 }]);
    // WHEN
    route();
    // THEN the Canary discovers the other ports from the target's container ports, which carry the Service port names
    expect(one(synth(chart), 'Canary', 'catalog').spec.service).toMatchObject({ port: 8080, portName: 'http', portDiscovery: true });
    const deployment = one(synth(chart), 'Deployment', 'catalog');
    expect(deployment.spec.template.spec.containers[0].ports).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'grpc', containerPort: 9090 }), expect.objectContaining({ name: 'tcp-db', containerPort: 5432 }),
    ]));
    // AND the ports Flagger writes (name, port = targetPort = container port, no appProtocol) get the declared protocols
    const discovered = flaggerDiscoveredPorts(mesh.model.service(catalog.ref)!);
    expect(discovered).toEqual([{ name: 'grpc', port: 9090, targetPort: 9090 }, { name: 'tcp-db', port: 5432, targetPort: 5432 }]);
    expect(discovered.map((p) => portProtocol(p.port, p.name, 'TCP', undefined))).toEqual(['GRPC', 'TCP']);
    expect(catalog.ports.slice(1).map((p) => p.protocol)).toEqual(['GRPC', 'TCP']);
  });

  test('GIVEN a gRPC port whose protocol only appProtocol states THEN refused: on Flagger\'s Services it would be named "api" without appProtocol, which Istio sniffs', () => {
    const { route } = progressive([{ name: 'http', port: 8080 }, { name: 'api', port: 9090, protocol: AppProtocol.GRPC }]);
    expect(route).toThrow(/^\[test\/Route\] progressive: "catalog port api 9090" is invalid: .*Flagger's port discovery \(v1\.44 pkg\/canary\/util\.go getPorts, pkg\/router\/kubernetes_default\.go\).*container port's name "api" and no appProtocol: Istio would take it as UnsupportedProtocol there, not GRPC\. Hint: name the port after its protocol \(e\.g\. 'grpc-api'\)/);
  });

  test('GIVEN a port on a well-known TCP number with an HTTP appProtocol THEN refused: Istio takes the bare name there as TCP', () => {
    const { route } = progressive([{ name: 'http', port: 8080 }, { name: 'db', port: 3306, protocol: AppProtocol.HTTP }]);
    expect(route).toThrow(/Istio would take it as TCP there, not HTTP\. Hint: name the port after its protocol \(e\.g\. 'http-db'\)/);
  });

  test('GIVEN a discovered port whose targetPort differs from its port THEN refused: Flagger exposes the container port number', () => {
    const { route } = progressive([{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090, targetPort: 19090 }]);
    expect(route).toThrow(/progressive: "catalog port grpc 9090" is invalid: .*writes this port on the Services it generates as the container port 19090 \(port and targetPort\), so callers of port 9090 would find no port\. Hint: set targetPort to 9090/);
  });

  test('GIVEN the primary port\'s protocol stated by appProtocol THEN the Canary carries it as service.appProtocol, which Flagger writes on its Services\' primary port', () => {
    const { chart, route } = progressive([{ name: 'api', port: 8080, protocol: AppProtocol.HTTP }, { name: 'grpc', port: 9090 }]);
    route();
    expect(one(synth(chart), 'Canary', 'catalog').spec.service).toMatchObject({ port: 8080, portName: 'api', appProtocol: 'http', portDiscovery: true });
  });

  test('GIVEN the primary port named after its protocol THEN no appProtocol is written (the reference app\'s Canary is unchanged)', () => {
    const { chart, route } = progressive([{ name: 'http', port: 8080 }]);
    route();
    expect(one(synth(chart), 'Canary', 'catalog').spec.service).toEqual({ name: 'catalog', port: 8080, targetPort: 8080, portName: 'http' });
  });
});
