/**
 * IST0112 (VirtualServiceDestinationPortSelectorRequired) cannot be triggered by the library's own
 * output: Istio 1.30.3's pkg/config/analysis/analyzers/virtualservice/destinationhosts.go reports a
 * route or mirror destination without `port` whose host has several ports. Services with two ports,
 * routed on either port or on both (one route per port), shared by delegation, exposed at an ingress gateway, protected per port and
 * delivered by Flagger, are rendered in every mode, and both our analyzer and Istio's own (the Go
 * conformance harness, when built) report no IST0112 and no other warning or error.
 */
import { Duration } from 'cdk8s';
import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';
import {
  CanaryAnalysis, CanaryRoute, CertificateIssuer, CircuitBreaker, ConnectionPool, DataPlaneMode, DelegateRoute, Destination, GatewayTls, HeaderMatch, IngressGateway,
  MeshNamespace, MeshTesting, MetricCheck, Mirror, OutlierDetection, Redirect, RoutePath, RoutingApi, ServicePort, StringMatch, TracedService,
} from '../../src';
import { describeConformance, runBatch, SKIP, writeYaml } from '../conformance/harness';
import { clusterContext } from '../conformance/cluster';
import { meshChart, service } from '../helpers';

const PORTS: ServicePort[] = [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }];

interface Mode {
  readonly name: string;
  readonly dataPlane: DataPlaneMode;
  readonly routingApi: RoutingApi;
}

const MODES: readonly Mode[] = [
  { name: 'sidecar + Istio API', dataPlane: DataPlaneMode.SIDECAR, routingApi: RoutingApi.ISTIO },
  { name: 'sidecar + Gateway API', dataPlane: DataPlaneMode.SIDECAR, routingApi: RoutingApi.GATEWAY_API },
  { name: 'ambient + Istio API', dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.ISTIO },
  { name: 'ambient + Gateway API', dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API },
];

/** GIVEN two-port services routed on their HTTP and their gRPC port, in one mode. */
function multiPortMesh(mode: Mode) {
  const { chart, mesh, ns } = meshChart({ dataPlane: mode.dataPlane, routingApi: mode.routingApi });
  const istioApi = mode.routingApi === RoutingApi.ISTIO;
  const versions = [{ name: 'v1' }, { name: 'v2' }];
  // routed on the primary (HTTP) port, with a mirror (both name the port)
  const catalog = service(chart, ns, 'catalog', { versions, ports: PORTS });
  new CanaryRoute(chart, 'CatalogRoute', {
    service: catalog,
    timeout: Duration.seconds(5),
    rules: [{ name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
    defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
    defaultEffects: { mirror: Mirror.toVersion('v2', { percent: 10 }) },
  });
  // and a second route on its gRPC port (one route per port; a GRPCRoute with the Gateway API)
  new CanaryRoute(chart, 'CatalogGrpcRoute', {
    service: catalog,
    port: 9090,
    rules: [{ match: [{ uri: StringMatch.prefix('/shop.Catalog/'), headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2'), mirror: Mirror.toVersion('v1', { percent: 5 }) }],
    defaultDestination: Destination.split([{ version: 'v1', percent: 80 }, { version: 'v2', percent: 20 }]),
  });
  new CircuitBreaker(chart, 'CatalogGrpcPool', { service: catalog, port: 9090, connectionPool: ConnectionPool.of({ http: { http2MaxRequests: 100 } }) });
  new CircuitBreaker(chart, 'CatalogPool', { service: catalog, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }) });
  // routed on its non-primary HTTP port
  const admin = service(chart, ns, 'admin', { versions, ports: [{ name: 'grpc', port: 9090 }, { name: 'http-admin', port: 8081 }] });
  new CanaryRoute(chart, 'AdminRoute', { service: admin, port: 8081, defaultDestination: Destination.version('v1') });
  // a host with no route but a port-level policy only
  const search = service(chart, ns, 'search', { ports: PORTS });
  new CircuitBreaker(chart, 'SearchPool', { service: search, port: 8080, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 3 }) });
  if (istioApi) {
    // a gRPC port routed with the Istio API, and a host shared by delegation
    const inventory = service(chart, ns, 'inventory', { versions, ports: PORTS });
    new CanaryRoute(chart, 'InventoryRoute', { service: inventory, port: 9090, rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }], defaultDestination: Destination.version('v1') });
    const team = new MeshNamespace(chart, 'Team', { mesh, name: 'team' });
    const shop = service(chart, ns, 'shop', { versions, ports: PORTS });
    new CanaryRoute(chart, 'ShopRoute', { service: shop, delegates: [{ name: 'shop-cart', namespace: team, match: [{ uri: StringMatch.prefix('/cart/') }] }], defaultDestination: Destination.version('v1') });
    new DelegateRoute(chart, 'CartRoute', { service: shop, name: 'shop-cart', namespace: team, rules: [{ match: [{ uri: StringMatch.prefix('/cart/v2/') }], destination: Destination.version('v2') }], defaultDestination: Destination.version('v1') });
  }
  if (mode.dataPlane === DataPlaneMode.SIDECAR) {
    const gw = new IngressGateway(chart, 'Gw', { mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls'), certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') } });
    gw.expose(catalog, { paths: [RoutePath.prefix('/catalog')] });
  }
  return chart;
}

