import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import {
  AccessLogEncoding,
  checkTelemetryProviders,
  ControlPlane,
  ControlPlaneProps,
  DataPlaneMode,
  ExtensionProvider,
  IstioProfile,
  Mesh,
  MeshApp,
  MeshChart,
  MeshConfigError,
  MeshProps,
  meshConfigProviderNames,
  telemetry,
} from '../src';
import { BUILTIN_EXTENSION_PROVIDERS } from '../src/rules/mesh-config';
import { main } from '../examples/main';
import { OTEL } from './helpers';

const REFERENCE: Partial<ControlPlaneProps> = {
  profile: IstioProfile.DEFAULT,
  accessLog: { file: '/dev/stdout', encoding: AccessLogEncoding.JSON },
  proxyResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
};

const OTEL_MESH_CONFIG = { name: 'otel', opentelemetry: { service: 'otel-collector.observability.svc.cluster.local', port: 4317 } };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-cp-'));
}

/** GIVEN a MeshApp with an app chart (mesh with otel tracing) and a control-plane chart in its own folder. */
function setup(props: Partial<ControlPlaneProps> = {}, meshProps: MeshProps = {}) {
  const outdir = tempDir();
  const logged: string[] = [];
  const app = new MeshApp({ outdir, log: (l) => logged.push(l) });
  const appChart = new MeshChart(app, 'app');
  const mesh = new Mesh(appChart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 }, ...meshProps });
  const cpChart = new MeshChart(app, 'control-plane', { outputDir: 'control-plane' });
  const make = (p: Partial<ControlPlaneProps> = props) => new ControlPlane(cpChart, 'ControlPlane', { mesh, ...p });
  return { outdir, app, appChart, cpChart, mesh, make, logged };
}

function operator(cpChart: Chart): any {
  const objs = Testing.synth(cpChart);
  expect(objs).toHaveLength(1);
  return objs[0];
}

describe('IstioProfile', () => {
  test('Istio 1.30 ships exactly these ten profiles, and no production profile', () => {
    expect(IstioProfile.ALL.map((p) => p.value)).toEqual([
      'default', 'demo', 'minimal', 'stable', 'preview', 'ambient', 'empty', 'remote', 'openshift', 'openshift-ambient',
    ]);
    expect((IstioProfile as any).PRODUCTION).toBeUndefined();
    expect(IstioProfile.ALL.map(String)).not.toContain('production');
  });

  test.each(IstioProfile.ALL.map((p) => [p.value, p] as const))('profile %s renders in the overlay and the Helm values', (value, profile) => {
    // GIVEN / WHEN
    const { cpChart, make } = setup({ profile });
    const cp = make();
    // THEN
    expect(operator(cpChart).spec.profile).toBe(value);
    expect(cp.renderHelmValues().profile).toBe(value);
  });

  test('the profile defaults to default', () => {
    const { cpChart, make } = setup({});
    make();
    expect(operator(cpChart).spec.profile).toBe('default');
  });

  test('the article\'s "production" profile is rejected with a hint', () => {
    const attempt = () => setup({ profile: 'production' as any }).make();
    expect(attempt).toThrow(MeshConfigError);
    expect(attempt).toThrow(/\[control-plane\/ControlPlane\] props\.profile: "production" is invalid: must be an IstioProfile .*Hint: Istio has no "production" profile; IstioProfile\.DEFAULT/);
  });

  test('only the ambient profiles are ambient', () => {
    expect(IstioProfile.ALL.filter((p) => p.isAmbient)).toEqual([IstioProfile.AMBIENT, IstioProfile.OPENSHIFT_AMBIENT]);
  });

  test('an ambient mesh with a sidecar-only profile gets a warning, not an error', () => {
    // GIVEN an ambient mesh
    const { app, make, logged } = setup({ profile: IstioProfile.DEFAULT }, { dataPlane: DataPlaneMode.AMBIENT });
    make();
    // WHEN
    app.synth();
    // THEN
    expect(logged.join('\n')).toMatch(/CI0601.*ambient data plane but profile "default" installs no ztunnel/);
  });

  test('an ambient mesh with the ambient profile gets no warning', () => {
    const { app, make, logged } = setup({ profile: IstioProfile.AMBIENT }, { dataPlane: DataPlaneMode.AMBIENT });
    make();
    app.synth();
    expect(logged.join('\n')).not.toMatch(/CI0601/);
  });
});

