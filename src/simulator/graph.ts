import { applicablePolicies, effectiveMtls, isDryRun, serviceAsWorkload } from './authorize';
import { IndexedObject, ManifestIndex, Workload } from '../manifests';
import { weigh } from './destination';
import { describeHttpRouteMatch, httpRoutesForService } from './httproute';
import { describeMatch, routeRequest } from './route';
import { RouteDestination } from './types';
import { parseSpiffePrincipal, spiffePrincipal } from '../rules/spiffe';
import { codeUnitOrder } from '../private/order';

/** Output formats of {@link renderGraph}. */
export type GraphFormat = 'mermaid' | 'dot' | 'json';

/** The formats {@link renderGraph} knows, for CLI validation. */
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot', 'json'];

/** A Service in the graph. */
export interface GraphService {
  /** `<svc>.<ns>`. */
  readonly id: string;
  /** The mTLS mode of its (first) workload. */
  readonly mtls: string;
  /** True when at least one ALLOW policy applies, so whatever is not allowed is denied. */
  readonly defaultDeny: boolean;
}

/** "`from` may call `to`" as one ALLOW rule (or the absence of any ALLOW policy) says. */
export interface GraphCall {
  /** A Service `<svc>.<ns>` when the principal is the identity of its workloads, else the principal; `*` for anyone. */
  readonly from: string;
  /** `<svc>.<ns>`. */
  readonly to: string;
  /** `<ns>/<name>` of the ALLOW policy, or null when no ALLOW policy applies (everyone may call). */
  readonly policy: string | null;
  readonly rule?: number;
  /** What the caller may do, e.g. `POST /api/payments/*`; `any request` when unrestricted. */
  readonly operations: string;
  /** `when` conditions and non-principal source restrictions, in words. */
  readonly conditions?: string;
}

/** A DENY (or CUSTOM) rule restricting calls to a Service. */
export interface GraphDeny {
  readonly to: string;
  readonly policy: string;
  readonly action: string;
  readonly rule: number;
  readonly description: string;
}

/** How one rule of a host's routing splits traffic. */
export interface GraphSplit {
  /** `<svc>.<ns>`. */
  readonly host: string;
  /** `VirtualService/<ns>/<name>`, or null for the default route. */
  readonly routedBy: string | null;
  readonly rule: number;
  /** The rule's match in words, `any request` for a match-less rule. */
  readonly match: string;
  readonly destinations: RouteDestination[];
}

/** Who may call whom and how traffic splits, derived statically from the manifests. */
export interface MeshGraph {
  readonly services: GraphService[];
  readonly calls: GraphCall[];
  readonly denies: GraphDeny[];
  readonly splits: GraphSplit[];
}

/**
 * Builds the graph: for each Service, the ALLOW rules that let callers in (or `*` when no ALLOW policy
 * applies), the DENY rules that keep callers out, and each routing rule's weighted destinations. It
 * summarizes rules; {@link MeshSimulator.authorize} gives exact answers for one request.
 */
export function meshGraph(model: ManifestIndex): MeshGraph {
  const services: GraphService[] = [];
  const calls: GraphCall[] = [];
  const denies: GraphDeny[] = [];
  const splits: GraphSplit[] = [];
  const svcs = [...model.ofKind('Service')].sort((a, b) => codeUnitOrder(svcId(a), svcId(b)));
  const lookups = graphLookups(model, svcs);
  for (const svc of svcs) {
    const to = svcId(svc);
    const workloads = model.workloadsOfService(svc);
    const w: Workload = workloads[0] ?? serviceAsWorkload(svc);
    const firstPort = (svc.spec.ports ?? [])[0];
    const port = typeof firstPort?.targetPort === 'number' ? firstPort.targetPort : firstPort?.port;
    // Dry-run policies are logged, not enforced: they draw no edge.
    const policies = applicablePolicies(model, w).filter((p) => !isDryRun(p));
    const allows = policies.filter((p) => actionOf(p) === 'ALLOW');
    services.push({ id: to, mtls: effectiveMtls(model, w, port).mode, defaultDeny: allows.length > 0 });
    if (allows.length === 0) calls.push({ from: '*', to, policy: null, operations: 'any request' });
    for (const p of allows) {
      (Array.isArray(p.spec.rules) ? p.spec.rules : []).forEach((rule: any, i: number) => {
        const operations = describeOperations(rule?.to);
        const conditions = [describeWhen(rule?.when)].filter((x) => x).join('; ');
        for (const caller of callersOf(lookups, rule?.from)) {
          const extra = [caller.extra, conditions].filter((x) => x).join('; ');
          calls.push({ from: caller.id, to, policy: `${p.namespace}/${p.name}`, rule: i, operations, ...(extra ? { conditions: extra } : {}) });
        }
      });
    }
    for (const p of policies.filter((x) => actionOf(x) === 'DENY' || actionOf(x) === 'CUSTOM')) {
      (Array.isArray(p.spec.rules) ? p.spec.rules : []).forEach((rule: any, i: number) => {
        const who = rule?.from ? callersOf(lookups, rule.from).map((c) => [c.id, c.extra].filter((x) => x).join(' ')).join(' or ') : 'anyone';
        const what = [describeOperations(rule?.to), describeWhen(rule?.when)].filter((x) => x).join('; ');
        denies.push({ to, policy: `${p.namespace}/${p.name}`, action: actionOf(p), rule: i, description: `${who}: ${what}` });
      });
    }
    splits.push(...splitsOf(model, lookups, svc));
  }
  return { services, calls, denies, splits };
}

