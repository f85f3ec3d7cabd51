import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import {
  EgressHost, HttpMethod, IMeshNamespace, Mesh, MeshApp, MeshChart, MeshNamespace, MeshService, namespaceOwner, SidecarScope, TracedService, Waypoint, ZeroTrustPolicy,
} from '../src';

/**
 * A consumer's own namespace type, written from scratch against the public interface (it neither
 * extends nor wraps MeshNamespace): it declares its namespace in the mesh's model, owns the objects
 * the mesh renders there, and registers as a member, as docs/extending.md describes.
 */
class PlatformNamespace extends Construct implements IMeshNamespace {
  public readonly mesh: Mesh;
  public readonly name: string;
  public readonly waypointAllowed = false;
  constructor(scope: Construct, id: string, props: { readonly mesh: Mesh; readonly name: string; readonly team: string }) {
    super(scope, id);
    this.mesh = props.mesh;
    this.name = props.name;
    props.mesh.model.addNamespace({ name: props.name, labels: { 'platform.example.com/team': props.team }, waypoint: false, source: this.node.path });
    props.mesh.registerOwner(namespaceOwner(props.name), this);
    props.mesh.addMember(this);
  }
  public get resource(): ApiObject | undefined { return this.mesh.objectOf(namespaceOwner(this.name), 'Resource'); }
  public get labels(): { readonly [key: string]: string } { return { ...(this.resource?.metadata.toJson().labels ?? {}) }; }
  public get waypoint(): Waypoint | undefined { return undefined; }
}

/** A consumer's class that only looks like a namespace: its mesh's model knows nothing of it. */
class UndeclaredNamespace extends Construct implements IMeshNamespace {
  public readonly waypointAllowed = false;
  public readonly labels = {};
  public readonly waypoint = undefined;
  public readonly resource = undefined;
  constructor(scope: Construct, id: string, public readonly mesh: Mesh, public readonly name: string) {
    super(scope, id);
  }
}

/** GIVEN every construct that places objects in a namespace, each given the consumer's own namespace. */
function buildPayments(chart: Chart) {
  const mesh = new Mesh(chart, 'Mesh');
  const payments = new PlatformNamespace(chart, 'Payments', { mesh, name: 'payments', team: 'payments' });
  const api = new TracedService(chart, 'Api', {
    namespace: payments, imageRepository: 'registry.example.com/api', versions: [{ name: 'v1' }], replicas: 1, openTelemetry: { enabled: false },
  });
  // adopted workloads the app writes with cdk8s-plus
  const sa = new kplus.ServiceAccount(chart, 'LedgerSa', { metadata: { name: 'ledger', namespace: 'payments' } });
  const deployment = new kplus.Deployment(chart, 'LedgerV1', {
    metadata: { name: 'ledger-v1', namespace: 'payments' },
    serviceAccount: sa,
    replicas: 1,
    containers: [{ image: 'registry.example.com/ledger:1.0.0', portNumber: 8080 }],
  });
  deployment.podMetadata.addLabel('app', 'ledger');
  deployment.podMetadata.addLabel('version', 'v1');
  const svc = new kplus.Service(chart, 'LedgerService', { metadata: { name: 'ledger', namespace: 'payments' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] });
  svc.selectLabel('app', 'ledger');
  const ledger = MeshService.fromWorkloads(chart, 'Ledger', { namespace: payments, service: svc, deployments: [deployment] });
  // deployed elsewhere: once with the handle, once by the namespace name
  const fraud = MeshService.fromAttributes(chart, 'Fraud', { namespace: payments, name: 'fraud', serviceAccount: 'fraud', port: 8080, versions: ['v1'] });
  const audit = MeshService.fromAttributes(chart, 'Audit', { mesh, namespace: 'payments', name: 'audit', serviceAccount: 'audit', port: 8080, versions: ['v1'] });
  new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: payments }] });
  new SidecarScope(chart, 'Scope', { mesh, namespaces: [payments], egressHosts: [EgressHost.of('payments', '*')] });
  ledger.allowFrom(api, { methods: [HttpMethod.POST] });
  fraud.allowFrom(api, { methods: [HttpMethod.POST] });
  audit.allowFrom(ledger, { methods: [HttpMethod.POST] });
  return { mesh, payments, api, ledger, fraud, audit };
}

/** Every object of every YAML file under `dir`. */
function readOutput(dir: string): any[] {
  const out: any[] = [];
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (!f.endsWith('.yaml')) continue;
    out.push(...parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()).filter((o) => o));
  }
  return out;
}

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