describe('ControlPlane IstioOperator overlay', () => {
  test('carries the reference settings: profile, access logs, the mesh providers and proxy resources', () => {
    // GIVEN
    const { cpChart, make } = setup(REFERENCE);
    // WHEN
    make();
    const io = operator(cpChart);
    // THEN
    expect(io.apiVersion).toBe('install.istio.io/v1alpha1');
    expect(io.kind).toBe('IstioOperator');
    expect(io.metadata).toEqual({ name: 'control-plane', namespace: 'istio-system' });
    expect(io.spec).toEqual({
      profile: 'default',
      meshConfig: {
        accessLogFile: '/dev/stdout',
        accessLogEncoding: 'JSON',
        extensionProviders: [OTEL_MESH_CONFIG],
      },
      values: { global: { proxy: { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } } } } },
    });
  });

  test('with nothing set, only the profile and the mesh providers are rendered (no empty objects)', () => {
    const { cpChart, make } = setup({});
    make();
    expect(operator(cpChart).spec).toEqual({ profile: 'default', meshConfig: { extensionProviders: [OTEL_MESH_CONFIG] } });
  });

  test('a mesh without providers renders no meshConfig at all', () => {
    const outdir = tempDir();
    const app = new MeshApp({ outdir });
    const mesh = new Mesh(new MeshChart(app, 'app'), 'Mesh');
    const cpChart = new MeshChart(app, 'cp', { outputDir: 'control-plane' });
    new ControlPlane(cpChart, 'ControlPlane', { mesh });
    expect(operator(cpChart).spec).toEqual({ profile: 'default' });
  });

  test('access log encoding defaults to TEXT and the file to /dev/stdout', () => {
    const { cpChart, make } = setup({ accessLog: {} });
    make();
    expect(operator(cpChart).spec.meshConfig).toMatchObject({ accessLogFile: '/dev/stdout', accessLogEncoding: 'TEXT' });
  });

  test('providers added to the mesh after the ControlPlane is created are rendered too', () => {
    // GIVEN
    const { cpChart, mesh, make } = setup({});
    make();
    // WHEN
    mesh.addExtensionProvider(ExtensionProvider.openTelemetry({ name: 'otel-2', service: 'observability/otel-2.observability.svc.cluster.local', port: 4318 }));
    // THEN
    expect(operator(cpChart).spec.meshConfig.extensionProviders).toEqual([
      OTEL_MESH_CONFIG,
      { name: 'otel-2', opentelemetry: { service: 'observability/otel-2.observability.svc.cluster.local', port: 4318 } },
    ]);
  });

  test('default providers, revision, hub, tag, name and install namespace', () => {
    const { cpChart, make } = setup({
      defaultProviders: { tracing: ['otel'], metrics: ['prometheus'], accessLogging: ['envoy'] },
      revision: 'canary',
      hub: 'registry.example.com/istio',
      tag: '1.30.3',
      name: 'istio',
      installNamespace: 'istio-control',
    });
    const cp = make();
    const io = operator(cpChart);
    expect(io.metadata).toEqual({ name: 'istio', namespace: 'istio-control' });
    expect(io.spec).toMatchObject({
      revision: 'canary',
      hub: 'registry.example.com/istio',
      tag: '1.30.3',
      meshConfig: { defaultProviders: { tracing: ['otel'], metrics: ['prometheus'], accessLogging: ['envoy'] } },
    });
    expect(cp.renderHelmValues()).toMatchObject({
      revision: 'canary',
      global: { hub: 'registry.example.com/istio', tag: '1.30.3' },
      meshConfig: { defaultProviders: { tracing: ['otel'], metrics: ['prometheus'], accessLogging: ['envoy'] } },
    });
  });

  test('an empty default provider list is kept: it turns that telemetry off', () => {
    const { cpChart, make } = setup({ defaultProviders: { metrics: [] } });
    make();
    expect(operator(cpChart).spec.meshConfig.defaultProviders).toEqual({ metrics: [] });
  });

  test('a non-default mesh root namespace and trust domain go into meshConfig', () => {
    const { cpChart, make } = setup({}, { rootNamespace: 'mesh-root', trustDomain: 'example.org' });
    make();
    expect(operator(cpChart).spec.meshConfig).toMatchObject({ rootNamespace: 'mesh-root', trustDomain: 'example.org' });
  });

  test('a default provider that names no extension provider fails synth, naming it and the declared ones', () => {
    // GIVEN
    const { app, make } = setup({ defaultProviders: { tracing: ['zipkin'] } });
    make();
    // WHEN / THEN
    expect(() => app.synth()).toThrow(
      /\[control-plane\/ControlPlane\] props\.defaultProviders\.tracing\[0\]: "zipkin" is invalid: it names no extension provider of mesh app\/Mesh \(declared: "otel"; built in: "envoy", "prometheus", "stackdriver"\)/,
    );
  });

  test('a default provider declared after the ControlPlane is accepted', () => {
    const { app, mesh, make, outdir } = setup({ defaultProviders: { tracing: ['zipkin'] } });
    make();
    mesh.addExtensionProvider(ExtensionProvider.openTelemetry({ name: 'zipkin', service: 'zipkin.observability.svc.cluster.local', port: 9411 }));
    app.synth();
    expect(fs.existsSync(path.join(outdir, 'control-plane', 'control-plane.k8s.yaml'))).toBe(true);
  });

  test.each<[string, Partial<ControlPlaneProps>, RegExp]>([
    ['a relative access log file', { accessLog: { file: 'access.log' } }, /props\.accessLog\.file: "access\.log" is invalid: an access log file must be an absolute path/],
    ['an empty access log file', { accessLog: { file: '' } }, /props\.accessLog\.file: "" is invalid: .*Hint: omit accessLog to turn access logging off/],
    ['a string encoding', { accessLog: { encoding: 'JSON' as any } }, /props\.accessLog\.encoding: "JSON" is invalid: must be AccessLogEncoding\.TEXT or AccessLogEncoding\.JSON/],
    ['an empty default provider', { defaultProviders: { tracing: [''] } }, /props\.defaultProviders\.tracing\[0\]: "" is invalid: a provider name must be a non-empty string/],
    ['a duplicate default provider', { defaultProviders: { tracing: ['otel', 'otel'] } }, /props\.defaultProviders\.tracing\[1\]: "otel" is invalid: provider names must be unique/],
    ['a bad revision', { revision: '1.30' }, /props\.revision: "1\.30" is invalid: a revision must be a DNS-1123 label/],
    ['an empty hub', { hub: '' }, /props\.hub: "" is invalid: an image hub must be a non-empty string/],
    ['a tag with a space', { tag: '1.30 3' }, /props\.tag: "1\.30 3" is invalid/],
    ['a bad name', { name: 'Control_Plane' }, /props\.name: "Control_Plane" is invalid: must be a DNS-1123 subdomain/],
    ['a bad install namespace', { installNamespace: 'istio.system' }, /props\.installNamespace: "istio\.system" is invalid/],
    ['a values file in a folder', { helmValuesFile: '../values.yaml' }, /props\.helmValuesFile: "\.\.\/values\.yaml" is invalid: must be a plain file name ending in \.yaml/],
  ])('%s is rejected', (_name, props, message) => {
    const attempt = () => setup(props).make();
    expect(attempt).toThrow(MeshConfigError);
    expect(attempt).toThrow(message);
  });
});

