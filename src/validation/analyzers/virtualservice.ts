/**
 * VirtualService analyzers (pkg/config/analysis/analyzers/virtualservice/).
 */
import { list, num, str } from '../../manifests';
import type { HttpMatchRequest, IndexedObject, RouteDestination, VirtualServiceSpec } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { hostFqdn, hostKnown, podsOf, q } from './util';

const AZ = 'pkg/config/analysis/analyzers/virtualservice/';

interface RouteRef {
  readonly proto: 'http' | 'tcp' | 'tls';
  readonly rule: number;
  readonly index: number;
  readonly route: RouteDestination;
  readonly routes: readonly RouteDestination[];
}

function routeRefs(vs: IndexedObject<VirtualServiceSpec>): RouteRef[] {
  const out: RouteRef[] = [];
  for (const proto of ['http', 'tcp', 'tls'] as const) {
    list<{ route?: readonly RouteDestination[] }>(vs.spec[proto]).forEach((rule, i) => {
      const routes = list<RouteDestination>(rule?.route);
      routes.forEach((route, j) => out.push({ proto, rule: i, index: j, route, routes }));
    });
  }
  return out;
}

/** IST0101 destination host not found; IST0112 port required. */
export const destinationHostAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationHostAnalyzer',
  codes: ['IST0101', 'IST0112'],
  source: `${AZ}destinationhosts.go`,
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      for (const r of routeRefs(vs)) {
        const d = r.route?.destination;
        const host = str(d?.host);
        if (!d || host === undefined || host.includes('*')) continue;
        const p = `spec.${r.proto}[${r.rule}].route[${r.index}].destination`;
        const h = hostFqdn(ctx, host, vs.namespace);
        if (!hostKnown(ctx, h)) {
          ctx.report(vs, 'IST0101', `${p}.host: ${q(host)} names no Service or ServiceEntry in this set`);
          continue;
        }
        const svc = ctx.index.serviceOfHost(h);
        const ports = list(svc?.spec.ports);
        if (svc && d.port?.number === undefined && ports.length > 1) {
          ctx.report(vs, 'IST0112', `${p}.port: required because Service ${svc.namespace}/${svc.name} has ${ports.length} ports`);
        }
      }
    }
  },
};

function subsetOf(ctx: AnalyzerContext, fqdn: string, subset: string): { readonly labels?: Readonly<Record<string, string>> } | undefined {
  for (const dr of ctx.index.destinationRules) {
    const host = str(dr.spec.host);
    if (host === undefined || hostFqdn(ctx, host, dr.namespace) !== fqdn) continue;
    const s = list<{ name?: string; labels?: Readonly<Record<string, string>> }>(dr.spec.subsets).find((x) => x?.name === subset);
    if (s) return s;
  }
  return undefined;
}

/** IST0101 host+subset not found in any DestinationRule. */
export const destinationRuleAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  codes: ['IST0101'],
  source: `${AZ}destinationrules.go`,
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      for (const r of routeRefs(vs)) {
        const d = r.route?.destination;
        const host = str(d?.host);
        if (!d || host === undefined || host.includes('*') || d.subset === undefined) continue;
        const h = hostFqdn(ctx, host, vs.namespace);
        if (!hostKnown(ctx, h)) continue;
        if (!subsetOf(ctx, h, String(d.subset))) {
          ctx.report(vs, 'IST0101', `spec.${r.proto}[${r.rule}].route[${r.index}].destination.subset: ${q(d.subset)} is not a subset of any DestinationRule for host ${q(host)}`);
        }
      }
    }
  },
};

/** CI3003 (ours): a route carries traffic to a subset no running pod serves. */
export const subsetTrafficAnalyzer: Analyzer = {
  name: 'cdk8s-istio.SubsetTrafficAnalyzer',
  codes: ['CI3003'],
  source: 'istio-rules.md §2 (ours)',
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      for (const r of routeRefs(vs)) {
        const d = r.route?.destination;
        const host = str(d?.host);
        if (!d || host === undefined || host.includes('*') || d.subset === undefined) continue;
        const h = hostFqdn(ctx, host, vs.namespace);
        if (!hostKnown(ctx, h)) continue;
        const subset = subsetOf(ctx, h, String(d.subset));
        const svc = ctx.index.serviceOfHost(h);
        if (!subset || !svc) continue;
        const total = r.routes.reduce((s, x) => s + (num(x?.weight) ?? 0), 0);
        const weight = num(r.route.weight);
        const carries = r.routes.length === 1 ? true : weight !== undefined ? weight > 0 : total === 0;
        if (!carries) continue;
        const sel = { ...(svc.spec.selector ?? {}), ...(subset.labels ?? {}) };
        const all = podsOf(ctx, svc.namespace, sel);
        if (all.some((w) => w.replicas > 0)) continue;
        ctx.report(vs, 'CI3003', `spec.${r.proto}[${r.rule}].route[${r.index}].destination: sends ${r.routes.length === 1 ? 'all' : `weight ${weight ?? 0} of`} traffic to subset ${q(d.subset)}, which has no pods (${all.length ? 'its Deployment has 0 replicas' : 'no Deployment matches its labels'})`);
      }
    }
  },
};

