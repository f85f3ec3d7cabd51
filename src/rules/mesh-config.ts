/**
 * Where mesh config and mesh networks are read from, Istio's default mesh config, and the
 * extension-provider rules.
 *
 * istiod reads both from one ConfigMap in its own namespace: `istio`, or `istio-<revision>` for a
 * revisioned control plane (pilot/pkg/bootstrap/mesh.go `getMeshConfigMapName`), keys `mesh` and
 * `meshNetworks` (pkg/config/mesh/kubemesh); the install writes it from IstioOperator
 * `spec.meshConfig`. `istioctl analyze` on a cluster reads the same ConfigMap of the default revision
 * only: `istio` in the Istio namespace (pkg/config/analysis/local: `meshConfigMapName = "istio"`).
 * Any other ConfigMap, such as the article's `istio-otel`, is never read.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/mesh/kubemesh/watcher.go
 */
import { parseYaml } from '../io/yaml';
import { fqdn, namespaceSlashHost } from './names';
import { ipAddress } from './ip';

/** An extension provider of mesh config: its name and one provider kind (`opentelemetry`, `lightstep`...). */
export interface MeshExtensionProvider {
  readonly name?: string;
  readonly [kind: string]: unknown;
}

/** The mesh config fields the checks read (`meshconfig.MeshConfig`), as YAML gives them. */
export interface IstioMeshConfig {
  readonly rootNamespace?: string;
  readonly trustDomain?: string;
  readonly ingressService?: string;
  readonly ingressControllerMode?: string;
  readonly extensionProviders?: readonly MeshExtensionProvider[];
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

/** The default mesh root namespace, where istiod and its mesh ConfigMap live. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** The default trust domain of workload principals (`DefaultMeshConfig`: `cluster.local`). */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/**
 * Istio 1.30's default mesh config, as far as the checks read it (pkg/config/mesh/mesh.go
 * `DefaultMeshConfig`): among others the extension providers istiod always has, `prometheus`
 * (metrics), `stackdriver` and `envoy` (file access log to /dev/stdout).
 */
export const DEFAULT_MESH_CONFIG: IstioMeshConfig = {
  rootNamespace: DEFAULT_ROOT_NAMESPACE,
  trustDomain: DEFAULT_TRUST_DOMAIN,
  ingressService: 'istio-ingressgateway',
  ingressControllerMode: 'STRICT',
  defaultProviders: {},
  extensionProviders: [
    { name: 'prometheus', prometheus: {} },
    { name: 'stackdriver', stackdriver: {} },
    { name: 'envoy', envoyFileAccessLog: { path: '/dev/stdout' } },
  ],
};

/** The names of the extension providers istiod always has ({@link DEFAULT_MESH_CONFIG}), sorted. */
export const BUILTIN_EXTENSION_PROVIDERS: readonly string[] = (DEFAULT_MESH_CONFIG.extensionProviders ?? []).map((p) => String(p.name)).sort();

/**
 * A mesh config merged over Istio's defaults (`ApplyMeshConfigDefaults`): fields given replace the
 * default ones; extension providers merge by name (a declared one replaces a built-in one).
 */
export function withMeshConfigDefaults(mc: IstioMeshConfig): IstioMeshConfig {
  const declared = (Array.isArray(mc.extensionProviders) ? mc.extensionProviders : []).filter((p): p is MeshExtensionProvider => typeof p === 'object' && p !== null);
  const names = new Set(declared.map((p) => p.name));
  const builtins = (DEFAULT_MESH_CONFIG.extensionProviders ?? []).filter((p) => !names.has(p.name));
  return { ...DEFAULT_MESH_CONFIG, ...mc, extensionProviders: [...declared, ...builtins] };
}

/** A mesh config (or mesh networks) found in a set of manifests. */
export interface MeshConfigSource {
  /** The manifest that holds it. */
  readonly manifest: any;
  /** Field path inside the manifest (`spec.meshConfig`, `data.mesh` or `data.meshNetworks`). */
  readonly field: string;
  /** The parsed value (a mapping), or undefined when the embedded YAML does not parse or is no mapping. */
  readonly meshConfig: any;
}

function isIstioOperator(m: any): boolean {
  return m?.kind === 'IstioOperator' && typeof m.apiVersion === 'string' && m.apiVersion.startsWith('install.istio.io/');
}

/**
 * The control-plane revisions a set of manifests uses: IstioOperator `spec.revision`, and the
 * `istio.io/rev` label of namespaces and pod templates.
 */
export function meshRevisions(manifests: readonly any[]): string[] {
  const revs = new Set<string>();
  for (const m of manifests) {
    if (!m || typeof m !== 'object') continue;
    if (isIstioOperator(m) && typeof m.spec?.revision === 'string' && m.spec.revision) revs.add(m.spec.revision);
    const label = m.metadata?.labels?.['istio.io/rev'] ?? m.spec?.template?.metadata?.labels?.['istio.io/rev'];
    if (typeof label === 'string' && label && label !== 'default') revs.add(label);
  }
  return [...revs].sort();
}

/**
 * Whether istiod reads mesh config (and mesh networks) from this ConfigMap: named `istio`, or
 * `istio-<revision>` for one of `revisions` (`getMeshConfigMapName`), in the root namespace (or without
 * a namespace, when linting bare YAML), with a string key `key`. `istioctl analyze` reads the
 * default revision's only: pass no revisions.
 */
export function isMeshConfigMap(m: any, revisions: readonly string[] = [], rootNamespace = DEFAULT_ROOT_NAMESPACE, key: 'mesh' | 'meshNetworks' = 'mesh'): boolean {
  if (m?.kind !== 'ConfigMap' || m.apiVersion !== 'v1' || typeof m.data?.[key] !== 'string') return false;
  const ns = m.metadata?.namespace;
  if (ns !== undefined && ns !== rootNamespace) return false;
  const name = m.metadata?.name;
  return name === 'istio' || revisions.some((r) => r !== '' && r !== 'default' && name === `istio-${r}`);
}

/**
 * Embedded YAML (a ConfigMap's `data.mesh`, an annotation) read with the package's limited reader
 * (src/io/yaml.ts). A mapping, `{}` for an empty document, or undefined when it does not parse or
 * is not a mapping.
 */
export function parseEmbeddedYaml(text: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch {
    return undefined;
  }
  if (v === null || v === undefined) return {};
  return typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Options of {@link meshConfigSources}. */
export interface MeshConfigSourceOptions {
  /** Revisions whose `istio-<revision>` ConfigMap counts. @default - {@link meshRevisions} of the set */
  readonly revisions?: readonly string[];
  /** The namespace of istiod and its ConfigMap. @default 'istio-system' */
  readonly rootNamespace?: string;
}

/**
 * Every mesh config of a set that istiod would read: IstioOperator `spec.meshConfig` and the mesh
 * ConfigMaps ({@link isMeshConfigMap}) of `revisions`, in manifest order.
 */
export function meshConfigSources(manifests: readonly any[], options: MeshConfigSourceOptions = {}): MeshConfigSource[] {
  const revisions = options.revisions ?? meshRevisions(manifests);
  const out: MeshConfigSource[] = [];
  for (const m of manifests) {
    if (isIstioOperator(m)) out.push({ manifest: m, field: 'spec.meshConfig', meshConfig: m.spec?.meshConfig ?? {} });
    else if (isMeshConfigMap(m, revisions, options.rootNamespace)) out.push({ manifest: m, field: 'data.mesh', meshConfig: parseEmbeddedYaml(m.data.mesh) });
  }
  return out;
}

/** The mesh networks of a set: key `meshNetworks` of the first mesh ConfigMap ({@link isMeshConfigMap}) that has it. */
export function meshNetworksSource(manifests: readonly any[], options: MeshConfigSourceOptions = {}): MeshConfigSource | undefined {
  const revisions = options.revisions ?? meshRevisions(manifests);
  const m = manifests.find((x) => isMeshConfigMap(x, revisions, options.rootNamespace, 'meshNetworks'));
  return m ? { manifest: m, field: 'data.meshNetworks', meshConfig: parseEmbeddedYaml(m.data.meshNetworks) } : undefined;
}

/**
 * The extension provider names a set of manifests declares in mesh config ({@link meshConfigSources}),
 * or undefined when the set holds no mesh config at all. `revisions` names the revisions whose
 * `istio-<revision>` ConfigMap counts (default: none beyond `istio`).
 */
export function meshConfigProviderNames(manifests: readonly { readonly manifest: any }[], revisions: readonly string[] = []): string[] | undefined {
  const sources = meshConfigSources(manifests.map((m) => m.manifest), { revisions });
  if (sources.length === 0) return undefined;
  const names: string[] = [];
  for (const s of sources) {
    for (const p of Array.isArray(s.meshConfig?.extensionProviders) ? s.meshConfig.extensionProviders : []) {
      if (typeof p?.name === 'string' && !names.includes(p.name)) names.push(p.name);
    }
  }
  return names;
}

/**
 * Istio's `validateExtensionProviderService` (an FQDN, an IP address, or `namespace/host` with a
 * fully qualified host), plus what makes a provider resolvable: istiod looks the host up in its
 * registry, whose names are lowercase FQDNs, so the host is lowercase and has a dot.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/agent/extensionprovider.go
 */
export function extensionProviderService(v: unknown): string | undefined {
  const rule = 'a provider service must be a fully qualified host name (svc.ns.svc.cluster.local) or ns/host';
  if (typeof v !== 'string' || v === '' || v !== v.toLowerCase()) return rule;
  if (v.split('/').length === 1) {
    if (ipAddress(v) === undefined) return undefined;
    return fqdn(v) || !v.includes('.') ? rule : undefined;
  }
  return namespaceSlashHost(v, false) ? rule : undefined;
}