describe('ControlPlane proxy resources', () => {
  test.each(['100m', '0.5', '1', '2Gi', '128M', '1e3', '.5', '1.5Ki'])('%p is a valid quantity', (q) => {
    const { cpChart, make } = setup({ proxyResources: { limits: { cpu: q, memory: q } } });
    make();
    expect(operator(cpChart).spec.values.global.proxy.resources).toEqual({ limits: { cpu: q, memory: q } });
  });

  test.each<[unknown, RegExp]>([
    ['128MB', /"128MB" is invalid: a memory quantity must be a non-negative Kubernetes quantity.*Hint: did you mean "128Mi"\?/],
    ['128mi', /"128mi" is invalid: .*Hint: did you mean "128Mi"\?/],
    ['-1', /"-1" is invalid: a memory quantity must be a non-negative/],
    ['', /"" is invalid/],
    ['1 Gi', /"1 Gi" is invalid/],
    [512, /512 is invalid: .*Hint: write it as a string, e\.g\. "512"/],
  ])('memory %p is rejected', (q, message) => {
    const attempt = () => setup({ proxyResources: { requests: { memory: q as any } } }).make();
    expect(attempt).toThrow(MeshConfigError);
    expect(attempt).toThrow(message);
  });

  test('a bad cpu names its property', () => {
    const { make } = setup({ proxyResources: { limits: { cpu: '500 millicores' } } });
    expect(() => make()).toThrow(/\[control-plane\/ControlPlane\] props\.proxyResources\.limits\.cpu: "500 millicores" is invalid/);
  });

  test('a request above its limit is rejected; equal is fine', () => {
    expect(() => setup({ proxyResources: { requests: { cpu: '600m' }, limits: { cpu: '0.5' } } }).make()).toThrow(
      /props\.proxyResources\.requests\.cpu: "600m" is invalid: a request must not exceed its limit \(0\.5\)/,
    );
    expect(() => setup({ proxyResources: { requests: { memory: '1Gi' }, limits: { memory: '1000Mi' } } }).make()).toThrow(
      /props\.proxyResources\.requests\.memory: "1Gi" is invalid: a request must not exceed its limit \(1000Mi\)/,
    );
    expect(() => setup({ proxyResources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '1024Mi' } } }).make()).not.toThrow();
  });
});

