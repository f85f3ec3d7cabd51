import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import { Artifact, MeshApp, MeshChart } from './mesh-app';
import { fail, validationMessage } from './private/errors';
import { BOOLEAN_HINT, MESH_HINT, nameHint, onceHint } from './private/hints';
import { dns1123Label, dns1123Subdomain } from './rules/names';
import { quantity, quantityHint, quantityValue } from './rules/quantity';
import { toYaml } from './synth/yaml';
import { BUILTIN_EXTENSION_PROVIDERS } from './validation/mesh-config';
import { AccessLogEncoding } from './values/access-log';
import { IstioProfile } from './values/istio-profile';
import { OutboundTrafficPolicy } from './values/outbound-traffic-policy';
import { ProxyResources, ResourceQuantities } from './values/proxy-resources';
import { addWarning } from './warnings';
import { outputDirOf } from './private/output-dir';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { GATEWAY_SECCOMP_PROFILE } from './rules/pod-security';
import { refusedWaypointNamespaces } from './waypoint-pod-security';

/** Envoy access logging for every proxy (mesh config `accessLogFile`, `accessLogEncoding`). */
export interface AccessLogOptions {
  /**
   * Where each proxy writes its access log: an absolute path inside the proxy container.
   * @default '/dev/stdout'
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig
   */
  readonly file?: string;
  /**
   * Text or JSON lines.
   * @default AccessLogEncoding.TEXT
   */
  readonly encoding?: AccessLogEncoding;
}

/**
 * Providers used when no Telemetry resource picks one (mesh config `defaultProviders`), by name. Each
 * must be a mesh extension provider or one built into istiod (`envoy`, `prometheus`, `stackdriver`).
 * An empty list turns that kind of telemetry off by default.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-DefaultProviders
 */
export interface DefaultProvidersOptions {
  /**
   * Default tracing providers.
   * @example ['otel']
   * @default - Istio's (none)
   */
  readonly tracing?: string[];
  /**
   * Default metrics providers.
   * @default - Istio's (`prometheus`)
   */
  readonly metrics?: string[];
  /**
   * Default access logging providers.
   * @default - Istio's (none)
   */
  readonly accessLogging?: string[];
}

/** Properties of a {@link ControlPlane}. */
export interface ControlPlaneProps {
  /** The mesh whose settings and extension providers the control plane serves. */
  readonly mesh: Mesh;
  /**
   * The installation profile. Istio 1.30 has no `production` profile; `default` is the one meant for
   * production.
   * @default IstioProfile.DEFAULT
   */
  readonly profile?: IstioProfile;
  /**
   * Envoy access logs of every proxy.
   * @example { file: '/dev/stdout', encoding: AccessLogEncoding.JSON }
   * @default - access logging off (Istio's default)
   */
  readonly accessLog?: AccessLogOptions;
  /**
   * Providers used when no Telemetry resource picks one.
   * @default - Istio's defaults (metrics: prometheus)
   */
  readonly defaultProviders?: DefaultProvidersOptions;
  /**
   * Resources of every sidecar proxy (`values.global.proxy.resources`).
   * @example { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } }
   * @default - the profile's
   */
  readonly proxyResources?: ProxyResources;
  /**
   * Control-plane revision, for canary upgrades. istiod then reads mesh config from ConfigMap
   * `istio-<revision>` and namespaces opt in with the label `istio.io/rev=<revision>`.
   * @default - no revision
   */
  readonly revision?: string;
  /**
   * Container registry of the Istio images.
   * @default - the profile's (docker.io/istio)
   */
  readonly hub?: string;
  /**
   * Tag of the Istio images.
   * @default - the istioctl or chart version
   */
  readonly tag?: string;
  /**
   * Name of the IstioOperator resource.
   * @default 'control-plane'
   */
  readonly name?: string;
  /**
   * Namespace istiod is installed into.
   * @default 'istio-system'
   */
  readonly installNamespace?: string;
  /**
   * File name of the `istiod` Helm chart values, written beside the overlay.
   * @default 'istiod-values.yaml'
   */
  readonly helmValuesFile?: string;
  /**
   * What sidecars do with traffic to hosts the mesh does not know. `REGISTRY_ONLY` makes every
   * external host reachable only when declared (an {@link ExternalService}).
   * @default - Istio's default, OutboundTrafficPolicy.ALLOW_ANY
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicy;
  /**
   * Install the shared egress gateway (`istio-egressgateway` in the root namespace) with the
   * IstioOperator. The istiod Helm chart does not install gateways: with Helm, install it with the
   * `istio/gateway` chart (release `istio-egressgateway`, label `istio: egressgateway`).
   * @default false
   */
  readonly egressGateway?: boolean;
  /**
   * Install the istio-cni node agent (`components.cni.enabled` in the overlay, `pilot.cni.enabled` in
   * the istiod values; with Helm, also install the `istio/cni` chart). The mesh must say the same
   * (Mesh `istioCni`), since its namespaces' Pod Security checks depend on it; the DaemonSet's
   * namespace (the install namespace) needs Pod Security "privileged" (hostPath volumes).
   * @default - the mesh's `istioCni`
   */
  readonly istioCni?: boolean;
}

