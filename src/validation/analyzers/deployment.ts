/**
 * Deployment analyzers (pkg/config/analysis/analyzers/deployment/), rule by rule.
 */
import { list, num, podView, str, strings } from '../../manifests';
import { labelsMatch } from '../../rules/labels';
import type { Container, IndexedObject, ServicePort, WorkloadControllerSpec } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { ISTIO_PROXY, isIstioControlPlane, podInMesh } from './util';

const AZ = 'pkg/config/analysis/analyzers/deployment/';

/**
 * For each Deployment, the Services of its namespace with a non-empty selector that selects its pod
 * template, found through a `key=value` index of the templates' labels.
 */
function servicesByDeployment(ctx: AnalyzerContext, deployments: readonly IndexedObject<WorkloadControllerSpec>[]): Map<IndexedObject, IndexedObject[]> {
  const byLabel = new Map<string, IndexedObject<WorkloadControllerSpec>[]>();
  for (const d of deployments) {
    for (const [k, v] of Object.entries(strings(d.spec.template?.metadata?.labels))) {
      const key = `${d.namespace}\u0000${k}=${v}`;
      byLabel.set(key, [...(byLabel.get(key) ?? []), d]);
    }
  }
  const out = new Map<IndexedObject, IndexedObject[]>();
  for (const s of ctx.index.serviceList) {
    const selector = strings(s.spec.selector);
    const keys = Object.keys(selector);
    if (keys.length === 0) continue;
    let best: IndexedObject<WorkloadControllerSpec>[] | undefined;
    for (const k of keys) {
      const bucket = byLabel.get(`${s.namespace}\u0000${k}=${selector[k]}`) ?? [];
      if (!best || bucket.length < best.length) best = bucket;
    }
    for (const d of best ?? []) {
      if (labelsMatch(selector, strings(d.spec.template?.metadata?.labels))) out.set(d, [...(out.get(d) ?? []), s]);
    }
  }
  return out;
}

/**
 * IST0116 a Service port number that the Services of one in-mesh Deployment expose with different
 * protocols (TCP/UDP/SCTP); IST0137 a target port the Services expose on different ports.
 */
export const serviceAssociationAnalyzer: Analyzer = {
  name: 'deployment.ServiceAssociationAnalyzer',
  codes: ['IST0116', 'IST0137'],
  source: `${AZ}services.go`,
  analyze(ctx) {
    const inMesh = ctx.index.deployments.filter((d) => {
      if (strings(d.metadata.labels)['gateway.istio.io/managed'] === 'istio.io-mesh-controller') return false;
      const w = podView(d);
      return w !== undefined && podInMesh(ctx, w);
    });
    const services = servicesByDeployment(ctx, inMesh);
    for (const d of inMesh) {
      const svcs = services.get(d) ?? [];
      const byPort = new Map<number, Map<string, string[]>>();
      const byTarget = new Map<string, Map<number, string>>();
      for (const s of svcs) {
        const sname = `${s.namespace}/${s.name}`;
        for (const p of list<ServicePort>(s.spec.ports)) {
          const port = num(p?.port) ?? 0;
          const protocol = str(p?.protocol) || 'TCP';
          const protos = byPort.get(port) ?? new Map<string, string[]>();
          protos.set(protocol, [...(protos.get(protocol) ?? []), sname]);
          byPort.set(port, protos);
          let target = p?.targetPort === undefined || p?.targetPort === null ? '' : String(p.targetPort);
          if (target === '0' || target === '') target = String(port);
          const ports = byTarget.get(target) ?? new Map<number, string>();
          ports.set(port, sname);
          byTarget.set(target, ports);
        }
      }
      for (const [port, protos] of byPort) {
        if (protos.size < 2) continue;
        const names = [...protos.values()].flat().sort();
        ctx.report(d, 'IST0116', `spec.template: Services ${names.join(', ')} expose port ${port} of Deployment ${d.name} with different protocols (${[...protos.keys()].sort().join(', ')})`);
      }
      for (const [target, ports] of byTarget) {
        if (ports.size < 2) continue;
        ctx.report(d, 'IST0137', `spec.template: Services ${[...ports.values()].sort().join(', ')} send ports ${[...ports.keys()].sort((a, b) => a - b).join(', ')} to the same target port ${target} of Deployment ${d.name}`);
      }
    }
  },
};

const UID = 1337;

function runsAs1337(securityContext: { runAsUser?: unknown } | undefined): boolean {
  return num(securityContext?.runAsUser) === UID;
}

/**
 * IST0144: a pod or container (other than istio-proxy and istio-operator) runs as UID 1337, the
 * sidecar's UID, whose traffic iptables lets bypass the proxy.
 */
export const applicationUidAnalyzer: Analyzer = {
  name: 'deployment.ApplicationUIDAnalyzer',
  codes: ['IST0144'],
  source: `${AZ}pod.go`,
  analyze(ctx) {
    const check = (o: IndexedObject, spec: { securityContext?: { runAsUser?: unknown }; containers?: readonly Container[] } | undefined, at: string): void => {
      if (isIstioControlPlane(o)) return;
      const message = `${at}: runs as UID 1337, the UID of the Istio sidecar: its traffic bypasses the proxy; pick another runAsUser`;
      if (runsAs1337(spec?.securityContext)) ctx.report(o, 'IST0144', message, '');
      for (const c of list<Container>(spec?.containers)) {
        if (c?.name === ISTIO_PROXY || c?.name === 'istio-operator') continue;
        if (runsAs1337(c?.securityContext)) ctx.report(o, 'IST0144', message, '');
      }
    };
    for (const p of ctx.index.pods) check(p, p.podSpec, 'spec');
    for (const d of ctx.index.deployments) check(d, d.spec.template?.spec, 'spec.template.spec');
  },
};
