import { checkDestination, ISTIO_DEFAULT_RETRIES, normalizeDuration, retriesOf, weigh } from './destination';
import { httpRoutesForService, routeByHttpRoutes } from './httproute';
import { describeStringMatch, headerConditionMatch, SimulatorError, labelsMatch, queryParams, stringMatch, StringMatchSpec, stripQuery, withoutHeaderMatch } from './match';
import { hostSubsetOf, IndexedObject, ManifestIndex } from '../manifests';
import { normalize, NormalRequest, requestFqdn } from './request';
import { RouteDestination, RouteRequest, RouteResult } from './types';

/**
 * Routes one request the way a client sidecar (or the named gateway) would under istio-rules.md §4:
 * picks the VirtualService bound to the host, takes the first rule whose match matches, and reports
 * its weighted destinations, timeout and retries; `noRoute` when no rule matches (404 NR).
 */
export function routeRequest(model: ManifestIndex, request: RouteRequest): RouteResult {
  const req = normalize(model, request);
  const warnings: string[] = [];
  const vs = selectVirtualService(model, req, warnings);
  const httpRoutes = req.gateway === 'mesh' ? httpRoutesForService(model, req.fqdn, req.port) : [];
  if (vs && httpRoutes.length > 0) {
    warnings.push(`both VirtualService ${vs.namespace}/${vs.name} and HTTPRoute(s) ${httpRoutes.map((r) => `${r.namespace}/${r.name}`).join(', ')} bind ${req.fqdn}: Istio does not define which wins; the simulator uses the VirtualService`);
  }
  if (!vs && httpRoutes.length > 0) return routeByHttpRoutes(model, req, httpRoutes, warnings);
  if (!vs) return defaultRoute(model, req, warnings);
  const rules: any[] = Array.isArray(vs.spec.http) ? vs.spec.http : [];
  const routedBy = `VirtualService/${vs.namespace}/${vs.name}`;
  if (rules.length === 0 && (Array.isArray(vs.spec.tls) || Array.isArray(vs.spec.tcp))) return routeConnection(model, vs, routedBy, req, warnings);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] ?? {};
    const blocks: any[] | undefined = Array.isArray(rule.match) && rule.match.length > 0 ? rule.match : undefined;
    let matched: number | undefined;
    if (blocks) {
      matched = blocks.findIndex((m) => matchBlock(m ?? {}, req, vs.namespace));
      if (matched < 0) continue;
    }
    return answer(model, vs, i, matched, rule, routedBy, req, warnings);
  }
  return {
    noRoute: true,
    destinations: [],
    timeout: null,
    routedBy,
    host: req.fqdn,
    reason: `no rule of ${routedBy} matches (${rules.length} rule(s) tried): Envoy answers 404 with flag NR; Istio appends no default route`,
    warnings,
  };
}

/**
 * A connection routed by a VirtualService without `http` rules: its `tls` rules by SNI (the request's
 * authority, port removed), then its `tcp` rules, first match wins (pilot/pkg/networking/core/tls.go,
 * tcp.go): a tls match block needs one of its `sniHosts` (`*.x` wildcards) to cover the SNI, and, like a
 * tcp block, its `port`, `gateways`, `sourceLabels` and `sourceNamespace` when given. No timeout and no
 * retries apply to a connection; no match is a connection Envoy closes (reported as `noRoute`).
 */
function routeConnection(model: ManifestIndex, vs: IndexedObject, routedBy: string, req: NormalRequest, warnings: string[]): RouteResult {
  const sni = req.authority.toLowerCase().replace(/:\d+$/, '');
  const sections: Array<['tls' | 'tcp', any[]]> = [['tls', Array.isArray(vs.spec.tls) ? vs.spec.tls : []], ['tcp', Array.isArray(vs.spec.tcp) ? vs.spec.tcp : []]];
  for (const [section, rules] of sections) {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] ?? {};
      const blocks: any[] = Array.isArray(rule.match) && rule.match.length > 0 ? rule.match : [{}];
      const matched = blocks.findIndex((m) => {
        if (m === null || typeof m !== 'object') return false;
        if (section === 'tls' && !(Array.isArray(m.sniHosts) && m.sniHosts.some((h: unknown) => typeof h === 'string' && hostSubsetOf(sni, h.toLowerCase())))) return false;
        if (m.port !== undefined && m.port !== req.port) return false;
        return sourceMatch(m, req, vs.namespace);
      });
      if (matched < 0) continue;
      const routes: any[] = Array.isArray(rule.route) ? rule.route : [];
      const destinations = weigh(routes.map((r) => ({
        host: requestFqdn(model, String(r?.destination?.host ?? ''), vs.namespace),
        subset: r?.destination?.subset,
        port: r?.destination?.port?.number,
        raw: r?.weight,
      })));
      for (const d of destinations) checkDestination(model, d, warnings);
      const on = req.gateway === 'mesh' ? 'from a sidecar' : `at gateway ${req.gateway}`;
      const reason = `${routedBy} ${section}[${i}]: its match[${matched}] matches the connection ${on}${section === 'tls' ? ` (SNI ${sni})` : ''}`;
      return { rule: i, destinations, timeout: null, match: matched, routedBy, host: req.fqdn, reason, warnings, section };
    }
  }
  const tried = sections.map(([n, r]) => `${r.length} ${n}`).join(', ');
  return {
    noRoute: true,
    destinations: [],
    timeout: null,
    routedBy,
    host: req.fqdn,
    reason: `no tls or tcp rule of ${routedBy} matches the connection (${tried} rule(s) tried; SNI ${sni}, port ${req.port ?? 'none'}): Envoy closes it`,
    warnings,
  };
}