const CONTROL_PLANE_BRAND = brandSymbol('ControlPlane');

/**
 * The control-plane install configuration: the profile, mesh config (access logs, the mesh's
 * extension providers, default providers) and sidecar resources. It emits the same settings twice:
 *
 * - an `IstioOperator` overlay (`install.istio.io/v1alpha1`) for `istioctl install -f`;
 * - a values file for the `istiod` Helm chart (an {@link Artifact}), for Helm or Argo CD installs.
 *
 * Neither belongs in the folder that `kubectl apply -f` takes, so the construct must live in a
 * {@link MeshChart} with its own `outputDir` inside a {@link MeshApp}; synth fails otherwise.
 *
 * @example
 * const cpChart = new MeshChart(app, 'control-plane', { outputDir: 'control-plane' });
 * new ControlPlane(cpChart, 'ControlPlane', {
 *   mesh,
 *   accessLog: { file: '/dev/stdout', encoding: AccessLogEncoding.JSON },
 *   proxyResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
 * });
 * // dist/control-plane/control-plane.k8s.yaml  -> istioctl install -f
 * // dist/control-plane/istiod-values.yaml      -> helm install istiod istio/istiod -n istio-system -f
 */
export class ControlPlane extends Construct implements IMeshMember {
  /** Whether `x` is a ControlPlane (works across copies of this package). */
  public static isControlPlane(x: unknown): x is ControlPlane {
    return hasBrand(x, CONTROL_PLANE_BRAND);
  }

  /** `x instanceof ControlPlane`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is ControlPlane {
    return hasBrand(x, CONTROL_PLANE_BRAND);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The installation profile. */
  public readonly profile: IstioProfile;
  /** The revision, when set. */
  public readonly revision?: string;
  /** Namespace istiod is installed into. */
  public readonly installNamespace: string;
  /** The `IstioOperator` overlay. */
  public readonly istioOperator: ApiObject;
  /** The `istiod` Helm chart values file. */
  public readonly helmValues: Artifact;
  /** Whether the install includes the istio-cni node agent. */
  public readonly istioCni: boolean;

  private readonly props: ControlPlaneProps;
  private warnedEgress = false;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    addBrand(this, CONTROL_PLANE_BRAND);
    if (!Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props.mesh, 'must be a Mesh', MESH_HINT);
    this.mesh = props.mesh;
    this.props = props;