/** IST0109: two VirtualServices bound to the mesh gateway share a host. */
export const conflictingMeshGatewayHostsAnalyzer: Analyzer = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  codes: ['IST0109'],
  source: `${AZ}conflictingmeshgatewayhosts.go`,
  analyze(ctx) {
    const meshHosts = new Map<string, IndexedObject>();
    for (const vs of ctx.index.virtualServices) {
      const gateways = list<string>(vs.spec.gateways);
      if (gateways.length > 0 && !gateways.includes('mesh')) continue;
      for (const h of list<string>(vs.spec.hosts)) {
        if (typeof h !== 'string') continue;
        const key = hostFqdn(ctx, h, vs.namespace);
        const other = meshHosts.get(key);
        if (other && other !== vs) {
          ctx.report(vs, 'IST0109', `spec.hosts: host ${q(h)} is also routed by VirtualService ${other.namespace}/${other.name} bound to the mesh; merge them into one VirtualService`);
        } else meshHosts.set(key, vs);
      }
    }
  },
};

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${q(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return q(v);
}

function conditions(m: HttpMatchRequest | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(m ?? {})) {
    if (k === 'name') continue;
    if ((k === 'headers' || k === 'queryParams' || k === 'withoutHeaders' || k === 'sourceLabels') && v && typeof v === 'object') {
      for (const [hk, hv] of Object.entries(v)) out.set(`${k}.${hk}`, hv);
    } else out.set(k, v);
  }
  return out;
}

function conditionCovers(a: unknown, b: unknown): boolean {
  if (canonical(a) === canonical(b)) return true;
  const pa = a as { prefix?: unknown } | undefined;
  const pb = b as { prefix?: unknown; exact?: unknown } | undefined;
  if (pa && typeof pa === 'object' && typeof pa.prefix === 'string' && pb && typeof pb === 'object') {
    const v = typeof pb.prefix === 'string' ? pb.prefix : typeof pb.exact === 'string' ? pb.exact : undefined;
    return v !== undefined && v.startsWith(pa.prefix);
  }
  return false;
}

function matchCovers(a: HttpMatchRequest, b: HttpMatchRequest): boolean {
  const ca = conditions(a);
  const cb = conditions(b);
  for (const [k, v] of ca) if (!cb.has(k) || !conditionCovers(v, cb.get(k))) return false;
  return true;
}

/** IST0130 unreachable rule, IST0131 ineffective match: the warnings istiod's VirtualService validation adds. */
export const unreachableRulesAnalyzer: Analyzer = {
  name: 'schema.ValidationAnalyzer.VirtualService',
  codes: ['IST0130', 'IST0131'],
  source: 'pkg/config/validation/validation.go (analyzeUnreachableHTTPRules)',
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      const rules = list<{ match?: readonly HttpMatchRequest[] }>(vs.spec.http);
      let catchAll = -1;
      const earlier: Array<{ rule: number; match: number; m: HttpMatchRequest }> = [];
      rules.forEach((rule, i) => {
        const matches = list<HttpMatchRequest>(rule?.match);
        if (catchAll >= 0) {
          ctx.report(vs, 'IST0130', `spec.http[${i}]: this rule is unreachable: spec.http[${catchAll}] has no match and catches all traffic; only the last rule may be match-less`);
          return;
        }
        if (matches.length === 0) {
          catchAll = i;
          return;
        }
        matches.forEach((m, j) => {
          const cover = earlier.find((e) => matchCovers(e.m, m));
          if (cover) ctx.report(vs, 'IST0131', `spec.http[${i}].match[${j}]: ineffective: spec.http[${cover.rule}].match[${cover.match}] already matches every request it matches`);
        });
        matches.forEach((m, j) => earlier.push({ rule: i, match: j, m }));
      });
    }
  },
};
