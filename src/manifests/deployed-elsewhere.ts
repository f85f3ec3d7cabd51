/**
 * Services deployed outside the set (`MeshService.fromAttributes`) that objects of the set declare they
 * rely on (annotation `validation.cdk8s-istio.io/deployed-elsewhere`, written by the renderer). The
 * analyzers and the simulator both add their Service and one pod template per version; stated once here.
 * The annotation is read as untrusted input: anything malformed is ignored.
 */
import { DEPLOYED_ELSEWHERE_ANNOTATION } from '../private/annotations';
import type { ManifestObject } from './types';

/** What the annotation records about one service deployed elsewhere. */
export interface DeployedElsewhere {
  readonly namespace: string;
  readonly name: string;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number; readonly targetPort: number; readonly appProtocol?: string }>;
  readonly selector: { readonly [key: string]: string };
  readonly versions: readonly string[];
  readonly serviceAccount: string;
  readonly dataPlane: 'sidecar' | 'ambient';
}

/** The annotation value for one service. */
export function deployedElsewhereAnnotation(d: DeployedElsewhere): string {
  return JSON.stringify({ namespace: d.namespace, name: d.name, ports: d.ports, selector: d.selector, versions: d.versions, serviceAccount: d.serviceAccount, dataPlane: d.dataPlane });
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 253;
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

function parse(v: unknown): DeployedElsewhere | undefined {
  if (typeof v !== 'string' || v.length > 65536) return undefined;
  let d: any;
  try {
    d = JSON.parse(v);
  } catch {
    return undefined;
  }
  if (!d || typeof d !== 'object' || !isStr(d.namespace) || !isStr(d.name) || !isStr(d.serviceAccount)) return undefined;
  if (!Array.isArray(d.ports) || d.ports.length === 0 || !d.ports.every((p: any) => p && isStr(p.name) && isPort(p.port) && isPort(p.targetPort) && (p.appProtocol === undefined || isStr(p.appProtocol)))) return undefined;
  if (!d.selector || typeof d.selector !== 'object' || Array.isArray(d.selector) || !Object.values(d.selector).every(isStr)) return undefined;
  if (!Array.isArray(d.versions) || !d.versions.every(isStr)) return undefined;
  if (d.dataPlane !== 'sidecar' && d.dataPlane !== 'ambient') return undefined;
  return d as DeployedElsewhere;
}

/**
 * The Service and per-version pod templates of the services deployed elsewhere that the set relies on,
 * leaving out any the set itself has (by kind, namespace and name).
 */
export function deployedElsewhereObjects(objects: readonly ManifestObject[]): ManifestObject[] {
  const seen = new Map<string, DeployedElsewhere>();
  for (const o of objects) {
    const d = parse(o?.metadata?.annotations?.[DEPLOYED_ELSEWHERE_ANNOTATION]);
    if (d && !seen.has(`${d.namespace}/${d.name}`)) seen.set(`${d.namespace}/${d.name}`, d);
  }
  if (seen.size === 0) return [];
  // One pass over the set for what it already has (a scan per service and version would be quadratic).
  const present = new Set(objects.map((m) => `${m?.kind}/${m?.metadata?.namespace}/${m?.metadata?.name}`));
  const has = (kind: string, namespace: string, name: string) => present.has(`${kind}/${namespace}/${name}`);
  const out: ManifestObject[] = [];
  for (const d of [...seen.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))) {
    if (!has('Service', d.namespace, d.name)) {
      out.push({
        apiVersion: 'v1', kind: 'Service', metadata: { name: d.name, namespace: d.namespace },
        spec: { selector: { ...d.selector }, ports: d.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })) },
      });
    }
    // The pods: injected in a sidecar mesh, captured by ztunnel in an ambient one.
    const dataPlane = d.dataPlane === 'ambient' ? { 'istio.io/dataplane-mode': 'ambient' } : { 'sidecar.istio.io/inject': 'true' };
    for (const v of d.versions.length > 0 ? d.versions : ['']) {
      const name = v ? `${d.name}-${v}` : d.name;
      if (has('Deployment', d.namespace, name)) continue;
      const labels = { ...d.selector, ...(v ? { version: v } : {}) };
      out.push({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: d.namespace },
        spec: {
          selector: { matchLabels: { ...labels } },
          template: {
            metadata: { labels: { ...labels, ...dataPlane } },
            spec: { serviceAccountName: d.serviceAccount, containers: [{ name: 'app', image: 'deployed-elsewhere', ports: d.ports.map((p) => ({ containerPort: p.targetPort })) }] },
          },
        },
      });
    }
  }
  return out;
}