    this.profile = props.profile ?? IstioProfile.DEFAULT;
    if (!(IstioProfile.isIstioProfile(this.profile))) {
      fail(this, 'props.profile', this.profile, `must be an IstioProfile (${IstioProfile.ALL.join(', ')})`,
        String(this.profile) === 'production' ? 'Istio has no "production" profile; IstioProfile.DEFAULT is the one meant for production' : 'e.g. IstioProfile.DEFAULT');
    }
    // The data plane's node agents (ambient: ztunnel and istio-cni) come with the ambient profiles only.
    if (this.mesh.renderer.capabilities.nodeAgents.length > 0 && !this.profile.isAmbient) {
      addWarning(this, 'CI0601', `the mesh uses the ambient data plane but profile "${this.profile}" installs no ztunnel or CNI node agent; use IstioProfile.AMBIENT (or OPENSHIFT_AMBIENT), or install them separately`);
    }

    this.installNamespace = props.installNamespace ?? 'istio-system';
    const badNs = dns1123Label(this.installNamespace);
    if (badNs) fail(this, 'props.installNamespace', this.installNamespace, badNs, `${nameHint(this.installNamespace, dns1123Label, 'istio-system')}, or leave installNamespace out for "istio-system"`);
    const name = props.name ?? 'control-plane';
    const badName = dns1123Subdomain(name);
    if (badName) fail(this, 'props.name', name, badName, `${nameHint(name, dns1123Subdomain, 'control-plane')}, or leave name out for "control-plane"`);
    if (props.revision !== undefined) {
      const bad = dns1123Label(props.revision);
      if (bad) fail(this, 'props.revision', props.revision, `a revision ${bad}`, 'e.g. "1-30-3" or "canary"');
      this.revision = props.revision;
      this.mesh.model.setRevision(props.revision, this.node.path);
    }
    for (const key of ['hub', 'tag'] as const) {
      const v = props[key];
      if (v !== undefined && (typeof v !== 'string' || v.length === 0 || /\s/.test(v))) {
        fail(this, `props.${key}`, v, `an image ${key} must be a non-empty string without spaces`, `e.g. ${key === 'hub' ? '"docker.io/istio"' : '"1.30.3"'}, or leave it out for the default`);
      }
    }
    checkAccessLog(this, props.accessLog);
    checkDefaultProviders(this, props.defaultProviders);
    checkProxyResources(this, props.proxyResources);
    if (props.outboundTrafficPolicy !== undefined && !(props.outboundTrafficPolicy instanceof OutboundTrafficPolicy)) {
      fail(this, 'props.outboundTrafficPolicy', props.outboundTrafficPolicy, 'must be OutboundTrafficPolicy.REGISTRY_ONLY or ALLOW_ANY', 'use OutboundTrafficPolicy.REGISTRY_ONLY (the safe default) or OutboundTrafficPolicy.ALLOW_ANY');
    }

    // istio-cni: the Mesh states it once (its namespaces' Pod Security checks read it); the install must agree.
    const meshCni = this.mesh.model.settings.istioCni === true;
    if (props.istioCni !== undefined && typeof props.istioCni !== 'boolean') fail(this, 'props.istioCni', props.istioCni, 'must be a boolean', BOOLEAN_HINT);
    if (props.istioCni !== undefined && props.istioCni !== meshCni && this.mesh.model.settings.dataPlane === 'sidecar') {
      fail(this, 'props.istioCni', props.istioCni,
        `mesh ${this.mesh.node.path} declares istioCni: ${meshCni}, and its namespaces' Pod Security checks rely on it: the install and the mesh must agree`,
        `set istioCni: ${props.istioCni} on the Mesh (and drop it here: it follows the mesh)`);
    }
    this.istioCni = props.istioCni ?? meshCni;

    const file = props.helmValuesFile ?? 'istiod-values.yaml';
    if (typeof file !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/.test(file)) {
      fail(this, 'props.helmValuesFile', file, 'must be a plain file name ending in .yaml or .yml', 'e.g. "istiod-values.yaml"');
    }

