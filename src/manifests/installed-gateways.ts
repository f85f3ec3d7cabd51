/**
 * Gateways Istio's install provides outside a deployable set, which objects of the set declare they
 * rely on (annotation `validation.cdk8s-istio.io/installed-gateways`, written by the egress renderer).
 * The analyzers and the simulator both add their Pod and Service, as `istioctl analyze` adds the
 * ingress gateway in file mode (pkg/config/analysis/local/defaults.go); stated once here.
 */
import { INSTALLED_GATEWAYS_ANNOTATION } from '../private/annotations';
import type { ManifestObject } from './types';

/** The installed gateways (Service names) the objects of a set declare they rely on. */
export function installedGatewaysOf(objects: readonly ManifestObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    const v = o?.metadata?.annotations?.[INSTALLED_GATEWAYS_ANNOTATION];
    if (typeof v === 'string') for (const name of v.split(',')) if (name.trim()) out.add(name.trim());
  }
  return out;
}

/**
 * The Pod and Service of the installed gateways the set relies on, in the root namespace, leaving out
 * any the set itself has. Known: `istio-egressgateway`, as Istio's gateway chart installs it with the
 * egress values (label `istio: egressgateway`, ports 80 → 8080 and 443 → 8443) with its proxy container.
 */
export function installedGatewayObjects(objects: readonly ManifestObject[], rootNamespace: string): ManifestObject[] {
  if (!installedGatewaysOf(objects).has('istio-egressgateway')) return [];
  const tcp = (name: string, port: number, targetPort: number) => ({ name, port, protocol: 'TCP', targetPort });
  const labels = { app: 'istio-egressgateway', istio: 'egressgateway' };
  const wanted: ManifestObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'istio-egressgateway-dummypod', namespace: rootNamespace, labels }, spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' }] } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-egressgateway', namespace: rootNamespace },
      spec: { ports: [tcp('http2', 80, 8080), tcp('https', 443, 8443)], selector: { istio: 'egressgateway' } },
    },
  ];
  return wanted.filter((d) => !objects.some((m) => m?.kind === d.kind && m.metadata?.name === d.metadata?.name && m.metadata?.namespace === rootNamespace));
}
