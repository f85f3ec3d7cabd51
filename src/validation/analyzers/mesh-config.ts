/**
 * The mesh config an analysis runs with: given explicitly (`lint --mesh-config FILE`, like
 * `istioctl analyze --meshConfigFile`), else found in the set (an IstioOperator's `spec.meshConfig`, or
 * ConfigMap `istio` / `istio-<rev>` key `mesh` in the root namespace), else Istio's defaults
 * (pkg/config/mesh/mesh.go `DefaultMeshConfig`). An explicit or found config is merged over the defaults.
 */
import * as yaml from 'js-yaml';
import { isObject, list, str, strings } from '../../manifests';
import type { IndexedObject, ManifestObject } from '../../manifests';

/** An extension provider of mesh config: its name and one provider kind (`opentelemetry`, `lightstep`...). */
export interface ExtensionProvider {
  readonly name?: string;
  readonly [kind: string]: unknown;
}

/** The mesh config fields analyzers read (`meshconfig.IstioMeshConfig`). */
export interface IstioMeshConfig {
  readonly rootNamespace?: string;
  readonly trustDomain?: string;
  readonly ingressService?: string;
  readonly ingressControllerMode?: string;
  readonly extensionProviders?: readonly ExtensionProvider[];
  readonly defaultProviders?: {
    readonly accessLogging?: readonly string[];
    readonly tracing?: readonly string[];
    readonly metrics?: readonly string[];
  };
  readonly defaultConfig?: {
    readonly proxyMetadata?: Readonly<Record<string, string>>;
    readonly image?: { readonly imageType?: string };
  };
  readonly [k: string]: unknown;
}

/** The providers istiod always has (DefaultMeshConfig): a declared provider of the same name replaces one. */
export const BUILTIN_PROVIDER_NAMES: readonly string[] = ['prometheus', 'stackdriver', 'envoy'];

/** Istio 1.30's default mesh config, as far as analyzers read it. */
export const DEFAULT_MESH_CONFIG: IstioMeshConfig = {
  rootNamespace: 'istio-system',
  trustDomain: 'cluster.local',
  ingressService: 'istio-ingressgateway',
  ingressControllerMode: 'STRICT',
  defaultProviders: {},
  extensionProviders: [
    { name: 'prometheus', prometheus: {} },
    { name: 'stackdriver', stackdriver: {} },
    { name: 'envoy', envoyFileAccessLog: { path: '/dev/stdout' } },
  ],
};

/** The effective mesh config of one analysis run. */
export interface MeshConfigView {
  /** The effective config: defaults, overlaid by the explicit or found one. */
  readonly config: IstioMeshConfig;
  /** Where it comes from. */
  readonly source: 'option' | 'set' | 'default';
  /** Every extension provider name the mesh knows (declared and built in). */
  readonly providerNames: ReadonlySet<string>;
  /** Mesh networks, when given or in the set, and the object they are reported on. */
  readonly networks?: { readonly config: Readonly<Record<string, unknown>>; readonly object: IndexedObject };
}

/** Whether a manifest is ConfigMap `istio` or `istio-<rev>`, where istiod reads mesh config. */
function isMeshConfigMap(m: ManifestObject): boolean {
  return m?.apiVersion === 'v1' && m.kind === 'ConfigMap' && /^istio(-.+)?$/.test(String(m.metadata?.name ?? ''));
}

/**
 * The mesh config found in the set: the first IstioOperator `spec.meshConfig`, or ConfigMap `istio` /
 * `istio-<rev>` (key `mesh`). Undefined when the set holds none.
 */
export function meshConfigInSet(manifests: readonly ManifestObject[]): IstioMeshConfig | undefined {
  for (const m of manifests) {
    if (m?.kind === 'IstioOperator' && String(m.apiVersion ?? '').startsWith('install.istio.io/')) {
      const mc = isObject(m.spec) ? m.spec.meshConfig : undefined;
      return isObject(mc) ? (mc as IstioMeshConfig) : {};
    }
  }
  for (const m of manifests) {
    const text = str(strings(m?.data).mesh);
    if (!isMeshConfigMap(m) || text === undefined) continue;
    try {
      const mc = yaml.load(text);
      return isObject(mc) ? (mc as IstioMeshConfig) : {};
    } catch {
      // Unparseable mesh config is CI2603's finding, not an analyzer's.
      return {};
    }
  }
  return undefined;
}

/** Merges a mesh config over Istio's defaults: fields given replace the default ones; providers merge by name. */
export function withDefaults(mc: IstioMeshConfig): IstioMeshConfig {
  const declared = list<ExtensionProvider>(mc.extensionProviders).filter(isObject);
  const names = new Set(declared.map((p) => p.name));
  const builtins = list<ExtensionProvider>(DEFAULT_MESH_CONFIG.extensionProviders).filter((p) => !names.has(p.name));
  return { ...DEFAULT_MESH_CONFIG, ...mc, extensionProviders: [...declared, ...builtins] };
}

/** The effective mesh config: `explicit`, else the set's, else the defaults; mesh networks as given. */
export function resolveMeshConfig(manifests: readonly ManifestObject[], explicit?: IstioMeshConfig, networks?: MeshConfigView['networks']): MeshConfigView {
  const found = explicit ?? meshConfigInSet(manifests);
  const config = withDefaults(found ?? {});
  const providerNames = new Set(list<ExtensionProvider>(config.extensionProviders).map((p) => str(p?.name)).filter((n): n is string => n !== undefined));
  return { config, source: explicit ? 'option' : found ? 'set' : 'default', providerNames, networks };
}

/** Mesh networks in the set: key `meshNetworks` of ConfigMap `istio` / `istio-<rev>`, and that ConfigMap. */
export function meshNetworksInSet(manifests: readonly ManifestObject[]): { readonly config: Readonly<Record<string, unknown>>; readonly manifest: ManifestObject } | undefined {
  for (const m of manifests) {
    const text = str(strings(m?.data).meshNetworks);
    if (!isMeshConfigMap(m) || text === undefined) continue;
    try {
      const mn = yaml.load(text);
      if (isObject(mn)) return { config: mn, manifest: m };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
