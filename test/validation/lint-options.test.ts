/**
 * `cdk8s-istio lint --namespace NS` (istioctl analyze -n) and `--mesh-config FILE`
 * (istioctl analyze --meshConfigFile).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lint } from './helpers';

function write(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-options-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const SIDECAR_AND_POD = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: cart }
spec: { workloadSelector: { labels: { app: cart } } }
---
apiVersion: v1
kind: Pod
metadata: { name: cart-0, namespace: shop, labels: { app: cart } }
spec: { containers: [{ name: app, image: registry.example.com/cart:v1 }] }
`;

const TELEMETRY = `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: { name: logs, namespace: istio-system }
spec: { accessLogging: [{}], tracing: [{ providers: [{ name: otel }] }] }
`;

describe('lint --namespace', () => {
  test('objects without namespace are placed in the given one, as istioctl analyze -n does', () => {
    // GIVEN a Sidecar without namespace and its pod in "shop"
    const file = write('set.yaml', SIDECAR_AND_POD);
    // WHEN linted without the option THEN the Sidecar is in "default" and selects nothing
    expect(lint([file]).stdout).toMatch(/Sidecar\/-\/cart IST0101 error/);
    // WHEN linted with -n shop / --namespace shop THEN it selects the pod
    for (const flag of ['-n', '--namespace']) expect(lint([flag, 'shop', file]).stdout).not.toMatch(/IST0101/);
  });

  test('the option needs a value', () => {
    expect(lint(['--namespace']).code).toBe(2);
  });
});

describe('lint --mesh-config', () => {
  const meshConfig = 'defaultProviders:\n  accessLogging: [envoy]\nextensionProviders:\n  - name: otel\n    opentelemetry: { service: otel.observability.svc.cluster.local, port: 4317 }\n';

  test('without it, Istio\'s default mesh config applies: an access-logging entry without provider is IST0157', () => {
    expect(lint([write('t.yaml', TELEMETRY)]).stdout).toMatch(/Telemetry\/istio-system\/logs IST0157 warning/);
  });

  test.each([
    ['a MeshConfig YAML', meshConfig],
    ['a ConfigMap istio with key mesh', `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: istio, namespace: istio-system }\ndata:\n  mesh: |\n${meshConfig.split('\n').map((l) => `    ${l}`).join('\n')}\n`],
  ])('with %s, its default providers and extension providers are used', (_what, text) => {
    // GIVEN a mesh config file naming a default access-logging provider and the otel provider
    const r = lint(['--mesh-config', write('mesh.yaml', text), write('t.yaml', TELEMETRY)]);
    // THEN no IST0157, and the otel tracing provider is known (no CI3004)
    expect(r.stdout).not.toMatch(/IST0157|CI3004/);
    expect(r.code).toBe(0);
  });

  test('a provider the given mesh config does not declare is CI3004', () => {
    const r = lint(['--mesh-config', write('mesh.yaml', 'defaultProviders:\n  accessLogging: [envoy]\n'), write('t.yaml', TELEMETRY)]);
    expect(r.stdout).toMatch(/Telemetry\/istio-system\/logs CI3004 error spec\.tracing\[0\]\.providers\[0\]\.name: provider "otel"/);
  });

  test('a missing or unparseable file is a usage error', () => {
    expect(lint(['--mesh-config', '/no/such/mesh.yaml', write('t.yaml', TELEMETRY)]).code).toBe(2);
    const bad = lint(['--mesh-config', write('mesh.yaml', '- a list\n'), write('t.yaml', TELEMETRY)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a mesh config/);
  });
});

describe('lint --mesh-networks', () => {
  // pkg/config/analysis/analyzers/multicluster/meshnetworks.go: an endpoint fromRegistry that is neither a
  // built-in registry nor a cluster of a remote secret is IST0126 (Istio's analyzer tests pass the file
  // with AddFileKubeMeshNetworks).
  const networks = 'networks:\n  network1:\n    endpoints:\n      - fromRegistry: Kubernetes\n  network2:\n    endpoints:\n      - fromRegistry: nowhere\n';
  const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: { name: a, namespace: shop }\nspec: { ports: [{ name: http, port: 80 }] }\n';

  test.each([
    ['a MeshNetworks YAML', networks],
    ['a ConfigMap istio with key meshNetworks', `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: istio, namespace: istio-system }\ndata:\n  meshNetworks: |\n${networks.split('\n').map((l) => `    ${l}`).join('\n')}\n`],
  ])('with %s, an unknown registry is IST0126 and a known one is not', (_what, text) => {
    // GIVEN mesh networks naming the built-in Kubernetes registry and an unknown one
    const r = lint(['--mesh-networks', write('networks.yaml', text), write('s.yaml', SERVICE)]);
    // THEN exactly the unknown registry is reported, on the MeshNetworks
    expect(r.stdout).toMatch(/MeshNetworks\/istio-system\/meshnetworks IST0126 error networks\.network2\.endpoints\[0\]\.fromRegistry: "nowhere"/);
    expect(r.stdout).not.toMatch(/network1/);
  });

  test('without it, no mesh networks: nothing to report', () => {
    expect(lint([write('s.yaml', SERVICE)]).stdout).not.toMatch(/IST0126/);
  });

  test('a missing or unparseable file is a usage error', () => {
    expect(lint(['--mesh-networks', '/no/such/networks.yaml', write('s.yaml', SERVICE)]).code).toBe(2);
    const bad = lint(['--mesh-networks', write('networks.yaml', '- a list\n'), write('s.yaml', SERVICE)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--mesh-networks .*not mesh networks/);
  });
});
