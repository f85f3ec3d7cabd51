import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MeshSimulator } from '../../src';
import { loadManifestFiles } from '../../src/simulator/load';
import { main } from '../../examples/main';

/** The two-port gRPC + HTTP service of examples/features.ts, as dist/features/ holds it. */
describe('examples/features.ts: catalog, a two-port gRPC + HTTP service', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'features-ports-'));
  main(outdir);
  const objects: any[] = loadManifestFiles([path.join(outdir, 'features')]);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  test('GIVEN the example THEN the Service and both Deployments expose http 8080 and grpc 9090', () => {
    expect(find('Service', 'catalog').spec.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 },
      { name: 'grpc', port: 9090, protocol: 'TCP', targetPort: 9090 },
    ]);
    for (const v of ['v1', 'v2']) {
      expect(find('Deployment', `catalog-${v}`).spec.template.spec.containers[0].ports.map((p: any) => `${p.name}/${p.containerPort}`)).toEqual(['http/8080', 'grpc/9090']);
    }
  });

  test('GIVEN the example THEN each port\'s rules name their own port in every match, destination and mirror, and the gRPC port has its own pool', () => {
    const http: any[] = find('VirtualService', 'catalog').spec.http;
    const portOf = (rule: any) => rule.match[0].port;
    expect(http.map(portOf)).toEqual([8080, 8080, 8080, 8080, 8080, 9090, 9090]);
    for (const rule of http) {
      const port = portOf(rule);
      for (const d of (rule.route ?? []).map((r: any) => r.destination)) expect(d.port).toEqual({ number: port });
      if (rule.mirror) expect(rule.mirror.port).toEqual({ number: port });
      expect(rule.match.every((m: any) => m.port === port)).toBe(true);
    }
    expect(http.slice(5)).toEqual([
      {
        name: 'grpc-canary',
        match: [{ uri: { prefix: '/shop.catalog.v1.Catalog/' }, headers: { 'x-canary': { exact: 'true' } }, port: 9090 }],
        route: [{ destination: { host: 'catalog', subset: 'v2', port: { number: 9090 } }, weight: 100 }],
        timeout: '2s',
        retries: { attempts: 2, perTryTimeout: '1s', retryOn: 'unavailable,resource-exhausted' },
      },
      {
        match: [{ port: 9090 }],
        route: [{ destination: { host: 'catalog', subset: 'v1', port: { number: 9090 } }, weight: 90 }, { destination: { host: 'catalog', subset: 'v2', port: { number: 9090 } }, weight: 10 }],
        timeout: '2s',
        retries: { attempts: 2, perTryTimeout: '1s', retryOn: 'unavailable,resource-exhausted' },
      },
    ]);
    // the gRPC port keeps the host's consistent hash, failover and outlier detection (Istio does not inherit
    // destination-level settings into a port entry: pilot/pkg/networking/util/util.go GetPortLevelTrafficPolicy)
    const tp = find('DestinationRule', 'catalog').spec.trafficPolicy;
    expect(tp.portLevelSettings).toEqual([
      { port: { number: 9090 }, connectionPool: { http: { http2MaxRequests: 500, maxRequestsPerConnection: 100 } }, loadBalancer: tp.loadBalancer, outlierDetection: tp.outlierDetection },
    ]);
    expect(tp.loadBalancer).toMatchObject({ consistentHash: { httpHeaderName: 'x-user-id' }, localityLbSetting: { failover: [{ from: 'europe-west1', to: 'europe-west4' }] } });
  });

  test('GIVEN the simulator THEN each port follows its own route (answers name the port)', () => {
    const sim = MeshSimulator.fromManifests(objects);
    expect(sim.route({ host: 'catalog.storefront', path: '/v1/items/7' })).toMatchObject({ port: 8080, rewrite: { path: '/items/7' }, destinations: [{ subset: 'v1', port: 8080 }] });
    expect(sim.route({ host: 'catalog.storefront', port: 9090, path: '/shop.catalog.v1.Catalog/Get', headers: { 'x-canary': 'true' } }))
      .toMatchObject({ port: 9090, rule: 5, timeout: '2s', routedBy: 'VirtualService/storefront/catalog', destinations: [{ subset: 'v2', port: 9090, weight: 100 }] });
    expect(sim.route({ host: 'catalog.storefront', port: 9090, path: '/shop.catalog.v1.Catalog/Get' }))
      .toMatchObject({ port: 9090, rule: 6, destinations: [{ subset: 'v1', port: 9090, weight: 90 }, { subset: 'v2', port: 9090, weight: 10 }] });
  });
});
