/**
 * VirtualService analyzers (pkg/config/analysis/analyzers/virtualservice/), rule by rule.
 */
import { isObject, list, str, strings } from '../../manifests';
import { configHostFqdn, hostsMatch, serviceOfFqdn } from '../../rules/hosts';
import type { Destination, HttpRoute, IndexedObject, L4Route, VirtualServiceSpec } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { fullName, q } from './util';

const AZ = 'pkg/config/analysis/analyzers/virtualservice/';

/** A destination of a route or mirror, with where it sits (`AnnotatedDestination`, util.go). */
interface AnnotatedDestination {
  /** `http`, `tcp`, `tls`, `http.mirror` or `http.mirrors`. */
  readonly rule: string;
  readonly ruleIndex: number;
  readonly index: number;
  readonly destination: Destination;
  /** The field path, for messages. */
  readonly field: string;
}

/** Route destinations in Istio's order: tcp, tls, then http (`getRouteDestinations`). */
function routeDestinations(vs: IndexedObject<VirtualServiceSpec>): AnnotatedDestination[] {
  const out: AnnotatedDestination[] = [];
  for (const proto of ['tcp', 'tls', 'http'] as const) {
    list<L4Route | HttpRoute>(vs.spec[proto]).forEach((r, i) => {
      list(r?.route).forEach((rd, j) => {
        out.push({ rule: proto, ruleIndex: i, index: j, destination: isObject(rd?.destination) ? rd.destination : {}, field: `spec.${proto}[${i}].route[${j}].destination` });
      });
    });
  }
  return out;
}

/** HTTP mirror destinations (`getHTTPMirrorDestinations`). */
function mirrorDestinations(vs: IndexedObject<VirtualServiceSpec>): AnnotatedDestination[] {
  const out: AnnotatedDestination[] = [];
  list<HttpRoute>(vs.spec.http).forEach((r, i) => {
    if (isObject(r?.mirror)) out.push({ rule: 'http.mirror', ruleIndex: i, index: 0, destination: r.mirror, field: `spec.http[${i}].mirror` });
    list(r?.mirrors).forEach((m, j) => {
      out.push({ rule: 'http.mirrors', ruleIndex: i, index: j, destination: isObject(m?.destination) ? m.destination : {}, field: `spec.http[${i}].mirrors[${j}].destination` });
    });
  });
  return out;
}

/** Whether a VirtualService is bound to the mesh (no gateways, or `mesh` among them). */
function boundToMesh(vs: IndexedObject<VirtualServiceSpec>): boolean {
  const gateways = list<string>(vs.spec.gateways);
  return gateways.length === 0 || gateways.includes('mesh');
}

/**
 * IST0101 a route or mirror destination host that no ServiceEntry or Service provides (visible to the
 * VirtualService's namespace), or a port the host does not have; IST0112 no port while the host has
 * several; IST0140 a gateway route without subset to a host another VirtualService splits by subset.
 */