describe('an IMeshNamespace of the app\'s own (not extending or wrapping ours) is taken by every construct', () => {
  const apps: Array<[string, (outdir: string) => { app: App; chart: Chart }]> = [
    ['MeshApp', (outdir) => { const app = new MeshApp({ outdir }); return { app, chart: new MeshChart(app, 'payments') }; }],
    ['a plain cdk8s App', (outdir) => { const app = new App({ outdir }); return { app, chart: new Chart(app, 'payments') }; }],
  ];

  test.each(apps)('GIVEN TracedService, MeshService (workloads, attributes, by name), ZeroTrustPolicy and SidecarScope in it under %s WHEN synthesized THEN every object lands in that namespace', (_, make) => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'own-namespace-'));
    const { app, chart } = make(outdir);
    const { payments, api, ledger, fraud, audit } = buildPayments(chart);
    // WHEN
    app.synth();
    const objects = readOutput(outdir);
    // THEN the handles name the consumer's namespace (by name too: the member that declared it)
    expect([api.meshNamespace, ledger.meshNamespace, fraud.meshNamespace, audit.meshNamespace]).toEqual([payments, payments, payments, payments]);
    expect([api.namespace, ledger.namespace, fraud.namespace, audit.namespace]).toEqual(['payments', 'payments', 'payments', 'payments']);
    // AND the Namespace the consumer's class owns carries its label and the mesh label
    expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { 'platform.example.com/team': 'payments', 'istio-injection': 'enabled' } } },
    ]);
    expect(payments.resource?.node.scope).toBe(payments);
    // AND the TracedService's workload, the namespace-wide default deny, and one Sidecar per service are written there
    expect(byKind(objects, 'Deployment')).toEqual(['payments/api-v1', 'payments/ledger-v1']);
    expect(byKind(objects, 'AuthorizationPolicy')).toEqual(expect.arrayContaining(['payments/default-deny', 'payments/ledger-allow', 'payments/fraud-allow', 'payments/audit-allow']));
    expect(objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'default-deny')).toMatchObject({ metadata: { namespace: 'payments' }, spec: { action: 'ALLOW' } });
    expect(objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'default-deny').spec.rules).toBeUndefined();
    expect(byKind(objects, 'Sidecar')).toEqual(['payments/api', 'payments/audit', 'payments/fraud', 'payments/ledger']);
    expect(objects.find((o) => o.kind === 'Sidecar' && o.metadata.name === 'api')).toMatchObject({
      spec: { workloadSelector: { labels: { app: 'api' } }, egress: [{ hosts: expect.arrayContaining(['payments/*']) }] },
    });
    // AND the callers are the services' identities in it
    expect(objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'audit-allow').spec.rules[0].from[0].source.principals)
      .toEqual(['cluster.local/ns/payments/sa/ledger']);
  });

  test('GIVEN the consumer\'s class whose mesh model does not declare its namespace THEN each construct refuses it with the path, property, value, rule and hint', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'own-namespace-')) });
    const chart = new Chart(app, 'c');
    const mesh = new Mesh(chart, 'Mesh');
    const ns = new MeshNamespace(chart, 'Shop', { mesh, name: 'shop' });
    const svc = new TracedService(chart, 'Shop1', { namespace: ns, imageRepository: 'registry.example.com/shop', versions: [{ name: 'v1' }], openTelemetry: { enabled: false } });
    const ghost = new UndeclaredNamespace(chart, 'Ghost', mesh, 'ghost');
    const rule = 'namespace ghost is not declared in the model of mesh c/Mesh; the mesh renders only into namespaces its model declares (it writes the Namespace) or adopts';
    const hint = 'Hint: pass a MeshNamespace, or adopt a namespace that exists with MeshNamespace.fromName(scope, id, name, { mesh }); a namespace class of your own declares its namespace in mesh.model.addNamespace';
    const expectRefused = (f: () => unknown, where: string) => {
      let message = '';
      try { f(); } catch (e) { message = (e as Error).message; }
      expect(message.startsWith(`${where}: "ghost" is invalid: ${rule}`)).toBe(true);
      expect(message).toContain(hint);
    };
    expectRefused(() => new TracedService(chart, 'T', { namespace: ghost, imageRepository: 'registry.example.com/t', versions: [{ name: 'v1' }], openTelemetry: { enabled: false } }), '[c/T] props.namespace');
    expectRefused(() => new ZeroTrustPolicy(chart, 'Z', { mesh, namespaces: [{ namespace: ghost }] }), '[c/Z] props.namespaces[0].namespace');
    expectRefused(() => new SidecarScope(chart, 'S', { mesh, namespaces: [ghost] }), '[c/S] props.namespaces[0]');
    expectRefused(() => MeshService.fromAttributes(chart, 'A', { namespace: ghost, name: 'a', serviceAccount: 'a', port: 8080, versions: ['v1'] }), '[c/A] attrs.namespace');
    const deployment = new kplus.Deployment(chart, 'D', { metadata: { name: 'd-v1', namespace: 'ghost' }, containers: [{ image: 'registry.example.com/d:1', portNumber: 8080 }] });
    const service = new kplus.Service(chart, 'DS', { metadata: { name: 'd', namespace: 'ghost' }, ports: [{ name: 'http', port: 8080 }] });
    expectRefused(() => MeshService.fromWorkloads(chart, 'W', { namespace: ghost, service, deployments: [deployment] }), '[c/W] props.namespace');
    // AND a namespace of another mesh is still refused by the policies
    const other = new Mesh(new Chart(app, 'o'), 'Mesh');
    const foreign = new PlatformNamespace(chart, 'Foreign', { mesh: other, name: 'foreign', team: 'x' });
    expect(() => new ZeroTrustPolicy(chart, 'Z2', { mesh, namespaces: [{ namespace: foreign }] })).toThrow(/props\.namespaces\[0\]\.namespace: "foreign" is invalid: the namespace belongs to another mesh/);
    expect(() => new SidecarScope(chart, 'S2', { mesh, namespaces: [foreign] })).toThrow(/props\.namespaces\[0\]: "foreign" is invalid: the namespace belongs to another mesh/);
    expect(() => MeshService.fromAttributes(chart, 'A2', { mesh, namespace: foreign, name: 'a', serviceAccount: 'a', port: 8080, versions: ['v1'] })).toThrow(/attrs\.mesh: "c\/Mesh" is invalid: the namespace belongs to another mesh/);
    expect(svc.meshNamespace).toBe(ns);
  });
});
