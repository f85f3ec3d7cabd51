/**
 * Mesh config as it appears in manifests (istio-rules.md §5): an `IstioOperator` install overlay
 * (`spec.profile`, `spec.meshConfig`) or the ConfigMap `istio` / `istio-<rev>` (key `mesh`).
 * The construct side has its own checks (src/validation/mesh-config.ts, another issue); these run
 * over any manifests, hand-written ones included. Codes CI26xx.
 */
import { parseYaml } from '../io/yaml';
import { extensionProviderService, isMeshConfigMap } from '../rules/mesh-config';
import { port } from '../rules/ports';
import { RawFinding } from './report';

/** The installation profiles Istio 1.30 ships. */
export const ISTIO_PROFILES = ['default', 'demo', 'minimal', 'stable', 'preview', 'ambient', 'empty', 'remote', 'openshift', 'openshift-ambient'];

const q = (v: unknown) => JSON.stringify(v);

/** Checks an IstioOperator or an `istio` mesh ConfigMap; other objects produce nothing. */
export function checkMeshConfigManifest(m: any): RawFinding[] {
  const out: RawFinding[] = [];
  const group = typeof m.apiVersion === 'string' ? m.apiVersion.split('/')[0] : '';
  if (m.kind === 'IstioOperator' && group === 'install.istio.io') {
    const profile = m.spec?.profile;
    if (profile !== undefined && !ISTIO_PROFILES.includes(profile)) {
      out.push({ code: 'CI2601', level: 'error', message: `spec.profile: ${q(profile)} is not an Istio 1.30 profile: use one of ${ISTIO_PROFILES.join(', ')}` });
    }
    meshConfig(m.spec?.meshConfig, 'spec.meshConfig', out);
  } else if (isMeshConfigMap(m, revisionOf(m.metadata?.name), m.metadata?.namespace)) {
    let mc: any;
    try {
      mc = parseYaml(String(m.data.mesh));
    } catch (e) {
      out.push({ code: 'CI2603', level: 'error', message: `data.mesh: is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
      return out;
    }
    meshConfig(mc, 'data.mesh', out);
  }
  return out;
}

function meshConfig(mc: any, path: string, out: RawFinding[]): void {
  if (!mc || typeof mc !== 'object') return;
  const names = new Set<string>();
  (Array.isArray(mc.extensionProviders) ? mc.extensionProviders : []).forEach((p: any, i: number) => {
    const pp = `${path}.extensionProviders[${i}]`;
    if (typeof p?.name !== 'string' || p.name === '') out.push({ code: 'CI2602', level: 'error', message: `${pp}.name: a provider needs a non-empty name` });
    else if (names.has(p.name)) out.push({ code: 'CI2602', level: 'error', message: `${pp}.name: duplicate provider name ${q(p.name)}` });
    else names.add(p.name);
    for (const [kind, cfg] of Object.entries<any>(p ?? {})) {
      if (kind === 'name' || !cfg || typeof cfg !== 'object') continue;
      const badService = cfg.service !== undefined ? extensionProviderService(cfg.service) : undefined;
      if (badService) out.push({ code: 'CI2602', level: 'error', message: `${pp}.${kind}.service: ${q(cfg.service)} is invalid: ${badService}` });
      const badPort = cfg.port !== undefined ? port(cfg.port) : undefined;
      if (badPort) out.push({ code: 'CI2602', level: 'error', message: `${pp}.${kind}.port: ${q(cfg.port)} is invalid: ${badPort}` });
    }
  });
}

/**
 * Checked one object at a time, a ConfigMap `istio-<x>` may be the mesh config of revision `x`;
 * whether any workload uses that revision is a cross-object question (see rules/mesh-config.ts).
 */
function revisionOf(name: unknown): string[] {
  return typeof name === 'string' && name.startsWith('istio-') ? [name.slice('istio-'.length)] : [];
}
