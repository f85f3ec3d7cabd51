import { codeUnitOrder } from '../private/order';
import { queryParams, regexFullMatch, stripQuery } from './match';
import { IndexedObject, ManifestIndex } from '../manifests';
import { checkDestination, ISTIO_DEFAULT_RETRIES, normalizeDuration, weigh } from './destination';
import { NormalRequest } from './request';
import { RouteResult } from './types';
import { httpRouteEffects } from './route-effects';
import { grpcPathCondition, grpcPathMatches } from './grpcroute';
import { routesForService } from './gamma';
import { gatewayPrefixRewrite, prefixRewriteSeam } from '../rules/route';

/**
 * Gateway API HTTPRoute (and GRPCRoute) routing for the mesh (GAMMA): a route whose `parentRefs` name
 * a Service routes requests to that Service's host. Unlike a VirtualService it is not first-match:
 * among every match of every rule of every attached route, the most specific wins (Gateway API
 * precedence, as istiod's `sortHTTPRoutes` orders the HTTPRoutes and GRPCRoutes of one Service port
 * together).
 */

/** HTTPRoutes attached to the Service `fqdn` names (and to `port`, when the parentRef gives one). */
export function httpRoutesForService(model: ManifestIndex, fqdn: string, port: number | undefined): IndexedObject[] {
  return routesForService('HTTPRoute', model, fqdn, port);
}


/**
 * HTTPRoutes attached to the Gateway API `Gateway` `gateway` (`namespace/name`; a parentRef of kind
 * Gateway, the default, its namespace defaulting to the route's) whose `hostnames` admit the request's
 * Host header (none: every host of the listener; `*.x` one or more labels below x), as Istio merges
 * them into the gateway's virtual host (pilot/pkg/config/kube/gateway/conversion.go). Listener
 * hostnames and `allowedRoutes` are not checked here.
 */