/** True when the VirtualService (or match block) `gateways` list binds the request's gateway. */
function gatewayBound(gateways: unknown, req: NormalRequest, namespace: string): boolean {
  const list = Array.isArray(gateways) && gateways.length > 0 ? (gateways as string[]) : ['mesh'];
  return list.some((g) => {
    if (g === 'mesh') return req.gateway === 'mesh';
    const full = g.includes('/') ? g : `${namespace}/${g}`;
    return full === req.gateway;
  });
}

/**
 * The VirtualService for the request host: an exact host beats a wildcard, a longer wildcard beats a
 * shorter one. Several VirtualServices on one exact host is a conflict (IST0109): the first by
 * namespace/name is used (Istio picks the oldest, which manifests do not say) and a warning says so.
 */
function selectVirtualService(model: ManifestIndex, req: NormalRequest, warnings: string[]): IndexedObject | undefined {
  let best: { vs: IndexedObject; score: number } | undefined;
  const exact: IndexedObject[] = [];
  const sorted = [...model.ofKind('VirtualService')].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  for (const vs of sorted) {
    if (!gatewayBound(vs.spec.gateways, req, vs.namespace)) continue;
    for (const h of (vs.spec.hosts ?? []) as string[]) {
      const fq = model.fqdn(String(h), vs.namespace);
      let score = -1;
      if (fq === req.fqdn || String(h).toLowerCase() === req.fqdn) score = Number.MAX_SAFE_INTEGER;
      else if (fq === '*') score = 0;
      else if (fq.startsWith('*.') && req.fqdn.endsWith(fq.slice(1))) score = fq.length;
      if (score === Number.MAX_SAFE_INTEGER && !exact.includes(vs)) exact.push(vs);
      if (score >= 0 && (!best || score > best.score)) best = { vs, score };
    }
  }
  if (exact.length > 1) {
    warnings.push(`${exact.length} VirtualServices bind host ${req.fqdn} (${exact.map((v) => `${v.namespace}/${v.name}`).join(', ')}): a conflict (IST0109); the simulator uses the first by namespace/name`);
    return exact[0];
  }
  return best?.vs;
}

function matchBlock(m: any, req: NormalRequest, namespace: string): boolean {
  if (m.uri && !uriMatch(m.uri, req.path, m.ignoreUriCase === true)) return false;
  if (m.method && !headerConditionMatch(m.method, req.method)) return false;
  if (m.scheme && !headerConditionMatch(m.scheme, req.scheme)) return false;
  if (m.authority && !headerConditionMatch(m.authority, req.authority)) return false;
  for (const [name, spec] of Object.entries<StringMatchSpec>(m.headers ?? {})) {
    if (!headerConditionMatch(spec, req.headers[name.toLowerCase()])) return false;
  }
  for (const [name, spec] of Object.entries<StringMatchSpec>(m.withoutHeaders ?? {})) {
    if (!withoutHeaderMatch(spec, req.headers[name.toLowerCase()])) return false;
  }
  const conditions = Object.entries<StringMatchSpec>(m.queryParams ?? {});
  if (conditions.length > 0) {
    const query = queryParams(req.path);
    for (const [name, spec] of conditions) {
      if (!headerConditionMatch(spec, Object.prototype.hasOwnProperty.call(query, name) ? query[name] : undefined)) return false;
    }
  }
  if (m.port !== undefined && m.port !== req.port) return false;
  return sourceMatch(m, req, namespace);
}

/**
 * Which callers a match applies to (`sourceMatchHTTP`, pilot/pkg/networking/core/route/route.go): a
 * match that names `gateways` applies to those gateways' traffic, whatever its source labels or
 * namespace; otherwise `sourceLabels` (empty: every caller) must be among the caller's labels and
 * `sourceNamespace`, if set, must be the caller's namespace.
 */
function sourceMatch(m: any, req: NormalRequest, namespace: string): boolean {
  if (Array.isArray(m.gateways) && m.gateways.length > 0) return gatewayBound(m.gateways, req, namespace);
  const labels = m.sourceLabels && typeof m.sourceLabels === 'object' ? (m.sourceLabels as Record<string, string>) : {};
  if (Object.keys(labels).length > 0 && !labelsMatch(labels, req.sourceLabels ?? {})) return false;
  return m.sourceNamespace === undefined || m.sourceNamespace === '' || m.sourceNamespace === req.sourceNamespace;
}

