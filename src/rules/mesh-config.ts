/**
 * Where istiod reads mesh config from, and the extension-provider rules.
 *
 * istiod reads mesh config only from the ConfigMap `istio` (or `istio-<revision>` for a revisioned
 * control plane), key `mesh`, in its own namespace, which the install writes from IstioOperator
 * `spec.meshConfig`. Any other ConfigMap, such as the article's `istio-otel`, is never read.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/mesh/kubemesh/watcher.go
 */
import * as yaml from 'js-yaml';
import { fqdn, namespaceSlashHost } from './names';
import { ipAddress } from './ip';

/**
 * Extension providers istiod always has, even when mesh config declares none: `prometheus`
 * (metrics), `stackdriver` and `envoy` (file access log to /dev/stdout).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/mesh/mesh.go (DefaultMeshConfig)
 */
export const BUILTIN_EXTENSION_PROVIDERS: readonly string[] = ['envoy', 'prometheus', 'stackdriver'];

/** The default mesh root namespace, where istiod and its mesh ConfigMap live. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** A mesh config found in a set of manifests. */
export interface MeshConfigSource {
  /** The manifest that holds it. */
  readonly manifest: any;
  /** Field path of the mesh config inside the manifest (`spec.meshConfig` or `data.mesh`). */
  readonly field: string;
  /** The parsed mesh config, or undefined when `data.mesh` does not parse. */
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
 * Whether istiod reads mesh config from this ConfigMap: named `istio` or `istio-<revision>` for one
 * of `revisions`, in the root namespace (or without a namespace, when linting bare YAML), with a
 * string key `mesh`.
 */
export function isMeshConfigMap(m: any, revisions: readonly string[] = [], rootNamespace = DEFAULT_ROOT_NAMESPACE): boolean {
  if (m?.kind !== 'ConfigMap' || m.apiVersion !== 'v1' || typeof m.data?.mesh !== 'string') return false;
  const ns = m.metadata?.namespace;
  if (ns !== undefined && ns !== rootNamespace) return false;
  const name = m.metadata?.name;
  return name === 'istio' || revisions.some((r) => name === `istio-${r}`);
}

/**
 * Every mesh config of a set that istiod would read: IstioOperator `spec.meshConfig` and the mesh
 * ConfigMaps ({@link isMeshConfigMap}) of the revisions the set uses (`revisions`, default
 * {@link meshRevisions} of the set).
 */
export function meshConfigSources(manifests: readonly any[], options: { revisions?: readonly string[]; rootNamespace?: string } = {}): MeshConfigSource[] {
  const revisions = options.revisions ?? meshRevisions(manifests);
  const out: MeshConfigSource[] = [];
  for (const m of manifests) {
    if (isIstioOperator(m)) out.push({ manifest: m, field: 'spec.meshConfig', meshConfig: m.spec?.meshConfig ?? {} });
    else if (isMeshConfigMap(m, revisions, options.rootNamespace)) {
      let mc: any;
      try {
        mc = yaml.load(m.data.mesh) ?? {};
      } catch {
        mc = undefined;
      }
      out.push({ manifest: m, field: 'data.mesh', meshConfig: mc });
    }
  }
  return out;
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
