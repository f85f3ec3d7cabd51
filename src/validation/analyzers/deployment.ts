/**
 * Deployment analyzers (pkg/config/analysis/analyzers/deployment/).
 */
import { list, strings } from '../../manifests';
import type { IndexedObject, ServicePort, Workload } from '../../manifests';
import type { Analyzer } from './context';
import { declaredProtocol } from './service';
import { podsOf } from './util';

/** IST0116 one port with several protocols, IST0137 one target port on several Service ports. */
export const serviceAssociationAnalyzer: Analyzer = {
  name: 'deployment.ServiceAssociationAnalyzer',
  codes: ['IST0116', 'IST0137'],
  source: 'pkg/config/analysis/analyzers/deployment/services.go',
  analyze(ctx) {
    const byWorkload = new Map<Workload, Array<{ svc: IndexedObject; port: ServicePort }>>();
    for (const svc of ctx.index.serviceList) {
      const selector = strings(svc.spec.selector);
      if (Object.keys(selector).length === 0) continue;
      for (const w of podsOf(ctx, svc.namespace, selector)) {
        const entries = byWorkload.get(w) ?? [];
        for (const port of list<ServicePort>(svc.spec.ports)) entries.push({ svc, port });
        byWorkload.set(w, entries);
      }
    }
    for (const [w, entries] of byWorkload) {
      const byTarget = new Map<string, Array<{ svc: IndexedObject; port: ServicePort }>>();
      for (const e of entries) {
        const t = String(e.port?.targetPort ?? e.port?.port);
        byTarget.set(t, [...(byTarget.get(t) ?? []), e]);
      }
      for (const [t, list2] of byTarget) {
        const svcs = new Set(list2.map((e) => e.svc));
        if (svcs.size < 2) continue;
        const names = list2.map((e) => `${e.svc.name}:${e.port?.port}`).join(', ');
        const protos = new Set(list2.map((e) => declaredProtocol(e.port)));
        if (protos.size > 1) ctx.report(w, 'IST0116', `spec.template: target port ${t} is exposed by several Services with conflicting protocols (${names})`);
        const ports = new Set(list2.map((e) => e.port?.port));
        if (ports.size > 1) ctx.report(w, 'IST0137', `spec.template: target port ${t} is exposed by several Services on different ports (${names})`);
      }
    }
  },
};