export function httpRoutesForGateway(model: ManifestIndex, gateway: string, hostHeader: string): IndexedObject[] {
  const host = hostHeader.toLowerCase();
  const admits = (h: unknown) => {
    const n = String(h).toLowerCase();
    return n.startsWith('*.') ? host.endsWith(n.slice(1)) && host.length > n.length - 1 : n === host;
  };
  return model.ofKind('HTTPRoute').filter((r) => {
    const hostnames: unknown[] = Array.isArray(r.spec.hostnames) ? r.spec.hostnames : [];
    if (hostnames.length > 0 && !hostnames.some(admits)) return false;
    return (Array.isArray(r.spec.parentRefs) ? r.spec.parentRefs : []).some(
      (p: any) =>
        (p?.kind ?? 'Gateway') === 'Gateway' &&
        (p?.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' &&
        `${p?.namespace ?? r.namespace}/${p?.name}` === gateway,
    );
  });
}

interface Candidate {
  readonly route: IndexedObject;
  readonly rule: number;
  /** Index in `matches`; undefined for a rule without matches (an implicit PathPrefix `/` in an HTTPRoute). */
  readonly match: number | undefined;
  readonly spec: any;
  /** Whether it is a GRPCRoute match (its method match is a path condition, grpcroute.ts). */
  readonly grpc: boolean;
}

/** Routes by the most specific matching HTTPRoute match, or answers noRoute (404). */
export function routeByHttpRoutes(model: ManifestIndex, req: NormalRequest, routes: IndexedObject[], warnings: string[]): RouteResult {
  const candidates: Candidate[] = [];
  for (const route of routes) {
    const rules: any[] = Array.isArray(route.spec.rules) ? route.spec.rules : [];
    rules.forEach((rule, i) => {
      const matches: any[] = Array.isArray(rule?.matches) && rule.matches.length ? rule.matches : [undefined];
      matches.forEach((m, j) => candidates.push({ route, rule: i, match: m === undefined ? undefined : j, spec: m ?? {}, grpc: route.kind === 'GRPCRoute' }));
    });
  }
  candidates.sort(precedence);
  const hit = candidates.find((c) => (c.grpc ? grpcMatches(c.spec, req) : matches(c.spec, req)));
  const names = routes.map((r) => `${r.kind}/${r.namespace}/${r.name}`).join(', ');
  if (!hit) {
    return { noRoute: true, destinations: [], timeout: null, routedBy: names, host: req.fqdn, reason: `no match of ${names} matches: 404`, warnings };
  }
  const rule = hit.route.spec.rules[hit.rule] ?? {};
  const routedBy = `${hit.route.kind}/${hit.route.namespace}/${hit.route.name}`;
  const refs: any[] = Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
  const destinations = weigh(
    refs.map((b) => ({
      host: model.fqdn(String(b?.name ?? ''), b?.namespace ?? hit.route.namespace),
      port: b?.port,
      // Gateway API: weight defaults to 1.
      raw: typeof b?.weight === 'number' ? b.weight : 1,
    })),
  );
  for (const d of destinations) checkDestination(model, d, warnings);
  const redirect = (Array.isArray(rule.filters) ? rule.filters : []).find((f: any) => f?.type === 'RequestRedirect')?.requestRedirect;
  const timeout = rule.timeouts?.request;
  const effects = httpRouteEffects(model, rule, hit.grpc ? { type: 'Exact', value: '' } : pathOf(hit.spec), req.path, hit.route.namespace);
  if (!hit.grpc && effects.rewrite?.path !== undefined) {
    const p = pathOf(hit.spec);
    const rw = (Array.isArray(rule.filters) ? rule.filters : []).find((f: any) => f?.type === 'URLRewrite')?.urlRewrite?.path;
    const envoy = p.type === 'PathPrefix' && rw?.type === 'ReplacePrefixMatch' ? gatewayPrefixRewrite(p.value, String(rw.replacePrefixMatch ?? '/')) : undefined;
    const seam = envoy ? prefixRewriteSeam(envoy.prefix, envoy.to) : undefined;
    if (seam) warnings.push(`${routedBy} rule ${hit.rule}: ReplacePrefixMatch ${JSON.stringify(rw.replacePrefixMatch)} on PathPrefix ${JSON.stringify(p.value)} becomes Envoy's prefix_rewrite ${JSON.stringify(envoy!.to)} for the prefix ${JSON.stringify(envoy!.prefix)} (istiod's conversion), and ${seam} (CI3011); this request is forwarded as ${effects.rewrite.path}`);
  }
  return {
    rule: hit.rule,
    destinations: redirect ? [] : destinations,
    timeout: timeout && timeout !== '0s' ? normalizeDuration(timeout) : null,
    // a redirect is answered by the proxy itself: nothing is forwarded, so nothing is retried (as a
    // VirtualService redirect's answer has no retries)
    ...(redirect ? {} : { retries: ISTIO_DEFAULT_RETRIES }),
    ...(hit.match === undefined ? {} : { match: hit.match }),
    routedBy,
    host: req.fqdn,
    ...(redirect ? { redirect } : {}),
    reason: `${routedBy} rule ${hit.rule}${hit.match === undefined ? (hit.grpc ? ' (no matches: every request)' : ' (no matches: PathPrefix /)') : ` match ${hit.match}`} is the most specific match (Gateway API precedence); ${redirect ? 'the proxy answers with a redirect (nothing is forwarded or retried)' : `${hit.route.kind} sets no retries, so Istio's default applies`}`,
    warnings,
    ...effects,
  };
}

function pathOf(m: any): { type: string; value: string } {
  return { type: m.path?.type ?? 'PathPrefix', value: m.path?.value ?? '/' };
}

/**
 * Gateway API precedence: Exact path, then the longest path (prefix), then a method match, then more
 * header matches, then more query matches; ties go to the older route (unknown here, so name order)
 * and then to rule order. RegularExpression paths are implementation-specific in the spec; Istio
 * (pilot's `sortHTTPRoutes`) ranks them after every PathPrefix, longest regex first.
 */
function precedence(a: Candidate, b: Candidate): number {
  const ra = uriRank(a);
  const rb = uriRank(b);
  return (
    (ra.none ? 1 : 0) - (rb.none ? 1 : 0) ||
    rb.rank - ra.rank ||
    rb.length - ra.length ||
    (b.spec.method ? 1 : 0) - (a.spec.method ? 1 : 0) ||
    (b.spec.headers?.length ?? 0) - (a.spec.headers?.length ?? 0) ||
    (b.spec.queryParams?.length ?? 0) - (a.spec.queryParams?.length ?? 0) ||
    codeUnitOrder(`${a.route.namespace}/${a.route.name}`, `${b.route.namespace}/${b.route.name}`) ||
    a.rule - b.rule ||
    (a.match ?? 0) - (b.match ?? 0)
  );
}

/**
 * A match's URI as istiod ranks it (`getURIRank`, `getURILength`): Exact 3, prefix 2, regex 1, none -1.
 * An HTTPRoute match without path is the CRD's PathPrefix `/`; a GRPCRoute match's path comes from its
 * method match, and a GRPCRoute rule without matches has no match at all (`none`: sorted last).
 */
function uriRank(c: Candidate): { readonly rank: number; readonly length: number; readonly none: boolean } {
  if (c.grpc) {
    if (c.match === undefined) return { rank: -1, length: 0, none: true };
    const cond = grpcPathCondition(c.spec.method);
    if (!cond) return { rank: -1, length: 0, none: false };
    return { rank: cond.kind === 'exact' ? 3 : cond.kind === 'prefix' ? 2 : 1, length: cond.value.length, none: false };
  }
  const p = pathOf(c.spec);
  return { rank: p.type === 'Exact' ? 3 : p.type === 'RegularExpression' ? 1 : 2, length: p.value.length, none: false };
}

function grpcMatches(m: any, req: NormalRequest): boolean {
  if (!grpcPathMatches(grpcPathCondition(m.method), req.path)) return false;
  for (const h of Array.isArray(m.headers) ? m.headers : []) {
    if (!valueMatch(h, req.headers[String(h.name).toLowerCase()])) return false;
  }
  return true;
}

function matches(m: any, req: NormalRequest): boolean {
  const path = stripQuery(req.path);
  const p = pathOf(m);
  if (p.type === 'Exact' && path !== p.value) return false;
  if (p.type === 'PathPrefix' && !prefixMatch(p.value, path)) return false;
  if (p.type === 'RegularExpression' && !regexFullMatch(p.value, path)) return false;
  if (m.method !== undefined && m.method !== req.method) return false;
  for (const h of Array.isArray(m.headers) ? m.headers : []) {
    if (!valueMatch(h, req.headers[String(h.name).toLowerCase()])) return false;
  }
  const query = queryParams(req.path);
  for (const q of Array.isArray(m.queryParams) ? m.queryParams : []) {
    if (!valueMatch(q, query[q.name])) return false;
  }
  return true;
}

function valueMatch(spec: any, value: string | undefined): boolean {
  if (value === undefined) return false;
  return spec.type === 'RegularExpression' ? regexFullMatch(String(spec.value), value) : value === String(spec.value);
}

/** PathPrefix matches whole path elements: `/foo` matches `/foo` and `/foo/bar`, not `/foobar`. */
function prefixMatch(prefix: string, path: string): boolean {
  const p = prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix;
  if (p === '/') return path.startsWith('/');
  return path === p || path.startsWith(p + '/');
}

/** Describes one HTTPRoute match for explanations. */
export function describeHttpRouteMatch(m: any): string {
  const parts: string[] = [];
  const p = pathOf(m ?? {});
  if (m?.path) parts.push(`path ${p.type} ${JSON.stringify(p.value)}`);
  if (m?.method) parts.push(`method ${m.method}`);
  for (const h of Array.isArray(m?.headers) ? m.headers : []) parts.push(`header ${String(h.name).toLowerCase()} ${h.type ?? 'Exact'} ${JSON.stringify(h.value)}`);
  for (const q of Array.isArray(m?.queryParams) ? m.queryParams : []) parts.push(`query ${q.name} ${q.type ?? 'Exact'} ${JSON.stringify(q.value)}`);
  return parts.length ? parts.join(' and ') : 'path PathPrefix "/"';
}