    this.mesh.addMember(this);
    this.istioOperator = new ApiObject(this, 'Resource', {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name, namespace: this.installNamespace },
      spec: Lazy.any({ produce: () => this.renderIstioOperatorSpec() }),
    });

    const dir = outputDirOf(this);
    const valuesPath = dir ? `${dir}/${file}` : file;
    this.helmValues = new Artifact(this, 'HelmValues', {
      path: valuesPath,
      content: () => [
        `# Values for the istiod Helm chart (Istio 1.30), rendered by cdk8s-istio from ${this.node.path}.`,
        ...(this.istioCni ? [`# First: helm install istio-cni istio/cni -n ${this.installNamespace}${this.profile.isAmbient ? ` --set profile=${this.profile.value}` : ''} (the istio-cni node agent)`] : []),
        `# Install: helm install istiod istio/istiod -n ${this.installNamespace} -f ${posixJoin(appOutdir(this), valuesPath)}`,
        '',
      ].join('\n') + toYaml(this.renderHelmValues()),
    });

    this.node.addValidation({ validate: () => this.validateOutput() });
    this.node.addValidation({ validate: () => this.validateDefaultProviders() });
    this.node.addValidation({ validate: () => this.warnEgressGateway() });
  }

  /** CI0602: external services route through the egress gateway, which this install does not deploy. */
  private warnEgressGateway(): string[] {
    if (this.props.egressGateway || this.warnedEgress) return [];
    const routed = this.mesh.model.externalServices.filter((es) => es.egressGateway);
    if (routed.length === 0) return [];
    this.warnedEgress = true;
    addWarning(this, 'CI0602', `external services ${routed.map((es) => `${es.namespace}/${es.name}`).join(', ')} route through the egress gateway, but this install does not deploy it; set egressGateway: true (or install the istio/gateway chart as istio-egressgateway)`);
    return [];
  }

  /** The sidecar proxy resources set here, when set (read by the mesh report). */
  public get proxyResources(): ProxyResources | undefined {
    return this.props.proxyResources;
  }

  /** The mesh config both outputs carry (`spec.meshConfig` and the chart's `meshConfig`). */
  public renderMeshConfig(): Record<string, unknown> {
    const mc: Record<string, unknown> = {};
    const log = this.props.accessLog;
    if (log) {
      mc.accessLogFile = log.file ?? '/dev/stdout';
      mc.accessLogEncoding = (log.encoding ?? AccessLogEncoding.TEXT).value;
    }
    const dp = this.props.defaultProviders;
    if (dp) {
      const out: Record<string, string[]> = {};
      if (dp.accessLogging) out.accessLogging = [...dp.accessLogging];
      if (dp.metrics) out.metrics = [...dp.metrics];
      if (dp.tracing) out.tracing = [...dp.tracing];
      if (Object.keys(out).length > 0) mc.defaultProviders = out;
    }
    const providers = this.mesh.extensionProviders.map((p) => p.toIntent().meshConfig);
    if (providers.length > 0) mc.extensionProviders = providers;
    // Only non-default values, so the overlay says exactly what differs from Istio's defaults.
    if (this.props.outboundTrafficPolicy) mc.outboundTrafficPolicy = { mode: this.props.outboundTrafficPolicy.value };
    if (this.mesh.rootNamespace !== 'istio-system') mc.rootNamespace = this.mesh.rootNamespace;
    if (this.mesh.trustDomain !== 'cluster.local') mc.trustDomain = this.mesh.trustDomain;
    return mc;
  }

  /** The `IstioOperator` spec. */
  public renderIstioOperatorSpec(): Record<string, unknown> {
    const spec: Record<string, unknown> = { profile: this.profile.value };
    if (this.revision) spec.revision = this.revision;
    if (this.props.hub) spec.hub = this.props.hub;
    if (this.props.tag) spec.tag = this.props.tag;
    const mc = this.renderMeshConfig();
    if (Object.keys(mc).length > 0) spec.meshConfig = mc;
    if (this.props.egressGateway) spec.components = { egressGateways: [{ name: 'istio-egressgateway', enabled: true }] };
    // istioctl copies components.cni.enabled into values.pilot.cni.enabled (operator/pkg/render/manifest.go).
    if (this.istioCni) spec.components = { ...(spec.components as object | undefined), cni: { enabled: true } };
    const resources = renderResources(this.props.proxyResources);
    const values: Record<string, unknown> = {};
    if (resources) values.global = { proxy: { resources } };
    const gateways = this.renderGatewaysValues();
    if (gateways) values.gateways = gateways;
    if (Object.keys(values).length > 0) spec.values = values;
    return spec;
  }

  /** The `istiod` Helm chart values. */
  public renderHelmValues(): Record<string, unknown> {
    const values: Record<string, unknown> = { profile: this.profile.value };
    if (this.revision) values.revision = this.revision;
    const global: Record<string, unknown> = {};
    if (this.props.hub) global.hub = this.props.hub;
    if (this.props.tag) global.tag = this.props.tag;
    const resources = renderResources(this.props.proxyResources);
    if (resources) global.proxy = { resources };
    if (Object.keys(global).length > 0) values.global = global;
    const mc = this.renderMeshConfig();
    if (Object.keys(mc).length > 0) values.meshConfig = mc;
    if (this.istioCni) values.pilot = { cni: { enabled: true } };
    const gateways = this.renderGatewaysValues();
    if (gateways) values.gateways = gateways;
    return values;
  }

  /**
   * `values.gateways` (overlay and Helm values alike): a seccomp profile for the gateways istiod
   * templates, when a namespace of the mesh gets a waypoint and enforces Pod Security "restricted":
   * Istio 1.30's waypoint template sets one only from `gateways.seccompProfile` (empty by default),
   * and the API server would refuse the waypoint pods without it.
   */
  private renderGatewaysValues(): Record<string, unknown> | undefined {
    return refusedWaypointNamespaces(this.mesh).length > 0 ? { seccompProfile: { ...GATEWAY_SECCOMP_PROFILE } } : undefined;
  }

  private validateOutput(): string[] {
    const errors: string[] = [];
    const chart = Chart.of(this);
    const hint = "create it in its own chart: new MeshChart(app, 'control-plane', { outputDir: 'control-plane' })";
    if (outputDirOf(this) === '') {
      errors.push(validationMessage('outputDir', '',
        `chart ${chart.node.path} would write the IstioOperator to the app outdir root, where \`kubectl apply -f\` picks it up`, hint));
    }
    if (!(MeshApp.isMeshApp(this.node.root))) {
      errors.push(validationMessage('app', this.node.root.constructor.name,
        'the app must be a MeshApp: only MeshApp writes charts to their outputDir and writes the Helm values file', 'new MeshApp({ outdir })'));
    }
    const others = chart.node.findAll()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && c !== this.istioOperator && Chart.of(c) === chart);
    if (others.length > 0) {
      errors.push(validationMessage('chart', others.map((o) => `${o.kind}/${o.name} (${o.node.path})`),
        `the control-plane chart ${chart.node.path} must hold only the IstioOperator, since \`istioctl install -f\` takes its file`, 'move the other objects to the app chart'));
    }
    return errors;
  }

  private validateDefaultProviders(): string[] {
    const dp = this.props.defaultProviders;
    if (!dp) return [];
    const declared = this.mesh.extensionProviders.map((p) => p.name);
    const known = new Set([...declared, ...BUILTIN_EXTENSION_PROVIDERS]);
    const errors: string[] = [];
    for (const kind of ['tracing', 'metrics', 'accessLogging'] as const) {
      (dp[kind] ?? []).forEach((n, i) => {
        if (!known.has(n)) {
          errors.push(validationMessage(`props.defaultProviders.${kind}[${i}]`, n,
            `it names no extension provider of mesh ${this.mesh.node.path} (declared: ${declared.map((d) => JSON.stringify(d)).join(', ') || 'none'}; built in: ${BUILTIN_EXTENSION_PROVIDERS.map((b) => JSON.stringify(b)).join(', ')})`,
            'declare it with Mesh props.extensionProviders or mesh.addExtensionProvider()'));
        }
      });
    }
    return errors;
  }
}

