import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MeshSimulator } from '../../src';
import { loadManifestFiles } from '../../src/simulator/load';
import { validateManifests } from '../../src/validation';
import { main } from '../../examples/main';

/** examples/features.ts as `cdk8s synth` writes it: dist/features/, one deployable set. */
describe('examples/features.ts → dist/features/', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'features-'));
  main(outdir);
  const folder = path.join(outdir, 'features');
  const objects = loadManifestFiles([folder]);
  const sim = MeshSimulator.fromManifests(objects);

  test('the folder lints clean: no error, no warning', () => {
    const findings = validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level !== 'info');
    expect(findings.map((f) => `${f.level} ${f.code} ${f.kind}/${f.namespace}/${f.name} ${f.message}`)).toEqual([]);
  });

  test('it writes a root and two delegates for shop, a root for reviews, and a Canary in delegation mode', () => {
    const names = objects.filter((o: any) => o.kind === 'VirtualService').map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(names).toEqual(['cart-team/shop-cart', 'checkout-team/shop-checkout', 'storefront/catalog', 'storefront/reviews-root', 'storefront/shop']);
    expect(objects.find((o: any) => o.kind === 'Canary')).toMatchObject({ metadata: { name: 'reviews' }, spec: { service: { delegation: true } } });
  });

  test('the simulator answers show the route effects of catalog', () => {
    const host = 'catalog.storefront';
    expect(sim.route({ host, headers: { 'x-chaos': 'on' } })).toMatchObject({ fault: { abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: '1s', percent: 100 } } });
    expect(sim.route({ host, path: '/v1/items/7' })).toMatchObject({ rewrite: { path: '/items/7' }, destinations: [{ subset: 'v1' }] });
    expect(sim.route({ host, path: '/old-catalog' })).toMatchObject({ redirect: { uri: '/catalog', redirectCode: 308 }, destinations: [] });
    expect(sim.route({ host, path: '/v0/items' })).toMatchObject({ directResponse: { status: 410 } });
    expect(sim.route({ host, path: '/items' })).toMatchObject({
      destinations: [{ subset: 'v1', weight: 100 }],
      mirrors: [{ subset: 'v2', percent: 10 }],
      headers: { request: { set: { 'x-env': 'production' }, remove: ['x-debug'] }, response: { remove: ['server'] } },
      cors: { allowOrigins: [{ exact: 'https://shop.example.com' }] },
    });
  });

  test('the simulator follows shop\'s delegation to each team', () => {
    expect(sim.route({ host: 'shop.storefront', path: '/cart/v2/x' })).toMatchObject({ delegate: 'VirtualService/cart-team/shop-cart', destinations: [{ subset: 'v2' }] });
    expect(sim.route({ host: 'shop.storefront', path: '/checkout/pay', headers: { 'x-beta': 'true' } })).toMatchObject({ delegate: 'VirtualService/checkout-team/shop-checkout', destinations: [{ subset: 'v2' }] });
    expect(sim.route({ host: 'shop.storefront', path: '/checkout/pay' })).toMatchObject({ delegate: 'VirtualService/checkout-team/shop-checkout', destinations: [{ subset: 'v1' }] });
    expect(sim.route({ host: 'shop.storefront', path: '/' })).toMatchObject({ routedBy: 'VirtualService/storefront/shop', destinations: [{ subset: 'v1' }] });
  });

  test('catalog\'s DestinationRule hashes on x-user-id and fails over with outlier detection', () => {
    const dr: any = objects.find((o: any) => o.kind === 'DestinationRule' && o.metadata.name === 'catalog');
    expect(dr.spec.trafficPolicy).toMatchObject({
      loadBalancer: { consistentHash: { httpHeaderName: 'x-user-id' }, localityLbSetting: { failover: [{ from: 'europe-west1', to: 'europe-west4' }] } },
      outlierDetection: { consecutive5xxErrors: 5 },
    });
  });

  test('catalog shows the workload features: probes, volumes, a Secret-key variable, command/args, HPA, PDB, zone spread', () => {
    const d: any = objects.find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'catalog-v1');
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.template.spec).toMatchObject({
      volumes: [{ name: 'config', configMap: { name: 'catalog-config' } }, { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
      topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { app: 'catalog', version: 'v1' } } }],
      containers: [{
        command: ['/catalog'],
        args: ['--config=/etc/catalog/config.yaml'],
        livenessProbe: { httpGet: { path: '/healthz' } },
        startupProbe: { tcpSocket: {} },
        volumeMounts: [{ name: 'config', mountPath: '/etc/catalog', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
      }],
    });
    expect(d.spec.template.spec.containers[0].env).toContainEqual({ name: 'CATALOG_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'catalog-db', key: 'password' } } });
    const names = (kind: string) => objects.filter((o: any) => o.kind === kind).map((o: any) => o.metadata.name).sort();
    expect(names('HorizontalPodAutoscaler')).toEqual(['catalog-v1', 'catalog-v2']);
    // catalog's own budget, the default one of shop's 2-pod versions, and reviews' over Flagger's primary
    expect(names('PodDisruptionBudget')).toEqual(['catalog-v1', 'catalog-v2', 'reviews-primary', 'shop-v1', 'shop-v2']);
  });
});
