/**
 * The waypoint of an ambient namespace carries `istio.io/rev` of a revisioned control plane, whatever
 * the order in which the app reads the waypoint handle and declares the ControlPlane: istiod deploys
 * a waypoint only when the revision matches, reading the Gateway's own label first and the
 * namespace's only without one (Istio 1.30.3 pkg/revisions/tag_watcher.go `IsMine`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { CanaryRoute, ControlPlane, DataPlaneMode, Destination, IMeshNamespace, IstioProfile, Mesh, MeshApp, MeshChart, MeshNamespace, RoutingApi } from '../src';
import { one, service } from './helpers';

/** GIVEN an ambient + Gateway API mesh whose namespace `namespace(mesh)` holds a routed service (so it needs a waypoint). */
function ambientShop(namespace: (chart: MeshChart, mesh: Mesh) => IMeshNamespace) {
  const app = new MeshApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'wp-rev-')), log: () => undefined });
  const appChart = new MeshChart(app, 'app');
  const cpChart = new MeshChart(app, 'control-plane', { outputDir: 'control-plane' });
  const mesh = new Mesh(appChart, 'Mesh', { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API });
  const ns = namespace(appChart, mesh);
  const a = service(appChart, ns, 'a', { versions: [{ name: 'v1' }, { name: 'v2' }], openTelemetry: { enabled: false } });
  new CanaryRoute(appChart, 'Route', { service: a, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
  const revision = () => new ControlPlane(cpChart, 'CP', { mesh, profile: IstioProfile.AMBIENT, revision: '1-30-3' });
  return { appChart, ns, revision };
}

const declared = (chart: MeshChart, mesh: Mesh) => new MeshNamespace(chart, 'Shop', { mesh, name: 'shop' });
const adopted = (chart: MeshChart, mesh: Mesh) => MeshNamespace.fromName(chart, 'Shop', 'shop', { mesh, waypoint: true });

describe.each([['a MeshNamespace', declared], ['an adopted namespace', adopted]])('the waypoint of %s and a ControlPlane revision', (_what, namespace) => {
  test('GIVEN the waypoint handle read BEFORE the revision is declared THEN the Gateway carries istio.io/rev', () => {
    const { appChart, ns, revision } = ambientShop(namespace);
    // WHEN the handle is read first (the Gateway is created now), then the ControlPlane declares its revision
    const handle = ns.waypoint!;
    expect(handle.resource.metadata.getLabel('istio.io/rev')).toBeUndefined();
    revision();
    // THEN the synthesized Gateway is the revision's
    expect(one(Testing.synth(appChart), 'Gateway', 'waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'service', 'istio.io/rev': '1-30-3' });
    // AND the handle is that object
    expect(handle.resource.toJson().metadata.labels).toEqual({ 'istio.io/waypoint-for': 'service', 'istio.io/rev': '1-30-3' });
  });

  test('GIVEN the revision declared BEFORE the waypoint handle is read THEN the Gateway carries istio.io/rev', () => {
    const { appChart, ns, revision } = ambientShop(namespace);
    revision();
    const handle = ns.waypoint!;
    expect(handle.resource.metadata.getLabel('istio.io/rev')).toBe('1-30-3');
    expect(one(Testing.synth(appChart), 'Gateway', 'waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'service', 'istio.io/rev': '1-30-3' });
  });

  test('GIVEN no revision THEN the Gateway has no revision label, and a label the app sets on the handle wins', () => {
    const { appChart, ns } = ambientShop(namespace);
    ns.waypoint!.resource.metadata.addLabel('team', 'shop');
    expect(one(Testing.synth(appChart), 'Gateway', 'waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'service', team: 'shop' });
  });
});

test('GIVEN the handle read before the revision and an app value for istio.io/rev THEN the app value is kept (a user value wins over a rendered one)', () => {
  const { appChart, ns, revision } = ambientShop(declared);
  ns.waypoint!.resource.metadata.addLabel('istio.io/rev', 'canary');
  revision();
  expect(one(Testing.synth(appChart), 'Gateway', 'waypoint').metadata.labels['istio.io/rev']).toBe('canary');
});