/** What the graph looks up per rule and per Service, indexed once (a graph of 300k objects stays linear). */
interface GraphLookups {
  /** `<ns>/<serviceAccount>` → `<svc>.<ns>` of the first Service (by id) whose workloads run as it. */
  readonly serviceOfAccount: ReadonlyMap<string, string>;
  /** Host FQDN → the mesh-bound VirtualServices naming it, sorted by `<ns>/<name>`. */
  readonly virtualServicesOfHost: ReadonlyMap<string, readonly IndexedObject[]>;
}

function graphLookups(model: ManifestIndex, sortedServices: readonly IndexedObject[]): GraphLookups {
  const serviceOfAccount = new Map<string, string>();
  for (const svc of sortedServices) {
    for (const w of model.workloadsOfService(svc)) {
      const key = `${svc.namespace}/${w.serviceAccount}`;
      if (!serviceOfAccount.has(key)) serviceOfAccount.set(key, svcId(svc));
    }
  }
  const virtualServicesOfHost = new Map<string, IndexedObject[]>();
  for (const v of model.ofKind('VirtualService')) {
    if (Array.isArray(v.spec.gateways) && v.spec.gateways.length > 0 && !v.spec.gateways.includes('mesh')) continue;
    const hosts = new Set<string>((Array.isArray(v.spec.hosts) ? v.spec.hosts : []).map((h: unknown) => model.configFqdn(String(h), v.namespace)));
    for (const h of hosts) virtualServicesOfHost.set(h, [...(virtualServicesOfHost.get(h) ?? []), v]);
  }
  for (const list of virtualServicesOfHost.values()) list.sort((a, b) => codeUnitOrder(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  return { serviceOfAccount, virtualServicesOfHost };
}

function svcId(s: IndexedObject): string {
  return `${s.name}.${s.namespace}`;
}


function actionOf(p: IndexedObject): string {
  return String(p.spec.action ?? 'ALLOW').toUpperCase();
}

/** Each caller an ALLOW rule's `from` names: a Service for a known identity, else the principal. */
function callersOf(lookups: GraphLookups, from: any): { id: string; extra?: string }[] {
  if (!Array.isArray(from)) return [{ id: '*' }];
  const out: { id: string; extra?: string }[] = [];
  for (const f of from) {
    const s = f?.source ?? {};
    const extra = [
      s.namespaces ? `from namespaces ${s.namespaces.join(', ')}` : '',
      s.notNamespaces ? `not from namespaces ${s.notNamespaces.join(', ')}` : '',
      s.notPrincipals ? `not ${s.notPrincipals.join(', ')}` : '',
      s.requestPrincipals ? `JWT ${s.requestPrincipals.join(', ')}` : '',
      s.ipBlocks ? `from ${s.ipBlocks.join(', ')}` : '',
    ]
      .filter((x) => x)
      .join('; ');
    const principals: string[] = s.principals ?? (s.serviceAccounts ?? []).map((sa: string) => spiffePrincipal('*', sa.split('/')[0], sa.split('/')[1]));
    if (principals.length === 0) out.push({ id: '*', ...(extra ? { extra } : {}) });
    for (const p of principals) out.push({ id: nodeOfPrincipal(lookups, p), ...(extra ? { extra } : {}) });
  }
  return out;
}

/** `<svc>.<ns>` of the Service whose workloads run as the principal's ServiceAccount, else the principal. */
function nodeOfPrincipal(lookups: GraphLookups, principal: string): string {
  const id = parseSpiffePrincipal(principal);
  if (!id) return principal;
  return lookups.serviceOfAccount.get(`${id.namespace}/${id.serviceAccount}`) ?? principal;
}

function describeOperations(to: any): string {
  if (!Array.isArray(to)) return 'any request';
  return to
    .map((t: any) => {
      const o = t?.operation ?? {};
      const parts = [
        o.methods ? o.methods.join(',') : '',
        o.notMethods ? `not ${o.notMethods.join(',')}` : '',
        o.paths ? o.paths.join(', ') : '',
        o.notPaths ? `not ${o.notPaths.join(', ')}` : '',
        o.hosts ? `host ${o.hosts.join(', ')}` : '',
        o.ports ? `port ${o.ports.join(', ')}` : '',
      ].filter((x) => x);
      return parts.length ? parts.join(' ') : 'any request';
    })
    .join(' | ');
}

function describeWhen(when: any): string {
  if (!Array.isArray(when)) return '';
  return when
    .map((c: any) => [c?.values ? `${c.key} in ${c.values.join(', ')}` : '', c?.notValues ? `${c.key} not in ${c.notValues.join(', ')}` : ''].filter((x) => x).join(' and '))
    .join(' and ');
}

/** Each HTTP rule of the VirtualService (or the HTTPRoutes) bound to the Service's host. */
function splitsOf(model: ManifestIndex, lookups: GraphLookups, svc: IndexedObject): GraphSplit[] {
  const host = svcId(svc);
  const fqdn = model.fqdn(host);
  const vs = lookups.virtualServicesOfHost.get(fqdn)?.[0];
  if (vs) {
    const rules: any[] = Array.isArray(vs.spec.http) ? vs.spec.http : [];
    return rules.map((rule, i) => {
      const blocks: any[] = Array.isArray(rule?.match) && rule.match.length ? rule.match : [];
      const routes: any[] = Array.isArray(rule?.route) ? rule.route : [];
      const destinations = weigh(routes.map((r) => ({ host: model.configFqdn(String(r?.destination?.host ?? ''), vs.namespace), subset: r?.destination?.subset, raw: r?.weight })));
      return { host, routedBy: `VirtualService/${vs.namespace}/${vs.name}`, rule: i, match: blocks.length ? blocks.map(describeMatch).join(' or ') : 'any request', destinations };
    });
  }
  const httpRoutes = [...httpRoutesForService(model, fqdn, undefined)].sort((a, b) => codeUnitOrder(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  if (httpRoutes.length) {
    return httpRoutes.flatMap((r) =>
      (Array.isArray(r.spec.rules) ? r.spec.rules : []).map((rule: any, i: number) => {
        const refs: any[] = Array.isArray(rule?.backendRefs) ? rule.backendRefs : [];
        const destinations = weigh(refs.map((b) => ({ host: model.fqdn(String(b?.name ?? ''), b?.namespace ?? r.namespace), raw: typeof b?.weight === 'number' ? b.weight : 1 })));
        const matches: any[] = Array.isArray(rule?.matches) && rule.matches.length ? rule.matches : [];
        return { host, routedBy: `HTTPRoute/${r.namespace}/${r.name}`, rule: i, match: matches.length ? matches.map(describeHttpRouteMatch).join(' or ') : 'any request', destinations };
      }),
    );
  }
  const r = routeRequest(model, { host });
  return [{ host, routedBy: null, rule: 0, match: 'any request (default route)', destinations: r.destinations }];
}

/** Renders the graph as mermaid (`flowchart LR`), Graphviz dot, or pretty JSON. */
export function renderGraph(g: MeshGraph, format: GraphFormat): string {
  if (format === 'json') return JSON.stringify(g, null, 2) + '\n';
  const ids = new Map<string, string>();
  const node = (name: string) => {
    if (!ids.has(name)) ids.set(name, `n${ids.size}`);
    return ids.get(name)!;
  };
  const nodes: string[] = [];
  const edges: { from: string; to: string; label: string; dashed: boolean }[] = [];
  for (const s of g.services) node(s.id);
  for (const c of g.calls) {
    edges.push({ from: c.from === '*' ? 'anyone' : c.from, to: c.to, label: [c.operations, c.conditions].filter((x) => x).join('; '), dashed: false });
  }
  for (const s of g.splits) {
    for (const d of s.destinations) {
      const short = shortHost(d.host);
      edges.push({ from: s.host, to: d.subset ? `${short} ${d.subset}` : `${short} pods`, label: `rule ${s.rule}: ${s.match} → ${round(d.weight)}%`, dashed: true });
    }
  }
  for (const e of edges) {
    node(e.from);
    node(e.to);
  }
  const mtls = new Map(g.services.map((s) => [s.id, s]));
  for (const name of ids.keys()) {
    const s = mtls.get(name);
    nodes.push(s ? `${name}\n(mTLS ${s.mtls}${s.defaultDeny ? ', default deny' : ''})` : name);
  }
  const names = [...ids.keys()];
  if (format === 'dot') {
    const q = (t: string) => `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
    const lines = ['digraph mesh {', '  rankdir=LR;'];
    names.forEach((n, i) => lines.push(`  ${ids.get(n)} [label=${q(nodes[i])}${mtls.has(n) ? ', shape=box' : ''}];`));
    for (const e of edges) lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)} [label=${q(e.label)}${e.dashed ? ', style=dashed' : ''}];`);
    lines.push('}');
    return lines.join('\n') + '\n';
  }
  const m = (t: string) => t.replace(/"/g, '#quot;').replace(/\n/g, '<br/>');
  const lines = ['flowchart LR'];
  names.forEach((n, i) => lines.push(`  ${ids.get(n)}["${m(nodes[i])}"]`));
  for (const e of edges) lines.push(`  ${ids.get(e.from)} ${e.dashed ? '-.->' : '-->'}|"${m(e.label)}"| ${ids.get(e.to)}`);
  for (const d of g.denies) lines.push(`  %% ${d.action} ${d.policy} rule ${d.rule} on ${d.to}: ${d.description}`);
  return lines.join('\n') + '\n';
}

function shortHost(fqdn: string): string {
  return fqdn.replace(/\.svc\.[^.]+(\.[^.]+)*$/, '');
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
