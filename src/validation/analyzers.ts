/**
 * Cross-object checks over one deployable set (istio-rules.md §2), the `istioctl analyze`
 * equivalents with Istio's codes and levels, plus our own (CI3xxx).
 */
import { BUILTIN_EXTENSION_PROVIDERS, meshConfigProviderNames, meshRevisions } from '../rules/mesh-config';
import { PORT_NAME_PROTOCOL_PREFIXES } from '../rules/protocol';
import { RawFinding } from './report';
import { EXTERNAL_PRINCIPALS_ANNOTATION } from './suppress';

/** A cross-object finding and the manifest it is about. */
export interface AnalyzerFinding extends RawFinding {
  readonly target: any;
}

/** Options of the cross-object checks. */
export interface AnalyzerOptions {
  /**
   * Principals (`<trust-domain>/ns/<ns>/sa/<sa>`, `*` prefix/suffix patterns allowed) that
   * AuthorizationPolicies may name although no ServiceAccount in the set declares them.
   */
  readonly externalPrincipals?: readonly string[];
  /** The mesh root namespace. */
  readonly rootNamespace?: string;
}

interface Workload {
  readonly m: any;
  readonly ns: string;
  readonly labels: Record<string, string>;
  readonly replicas: number;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
const PORT_PREFIXES = PORT_NAME_PROTOCOL_PREFIXES;

const nsOf = (m: any) => (typeof m?.metadata?.namespace === 'string' && m.metadata.namespace ? m.metadata.namespace : 'default');
const nameOf = (m: any) => String(m?.metadata?.name ?? '');
const groupOf = (m: any) => (typeof m?.apiVersion === 'string' && m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '');
const is = (m: any, group: string, kind: string) => m?.kind === kind && groupOf(m) === group;
const arr = (v: any): any[] => (Array.isArray(v) ? v : []);
const q = (v: unknown) => JSON.stringify(v);

/** `name`, `name.ns`, `name.ns.svc`, or a full name, as `name.ns.svc.cluster.local` when it is a cluster host. */
export function fqdn(host: string, ns: string): string {
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${ns}.svc.cluster.local`;
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host.toLowerCase();
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * Workloads indexed by namespace and by each `key=value` pod label, so selecting pods costs the size
 * of the smallest matching bucket instead of a scan of every workload (the set can hold 35,000 objects).
 */
class WorkloadIndex {
  private readonly byNs = new Map<string, Workload[]>();
  private readonly byLabel = new Map<string, Workload[]>();

  constructor(private readonly all: readonly Workload[]) {
    for (const w of all) {
      push(this.byNs, w.ns, w);
      for (const [k, v] of Object.entries(w.labels)) push(this.byLabel, `${w.ns}\u0000${k}=${v}`, w);
    }
  }

  /** Workloads in `ns` (every namespace when undefined) whose pod labels include `selector`. */
  public select(ns: string | undefined, selector: Record<string, string>): Workload[] {
    const entries = Object.entries(selector ?? {});
    if (ns === undefined) return this.all.filter((w) => selects(selector, w.labels));
    if (entries.length === 0) return [];
    let best: Workload[] | undefined;
    for (const [k, v] of entries) {
      const bucket = this.byLabel.get(`${ns}\u0000${k}=${v}`) ?? [];
      if (!best || bucket.length < best.length) best = bucket;
    }
    return (best ?? []).filter((w) => selects(selector, w.labels));
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Matches Istio's `*`, `abc*`, `*abc` value patterns. */
function patternMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return value !== '';
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** Runs every cross-object check over one deployable set. */
export function analyze(manifests: readonly any[], options: AnalyzerOptions = {}): AnalyzerFinding[] {
  const out: AnalyzerFinding[] = [];
  const push = (target: any, code: string, level: RawFinding['level'], message: string) => out.push({ target, code, level, message });
  const root = options.rootNamespace ?? 'istio-system';
  const ms = manifests.filter((m) => m && typeof m === 'object');

  const services = new Map<string, any>();
  const serviceEntryHosts: string[] = [];
  const workloads: Workload[] = [];
  const namespaces = new Map<string, any>();
  const knownNs = new Set<string>();
  const serviceAccounts = new Set<string>();
  const drsByHost = new Map<string, any[]>();
  const vss: any[] = [];
  for (const m of ms) {
    if (m.metadata?.namespace) knownNs.add(m.metadata.namespace);
    if (m.apiVersion === 'v1' && m.kind === 'Service') services.set(`${nameOf(m)}.${nsOf(m)}.svc.cluster.local`, m);
    else if (m.apiVersion === 'v1' && m.kind === 'Namespace') {
      namespaces.set(nameOf(m), m);
      knownNs.add(nameOf(m));
    } else if (m.apiVersion === 'v1' && m.kind === 'ServiceAccount') serviceAccounts.add(`${nsOf(m)}/${nameOf(m)}`);
    // Istio deploys a waypoint Gateway with a ServiceAccount of the Gateway's name: its identity is known.
    else if (is(m, 'gateway.networking.k8s.io', 'Gateway') && m.spec?.gatewayClassName === 'istio-waypoint') serviceAccounts.add(`${nsOf(m)}/${nameOf(m)}`);
    else if (WORKLOAD_KINDS.has(m.kind) && groupOf(m) === 'apps') {
      const labels = m.spec?.template?.metadata?.labels ?? {};
      const replicas = m.kind === 'DaemonSet' ? 1 : typeof m.spec?.replicas === 'number' ? m.spec.replicas : 1;
      workloads.push({ m, ns: nsOf(m), labels, replicas });
    } else if (is(m, 'networking.istio.io', 'ServiceEntry')) {
      for (const h of arr(m.spec?.hosts)) if (typeof h === 'string') serviceEntryHosts.push(h.toLowerCase());
    } else if (is(m, 'networking.istio.io', 'DestinationRule') && typeof m.spec?.host === 'string') {
      const h = fqdn(m.spec.host, nsOf(m));
      drsByHost.set(h, [...(drsByHost.get(h) ?? []), m]);
    } else if (is(m, 'networking.istio.io', 'VirtualService')) vss.push(m);
  }
  const hostKnown = (h: string) => services.has(h) || serviceEntryHosts.some((p) => hostMatches(p, h));
  const index = new WorkloadIndex(workloads);
  const podsOf = (ns: string | undefined, selector: Record<string, string>) => index.select(ns, selector);

  // VirtualServices: references, ports, subsets, reachability, mesh host conflicts.
  const meshHosts = new Map<string, any>();
  for (const vs of vss) {
    const ns = nsOf(vs);
    const gateways = arr(vs.spec?.gateways);
    if (gateways.length === 0 || gateways.includes('mesh')) {
      for (const h of arr(vs.spec?.hosts)) {
        if (typeof h !== 'string') continue;
        const key = fqdn(h, ns);
        const other = meshHosts.get(key);
        if (other && other !== vs) {
          push(vs, 'IST0109', 'error', `spec.hosts: host ${q(h)} is also routed by VirtualService ${nsOf(other)}/${nameOf(other)} bound to the mesh; merge them into one VirtualService`);
        } else meshHosts.set(key, vs);
      }
    }
    for (const proto of ['http', 'tcp', 'tls'] as const) {
      arr(vs.spec?.[proto]).forEach((rule: any, i: number) => {
        const routes = arr(rule?.route);
        const total = routes.reduce((s: number, r: any) => s + (typeof r?.weight === 'number' ? r.weight : 0), 0);
        routes.forEach((r: any, j: number) => {
          const d = r?.destination;
          if (!d || typeof d.host !== 'string' || d.host.includes('*')) return;
          const p = `spec.${proto}[${i}].route[${j}].destination`;
          const h = fqdn(d.host, ns);
          if (!hostKnown(h)) {
            push(vs, 'IST0101', 'error', `${p}.host: ${q(d.host)} names no Service or ServiceEntry in this set`);
            return;
          }
          const svc = services.get(h);
          if (svc && d.port?.number === undefined && arr(svc.spec?.ports).length > 1) {
            push(vs, 'IST0112', 'error', `${p}.port: required because Service ${nsOf(svc)}/${nameOf(svc)} has ${svc.spec.ports.length} ports`);
          }
          if (d.subset !== undefined) {
            const subset = arr(drsByHost.get(h)).flatMap((dr) => arr(dr.spec?.subsets)).find((s: any) => s?.name === d.subset);
            if (!subset) {
              push(vs, 'IST0101', 'error', `${p}.subset: ${q(d.subset)} is not a subset of any DestinationRule for host ${q(d.host)}`);
              return;
            }
            const carries = routes.length === 1 ? true : typeof r.weight === 'number' ? r.weight > 0 : total === 0;
            if (svc && carries) {
              const sel = { ...(svc.spec?.selector ?? {}), ...(subset.labels ?? {}) };
              const live = podsOf(nsOf(svc), sel).filter((w) => w.replicas > 0);
              if (live.length === 0) {
                const all = podsOf(nsOf(svc), sel);
                push(vs, 'CI3003', 'error', `${p}: sends ${routes.length === 1 ? 'all' : `weight ${r.weight ?? 0} of`} traffic to subset ${q(d.subset)}, which has no pods (${all.length ? 'its Deployment has 0 replicas' : 'no Deployment matches its labels'})`);
              }
            }
          }
        });
      });
    }
    reachability(vs, push);
  }

  // DestinationRules: host and subset selection.
  for (const [h, drs] of drsByHost) {
    for (const dr of drs) {
      if (h.includes('*')) continue;
      if (!hostKnown(h)) {
        push(dr, 'IST0174', 'warning', `spec.host: ${q(dr.spec.host)} matches no Service or ServiceEntry in this set`);
        continue;
      }
      const svc = services.get(h);
      if (!svc) continue;
      arr(dr.spec?.subsets).forEach((s: any, i: number) => {
        const sel = { ...(svc.spec?.selector ?? {}), ...(s?.labels ?? {}) };
        if (podsOf(nsOf(svc), sel).length === 0) {
          push(dr, 'IST0173', 'error', `spec.subsets[${i}]: subset ${q(s?.name)} labels ${q(s?.labels ?? {})} select no pods of Service ${nsOf(svc)}/${nameOf(svc)}`);
        }
      });
    }
  }

  // Services: port naming, and Deployments behind several Services.
  const byWorkload = new Map<Workload, Array<{ svc: any; port: any }>>();
  for (const svc of services.values()) {
    arr(svc.spec?.ports).forEach((p: any, i: number) => {
      const name = typeof p?.name === 'string' ? p.name : '';
      const prefixed = PORT_PREFIXES.some((x) => name === x || name.startsWith(`${x}-`));
      if (!p?.appProtocol && !prefixed) {
        push(svc, 'IST0118', 'info', `spec.ports[${i}]: port ${q(name || p?.port)} has neither appProtocol nor a name prefix from ${PORT_PREFIXES.join(', ')}, so Istio treats it as plain TCP`);
      }
    });
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) continue;
    for (const w of podsOf(nsOf(svc), svc.spec.selector)) {
      const list = byWorkload.get(w) ?? [];
      for (const port of arr(svc.spec?.ports)) list.push({ svc, port });
      byWorkload.set(w, list);
    }
  }
  for (const [w, list] of byWorkload) {
    const byTarget = new Map<string, Array<{ svc: any; port: any }>>();
    for (const e of list) {
      const t = String(e.port?.targetPort ?? e.port?.port);
      byTarget.set(t, [...(byTarget.get(t) ?? []), e]);
    }
    for (const [t, entries] of byTarget) {
      const svcs = new Set(entries.map((e) => e.svc));
      if (svcs.size < 2) continue;
      const names = entries.map((e) => `${nameOf(e.svc)}:${e.port?.port}`).join(', ');
      const protos = new Set(entries.map((e) => protocolOf(e.port)));
      if (protos.size > 1) push(w.m, 'IST0116', 'warning', `spec.template: target port ${t} is exposed by several Services with conflicting protocols (${names})`);
      const ports = new Set(entries.map((e) => e.port?.port));
      if (ports.size > 1) push(w.m, 'IST0137', 'warning', `spec.template: target port ${t} is exposed by several Services on different ports (${names})`);
    }
  }

  // Workloads: injection and our label rule.
  for (const w of workloads) {
    const nsObj = namespaces.get(w.ns);
    const l = nsObj?.metadata?.labels ?? {};
    if (nsObj && l['istio-injection'] !== 'enabled' && !l['istio.io/rev'] && l['istio.io/dataplane-mode'] !== 'ambient') {
      push(w.m, 'IST0102', 'info', `metadata.namespace: namespace ${q(w.ns)} has neither istio-injection=enabled nor istio.io/rev, so this workload gets no sidecar`);
    }
    const missing = ['app', 'version'].filter((k) => !w.labels[k]);
    if (missing.length) {
      push(w.m, 'CI3001', 'warning', `spec.template.metadata.labels: missing ${missing.map((k) => q(k)).join(' and ')}; Istio uses app and version labels for telemetry, tracing and subsets`);
    }
  }

  // AuthorizationPolicies: selectors, namespaces, principals.
  const external = options.externalPrincipals ?? [];
  const knownPrincipal = (p: string): boolean => {
    if (external.some((e) => patternMatch(e, p) || patternMatch(p, e))) return true;
    const m = /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
    if (p === '*') return true;
    if (!m) return false;
    if (!m[1].includes('*') && !m[2].includes('*')) return serviceAccounts.has(`${m[1]}/${m[2]}`);
    for (const sa of serviceAccounts) {
      const [ns, name] = sa.split('/');
      if (patternMatch(m[1], ns) && patternMatch(m[2], name)) return true;
    }
    return false;
  };
  for (const ap of ms.filter((m) => is(m, 'security.istio.io', 'AuthorizationPolicy'))) {
    const ns = nsOf(ap);
    const declared = String(ap.metadata?.annotations?.[EXTERNAL_PRINCIPALS_ANNOTATION] ?? '').split(',').filter(Boolean);
    const known = (p: string): boolean => declared.includes(p) || knownPrincipal(p);
    const sel = ap.spec?.selector?.matchLabels;
    if (sel && Object.keys(sel).length) {
      const hits = podsOf(ns === root ? undefined : ns, sel);
      if (hits.length === 0) push(ap, 'IST0127', 'warning', `spec.selector.matchLabels: ${q(sel)} matches no workload${ns === root ? '' : ` in namespace ${q(ns)}`}`);
    }
    arr(ap.spec?.rules).forEach((rule: any, i: number) => {
      arr(rule?.from).forEach((f: any, j: number) => {
        const src = f?.source ?? {};
        const p = `spec.rules[${i}].from[${j}].source`;
        for (const k of ['namespaces', 'notNamespaces']) {
          arr(src[k]).forEach((n: any, x: number) => {
            if (typeof n === 'string' && n !== '' && ![...knownNs].some((kn) => patternMatch(n, kn))) {
              push(ap, 'IST0101', 'error', `${p}.${k}[${x}]: namespace ${q(n)} matches no Namespace in this set`);
            }
          });
        }
        for (const k of ['principals', 'notPrincipals']) {
          arr(src[k]).forEach((pr: any, x: number) => {
            if (typeof pr === 'string' && pr !== '' && !known(pr)) {
              push(ap, 'CI3002', 'error', `${p}.${k}[${x}]: principal ${q(pr)} belongs to no ServiceAccount in this set; declare it in externalPrincipals if it lives elsewhere`);
            }
          });
        }
        arr(src.serviceAccounts).forEach((sa: any, x: number) => {
          if (typeof sa !== 'string' || sa === '') return;
          const [n, a] = sa.includes('/') ? sa.split('/') : [ns, sa];
          if (!knownPrincipal(`cluster.local/ns/${n}/sa/${a}`)) {
            push(ap, 'CI3002', 'error', `${p}.serviceAccounts[${x}]: ${q(sa)} is no ServiceAccount in this set; declare it in externalPrincipals if it lives elsewhere`);
          }
        });
      });
    });
  }

  selectorConflicts(ms.filter((m) => is(m, 'telemetry.istio.io', 'Telemetry')), index, 'IST0159', 'IST0160', 'Telemetry', push);
  selectorConflicts(ms.filter((m) => is(m, 'networking.istio.io', 'Sidecar')), index, 'IST0110', 'IST0111', 'Sidecar', push);
  checkTelemetryProvidersInManifests(ms, push);
  return out;
}

function protocolOf(port: any): string {
  if (port?.appProtocol) return String(port.appProtocol).toLowerCase();
  const name = typeof port?.name === 'string' ? port.name : '';
  const p = PORT_PREFIXES.filter((x) => name === x || name.startsWith(`${x}-`)).sort((a, b) => b.length - a.length)[0];
  return p ?? 'tcp';
}

type Push = (target: any, code: string, level: RawFinding['level'], message: string) => void;

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${q(k)}:${canonical((v as any)[k])}`).join(',')}}`;
  return q(v);
}

/** Flattens a match block to `field` / `headers.name` conditions. */
function conditions(m: any): Map<string, any> {
  const out = new Map<string, any>();
  for (const [k, v] of Object.entries(m ?? {})) {
    if (k === 'name') continue;
    if ((k === 'headers' || k === 'queryParams' || k === 'withoutHeaders' || k === 'sourceLabels') && v && typeof v === 'object') {
      for (const [hk, hv] of Object.entries(v)) out.set(`${k}.${hk}`, hv);
    } else out.set(k, v);
  }
  return out;
}

/** Whether condition `a` (earlier) matches everything `b` (later) matches. */
function conditionCovers(a: any, b: any): boolean {
  if (canonical(a) === canonical(b)) return true;
  if (a && typeof a === 'object' && typeof a.prefix === 'string' && b && typeof b === 'object') {
    const v = typeof b.prefix === 'string' ? b.prefix : typeof b.exact === 'string' ? b.exact : undefined;
    return v !== undefined && v.startsWith(a.prefix);
  }
  return false;
}

function matchCovers(a: any, b: any): boolean {
  const ca = conditions(a);
  const cb = conditions(b);
  for (const [k, v] of ca) {
    if (!cb.has(k) || !conditionCovers(v, cb.get(k))) return false;
  }
  return true;
}

function reachability(vs: any, push: Push): void {
  const rules = arr(vs.spec?.http);
  let catchAll = -1;
  const earlier: Array<{ rule: number; match: number; m: any }> = [];
  rules.forEach((rule: any, i: number) => {
    const matches = arr(rule?.match);
    if (catchAll >= 0) {
      push(vs, 'IST0130', 'warning', `spec.http[${i}]: this rule is unreachable: spec.http[${catchAll}] has no match and catches all traffic; only the last rule may be match-less`);
      return;
    }
    if (matches.length === 0) {
      catchAll = i;
      return;
    }
    matches.forEach((m: any, j: number) => {
      const cover = earlier.find((e) => matchCovers(e.m, m));
      if (cover) {
        push(vs, 'IST0131', 'info', `spec.http[${i}].match[${j}]: ineffective: spec.http[${cover.rule}].match[${cover.match}] already matches every request it matches`);
      }
    });
    matches.forEach((m: any, j: number) => earlier.push({ rule: i, match: j, m }));
  });
}

function selectorConflicts(objs: any[], index: WorkloadIndex, conflictCode: string, multiCode: string, kind: string, push: Push): void {
  const selectorless = new Map<string, any[]>();
  const perWorkload = new Map<Workload, any[]>();
  for (const o of objs) {
    const sel = o.spec?.selector?.matchLabels ?? o.spec?.workloadSelector?.labels;
    if (!sel || Object.keys(sel).length === 0) {
      if (o.spec?.targetRefs || o.spec?.targetRef) continue;
      selectorless.set(nsOf(o), [...(selectorless.get(nsOf(o)) ?? []), o]);
      continue;
    }
    for (const w of index.select(nsOf(o), sel)) perWorkload.set(w, [...(perWorkload.get(w) ?? []), o]);
  }
  for (const [ns, list] of selectorless) {
    if (list.length < 2) continue;
    for (const o of list) {
      push(o, multiCode, 'error', `spec: namespace ${q(ns)} has ${list.length} ${kind} resources without a workload selector (${list.map(nameOf).sort().join(', ')}); at most one is allowed`);
    }
  }
  for (const [w, list] of perWorkload) {
    if (list.length < 2) continue;
    for (const o of list) {
      push(o, conflictCode, 'error', `spec.selector: selects workload ${w.ns}/${nameOf(w.m)}, which ${list.length - 1} other ${kind} resource(s) also select (${list.map(nameOf).sort().join(', ')})`);
    }
  }
}

/**
 * Mesh config in the set, read where istiod reads it (rules/mesh-config.ts): IstioOperator
 * `spec.meshConfig`, ConfigMap `istio` and `istio-<rev>` of the revisions the set uses, key `mesh`.
 * Returns the extension provider names (built-ins included), or undefined when none is present.
 */
export function meshConfigProviders(ms: readonly any[]): Set<string> | undefined {
  const declared = meshConfigProviderNames(ms.map((manifest) => ({ manifest })), meshRevisions(ms));
  return declared ? new Set([...BUILTIN_EXTENSION_PROVIDERS, ...declared]) : undefined;
}

function checkTelemetryProvidersInManifests(ms: readonly any[], push: Push): void {
  const known = meshConfigProviders(ms);
  if (!known) return;
  for (const t of ms.filter((m) => is(m, 'telemetry.istio.io', 'Telemetry'))) {
    for (const section of ['tracing', 'accessLogging', 'metrics']) {
      arr(t.spec?.[section]).forEach((s: any, i: number) => {
        arr(s?.providers).forEach((p: any, j: number) => {
          if (typeof p?.name === 'string' && p.name && !known.has(p.name)) {
            push(t, 'CI3004', 'error', `spec.${section}[${i}].providers[${j}].name: provider ${q(p.name)} is not an extensionProvider in the mesh config in this set (known: ${[...known].sort().join(', ')}); Istio would silently ignore it`);
          }
        });
      });
    }
  }
}