/** Envoy compares `path` (exact) and `safe_regex` without the query string, `prefix` with it. */
function uriMatch(spec: StringMatchSpec, path: string, ignoreCase: boolean): boolean {
  if (spec.prefix !== undefined) return stringMatch(spec, path, ignoreCase);
  return stringMatch(spec, stripQuery(path), ignoreCase);
}

function answer(model: ManifestIndex, vs: IndexedObject, index: number, matched: number | undefined, rule: any, routedBy: string, req: NormalRequest, warnings: string[]): RouteResult {
  const what = matched === undefined ? 'it has no match, so it matches every request' : `its match[${matched}] matches (${describeMatch(rule.match[matched])})`;
  const reason = `${routedBy} rule ${index}${rule.name ? ` (${rule.name})` : ''}: ${what}${index === 1 ? '; rule 0 does not match' : index > 1 ? `; rules 0..${index - 1} do not match` : ''}`;
  const tail = { ...(matched === undefined ? {} : { match: matched }), routedBy, host: req.fqdn, reason, warnings };
  if (rule.redirect || rule.directResponse) {
    return { rule: index, destinations: [], timeout: null, ...tail, ...(rule.redirect ? { redirect: rule.redirect } : { directResponse: rule.directResponse }) };
  }
  const routes: any[] = Array.isArray(rule.route) ? rule.route : [];
  const destinations = weigh(
    routes.map((r) => ({
      host: requestFqdn(model, String(r?.destination?.host ?? ''), vs.namespace),
      subset: r?.destination?.subset,
      port: r?.destination?.port?.number,
      raw: r?.weight,
    })),
  );
  for (const d of destinations) checkDestination(model, d, warnings);
  // Key order follows the CLI contract: rule, destinations, timeout, retries, then the rest.
  return { rule: index, destinations, timeout: rule.timeout ? normalizeDuration(rule.timeout) : null, retries: retriesOf(rule.retries), ...tail };
}

function defaultRoute(model: ManifestIndex, req: NormalRequest, warnings: string[]): RouteResult {
  const svc = model.serviceOfHost(req.fqdn);
  const d: RouteDestination = { host: req.fqdn, weight: 100 };
  if (!svc) {
    // A ServiceEntry host gets Istio's default route too; any other host is unknown, as for authz.
    const se = model.serviceEntries.find((s) => (Array.isArray(s.spec.hosts) ? s.spec.hosts : []).some((h) => typeof h === 'string' && hostSubsetOf(req.fqdn, h.toLowerCase())));
    if (!se) throw new SimulatorError(`route request: no VirtualService, HTTPRoute, Service or ServiceEntry for ${req.fqdn} in the manifests`);
    return {
      destinations: [d],
      timeout: null,
      retries: ISTIO_DEFAULT_RETRIES,
      routedBy: null,
      host: req.fqdn,
      defaultRoute: true,
      reason: `no VirtualService binds ${req.fqdn}: Istio's default route sends everything to ServiceEntry ${se.namespace}/${se.name}, with no timeout and the default retries`,
      warnings,
    };
  }
  checkDestination(model, d, warnings);
  return {
    destinations: [d],
    timeout: null,
    retries: ISTIO_DEFAULT_RETRIES,
    routedBy: null,
    host: req.fqdn,
    defaultRoute: true,
    reason: `no VirtualService binds ${req.fqdn}: Istio's default route sends everything to Service ${svc.namespace}/${svc.name}, with no timeout and the default retries`,
    warnings,
  };
}

/** Describes one match block for explanations. */
export function describeMatch(m: any): string {
  if (!m || typeof m !== 'object') return 'any request';
  const parts: string[] = [];
  if (m.uri) parts.push(`uri ${describeStringMatch(m.uri)}`);
  if (m.method) parts.push(`method ${describeStringMatch(m.method)}`);
  if (m.authority) parts.push(`authority ${describeStringMatch(m.authority)}`);
  for (const [k, v] of Object.entries<StringMatchSpec>(m.headers ?? {})) parts.push(`header ${k.toLowerCase()} ${describeStringMatch(v ?? {})}`);
  for (const [k, v] of Object.entries<StringMatchSpec>(m.withoutHeaders ?? {})) parts.push(`without header ${k.toLowerCase()} ${describeStringMatch(v ?? {})}`);
  for (const [k, v] of Object.entries<StringMatchSpec>(m.queryParams ?? {})) parts.push(`query ${k} ${describeStringMatch(v ?? {})}`);
  if (m.port !== undefined) parts.push(`port ${m.port}`);
  if (m.sourceNamespace !== undefined) parts.push(`source namespace ${m.sourceNamespace}`);
  if (m.sourceLabels !== undefined) parts.push(`source labels ${JSON.stringify(m.sourceLabels)}`);
  return parts.length ? parts.join(' and ') : 'any request';
}
