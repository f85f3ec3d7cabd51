/**
 * Deployment analyzers (pkg/config/analysis/analyzers/deployment/), rule by rule.
 */
import { labelsMatch, list, num, podView, str, strings } from '../../manifests';
import type { Container, IndexedObject, ServicePort, WorkloadControllerSpec } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { ISTIO_PROXY, isIstioControlPlane, podInMesh } from './util';

const AZ = 'pkg/config/analysis/analyzers/deployment/';

/** The Services (same namespace, non-empty selector) that select a Deployment's pod template. */
function servicesOf(ctx: AnalyzerContext, d: IndexedObject<WorkloadControllerSpec>): IndexedObject[] {
  const labels = strings(d.spec.template?.metadata?.labels);
  return ctx.index.serviceList.filter((s) => s.namespace === d.namespace && Object.keys(strings(s.spec.selector)).length > 0 && labelsMatch(strings(s.spec.selector), labels));
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
    for (const d of ctx.index.deployments) {
      if (strings(d.metadata.labels)['gateway.istio.io/managed'] === 'istio.io-mesh-controller') continue;
      const w = podView(d);
      if (!w || !podInMesh(ctx, w)) continue;
      const svcs = servicesOf(ctx, d);
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
