import { checkDestination, ISTIO_DEFAULT_RETRIES, normalizeDuration, retriesOf, weigh } from './destination';
import { httpRoutesForGateway, httpRoutesForService, routeByHttpRoutes } from './httproute';
import { grpcRoutesForService } from './grpcroute';
import { describeStringMatch, headerConditionMatch, SimulatorError, queryParams, stringMatch, StringMatchSpec, stripQuery, withoutHeaderMatch } from './match';
import { IndexedObject, list, ManifestIndex } from '../manifests';
import { hostSubsetOf } from '../rules/hosts';
import { labelsMatch } from '../rules/labels';
import { isHttpOrSniffed, isHttpProtocol, isTlsProtocol, parseProtocol, PortProtocol, servicePortProtocol } from '../rules/protocol';
import { normalize, NormalRequest } from './request';
import { DelegationResult, RouteDestination, RouteRequest, RouteResult } from './types';
import { mergeDelegateRoute, mergeMatches } from '../rules/delegation';
import { repeatedHeaderOperations } from '../rules/http';
import { prefixRewriteSeam, rewriteUri, rewrittenPrefix, translatedRedirectCode } from '../rules/route';
import { virtualServiceEffects } from './route-effects';

/**
 * Routes one request the way a client sidecar (or the named gateway) would under istio-rules.md §4:
 * picks the VirtualService bound to the host, takes the first rule whose match matches, and reports
 * its weighted destinations, timeout and retries; `noRoute` when no rule matches (404 NR).
 *
 * Two steps happen in istiod before Envoy sees a request, and are modelled here: a port Istio does not
 * route as HTTP gets a TCP proxy (only `tcp` rules apply, {@link routeTcp}); and the match blocks that
 * name other callers (`sourceLabels`, `sourceNamespace`) or another port are left out of the caller's
 * config, so a VirtualService with nothing left for this caller leaves the host its default route.
 */
export function routeRequest(model: ManifestIndex, request: RouteRequest): RouteResult {
  const req = withDefaultPort(model, normalize(model, request));
  const result = routeNormal(model, req);
  return req.port !== undefined && result.port === undefined ? { ...result, port: req.port } : result;
}

/**
 * A request to a Service with several ports goes to one of them: the request's `port`, else the
 * Service's first port (the one a client reaches without naming a port, as {@link portProtocolOf}
 * takes it), so port matches and per-port routes apply as they would on that port. A request to a
 * one-port host keeps no port unless it names one.
 */
function withDefaultPort(model: ManifestIndex, req: NormalRequest): NormalRequest {
  if (req.port !== undefined) return req;
  const ports = list<any>(model.serviceOfHost(req.fqdn)?.spec.ports);
  return ports.length > 1 && typeof ports[0]?.port === 'number' ? { ...req, port: ports[0].port } : req;
}

