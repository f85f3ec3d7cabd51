/**
 * Multi-cluster analyzers (pkg/config/analysis/analyzers/multicluster/).
 */
import { isObject, list, str, strings } from '../../manifests';
import type { Analyzer } from './context';
import { q } from './util';

/** Service registries istiod knows without remote secrets (pilot/pkg/serviceregistry/provider). */
const BUILTIN_REGISTRIES = ['Mock', 'Kubernetes', 'External'];

/**
 * IST0126: a mesh networks endpoint `fromRegistry` that is neither a built-in registry nor a cluster of
 * a remote secret (Secret labelled `istio/multiCluster=true`, one cluster per data key).
 */
export const meshNetworksAnalyzer: Analyzer = {
  name: 'multicluster.MeshNetworksAnalyzer',
  codes: ['IST0126'],
  source: 'pkg/config/analysis/analyzers/multicluster/meshnetworks.go',
  analyze(ctx) {
    const mn = ctx.mesh.networks;
    if (!mn) return;
    const registries = new Set(BUILTIN_REGISTRIES);
    for (const s of ctx.index.ofKind('Secret', '')) {
      if (strings(s.metadata.labels)['istio/multiCluster'] === 'true') for (const k of Object.keys(strings(s.manifest.data))) registries.add(k);
    }
    const networks = isObject(mn.config.networks) ? mn.config.networks : {};
    for (const name of Object.keys(networks).sort()) {
      const n = networks[name];
      list(isObject(n) ? n.endpoints : undefined).forEach((e, j) => {
        const from = isObject(e) ? str(e.fromRegistry) : undefined;
        if (from === undefined || registries.has(from)) return;
        ctx.report(mn.object, 'IST0126', `networks.${name}.endpoints[${j}].fromRegistry: ${q(from)} is not a known service registry (${[...registries].join(', ')}, or a cluster of a remote secret)`);
      });
    }
  },
};
