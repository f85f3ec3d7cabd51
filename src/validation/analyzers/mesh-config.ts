/**
 * The mesh config an analysis runs with: given explicitly (`lint --mesh-config FILE`, like
 * `istioctl analyze --meshConfigFile`), else found in the set where istiod reads it
 * (src/rules/mesh-config.ts: an IstioOperator's `spec.meshConfig`, or ConfigMap `istio` /
 * `istio-<rev>` of a revision the set uses, key `mesh`, in the root namespace), else Istio's defaults.
 * An explicit or found config is merged over the defaults. Mesh networks likewise.
 */
import { list, str } from '../../manifests';
import type { IndexedObject, ManifestObject } from '../../manifests';
import {
  IstioMeshConfig, MeshConfigSource, MeshExtensionProvider, meshConfigSources, meshNetworksSource, withMeshConfigDefaults,
} from '../../rules/mesh-config';

export type { IstioMeshConfig };

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

/**
 * The mesh config found in the set ({@link meshConfigSources} in the root namespace): the first
 * IstioOperator's `spec.meshConfig`, else the first mesh ConfigMap's `mesh` (`{}` when it does not
 * parse: that is CI2603's finding, not an analyzer's). Undefined when the set holds none.
 */
export function meshConfigInSet(manifests: readonly ManifestObject[], rootNamespace?: string): IstioMeshConfig | undefined {
  const sources = meshConfigSources(manifests, { rootNamespace });
  const first: MeshConfigSource | undefined = sources.find((s) => s.field === 'spec.meshConfig') ?? sources[0];
  if (!first) return undefined;
  const mc: unknown = first.meshConfig;
  return mc && typeof mc === 'object' && !Array.isArray(mc) ? (mc as IstioMeshConfig) : {};
}

/** The effective mesh config: `explicit`, else the set's, else the defaults; mesh networks as given. */
export function resolveMeshConfig(manifests: readonly ManifestObject[], explicit?: IstioMeshConfig, networks?: MeshConfigView['networks'], rootNamespace?: string): MeshConfigView {
  const found = explicit ?? meshConfigInSet(manifests, rootNamespace);
  const config = withMeshConfigDefaults(found ?? {});
  const providerNames = new Set(list<MeshExtensionProvider>(config.extensionProviders).map((p) => str(p?.name)).filter((n): n is string => n !== undefined));
  return { config, source: explicit ? 'option' : found ? 'set' : 'default', providerNames, networks };
}

/** Mesh networks in the set ({@link meshNetworksSource}), and the ConfigMap they come from. */
export function meshNetworksInSet(manifests: readonly ManifestObject[], rootNamespace?: string): { readonly config: Readonly<Record<string, unknown>>; readonly manifest: ManifestObject } | undefined {
  const found = meshNetworksSource(manifests, { rootNamespace });
  return found?.meshConfig ? { config: found.meshConfig, manifest: found.manifest } : undefined;
}