function routeNormal(model: ManifestIndex, req: NormalRequest): RouteResult {
  const warnings: string[] = [];
  const protocol = req.gateway === 'mesh' ? portProtocolOf(model, req) : undefined;
  if (req.gateway === 'mesh' && req.port !== undefined && protocol === undefined) {
    const svc = model.serviceOfHost(req.fqdn);
    const se = svc ? undefined : model.serviceEntryFor(req.fqdn);
    const declared = svc ? list<any>(svc.spec.ports).map((p) => p?.port) : se ? list<any>(se.spec.ports).map((p) => p?.number) : [];
    const owner = svc ? `Service ${svc.namespace}/${svc.name}` : se ? `ServiceEntry ${se.namespace}/${se.name}` : undefined;
    if (owner) warnings.push(`${owner} has no port ${req.port} (its ports: ${declared.join(', ') || 'none'}): a client cannot reach ${req.fqdn} on that port`);
  }
  if (protocol !== undefined && !isHttpOrSniffed(protocol.protocol)) {
    return routeTcp(model, req, selectVirtualService(model, req, warnings, () => false), protocol, warnings);
  }
  const bound = selectVirtualService(model, req, warnings, (vs) => literalHostsBind(model, vs, protocol));
  // pilot's BuildHTTPRoutesForVirtualService translates only the matches that apply to this sidecar;
  // with none left, buildSidecarVirtualHostsForVirtualService builds no virtual host for the
  // VirtualService and the Service keeps its default one (pilot/pkg/networking/core/route/route.go).
  const dropped = bound && req.gateway === 'mesh' && !routesForCaller(bound, req) ? bound : undefined;
  const vs = dropped ? undefined : bound;
  const httpRoutes = req.gateway === 'mesh' ? [...httpRoutesForService(model, req.fqdn, req.port), ...grpcRoutesForService(model, req.fqdn, req.port)] : httpRoutesForGateway(model, req.gateway, req.hostHeader);
  if (vs && httpRoutes.length > 0) {
    warnings.push(`both VirtualService ${vs.namespace}/${vs.name} and ${httpRoutes.map((r) => `${r.kind} ${r.namespace}/${r.name}`).join(', ')} bind ${req.fqdn}: Istio does not define which wins; the simulator uses the VirtualService`);
  }
  if (!vs && httpRoutes.length > 0) return routeByHttpRoutes(model, req, httpRoutes, warnings);
  if (!vs) return defaultRoute(model, req, warnings, dropped);
  const rules: any[] = Array.isArray(vs.spec.http) ? vs.spec.http : [];
  const routedBy = `VirtualService/${vs.namespace}/${vs.name}`;
  if (rules.length === 0 && (Array.isArray(vs.spec.tls) || Array.isArray(vs.spec.tcp))) return routeConnection(model, vs, routedBy, req, warnings);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] ?? {};
    if (rule.delegate && typeof rule.delegate === 'object') {
      const hit = followDelegate(model, vs, i, rule, req, warnings);
      if (hit) return hit;
      continue;
    }
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

/** The protocol of the port a request goes to, and where it comes from. */
interface RequestPort {
  readonly protocol: PortProtocol;
  /** The port number: the request's, else the first port of the Service or ServiceEntry. */
  readonly port?: number;
  readonly from: string;
}

/**
 * The protocol Istio gives the destination port (rules/protocol): a Service port's name or
 * `appProtocol`, a ServiceEntry port's `protocol`. Without a request port, the first port counts (the
 * one a client reaches without naming a port). A port that neither declares is sniffed, i.e. HTTP here.
 */
function portProtocolOf(model: ManifestIndex, req: NormalRequest): RequestPort | undefined {
  const svc = model.serviceOfHost(req.fqdn);
  const pick = (ports: readonly any[]) => (req.port === undefined ? ports[0] : ports.find((p) => p?.number === req.port || p?.port === req.port));
  if (svc) {
    const p = pick(list(svc.spec.ports));
    return p ? { protocol: servicePortProtocol(p), port: p.port, from: `Service ${svc.namespace}/${svc.name} port ${p.name ?? p.port}` } : undefined;
  }
  const se = model.serviceEntryFor(req.fqdn);
  const p = se ? pick(list(se.spec.ports)) : undefined;
  if (!se || !p) return undefined;
  return { protocol: parseProtocol(p.protocol) ?? 'UnsupportedProtocol', port: p.number, from: `ServiceEntry ${se.namespace}/${se.name} port ${p.name ?? p.number}` };
}

/**
 * Whether the hosts of `vs` that name no Service (a name with a dot taken as written, `svc.ns`) get a
 * virtual host of their own on the request's port, bound by the Host header (pilot/pkg/networking/core/
 * httproute.go `BuildSidecarOutboundVirtualHosts`): not on a sniffed port, whose per-Service route
 * config keeps only the Service's virtual host, with domain `*` (`getVirtualHostsForSniffedServicePort`);
 * on an HTTP port, on port 80 (istiod's "hack to keep consistent with previous behavior") or when the
 * VirtualService also binds a Service on that port (`selectVirtualServices`). A host and port the
 * manifests say nothing about are taken as HTTP.
 */
function literalHostsBind(model: ManifestIndex, vs: IndexedObject, port: RequestPort | undefined): boolean {
  if (port === undefined) return true;
  if (!isHttpProtocol(port.protocol)) return false;
  if (port.port === 80) return true;
  return list<string>(vs.spec.hosts).some((h) => {
    const svc = model.serviceOfHost(model.configFqdn(String(h), vs.namespace));
    return svc !== undefined && list<any>(svc.spec.ports).some((p) => p?.port === port.port);
  });
}