/** GIVEN a two-port service delivered by Flagger (delegation mode: the library writes the root VirtualService). */
function progressiveMesh() {
  const { chart, ns } = meshChart();
  const reviews: TracedService = service(chart, ns, 'reviews', { versions: [{ name: 'v1' }, { name: 'v2' }], ports: PORTS });
  new CanaryRoute(chart, 'ReviewsRoute', {
    service: reviews,
    rules: [{ name: 'moved', match: [{ uri: StringMatch.exact('/ratings') }], redirect: Redirect.to({ uri: '/reviews/ratings', code: 301 }) }],
    defaultDestination: Destination.version('v1'),
    progressive: CanaryAnalysis.weighted({ interval: Duration.minutes(1), threshold: 5, stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] }),
    progressiveDelegation: true,
  });
  return chart;
}

const SETS: ReadonlyArray<readonly [string, () => ReturnType<typeof meshChart>['chart']]> = [
  ...MODES.map((m) => [m.name, () => multiPortMesh(m)] as const),
  ['progressive (Flagger delegation mode)', progressiveMesh] as const,
];

describe('IST0112: the library names the destination port of every multi-port host', () => {
  test.each(SETS)('GIVEN two-port services in %s WHEN synthesized THEN our analyzers report no IST0112 and no Istio warning and no error', (_name, build) => {
    const { manifests, findings } = MeshTesting.synth(build());
    expect(findings.filter((f) => f.code === 'IST0112')).toEqual([]);
    // (the mode's own CI warnings, e.g. CI1090 VirtualService at a waypoint, are not Istio analyzer findings)
    expect(findings.filter((f) => f.level === 'error' || (f.level === 'warning' && f.code.startsWith('IST')))).toEqual([]);
    // AND every rendered route destination of a two-port host names a port (what IST0112 asks)
    const twoPort = new Set(manifests.filter((m: any) => m.kind === 'Service' && (m.spec?.ports ?? []).length > 1).map((m: any) => m.metadata.name));
    for (const vs of manifests.filter((m: any) => m.kind === 'VirtualService')) {
      for (const r of (vs as any).spec.http ?? []) {
        for (const d of [...(r.route ?? []).map((x: any) => x.destination), ...(r.mirror ? [r.mirror] : [])]) {
          if (twoPort.has(String(d.host).split('.')[0])) expect(d.port?.number).toEqual(expect.any(Number));
        }
      }
    }
  });
});

describeConformance('Istio conformance: multi-port services in every mode, through Istio\'s own analyzers', () => {
  const sets = SKIP ? [] : SETS.map(([name, build]) => {
    const manifests = MeshTesting.synth(build()).manifests;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ports-ist0112-'));
    return { name, file: writeYaml(manifests, dir), context: writeYaml(clusterContext(manifests), dir, 'cluster-context.yaml') };
  });
  let results: any[] = [];

  beforeAll(() => {
    const res = runBatch(sets.map((s) => ({ args: ['analyze', s.file, s.context] })));
    const failed = res.filter((r) => r.error !== undefined);
    if (failed.length > 0) throw new Error(failed.map((r) => r.error).join('\n'));
    results = res.map((r) => r.result);
  }, 15 * 60_000);

  test('GIVEN each set WHEN istioctl analyze runs THEN it reports no IST0112 and no warning or error', () => {
    sets.forEach((s, i) => {
      const messages = (results[i]?.messages ?? []) as Array<{ code: string; level: string; message: string }>;
      expect({ set: s.name, ist0112: messages.filter((m) => m.code === 'IST0112') }).toEqual({ set: s.name, ist0112: [] });
      expect({ set: s.name, bad: messages.filter((m) => m.level === 'Warning' || m.level === 'Error') }).toEqual({ set: s.name, bad: [] });
    });
  });
});