export const destinationHostAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationHostAnalyzer',
  codes: ['IST0101', 'IST0112', 'IST0140'],
  source: `${AZ}destinationhosts.go`,
  analyze(ctx) {
    const subsetDestinations = new Map<IndexedObject, Destination[]>();
    for (const vs of ctx.index.virtualServices) {
      const hosts = list<string>(vs.spec.hosts);
      for (const r of list<HttpRoute>(vs.spec.http)) {
        for (const rd of list(r?.route)) {
          const d = rd?.destination;
          if (!str(d?.subset)) continue;
          if (hosts.some((h) => h === d?.host)) subsetDestinations.set(vs, [...(subsetDestinations.get(vs) ?? []), d!]);
        }
      }
    }
    for (const vs of ctx.index.virtualServices) {
      const exportTo = list<string>(vs.spec.exportTo).map(String);
      for (const d of routeDestinations(vs)) {
        const host = str(d.destination.host) ?? '';
        const entry = ctx.hosts.lookup(vs.namespace, exportTo, host);
        if (!entry) {
          ctx.report(vs, 'IST0101', `${d.field}.host: ${q(host)} names no Service or ServiceEntry visible to namespace ${q(vs.namespace)}`);
          continue;
        }
        checkPorts(ctx, vs, d, entry.ports);
      }
      for (const d of mirrorDestinations(vs)) {
        const host = str(d.destination.host) ?? '';
        const entry = ctx.hosts.lookup(vs.namespace, exportTo, host);
        if (!entry) {
          ctx.report(vs, 'IST0101', `${d.field}.host: mirror host ${q(host)} names no Service or ServiceEntry visible to namespace ${q(vs.namespace)}`);
          continue;
        }
        checkPorts(ctx, vs, d, entry.ports);
      }
      // Rules bound to a gateway that route to a host without subset, while another VirtualService splits it by subset.
      if (list(vs.spec.gateways).length === 0) continue;
      list<HttpRoute>(vs.spec.http).forEach((r, i) => {
        list(r?.route).forEach((rd, j) => {
          if (str(rd?.destination?.subset)) return;
          for (const [other, destinations] of subsetDestinations) {
            for (const od of destinations) {
              if (od.host !== rd?.destination?.host) continue;
              ctx.report(vs, 'IST0140', `spec.http[${i}].route[${j}].destination: routes to ${q(od.host)} without a subset, so the subset rules of VirtualService ${fullName(other)} do not apply to traffic from this gateway`, fullName(other));
            }
          }
        });
      });
    }
  },
};

function checkPorts(ctx: AnalyzerContext, vs: IndexedObject, d: AnnotatedDestination, ports: readonly number[]): void {
  const port = d.destination.port;
  const host = str(d.destination.host) ?? '';
  if (port === undefined || port === null) {
    if (ports.length > 1) ctx.report(vs, 'IST0112', `${d.field}.port: required because ${q(host)} has several ports (${ports.join(', ')})`);
    return;
  }
  const n = Number(isObject(port) ? port.number ?? 0 : 0);
  if (!ports.includes(n)) ctx.report(vs, 'IST0101', `${d.field}.port: ${q(`${host}:${n}`)}: the host has no port ${n} (it has ${ports.join(', ') || 'none'})`);
}

/**
 * The Service and namespace a host names for subset lookups (`GetResourceNameFromHost`): an FQDN
 * `<svc>.<ns>.svc.<suffix>` names that Service; anything else is a name in the object's namespace.
 */
function resourceNameOfHost(ctx: AnalyzerContext, namespace: string, host: string): string {
  const svc = serviceOfFqdn(host, ctx.index.domainSuffix);
  return svc ? `${svc.namespace}/${svc.name}` : `${namespace}/${host}`;
}

/** IST0101: a route or mirror names a subset that no DestinationRule for its host defines. */
export const destinationRuleAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  codes: ['IST0101'],
  source: `${AZ}destinationrules.go`,
  analyze(ctx) {
    const subsets = new Set<string>();
    for (const dr of ctx.index.destinationRules) {
      const host = resourceNameOfHost(ctx, dr.namespace, str(dr.spec.host) ?? '');
      for (const s of list(dr.spec.subsets)) subsets.add(`${host}\u0000${str(s?.name) ?? ''}`);
    }
    for (const vs of ctx.index.virtualServices) {
      for (const [d, what] of [...routeDestinations(vs).map((x) => [x, 'host+subset'] as const), ...mirrorDestinations(vs).map((x) => [x, 'mirror+subset'] as const)]) {
        const subset = str(d.destination.subset) ?? '';
        if (subset === '') continue;
        const host = str(d.destination.host) ?? '';
        if (subsets.has(`${resourceNameOfHost(ctx, vs.namespace, host)}\u0000${subset}`)) continue;
        ctx.report(vs, 'IST0101', `${d.field}.subset: ${what} ${q(`${host}+${subset}`)} is not defined by any DestinationRule`);
      }
    }
  },
};

/**
 * IST0109: VirtualServices bound to the mesh gateway that claim the same host, in an overlapping
 * `exportTo` scope (a host exported to one namespace conflicts with the same or a matching host
 * exported everywhere). Every VirtualService of a conflict is reported, once.
 */