/**
 * Whether istiod translates at least one route of the VirtualService for this caller and port
 * (`BuildHTTPRoutesForVirtualService`): a rule without match always; a match block only when its `port`
 * (if any) is the request's and {@link sourceMatch} accepts the caller.
 */
function routesForCaller(vs: IndexedObject, req: NormalRequest): boolean {
  return list<any>(vs.spec.http).some((rule) => {
    const blocks = list<any>(rule?.match);
    if (blocks.length === 0) return true;
    return blocks.some((m) => (m?.port === undefined || m.port === req.port) && sourceMatch(m ?? {}, req, vs.namespace));
  });
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
  const sections: Array<['tls' | 'tcp', readonly any[]]> = [['tls', list<any>(vs.spec.tls)], ['tcp', list<any>(vs.spec.tcp)]];
  for (const [section, rules] of sections) {
    const hit = firstL4Rule(rules, section, req, req.port, vs.namespace, sni, warnings);
    if (!hit) continue;
    const destinations = l4Destinations(model, rules[hit.rule], vs.namespace, warnings);
    const on = req.gateway === 'mesh' ? 'from a sidecar' : `at gateway ${req.gateway}`;
    const what = hit.match === undefined ? 'it has no match and takes' : `its match[${hit.match}] matches`;
    const reason = `${routedBy} ${section}[${hit.rule}]: ${what} the connection ${on}${section === 'tls' ? ` (SNI ${sni})` : ''}`;
    return { rule: hit.rule, destinations, timeout: null, ...(hit.match === undefined ? {} : { match: hit.match }), routedBy, host: req.fqdn, reason, warnings, section };
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
 *
 * VirtualService hosts resolve as istiod resolves them (`ManifestIndex.configFqdn`): a short name is a
 * Service of the VirtualService's namespace, and a name with a dot is taken as written, so `svc.ns` is
 * not `svc.ns.svc.cluster.local` (`model.ResolveShortnameToFQDN`). Such a host binds the requests whose
 * Host header is exactly it (`byHostHeader`): HTTP requests pick Envoy's virtual host by the Host
 * header, whose domains are the literal hosts of VirtualServices and the aliases of each Service
 * (pilot/pkg/networking/core/route/route.go `separateVSHostsAndServices`), where `byHostHeader` says
 * the literal hosts get a virtual host ({@link literalHostsBind}). TCP has no Host header.
 */
function selectVirtualService(model: ManifestIndex, req: NormalRequest, warnings: string[], byHostHeader: (vs: IndexedObject) => boolean): IndexedObject | undefined {
  let best: { vs: IndexedObject; score: number } | undefined;
  const exact: IndexedObject[] = [];
  const sorted = [...model.ofKind('VirtualService')].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  for (const vs of sorted) {
    if (!gatewayBound(vs.spec.gateways, req, vs.namespace)) continue;
    for (const h of list<string>(vs.spec.hosts)) {
      const fq = model.configFqdn(String(h), vs.namespace);
      let score = -1;
      if (fq === req.fqdn || (fq === req.hostHeader && byHostHeader(vs))) score = Number.MAX_SAFE_INTEGER;
      else if (fq === '*') score = 0;
      else if (fq.startsWith('*') && hostSubsetOf(req.fqdn, fq)) score = fq.length;
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

/**
 * A root rule with `delegate`: istiod replaces it by the delegate VirtualService's rules, each merged
 * with the root rule (matches ANDed, unset effects inherited; `mergeHTTPRoute`), dropping delegate
 * rules whose matches conflict with the root's. The first merged rule that matches answers; when
 * none does, the root's later rules are tried. A missing delegate routes nothing (istiod skips it).
 */
function followDelegate(model: ManifestIndex, root: IndexedObject, index: number, rule: any, req: NormalRequest, warnings: string[]): RouteResult | undefined {
  const name = String(rule.delegate.name ?? '');
  const ns = String(rule.delegate.namespace ?? root.namespace);
  const delegate = model.ofKind('VirtualService').find((v) => v.name === name && v.namespace === ns);
  if (!delegate) {
    warnings.push(`VirtualService/${root.namespace}/${root.name} rule ${index} delegates to VirtualService/${ns}/${name}, which is not in the manifests: istiod skips the entry`);
    return undefined;
  }
  if (Array.isArray(delegate.spec.hosts) && delegate.spec.hosts.length > 0) {
    warnings.push(`VirtualService/${ns}/${name} is a delegate but sets hosts: istiod ignores it as a delegate`);
    return undefined;
  }
  const leaves: any[] = Array.isArray(delegate.spec.http) ? delegate.spec.http : [];
  for (let j = 0; j < leaves.length; j++) {
    const merged = mergeDelegateRoute(rule, leaves[j] ?? {});
    if (!merged) {
      warnings.push(`VirtualService/${ns}/${name} rule ${j} asks for requests its root entry (VirtualService/${root.namespace}/${root.name} rule ${index}) never hands over: istiod drops it`);
      continue;
    }
    const blocks: any[] | undefined = Array.isArray(merged.match) && merged.match.length > 0 ? merged.match : undefined;
    let matched: number | undefined;
    if (blocks) {
      matched = blocks.findIndex((m) => matchBlock(m ?? {}, req, ns));
      if (matched < 0) continue;
    }
    const result = answer(model, delegate, j, matched, merged, `VirtualService/${ns}/${name}`, req, warnings);
    // which root and delegate blocks the merged block joins (the same merge, rules/delegation.ts)
    const origin = matched === undefined ? {} : mergeMatches(list<any>(rule.match), list<any>(leaves[j]?.match)).origins[matched] ?? {};
    const delegation: DelegationResult = {
      root: `VirtualService/${root.namespace}/${root.name}`,
      rootRule: index,
      ...(origin.root !== undefined ? { rootMatch: origin.root } : {}),
      delegate: `VirtualService/${ns}/${name}`,
      delegateRule: j,
      ...(origin.leaf !== undefined ? { delegateMatch: origin.leaf } : {}),
    };
    return {
      ...result,
      routedBy: delegation.root,
      delegate: delegation.delegate,
      delegation,
      reason: `VirtualService/${root.namespace}/${root.name} rule ${index} delegates to VirtualService/${ns}/${name}; ${result.reason}`,
    };
  }
  return undefined;
}

function answer(model: ManifestIndex, vs: IndexedObject, index: number, matched: number | undefined, rule: any, routedBy: string, req: NormalRequest, warnings: string[]): RouteResult {
  const what = matched === undefined ? 'it has no match, so it matches every request' : `its match[${matched}] matches (${describeMatch(rule.match[matched])})`;
  const reason = `${routedBy} rule ${index}${rule.name ? ` (${rule.name})` : ''}: ${what}${index === 1 ? '; rule 0 does not match' : index > 1 ? `; rules 0..${index - 1} do not match` : ''}`;
  const tail = { ...(matched === undefined ? {} : { match: matched }), routedBy, host: req.fqdn, reason, warnings };
  const effects = virtualServiceEffects(model, rule, matched === undefined ? undefined : rule.match[matched], req.path, vs.namespace);
  warnings.push(...ruleActionWarnings(rule, `${routedBy} rule ${index}`));
  if (effects.rewrite?.path !== undefined && !rule.redirect && !rule.directResponse) {
    const prefix = rewrittenPrefix(matched === undefined ? undefined : rule.match[matched]);
    const seam = prefix === undefined || rewriteUri(rule.rewrite.uri) ? undefined : prefixRewriteSeam(prefix, rule.rewrite.uri);
    if (seam) warnings.push(`${routedBy} rule ${index}: rewrite.uri ${JSON.stringify(rule.rewrite.uri)} on the prefix ${JSON.stringify(prefix)}: ${seam} (CI3011); this request is forwarded as ${effects.rewrite.path}`);
  }
  if (rule.redirect || rule.directResponse) {
    return { rule: index, destinations: [], timeout: null, ...tail, ...(rule.redirect ? { redirect: rule.redirect } : { directResponse: rule.directResponse }), ...effects };
  }
  const routes: any[] = Array.isArray(rule.route) ? rule.route : [];
  const destinations = weigh(
    routes.map((r) => ({
      host: model.configFqdn(String(r?.destination?.host ?? ''), vs.namespace),
      subset: r?.destination?.subset,
      port: r?.destination?.port?.number,
      raw: r?.weight,
    })),
  );
  for (const d of destinations) checkDestination(model, d, warnings);
  // Key order follows the CLI contract: rule, destinations, timeout, retries, then the rest.
  return { rule: index, destinations, timeout: rule.timeout ? normalizeDuration(rule.timeout) : null, retries: retriesOf(rule.retries), ...tail, ...effects };
}

/**
 * What pilot or Envoy do not carry out as the rule is written (the rules CI3007–CI3009 and the
 * constructs apply): a redirect code pilot does not translate, a rewritten path without a leading '/',
 * a header named by two operations of one block.
 */
function ruleActionWarnings(rule: any, at: string): string[] {
  const out: string[] = [];
  const code = rule?.redirect?.redirectCode;
  if (typeof code === 'number' && code >= 300 && code <= 399 && translatedRedirectCode(code)) {
    out.push(`${at}: redirectCode ${code}: ${translatedRedirectCode(code)} (pilot/pkg/networking/core/route/route.go), so this rule does not redirect as written`);
  }
  const uri = rule?.rewrite?.uri;
  if (typeof uri === 'string' && uri !== '' && rewriteUri(uri)) out.push(`${at}: rewrite.uri ${JSON.stringify(uri)}: ${rewriteUri(uri)}; Envoy writes it in place of the matched prefix as is`);
  for (const dir of ['request', 'response']) {
    for (const r of repeatedHeaderOperations(dir, rule?.headers?.[dir])) out.push(`${at}: headers.${dir}.${r.op}: ${r.rule}; the block does not say what happens to it`);
  }
  return out;
}

function defaultRoute(model: ManifestIndex, req: NormalRequest, warnings: string[], dropped?: IndexedObject): RouteResult {
  const svc = model.serviceOfHost(req.fqdn);
  const d: RouteDestination = { host: req.fqdn, weight: 100 };
  const why = dropped
    ? `VirtualService ${dropped.namespace}/${dropped.name} binds ${req.fqdn} but every match of it names other callers (sourceLabels, sourceNamespace) or another port, so istiod gives this caller none of its routes and`
    : `no VirtualService binds ${req.fqdn}:`;
  // A ServiceEntry host gets Istio's default route too; any other host is unknown, as for authz.
  const se = svc ? undefined : model.serviceEntryFor(req.fqdn);
  if (!svc && !se) {
    if (dropped) return { noRoute: true, destinations: [], timeout: null, routedBy: null, host: req.fqdn, reason: `${why} no Service or ServiceEntry gives the host a default route: 404`, warnings };
    throw new SimulatorError(`route request: no VirtualService, HTTPRoute, Service or ServiceEntry for ${req.fqdn} in the manifests`);
  }
  if (svc) checkDestination(model, d, warnings);
  const target = svc ? `Service ${svc.namespace}/${svc.name}` : `ServiceEntry ${se!.namespace}/${se!.name}`;
  return {
    destinations: [d],
    timeout: null,
    retries: ISTIO_DEFAULT_RETRIES,
    routedBy: null,
    host: req.fqdn,
    defaultRoute: true,
    reason: `${why} Istio's default route sends everything to ${target}, with no timeout and the default retries`,
    warnings,
  };
}

/**
 * A request to a port Istio proxies as TCP (pilot/pkg/networking/core/tls.go
 * `buildSidecarOutboundTCPFilterChainOpts`): the VirtualService's `http` rules do not apply; its first
 * `tcp` rule without match, or with a match block that `matchTCP` accepts (port, sourceLabels,
 * sourceNamespace and gateways all hold), forwards the connection; else it goes to the Service.
 * On a TLS port, `tls` rules decide by SNI ({@link routeConnection}).
 */
function routeTcp(model: ManifestIndex, req: NormalRequest, vs: IndexedObject | undefined, port: RequestPort, warnings: string[]): RouteResult {
  const intro = `${port.from} is ${port.protocol}, not HTTP: Istio proxies it as TCP and no http rule applies`;
  // A TLS port with tls rules: the rules match the connection's SNI ({@link routeConnection}).
  if (vs && isTlsProtocol(port.protocol) && list(vs.spec.tls).length > 0) {
    return routeConnection(model, vs, `VirtualService/${vs.namespace}/${vs.name}`, req, warnings);
  }
  const rules = vs && !isTlsProtocol(port.protocol) ? list<any>(vs.spec.tcp) : [];
  const hit = vs ? firstL4Rule(rules, 'tcp', req, port.port, vs.namespace, '', warnings) : undefined;
  if (vs && hit) {
    const routedBy = `VirtualService/${vs.namespace}/${vs.name}`;
    const destinations = l4Destinations(model, rules[hit.rule], vs.namespace, warnings);
    const what = hit.match === undefined ? 'it has no match' : `its match[${hit.match}] matches`;
    return {
      rule: hit.rule,
      destinations,
      timeout: null,
      ...(hit.match === undefined ? {} : { match: hit.match }),
      routedBy,
      host: req.fqdn,
      tcp: true,
      reason: `${intro}; ${routedBy} tcp rule ${hit.rule}: ${what}`,
      warnings,
    };
  }
  const d: RouteDestination = { host: req.fqdn, weight: 100 };
  checkDestination(model, d, warnings);
  const none = vs ? `no tcp rule of VirtualService ${vs.namespace}/${vs.name} matches` : 'no VirtualService binds the host';
  return { destinations: [d], timeout: null, routedBy: null, host: req.fqdn, defaultRoute: true, tcp: true, reason: `${intro}; ${none}, so the connection goes to the Service`, warnings };
}

/**
 * The first `tls` or `tcp` rule whose match holds, and which of its match blocks (undefined: the rule has
 * no match and takes every connection). A tls block also needs one of its `sniHosts` (`*.x` wildcards)
 * to cover the SNI.
 */
function firstL4Rule(rules: readonly any[], section: 'tls' | 'tcp', req: NormalRequest, port: number | undefined, namespace: string, sni: string, warnings: string[]): { rule: number; match?: number } | undefined {
  for (let i = 0; i < rules.length; i++) {
    const blocks = list<any>(rules[i]?.match);
    if (blocks.length === 0) return { rule: i };
    const match = blocks.findIndex((m) => {
      if (m === null || typeof m !== 'object') return false;
      if (section === 'tls' && !list<unknown>(m.sniHosts).some((h) => typeof h === 'string' && hostSubsetOf(sni, h.toLowerCase()))) return false;
      return l4Match(m, req, port, namespace, warnings);
    });
    if (match >= 0) return { rule: i, match };
  }
  return undefined;
}

/** The weighted destinations of a `tls` or `tcp` rule, checked against the known Services. */
function l4Destinations(model: ManifestIndex, rule: any, namespace: string, warnings: string[]): RouteDestination[] {
  const destinations = weigh(list<any>(rule?.route).map((r) => ({
    host: model.configFqdn(String(r?.destination?.host ?? ''), namespace),
    subset: r?.destination?.subset,
    port: r?.destination?.port?.number,
    raw: r?.weight,
  })));
  for (const d of destinations) checkDestination(model, d, warnings);
  return destinations;
}

/**
 * Istio's `matchTCP` and `matchTLS` (pilot/pkg/networking/core/tls.go, Istio 1.30.3): every condition of
 * an L4 match block holds, gateways, sourceLabels, port and sourceNamespace alike (a `gateways` list does
 * not stand in for the others). A `destinationSubnets` block needs the destination IP, which a route
 * request has not.
 */
function l4Match(m: any, req: NormalRequest, port: number | undefined, namespace: string, warnings: string[]): boolean {
  if (list(m.gateways).length > 0 && !gatewayBound(m.gateways, req, namespace)) return false;
  if (m.sourceLabels && typeof m.sourceLabels === 'object' && !labelsMatch(m.sourceLabels, req.sourceLabels ?? {})) return false;
  if (m.port !== undefined && m.port !== port) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== '' && m.sourceNamespace !== req.sourceNamespace) return false;
  if (list(m.destinationSubnets).length > 0) {
    warnings.push('a tcp match on destinationSubnets needs the destination IP, which the simulator does not know: taken as not matching');
    return false;
  }
  return true;
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