function appOutdir(c: Construct): string {
  const root = c.node.root as { outdir?: unknown };
  return typeof root.outdir === 'string' ? root.outdir : 'dist';
}

function posixJoin(dir: string, file: string): string {
  return dir === '' || dir === '.' ? file : `${dir.replace(/[\\/]+$/, '')}/${file}`;
}

function checkAccessLog(scope: Construct, log: AccessLogOptions | undefined): void {
  if (log === undefined) return;
  if (log.file !== undefined && (typeof log.file !== 'string' || !log.file.startsWith('/') || /\s/.test(log.file))) {
    fail(scope, 'props.accessLog.file', log.file, 'an access log file must be an absolute path without spaces inside the proxy container',
      log.file === '' ? 'omit accessLog to turn access logging off' : 'e.g. "/dev/stdout"');
  }
  if (log.encoding !== undefined && !(AccessLogEncoding.isAccessLogEncoding(log.encoding))) {
    fail(scope, 'props.accessLog.encoding', log.encoding, 'must be AccessLogEncoding.TEXT or AccessLogEncoding.JSON', 'use AccessLogEncoding.JSON or AccessLogEncoding.TEXT');
  }
}

function checkDefaultProviders(scope: Construct, dp: DefaultProvidersOptions | undefined): void {
  if (dp === undefined) return;
  for (const kind of ['tracing', 'metrics', 'accessLogging'] as const) {
    const names = dp[kind];
    if (names === undefined) continue;
    if (!Array.isArray(names)) fail(scope, `props.defaultProviders.${kind}`, names, 'must be a list of provider names', `e.g. ${kind}: ['otel']`);
    names.forEach((n, i) => {
      if (typeof n !== 'string' || n.length === 0) fail(scope, `props.defaultProviders.${kind}[${i}]`, n, 'a provider name must be a non-empty string', "name an extension provider of the mesh, e.g. 'otel'");
      if (names.indexOf(n) !== i) fail(scope, `props.defaultProviders.${kind}[${i}]`, n, 'provider names must be unique', onceHint('provider'));
    });
  }
}