export const conflictingMeshGatewayHostsAnalyzer: Analyzer = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  codes: ['IST0109'],
  source: `${AZ}conflictingmeshgatewayhosts.go`,
  analyze(ctx) {
    const byScopedHost = new Map<string, IndexedObject[]>();
    for (const vs of ctx.index.virtualServices) {
      if (!boundToMesh(vs)) continue;
      const exportTo = list<string>(vs.spec.exportTo).map(String);
      const scopes = exportTo.length === 0 || exportTo.includes('*') ? ['*'] : [...new Set(exportTo.map((e) => (e === '.' ? vs.namespace : e)))];
      for (const scope of scopes) {
        for (const h of list<string>(vs.spec.hosts)) {
          if (typeof h !== 'string') continue;
          const key = `${scope}/${configHostFqdn(h, vs.namespace, ctx.index.domainSuffix)}`;
          byScopedHost.set(key, [...(byScopedHost.get(key) ?? []), vs]);
        }
      }
    }
    const reported = new Set<IndexedObject>();
    for (const [key, own] of byScopedHost) {
      const slash = key.indexOf('/');
      const scope = key.slice(0, slash);
      const host = key.slice(slash + 1);
      let all = own;
      if (scope !== '*') {
        for (const [other, list2] of byScopedHost) {
          const os = other.indexOf('/');
          if (other.slice(0, os) === '*' && hostsMatch(host, other.slice(os + 1))) all = [...all, ...list2];
        }
      }
      if (all.length < 2) continue;
      const names = all.map(fullName).sort().join(',');
      for (const vs of all) {
        if (reported.has(vs)) continue;
        reported.add(vs);
        ctx.report(vs, 'IST0109', `spec.hosts: the mesh-bound VirtualServices ${names} all claim host ${q(host)} (scope ${q(scope)}); merge them into one VirtualService`);
      }
    }
  },
};

/** Whether a gateway name refers to the Gateway Istio generates for a Gateway API Gateway (`IsInternalGatewayReference`). */
function isInternalGatewayReference(name: string): boolean {
  const n = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
  return n.includes('~istio-autogenerated-k8s-gateway~');
}

/** `ns/name`, or `name` in `namespace` (`resource.NewShortOrFullName`). */
export function shortOrFullName(namespace: string, name: string): { readonly namespace: string; readonly name: string } {
  const slash = name.indexOf('/');
  return slash < 0 ? { namespace, name } : { namespace: name.slice(0, slash), name: name.slice(slash + 1) };
}

/** The hosts of a Gateway's servers as seen from `vsNamespace` (`sanitizeServerHostNamespace` + `NamesForNamespace`). */
function gatewayHostsFor(gw: IndexedObject | undefined, vsNamespace: string): string[] {
  if (!gw) return [];
  const hosts: string[] = [];
  for (const server of list<{ hosts?: readonly string[] }>(gw.spec.servers)) {
    let serverHosts = list<string>(server?.hosts).map(String);
    for (let i = 0; i < serverHosts.length; i++) {
      const h = serverHosts[i];
      if (!h.includes('/')) continue;
      const [ns, rest] = h.split('/');
      if (ns === '.') serverHosts[i] = `${gw.namespace}/${rest}`;
      else if (ns === '*') {
        if (rest === '*') {
          serverHosts = ['*'];
          break;
        }
        serverHosts[i] = rest;
      }
    }
    hosts.push(...serverHosts);
  }
  const out: string[] = [];
  for (const h of hosts) {
    const slash = h.indexOf('/');
    if (slash >= 0) {
      const ns = h.slice(0, slash);
      if (ns !== vsNamespace && ns !== '*') continue;
      out.push(h.slice(slash + 1));
    } else out.push(h);
  }
  return out;
}

/**
 * IST0165 a gateway reference to Istio's generated Gateway of a Gateway API Gateway; IST0101 a gateway
 * that does not exist; IST0132 no VirtualService host matches a host the gateway serves to its namespace.
 */
