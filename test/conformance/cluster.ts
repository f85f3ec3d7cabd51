/**
 * The cluster a deployable set is applied to, as extra objects for Istio's analyzers.
 *
 * Istio's analyzers read a file set as a snapshot of a cluster: they select workloads by their Pods
 * (destinationrule.PodNotSelectedAnalyzer, sidecar/authz selector analyzers...) and expect the
 * namespaces policies name to exist. A set of manifests has Deployments, not Pods, and does not
 * carry Istio's own namespace. After `kubectl apply` on a cluster with Istio installed there would
 * be:
 * - the namespace `istio-system`, where Istio runs;
 * - one Pod per workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job), with the pod
 *   template's labels, annotations and spec, as the workload controllers create them; in a namespace
 *   labelled for sidecar injection (and unless the pod opts out or uses the host network), the
 *   sidecar injector adds the `istio-proxy` container (the only part of an injected Pod an analyzer
 *   reads is that container's name and image: injection.Analyzer, injection.ImageAnalyzer); in a
 *   namespace labelled `istio.io/dataplane-mode: ambient`, the istio-cni node agent annotates the Pod
 *   `ambient.istio.io/redirection: enabled` (what util.PodInAmbientMode reads);
 * - for each cert-manager Certificate, the Secret cert-manager issues into its namespace;
 * - the Istio gateways the objects declare they rely on (annotation
 *   `validation.cdk8s-istio.io/installed-gateways`, e.g. the shared egress gateway), Pod and Service;
 * - the namespaces of the callers the app declares as running outside the set (ExternalIdentity, the
 *   annotation `validation.cdk8s-istio.io/external-principals`, e.g. Flagger's load tester in `test`):
 *   they exist in the cluster, or the allow rule would name nobody.
 *
 * Our lint is never given these objects: it reads Deployments as workloads itself.
 */

import { execFileSync } from 'child_process';
import { installedGatewayObjects } from '../../src/manifests';
import { EXTERNAL_PRINCIPALS_ANNOTATION } from '../../src/private/annotations';
import { parseSpiffePrincipal } from '../../src/rules/spiffe';

/** The proxy image Istio 1.30.3's default injection template uses (hub docker.io/istio, tag 1.30.3). */
export const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.30.3';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

function injected(nsObject: any | undefined, pod: any): boolean {
  const labels = nsObject?.metadata?.labels ?? {};
  const nsInjected = labels['istio-injection'] === 'enabled' || (labels['istio.io/rev'] !== undefined && labels['istio-injection'] === undefined);
  if (!nsInjected || labels['istio.io/dataplane-mode'] === 'ambient') return false;
  const optOut = pod.metadata?.labels?.['sidecar.istio.io/inject'] ?? pod.metadata?.annotations?.['sidecar.istio.io/inject'];
  if (String(optOut).toLowerCase() === 'false') return false;
  return pod.spec?.hostNetwork !== true;
}

/** The objects the cluster adds to `objects` once they are applied (see the file comment). */
export function clusterContext(objects: readonly any[]): any[] {
  const namespaces = new Map<string, any>();
  for (const o of objects) if (o?.kind === 'Namespace' && o.metadata?.name) namespaces.set(o.metadata.name, o);
  const out: any[] = [];
  if (!namespaces.has('istio-system')) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
  for (const o of objects) {
    if (!WORKLOAD_KINDS.has(o?.kind) || !o.spec?.template) continue;
    const namespace = o.metadata?.namespace ?? 'default';
    const template = o.spec.template;
    const pod: any = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${o.metadata.name}-0`,
        namespace,
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      },
      spec: JSON.parse(JSON.stringify(template.spec ?? {})),
    };
    const nsLabels = namespaces.get(namespace)?.metadata?.labels ?? {};
    const podMode = pod.metadata.labels?.['istio.io/dataplane-mode'];
    if ((nsLabels['istio.io/dataplane-mode'] === 'ambient' && podMode !== 'none') || podMode === 'ambient') {
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), 'ambient.istio.io/redirection': 'enabled' };
    } else if (injected(namespaces.get(namespace), pod)) {
      pod.spec.containers = [...(pod.spec.containers ?? []), { name: 'istio-proxy', image: PROXY_IMAGE }];
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' };
    }
    out.push(pod);
  }
  // cert-manager issues each Certificate's Secret (kubernetes.io/tls, in the Certificate's namespace)
  // with a current certificate for its dnsNames: here a self-signed one, valid for two days.
  for (const o of objects) {
    if (o?.kind !== 'Certificate' || o.apiVersion !== 'cert-manager.io/v1' || typeof o.spec?.secretName !== 'string') continue;
    out.push(issuedSecret(o.metadata?.namespace ?? 'default', o.spec.secretName, o.spec.dnsNames ?? []));
  }
  // Gateways Istio's install provides, which objects of the set declare they rely on (the library's
  // annotation; e.g. dist/edge/control-plane/ installs istio-egressgateway): their Pod and Service.
  out.push(...installedGatewayObjects(objects, 'istio-system'));
  // Declared external callers' namespaces (sorted, each once, only those the set does not create).
  const external = new Set<string>();
  for (const o of objects) {
    const declared = o?.metadata?.annotations?.[EXTERNAL_PRINCIPALS_ANNOTATION];
    if (typeof declared !== 'string') continue;
    for (const p of declared.split(',')) {
      const ns = parseSpiffePrincipal(p.trim())?.namespace;
      if (ns && !namespaces.has(ns) && ns !== 'istio-system') external.add(ns);
    }
  }
  for (const ns of [...external].sort()) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return out;
}

/** A TLS Secret as cert-manager writes it, with a fresh self-signed certificate (openssl) for the names. */
function issuedSecret(namespace: string, name: string, dnsNames: readonly string[]): any {
  const cn = dnsNames[0] ?? name;
  const san = dnsNames.length > 0 ? ['-addext', `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(',')}`] : [];
  const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '-', '-out', '-', '-days', '2', '-subj', `/CN=${cn}`, ...san], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n?/.exec(pem)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/.exec(pem)?.[0];
  if (!key || !cert) throw new Error(`openssl did not print a key and a certificate for ${namespace}/${name}`);
  const b64 = (x: string) => Buffer.from(x).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace }, data: { 'tls.crt': b64(cert), 'tls.key': b64(key) } };
}