describe('ExtensionProvider.openTelemetry validation', () => {
  const fqdn = 'otel-collector.observability.svc.cluster.local';
  test.each([
    fqdn,
    'observability/otel-collector.observability.svc.cluster.local',
    'otel.example.com',
  ])('service %p is accepted', (service) => {
    expect(ExtensionProvider.openTelemetry({ name: 'otel', service }).service).toBe(service);
  });

  test.each([
    'otel-collector',
    // Istio's ns/host form needs a fully qualified host (agent/extensionprovider.go, ValidateNamespaceSlashWildcardHostname)
    'observability/otel-collector',
    'Otel-Collector.observability.svc.cluster.local',
    'observability/',
    '/otel-collector.observability.svc.cluster.local',
    'Observability/otel-collector',
    'otel collector.observability',
    'http://otel-collector.observability.svc.cluster.local',
    'otel-collector.observability.svc.cluster.local:4317',
    '',
  ])('service %p is rejected', (service) => {
    expect(() => ExtensionProvider.openTelemetry({ name: 'otel', service })).toThrow(MeshConfigError);
    expect(() => ExtensionProvider.openTelemetry({ name: 'otel', service })).toThrow(
      /\[ExtensionProvider\.openTelemetry\] service: .* is invalid: a provider service must be a fully qualified host name .* or ns\/host/,
    );
  });

  test('a bare host name gets an FQDN hint', () => {
    expect(() => ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector' })).toThrow(/Hint: e\.g\. "otel-collector\.observability\.svc\.cluster\.local"/);
  });

  test.each([1, 4317, 65535])('port %p is accepted', (port) => {
    expect(ExtensionProvider.openTelemetry({ name: 'otel', service: fqdn, port }).toIntent().meshConfig).toEqual({ name: 'otel', opentelemetry: { service: fqdn, port } });
  });

  test.each([0, 65536, -1, 4317.5, NaN])('port %p is rejected', (port) => {
    expect(() => ExtensionProvider.openTelemetry({ name: 'otel', service: fqdn, port })).toThrow(/port: .* is invalid: a port must be an integer in 1\.\.65535/);
  });

  test('the port defaults to 4317 (OTLP/gRPC)', () => {
    expect(ExtensionProvider.openTelemetry({ name: 'otel', service: fqdn }).port).toBe(4317);
  });

  test.each(['', 'Otel', 'otel_collector'])('name %p is rejected', (name) => {
    expect(() => ExtensionProvider.openTelemetry({ name, service: fqdn })).toThrow(/\[ExtensionProvider\.openTelemetry\] name: .* is invalid/);
  });
});

describe('Telemetry -> extension provider cross-check', () => {
  test('the mesh tracing Telemetry naming a declared provider passes', () => {
    const { app, make, outdir } = setup(REFERENCE);
    make();
    app.synth();
    expect(fs.existsSync(path.join(outdir, 'app.k8s.yaml'))).toBe(true);
  });

  test('our Telemetry patched to an unknown provider fails synth with its path, the provider and the declared ones', () => {
    // GIVEN the mesh Telemetry, patched through the escape hatch to name "zipkin"
    const { app, mesh, make, outdir } = setup(REFERENCE);
    make();
    ApiObject.of(mesh.telemetry!).addJsonPatch(JsonPatch.replace('/spec/tracing/0/providers/0/name', 'zipkin'));
    // WHEN / THEN
    expect(() => app.synth()).toThrow(
      /\[app\/Mesh\] Telemetry istio-system\/mesh-default \(app\/Mesh\/Telemetry\) spec\.tracing\[0\]\.providers\[0\]\.name: "zipkin" is invalid: it names no extension provider in mesh config \(declared: "otel"; built in: "envoy", "prometheus", "stackdriver"\)/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('a raw escape-hatch Telemetry naming an unknown provider fails synth', () => {
    // GIVEN a raw Telemetry in the app chart, outside the mesh
    const { app, appChart, make } = setup(REFERENCE);
    make();
    new telemetry.Telemetry(appChart, 'RawLogs', {
      metadata: { name: 'access-logs', namespace: 'production' },
      spec: { accessLogging: [{ providers: [{ name: 'otel-als' }] }] },
    });
    // WHEN / THEN
    expect(() => app.synth()).toThrow(
      /Telemetry production\/access-logs \(app\/RawLogs\) spec\.accessLogging\[0\]\.providers\[0\]\.name: "otel-als" is invalid: it names no extension provider in mesh config \(declared: "otel"/,
    );
  });

  test('a raw Telemetry in another chart of the same folder, and a generic ApiObject of kind Telemetry, are checked too', () => {
    const { app, make } = setup(REFERENCE);
    make();
    const other = new MeshChart(app, 'extra');
    new ApiObject(other, 'Generic', {
      apiVersion: 'telemetry.istio.io/v1alpha1',
      kind: 'Telemetry',
      metadata: { name: 'metrics', namespace: 'production' },
      spec: { metrics: [{ providers: [{ name: 'prometheus' }, { name: 'datadog' }] }] },
    });
    expect(() => app.synth()).toThrow(/Telemetry production\/metrics \(extra\/Generic\) spec\.metrics\[0\]\.providers\[1\]\.name: "datadog" is invalid/);
    expect(() => app.synth()).not.toThrow(/"prometheus" is invalid/);
  });

  test('raw Telemetry naming a declared or built-in provider passes', () => {
    const { app, appChart, make } = setup(REFERENCE);
    make();
    new telemetry.Telemetry(appChart, 'Raw', {
      metadata: { name: 'raw', namespace: 'production' },
      spec: {
        tracing: [{ providers: [{ name: 'otel' }] }],
        accessLogging: [{ providers: [{ name: 'envoy' }] }],
        metrics: [{ providers: [{ name: 'prometheus' }] }],
      },
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('an empty provider name is an error', () => {
    const { app, appChart } = setup({});
    new telemetry.Telemetry(appChart, 'Raw', { metadata: { name: 'raw' }, spec: { tracing: [{ providers: [{ name: '' }] }] } });
    expect(() => app.synth()).toThrow(/Telemetry -\/raw \(app\/Raw\) spec\.tracing\[0\]\.providers\[0\]\.name: "" is invalid: a provider name must be a non-empty string/);
  });

  test('the check runs with plain cdk8s charts too (no ControlPlane, no MeshApp)', () => {
    const chart = Testing.chart();
    new Mesh(chart, 'Mesh', { extensionProviders: [OTEL] });
    new telemetry.Telemetry(chart, 'Raw', { metadata: { name: 'raw' }, spec: { tracing: [{ providers: [{ name: 'otel-typo' }] }] } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/Mesh\] Telemetry -\/raw \(test\/Raw\) .*"otel-typo" is invalid/);
  });

  test('Telemetry in another output folder belongs to another deployable set and is not checked against this mesh', () => {
    // GIVEN a variant folder with its own mesh and provider
    const { app, make } = setup(REFERENCE);
    make();
    const variant = new MeshChart(app, 'variant', { outputDir: 'variant' });
    new Mesh(variant, 'Mesh', { tracing: { provider: ExtensionProvider.openTelemetry({ name: 'tempo', service: 'tempo.tracing.svc.cluster.local' }) } });
    new telemetry.Telemetry(variant, 'Raw', { metadata: { name: 'raw' }, spec: { tracing: [{ providers: [{ name: 'tempo' }] }] } });
    // WHEN / THEN: "tempo" is unknown to app/Mesh, but it lives in variant/
    expect(() => app.synth()).not.toThrow();
  });

  test('with two meshes in one folder, a raw Telemetry may name a provider of either, and is reported once', () => {
    const chart = Testing.chart();
    new Mesh(chart, 'A', { extensionProviders: [OTEL] });
    new Mesh(chart, 'B');
    new telemetry.Telemetry(chart, 'Ok', { metadata: { name: 'ok' }, spec: { tracing: [{ providers: [{ name: 'otel' }] }] } });
    expect(() => Testing.synth(chart)).not.toThrow();
    new telemetry.Telemetry(chart, 'Bad', { metadata: { name: 'bad' }, spec: { tracing: [{ providers: [{ name: 'nope' }] }] } });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.match(/"nope" is invalid/g)).toHaveLength(1);
  });
});

describe('checkTelemetryProviders (pure, over manifests)', () => {
  const tel = (name: string, spec: any) => ({ manifest: { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name, namespace: 'ns' }, spec } });

  test('returns nothing when every provider is declared or built in', () => {
    expect(BUILTIN_EXTENSION_PROVIDERS).toEqual(['envoy', 'prometheus', 'stackdriver']);
    expect(checkTelemetryProviders([tel('a', { tracing: [{ providers: [{ name: 'otel' }] }], metrics: [{ providers: [{ name: 'stackdriver' }] }] })], ['otel'])).toEqual([]);
  });

  test('skips objects that are not Telemetry, and Telemetry without providers', () => {
    const vs = { manifest: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', spec: { tracing: [{ providers: [{ name: 'x' }] }] } } };
    expect(checkTelemetryProviders([vs, tel('b', { tracing: [{ randomSamplingPercentage: 5 }] })], [])).toEqual([]);
  });

  test('reports each unknown provider with the object, field and declared providers', () => {
    const errors = checkTelemetryProviders([
      { ...tel('a', { tracing: [{ providers: [{ name: 'otel' }, { name: 'zipkin' }] }], accessLogging: [{}, { providers: [{ name: 'als' }] }] }), path: 'App/Chart/A' },
    ], ['otel', 'otel-http']);
    expect(errors).toEqual([
      expect.stringMatching(/^Telemetry ns\/a \(App\/Chart\/A\) spec\.tracing\[0\]\.providers\[1\]\.name: "zipkin" is invalid: .*declared: "otel", "otel-http"; built in/),
      expect.stringMatching(/^Telemetry ns\/a \(App\/Chart\/A\) spec\.accessLogging\[1\]\.providers\[0\]\.name: "als" is invalid/),
    ]);
  });

  test('says "none" when mesh config declares no provider', () => {
    expect(checkTelemetryProviders([tel('a', { tracing: [{ providers: [{ name: 'otel' }] }] })], [])[0]).toMatch(/declared: none;/);
  });
});

describe('meshConfigProviderNames (for linting YAML)', () => {
  const cm = (name: string, mesh: string) => ({ manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'istio-system' }, data: { mesh } } });
  const articleMesh = 'extensionProviders:\n- name: otel\n  opentelemetry:\n    port: 4317\n    service: otel-collector.observability.svc.cluster.local\n';

  test('reads providers from an IstioOperator and from ConfigMap istio', () => {
    const io = { manifest: { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', spec: { meshConfig: { extensionProviders: [OTEL_MESH_CONFIG] } } } };
    expect(meshConfigProviderNames([io])).toEqual(['otel']);
    expect(meshConfigProviderNames([cm('istio', articleMesh)])).toEqual(['otel']);
  });

  test('ignores the article\'s ConfigMap istio-otel, which istiod never reads', () => {
    expect(meshConfigProviderNames([cm('istio-otel', articleMesh)])).toBeUndefined();
  });

  test('reads istio-<revision> only for a known revision', () => {
    expect(meshConfigProviderNames([cm('istio-canary', articleMesh)], ['canary'])).toEqual(['otel']);
  });

  test('a mesh config without providers gives an empty list', () => {
    expect(meshConfigProviderNames([cm('istio', 'accessLogFile: /dev/stdout\n')])).toEqual([]);
  });
});

describe('ControlPlane output folders', () => {
  test('overlay and Helm values go to control-plane/, and the outdir root holds no IstioOperator', () => {
    // GIVEN
    const { app, make, outdir } = setup(REFERENCE);
    make();
    // WHEN
    app.synth();
    // THEN
    expect(fs.readdirSync(path.join(outdir, 'control-plane')).sort()).toEqual(['control-plane.k8s.yaml', 'istiod-values.yaml']);
    const rootFiles = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml'));
    expect(rootFiles).toEqual(['app.k8s.yaml']);
    for (const f of rootFiles) {
      expect(yaml.loadAll(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d: any) => d.kind)).not.toContain('IstioOperator');
    }
    const docs = yaml.loadAll(fs.readFileSync(path.join(outdir, 'control-plane', 'control-plane.k8s.yaml'), 'utf8')) as any[];
    expect(docs.map((d) => d.kind)).toEqual(['IstioOperator']);
  });

  test('the Helm values file holds the istiod chart values and the install command', () => {
    const { app, make, outdir } = setup(REFERENCE);
    make();
    app.synth();
    const text = fs.readFileSync(path.join(outdir, 'control-plane', 'istiod-values.yaml'), 'utf8');
    expect(text).toContain(`# Install: helm install istiod istio/istiod -n istio-system -f ${outdir}/control-plane/istiod-values.yaml`);
    expect(yaml.load(text)).toEqual({
      profile: 'default',
      global: { proxy: { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } } } },
      meshConfig: { accessLogFile: '/dev/stdout', accessLogEncoding: 'JSON', extensionProviders: [OTEL_MESH_CONFIG] },
    });
  });

  test('the Helm values and the overlay carry the same meshConfig and resources', () => {
    const { cpChart, make } = setup({ ...REFERENCE, defaultProviders: { tracing: ['otel'] } });
    const cp = make();
    const io = operator(cpChart);
    const values = cp.renderHelmValues() as any;
    expect(values.meshConfig).toEqual(io.spec.meshConfig);
    expect(values.global.proxy).toEqual(io.spec.values.global.proxy);
  });

  test('a custom values file name', () => {
    const { app, make, outdir } = setup({ helmValuesFile: 'values.yml' });
    make();
    app.synth();
    expect(fs.existsSync(path.join(outdir, 'control-plane', 'values.yml'))).toBe(true);
  });

  test('synth is deterministic', () => {
    const read = () => {
      const { app, make, outdir } = setup(REFERENCE);
      make();
      app.synth();
      return ['control-plane/control-plane.k8s.yaml', 'control-plane/istiod-values.yaml']
        .map((f) => fs.readFileSync(path.join(outdir, f), 'utf8').replace(outdir, '<outdir>'));
    };
    expect(read()).toEqual(read());
  });

  test('a ControlPlane in a chart written to the outdir root fails synth, naming the chart and a fix', () => {
    // GIVEN the control plane in the app chart
    const { app, appChart, mesh, outdir } = setup();
    new ControlPlane(appChart, 'ControlPlane', { mesh });
    // WHEN / THEN
    expect(() => app.synth()).toThrow(
      /\[app\/ControlPlane\] outputDir: "" is invalid: chart app would write the IstioOperator to the app outdir root, where `kubectl apply -f` picks it up\. Hint: create it in its own chart: new MeshChart\(app, 'control-plane', \{ outputDir: 'control-plane' \}\)/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('a ControlPlane in a plain cdk8s App fails: only MeshApp writes folders and artifacts', () => {
    const chart = Testing.chart();
    const mesh = new Mesh(chart, 'Mesh');
    new ControlPlane(chart, 'ControlPlane', { mesh });
    expect(() => Testing.synth(chart)).toThrow(/would write the IstioOperator to the app outdir root/);
    expect(() => Testing.synth(chart)).toThrow(/app: "App" is invalid: the app must be a MeshApp/);
  });

  test('other objects in the control-plane chart fail synth, since istioctl takes that file', () => {
    const { app, cpChart, make } = setup();
    make();
    new ApiObject(cpChart, 'Extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-otel' } });
    expect(() => app.synth()).toThrow(/\[control-plane\/ControlPlane\] chart: \["ConfigMap\/istio-otel \(control-plane\/Extra\)"\] is invalid: the control-plane chart control-plane must hold only the IstioOperator/);
  });
});

describe('reference app (examples/main.ts)', () => {
  test('writes the corrected install settings to dist/control-plane and no IstioOperator to dist/', () => {
    // GIVEN / WHEN
    const outdir = tempDir();
    main(outdir);
    // THEN
    const io = yaml.load(fs.readFileSync(path.join(outdir, 'control-plane', 'control-plane.k8s.yaml'), 'utf8')) as any;
    const expectedMeshConfig = { accessLogFile: '/dev/stdout', accessLogEncoding: 'JSON', extensionProviders: [OTEL_MESH_CONFIG] };
    const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
    expect(io).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'control-plane', namespace: 'istio-system' },
      spec: { profile: 'default', meshConfig: expectedMeshConfig, values: { global: { proxy: { resources } } } },
    });
    const values = yaml.load(fs.readFileSync(path.join(outdir, 'control-plane', 'istiod-values.yaml'), 'utf8'));
    expect(values).toEqual({ profile: 'default', global: { proxy: { resources } }, meshConfig: expectedMeshConfig });
    for (const f of fs.readdirSync(outdir).filter((n) => n.endsWith('.yaml'))) {
      const kinds = yaml.loadAll(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d: any) => d?.kind);
      expect(kinds).not.toContain('IstioOperator');
      expect(kinds).toContain('Telemetry');
    }
  });
});