export const gatewayAnalyzer: Analyzer = {
  name: 'virtualservice.GatewayAnalyzer',
  codes: ['IST0101', 'IST0132', 'IST0165'],
  source: `${AZ}gateways.go`,
  analyze(ctx) {
    const gateways = new Map(ctx.index.gateways.map((g) => [`${g.namespace}/${g.name}`, g]));
    for (const vs of ctx.index.virtualServices) {
      const vsHosts = list<string>(vs.spec.hosts).map(String);
      list<string>(vs.spec.gateways).forEach((g, i) => {
        const name = String(g);
        if (name === 'mesh') return;
        if (isInternalGatewayReference(name)) {
          ctx.report(vs, 'IST0165', `spec.gateways[${i}]: ${q(name)} is the Gateway Istio generates for a Gateway API Gateway; reference the Gateway API Gateway (or attach an HTTPRoute) instead`);
          return;
        }
        const ref = shortOrFullName(vs.namespace, name);
        const gw = gateways.get(`${ref.namespace}/${ref.name}`);
        if (!gw) ctx.report(vs, 'IST0101', `spec.gateways[${i}]: gateway ${q(name)} is not in this set`);
        const served = gatewayHostsFor(gw, vs.namespace);
        if (!served.some((gh) => vsHosts.some((h) => hostsMatch(gh, h)))) {
          ctx.report(vs, 'IST0132', `spec.hosts: none of ${q(vsHosts)} is served by gateway ${fullName(ref)} to namespace ${q(vs.namespace)}`);
        }
      });
    }
  },
};

/** The first header (or withoutHeaders) key of an http match that routes on a JWT claim (`jwt.ToRoutingClaim`). */
function jwtClaimKey(vs: IndexedObject<VirtualServiceSpec>): string | undefined {
  for (const r of list<HttpRoute>(vs.spec.http)) {
    for (const m of list(r?.match)) {
      for (const key of [...Object.keys(strings(m?.headers)), ...Object.keys(strings(m?.withoutHeaders))]) {
        if (!key.toLowerCase().startsWith('@request.auth.claims')) continue;
        const rest = key.slice('@request.auth.claims'.length);
        if ((rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2)) return key;
      }
    }
  }
  return undefined;
}

/**
 * IST0149: a VirtualService bound to a gateway routes on a JWT claim, but a gateway pod has no
 * RequestAuthentication (in the root namespace or its own) to validate the token.
 */
export const jwtClaimRouteAnalyzer: Analyzer = {
  name: 'virtualservice.JWTClaimRouteAnalyzer',
  codes: ['IST0149'],
  source: `${AZ}jwtclaimroute.go`,
  analyze(ctx) {
    const raByNs = new Map<string, Array<Readonly<Record<string, string>>>>();
    for (const ra of ctx.index.requestAuthentications) raByNs.set(ra.namespace, [...(raByNs.get(ra.namespace) ?? []), strings(ra.spec.selector?.matchLabels)]);
    const gateways = new Map(ctx.index.gateways.map((g) => [`${g.namespace}/${g.name}`, g]));
    for (const vs of ctx.index.virtualServices) {
      const key = jwtClaimKey(vs);
      if (key === undefined) continue;
      for (const g of list<string>(vs.spec.gateways)) {
        if (g === 'mesh') continue;
        const ref = shortOrFullName(vs.namespace, String(g));
        const gw = gateways.get(`${ref.namespace}/${ref.name}`);
        if (!gw) continue;
        for (const pod of ctx.index.selectWorkloads(undefined, strings(gw.spec.selector))) {
          const selectors = [...(raByNs.get(ctx.index.rootNamespace) ?? []), ...(raByNs.get(pod.namespace) ?? [])];
          if (selectors.some((s) => Object.keys(s).every((k) => pod.labels[k] === s[k]))) continue;
          ctx.report(vs, 'IST0149', `spec.http: routes on JWT claim ${q(key)} through gateway ${fullName(ref)}, but its pod ${pod.name} has no RequestAuthentication to validate the token`);
        }
      }
    }
  },
};