function checkProxyResources(scope: Construct, r: ProxyResources | undefined): void {
  if (r === undefined) return;
  for (const part of ['requests', 'limits'] as const) {
    const q = r[part];
    if (q === undefined) continue;
    for (const res of ['cpu', 'memory'] as const) {
      const v = q[res];
      if (v === undefined) continue;
      const bad = quantity(v);
      if (bad) fail(scope, `props.proxyResources.${part}.${res}`, v, `a ${res} quantity ${bad}`, quantityHint(v) ?? (res === 'cpu' ? 'e.g. "100m" (0.1 CPU)' : 'e.g. "128Mi"'));
    }
  }
  for (const res of ['cpu', 'memory'] as const) {
    const req = r.requests?.[res];
    const lim = r.limits?.[res];
    if (req !== undefined && lim !== undefined && quantityValue(req) > quantityValue(lim)) {
      fail(scope, `props.proxyResources.requests.${res}`, req, `a request must not exceed its limit (${lim})`, `lower the request to at most ${lim}, or raise the limit`);
    }
  }
}

function renderResources(r: ProxyResources | undefined): Record<string, unknown> | undefined {
  if (!r) return undefined;
  const out: Record<string, unknown> = {};
  const part = (q: ResourceQuantities | undefined) => {
    if (!q) return undefined;
    const o: Record<string, string> = {};
    if (q.cpu !== undefined) o.cpu = q.cpu;
    if (q.memory !== undefined) o.memory = q.memory;
    return Object.keys(o).length > 0 ? o : undefined;
  };
  const limits = part(r.limits);
  const requests = part(r.requests);
  if (limits) out.limits = limits;
  if (requests) out.requests = requests;
  return Object.keys(out).length > 0 ? out : undefined;
}
