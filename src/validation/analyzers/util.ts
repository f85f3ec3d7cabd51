/** Helpers several analyzers share. */
import { hostsMatch, list, str } from '../../manifests';
import type { IndexedObject, StringMap, Workload } from '../../manifests';
import type { AnalyzerContext } from './context';

/** JSON-quotes a value for a message. */
export const q = (v: unknown): string => JSON.stringify(v);

/** `namespace/name` of an indexed object (`name` alone when cluster-scoped). */
export function fullName(o: IndexedObject): string {
  return o.namespace ? `${o.namespace}/${o.name}` : o.name;
}

/** The kinds whose pod templates the analyzers have always counted as pods. */
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** The pods `selector` selects in `namespace` (every namespace when undefined); an empty selector selects none. */
export function podsOf(ctx: AnalyzerContext, namespace: string | undefined, selector: StringMap): Workload[] {
  if (namespace !== undefined && Object.keys(selector).length === 0) return [];
  return ctx.index.selectWorkloads(namespace, selector).filter((w) => TEMPLATE_KINDS.has(w.kind));
}

/** Every pod the analyzers count. */
export function allPods(ctx: AnalyzerContext): Workload[] {
  return ctx.index.workloads.filter((w) => TEMPLATE_KINDS.has(w.kind));
}

/** `name`, `name.ns`, `name.ns.svc`, or a full name, as `name.ns.svc.<suffix>` when it is a cluster host. */
export function hostFqdn(ctx: AnalyzerContext, host: string, namespace: string): string {
  const suffix = ctx.index.domainSuffix;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.svc.${suffix}`;
  if (parts.length === 2) return `${host}.svc.${suffix}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.${suffix}`;
  return host.toLowerCase();
}

/** The Service an FQDN names, if in the set. */
export function serviceOfFqdn(ctx: AnalyzerContext, fqdn: string): IndexedObject | undefined {
  return ctx.index.serviceOfHost(fqdn);
}

/** Whether a Service or a ServiceEntry host of the set provides `fqdn`. */
export function hostKnown(ctx: AnalyzerContext, fqdn: string): boolean {
  if (serviceOfFqdn(ctx, fqdn)) return true;
  return ctx.index.serviceEntries.some((se) => list<string>(se.spec.hosts).some((h) => {
    const p = str(h)?.toLowerCase();
    if (p === undefined) return false;
    if (p === '*') return true;
    if (p.startsWith('*')) return fqdn.endsWith(p.slice(1));
    return p === fqdn;
  }));
}

export { hostsMatch };
