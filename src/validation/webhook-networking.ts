/**
 * istiod's webhook rules for networking.istio.io kinds: VirtualService, DestinationRule, Sidecar,
 * Gateway, ServiceEntry. Each function follows the Istio function named in its comment.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/validation.go
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/virtualservice.go
 */
import { CORS_METHODS, headerMatchName, headerOperationName, headerRequestSetName, headerValue, isJwtClaimRoute, PRESENT_MATCH_REGEX, retryOn } from '../rules/http';
import { corsHeaderName, corsMaxAge, corsOriginValue, directResponseBody, grpcStatusName, redirectCode, redirectScheme, responseStatus } from '../rules/route';
import { localities, localityFailover, localityFailoverNeedsOutlierDetection, portLevelDroppedFields, localityWeights, maglevTableSize } from '../rules/traffic-policy';
import { ipAddress, ipSubnet } from '../rules/ip';
import { fqdn, gatewayName, istioDnsLabel, namespaceSlashHost, partialWildcard, wildcardDomain } from '../rules/names';
import { faultPercentage, uint32 } from '../rules/numbers';
import { istioPortName, port } from '../rules/ports';
import { hostsMatch, hostSubsetOf } from '../rules/hosts';
import { isHttpProtocol, isTlsProtocol, parseProtocol, protocol } from '../rules/protocol';
import { matchRegex, re2Regex } from '../rules/regex';
import {
  arr, bindAddress, clientTls, connectionPool, destination, entries, exportTo, istioLabels, nonEmpty, obj, q, serverTls, setScalar, Sink,
  unixAddress, workloadSelector,
} from './webhook-common';


/** `ValidateWildcardDomainForVirtualServiceBoundToGateway`: also the auto-generated `outbound_.<port>_._.<host>` SNI form. */
function gatewayBoundHost(sni: boolean, host: unknown): string | undefined {
  if (sni && typeof host === 'string' && host.startsWith('outbound_') && host.length <= 255) {
    const parts = host.split('_');
    if (parts.length < 4) return "an auto-generated SNI host must follow 'outbound_.<port>_._.<hostname>'";
    if (parts[0] !== 'outbound') return `label ${q(parts[0])} is invalid`;
    if (!/[0-9]/.test(parts[1].replace(/^\.+|\.+$/g, ''))) return 'the port of an auto-generated SNI host must be a number';
    if (!/[a-zA-Z]/.test(parts[3].replace(/^\.+|\.+$/g, ''))) return 'the hostname of an auto-generated SNI host is invalid';
    return undefined;
  }
  return wildcardDomain(host);
}

/** `ValidateVirtualService`. */
export function virtualService(m: any, spec: any, s: Sink): void {
  const hosts = arr(spec.hosts);
  const gateways = arr(spec.gateways);
  const delegate = hosts.length === 0;
  if (delegate) {
    if (gateways.length) s.err('CI2119', 'spec.gateways: a delegate VirtualService (no hosts) must have no gateways');
    if (nonEmpty(spec.tls)) s.err('CI2119', 'spec.tls: a delegate VirtualService (no hosts) must have no tls routes');
    if (nonEmpty(spec.tcp)) s.err('CI2119', 'spec.tcp: a delegate VirtualService (no hosts) must have no tcp routes');
  }
  gatewayNames('spec.gateways', gateways, s);
  const appliesToGateway = gateways.length > 0 && !gateways.includes('mesh');
  const appliesToMesh = !appliesToGateway;
  if (!appliesToGateway) {
    arr(spec.http).forEach((h: any, i: number) => arr(h?.match).forEach((mt: any, k: number) => {
      for (const f of ['headers', 'withoutHeaders']) {
        for (const [name] of entries(mt?.[f])) {
          if (isJwtClaimRoute(name)) s.err('CI2121', `spec.http[${i}].match[${k}].${f}[${q(name)}]: JWT claim based routing is only supported for VirtualServices bound to gateways`);
        }
      }
    }));
  }
  const sni = arr(spec.tls).some((t: any) => arr(t?.match).some((mt: any) => nonEmpty(mt?.sniHosts)));
  let allHostsValid = true;
  hosts.forEach((h, i) => {
    const bad = appliesToGateway ? gatewayBoundHost(sni, h) : wildcardDomain(h);
    if (bad) {
      if (ipAddress(h)) {
        s.err('CI2105', `spec.hosts[${i}]: ${q(h)} is invalid: ${bad}`);
        allHostsValid = false;
      }
    } else if (appliesToMesh && h === '*') {
      s.err('CI2105', `spec.hosts[${i}]: "*" is invalid: a wildcard host is not allowed on a VirtualService bound to the mesh`);
      allHostsValid = false;
    }
  });
  if (allHostsValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        if (typeof hosts[i] === 'string' && typeof hosts[j] === 'string' && hostsMatch(hosts[i], hosts[j])) {
          s.err('CI2106', `spec.hosts[${j}]: duplicate host ${q(hosts[j])}${hosts[i] === hosts[j] ? '' : ` (it overlaps ${q(hosts[i])})`}`);
        }
      }
    }
  }
  if (!nonEmpty(spec.http) && !nonEmpty(spec.tcp) && !nonEmpty(spec.tls)) s.err('CI2107', 'spec: at least one of http, tcp or tls is required');
  arr(spec.http).forEach((h: any, i: number) => {
    if (h === null || h === undefined) s.err('CI2103', `spec.http[${i}]: an http route may not be null`);
    else httpRoute(`spec.http[${i}]`, obj(h) ?? {}, delegate, s);
  });
  arr(spec.tls).forEach((t: any, i: number) => {
    const p = `spec.tls[${i}]`;
    const matches = arr(t?.match);
    if (matches.length === 0) s.err('CI2124', `${p}.match: a TLS route needs at least one match`);
    matches.forEach((mt: any, k: number) => {
      const mp = `${p}.match[${k}]`;
      const snis = arr(mt?.sniHosts);
      if (snis.length === 0) s.err('CI2124', `${mp}.sniHosts: a TLS match needs at least one SNI host`);
      snis.forEach((h: any, n: number) => {
        const bad = appliesToGateway ? gatewayBoundHost(true, h) : wildcardDomain(h);
        if (bad) {
          if (ipAddress(h)) s.err('CI2124', `${mp}.sniHosts[${n}]: ${q(h)} is invalid: ${bad}`);
          else s.warn('CI2128', `${mp}.sniHosts[${n}]: an IP address as SNI host goes against the SNI spec; most clients do not send one`);
          return;
        }
        if (!hosts.some((vh) => typeof vh === 'string' && hostSubsetOf(h, vh))) {
          s.err('CI2124', `${mp}.sniHosts[${n}]: SNI host ${q(h)} is not a subset of any of the VirtualService's hosts`);
        }
      });
      l4Match(mp, mt, s);
    });
    const routes = arr(t?.route);
    if (routes.length === 0) s.err('CI2103', `${p}.route: a TLS route needs at least one destination`);
    routeDestinations(`${p}.route`, routes, s, false);
  });
  arr(spec.tcp).forEach((t: any, i: number) => {
    const p = `spec.tcp[${i}]`;
    arr(t?.match).forEach((mt: any, k: number) => {
      if (mt === null) s.err('CI2124', `${p}.match[${k}]: a TCP match may not be null`);
      else l4Match(`${p}.match[${k}]`, mt, s);
    });
    const routes = arr(t?.route);
    if (routes.length === 0) s.err('CI2103', `${p}.route: a TCP route needs at least one destination`);
    routeDestinations(`${p}.route`, routes, s, false);
  });
  exportTo('spec.exportTo', spec.exportTo, m.metadata?.namespace, s);
}

/** `validateTLSMatch` / `validateTCPMatch` shared parts. */
function l4Match(p: string, mt: any, s: Sink): void {
  const o = obj(mt) ?? {};
  arr(o.destinationSubnets).forEach((d: any, n: number) => s.rule('CI2124', `${p}.destinationSubnets[${n}]`, d, ipSubnet));
  if (setScalar(o.port)) s.rule('CI2116', `${p}.port`, o.port, port);
  istioLabels('CI2121', `${p}.sourceLabels`, o.sourceLabels, s);
  gatewayNames(`${p}.gateways`, arr(o.gateways), s);
}

/**
 * Istio's `validateGatewayNames`: `namespace/name` entries are checked one by one; the first entry
 * without a namespace is checked as an FQDN and ends the check (Istio returns there).
 */
function gatewayNames(path: string, names: any[], s: Sink): void {
  for (let i = 0; i < names.length; i++) {
    s.rule('CI2120', `${path}[${i}]`, names[i], gatewayName);
    if (typeof names[i] === 'string' && !names[i].includes('/')) return;
  }
}

/** `validateStringMatch`: empty prefix and bad regexes (`uri` allows an empty prefix). */
function stringMatch(p: string, sm: any, s: Sink, allowEmptyPrefix = false): void {
  const o = obj(sm);
  if (!o) return;
  if (o.prefix === '' && !allowEmptyPrefix && o.exact === undefined && o.regex === undefined) s.err('CI2110', `${p}.prefix: "" is invalid: an empty prefix match is not allowed`);
  if (o.regex !== undefined && o.regex !== null) s.rule('CI2111', `${p}.regex`, o.regex, matchRegex);
}

function headerOps(p: string, headers: any, s: Sink): void {
  const h = obj(headers);
  if (!h) return;
  const req = obj(h.request) ?? {};
  const res = obj(h.response) ?? {};
  for (const op of ['add', 'set']) {
    for (const [name, val] of entries(req[op])) {
      s.rule('CI2122', `${p}.request.${op}[${q(name)}]`, name, headerRequestSetName);
      s.rule('CI2122', `${p}.request.${op}[${q(name)}]`, val, headerValue);
    }
    for (const [name, val] of entries(res[op])) {
      s.rule('CI2122', `${p}.response.${op}[${q(name)}]`, name, headerOperationName);
      s.rule('CI2122', `${p}.response.${op}[${q(name)}]`, val, headerValue);
    }
  }
  arr(req.remove).forEach((name: any, i: number) => s.rule('CI2122', `${p}.request.remove[${i}]`, name, headerOperationName));
  arr(res.remove).forEach((name: any, i: number) => s.rule('CI2122', `${p}.response.remove[${i}]`, name, headerOperationName));
}

function isAuthorityHeader(k: string): boolean {
  return k.toLowerCase() === ':authority' || k.toLowerCase() === 'host';
}

/** `validateHTTPRoute`. */
function httpRoute(p: string, h: any, delegateVs: boolean, s: Sink): void {
  const routeType = delegateVs ? 'delegate' : h.delegate ? 'root' : 'independent';
  const routes = arr(h.route);
  const present = (k: string) => h[k] !== undefined && h[k] !== null;
  // validateHTTPRouteConflict
  if (routeType === 'root') {
    if (present('redirect')) s.err('CI2108', `${p}.redirect: a root route (with delegate) must not set redirect`);
    if (present('route')) s.err('CI2108', `${p}.route: a root route (with delegate) must not set route`);
  } else {
    if (routeType === 'delegate' && present('delegate')) s.err('CI2119', `${p}.delegate: a delegate VirtualService's route cannot delegate again`);
    if (present('redirect')) {
      if (routes.length) s.err('CI2108', `${p}: route cannot be combined with redirect`);
      if (present('fault')) s.err('CI2108', `${p}: fault cannot be combined with redirect`);
      if (present('rewrite')) s.err('CI2108', `${p}: rewrite cannot be combined with redirect`);
      if (present('directResponse')) s.err('CI2108', `${p}: directResponse cannot be combined with redirect`);
    } else if (present('directResponse')) {
      if (routes.length) s.err('CI2108', `${p}: route cannot be combined with directResponse`);
      if (present('fault')) s.err('CI2108', `${p}: fault cannot be combined with directResponse`);
      if (present('rewrite')) s.err('CI2108', `${p}: rewrite cannot be combined with directResponse`);
    } else if (routes.length === 0) {
      s.err('CI2103', `${p}.route: a route needs at least one destination (or a redirect, directResponse or delegate)`);
    }
  }
  if (present('mirror') && nonEmpty(h.mirrors)) s.err('CI2108', `${p}: mirror cannot be combined with mirrors`);

  // validateHTTPRouteMatchRequest
  arr(h.match).forEach((mt: any, k: number) => {
    const mp = `${p}.match[${k}]`;
    const o = obj(mt);
    if (!o) return;
    for (const [name, sm] of entries(o.headers)) {
      if (sm === null) s.err('CI2112', `${mp}.headers[${q(name)}]: a header match cannot be null`);
      const bad = headerMatchName(name);
      if (bad) s.err('CI2112', `${mp}.headers[${q(name)}]: header name is invalid: ${bad}`);
      else if (name !== name.toLowerCase() && !isJwtClaimRoute(name)) s.out.push({ code: 'CI2114', level: 'info', message: `${mp}.headers[${q(name)}]: header names are case-insensitive and HTTP/2 sends them lowercase; write ${q(name.toLowerCase())}` });
      stringMatch(`${mp}.headers[${q(name)}]`, sm, s);
    }
    for (const [name, sm] of entries(o.withoutHeaders)) {
      const bad = headerMatchName(name);
      if (bad) s.err('CI2112', `${mp}.withoutHeaders[${q(name)}]: header name is invalid: ${bad}`);
      // `regex: "*"` is not a regex: Istio translates it into a presence match.
      if (obj(sm) && sm.regex !== PRESENT_MATCH_REGEX) stringMatch(`${mp}.withoutHeaders[${q(name)}]`, sm, s);
    }
    stringMatch(`${mp}.uri`, o.uri, s, true);
    for (const f of ['scheme', 'method', 'authority']) stringMatch(`${mp}.${f}`, o[f], s);
    for (const [qn, sm] of entries(o.queryParams)) stringMatch(`${mp}.queryParams[${q(qn)}]`, sm, s);
    if (setScalar(o.port)) s.rule('CI2116', `${mp}.port`, o.port, port);
    istioLabels('CI2121', `${mp}.sourceLabels`, o.sourceLabels, s);
    gatewayNames(`${mp}.gateways`, arr(o.gateways), s);
    if (setScalar(o.sourceNamespace)) s.rule('CI2121', `${mp}.sourceNamespace`, o.sourceNamespace, istioDnsLabel);
  });

  headerOps(`${p}.headers`, h.headers, s);
  cors(`${p}.corsPolicy`, h.corsPolicy, s);
  fault(`${p}.fault`, h.fault, s);

  if (h.mirrorPercent !== undefined && h.mirrorPercent !== null) {
    const v = typeof h.mirrorPercent === 'object' ? h.mirrorPercent?.value : h.mirrorPercent;
    if (typeof v === 'number' && v > 100) s.err('CI2109', `${p}.mirrorPercent: ${v} is invalid: must be at most 100`);
    s.warn('CI2127', `${p}.mirrorPercent: deprecated, use mirrorPercentage`);
  }
  const mp = h.mirrorPercentage?.value;
  if (typeof mp === 'number' && (mp < 0 || mp > 100)) s.err('CI2109', `${p}.mirrorPercentage.value: ${mp} is invalid: must be within 0..100`);
  destination(`${p}.mirror`, h.mirror, s);
  arr(h.mirrors).forEach((mr: any, i: number) => {
    if (!obj(mr) || mr.destination === undefined || mr.destination === null) {
      s.err('CI2103', `${p}.mirrors[${i}].destination: a mirror needs a destination`);
      return;
    }
    destination(`${p}.mirrors[${i}].destination`, mr.destination, s);
    const v = mr.percentage?.value;
    if (typeof v === 'number' && (v < 0 || v > 100)) s.err('CI2109', `${p}.mirrors[${i}].percentage.value: ${v} is invalid: must be within 0..100`);
  });
  redirect(`${p}.redirect`, h.redirect, s);
  directResponse(`${p}.directResponse`, h.directResponse, s);
  retries(`${p}.retries`, h.retries, s);
  rewrite(`${p}.rewrite`, h.rewrite, s);
  // validateAuthorityRewrite
  let authority = typeof h.rewrite?.authority === 'string' ? h.rewrite.authority : '';
  for (const op of ['set', 'add']) {
    for (const [k, v] of entries(h.headers?.request?.[op])) {
      if (!isAuthorityHeader(k)) continue;
      if (authority !== '') s.err('CI2126', `${p}.headers.request.${op}[${q(k)}]: the authority is already rewritten to ${q(authority)}; it can be set once only`);
      authority = String(v);
    }
  }
  routeDestinations(`${p}.route`, routes, s, true);
  s.duration('CI2113', `${p}.timeout`, h.timeout);
}

/** `validateHTTPRouteDestinations` / `validateRouteDestinations`. */
function routeDestinations(p: string, routes: any[], s: Sink, http: boolean): void {
  let total = 0;
  routes.forEach((r: any, j: number) => {
    const rp = `${p}[${j}]`;
    if (r === null || r === undefined) {
      s.err('CI2103', `${rp}: a route destination may not be null`);
      return;
    }
    if (r.destination === undefined || r.destination === null) s.err('CI2103', `${rp}.destination: a destination is required`);
    if (http) headerOps(`${rp}.headers`, r.headers, s);
    destination(`${rp}.destination`, r.destination, s);
    if (typeof r.weight === 'number') {
      if (r.weight < 0) s.err('CI2101', `${rp}.weight: ${r.weight} is invalid: a weight must not be negative`);
      total += r.weight;
    }
  });
  if (routes.length > 1 && total === 0) s.err('CI2102', `${p}: the weights of ${routes.length} destinations sum to 0: at least one must be positive`);
}

/** `validateCORSPolicy`. */
function cors(p: string, c: any, s: Sink): void {
  const o = obj(c);
  if (!o) return;
  arr(o.allowOrigins).forEach((origin: any, i: number) => {
    const om = obj(origin) ?? {};
    const v = om.exact ?? om.prefix ?? om.regex;
    const bad = corsOriginValue(v);
    if (bad) s.err('CI2123', `${p}.allowOrigins[${i}]: ${bad}`);
    else if (om.regex !== undefined) s.rule('CI2111', `${p}.allowOrigins[${i}].regex`, om.regex, matchRegex);
  });
  arr(o.allowMethods).forEach((mth: any, i: number) => {
    if (!CORS_METHODS.includes(mth)) s.err('CI2123', `${p}.allowMethods[${i}]: ${q(mth)} is invalid: must be one of ${CORS_METHODS.join(', ')}`);
  });
  for (const f of ['allowHeaders', 'exposeHeaders']) {
    arr(o[f]).forEach((name: any, i: number) => s.rule('CI2123', `${p}.${f}[${i}]`, name, corsHeaderName));
  }
  if (o.maxAge !== undefined && o.maxAge !== null) s.rule('CI2123', `${p}.maxAge`, o.maxAge, corsMaxAge);
}

/** `validateHTTPFaultInjection`. */
function fault(p: string, f: any, s: Sink): void {
  const o = obj(f);
  if (f === undefined || f === null) return;
  if (!o || ((o.abort === undefined || o.abort === null) && (o.delay === undefined || o.delay === null))) {
    s.err('CI2125', `${p}: fault injection needs an abort and/or a delay`);
    return;
  }
  const abort = obj(o.abort);
  if (abort) {
    if (abort.percentage?.value !== undefined) s.rule('CI2125', `${p}.abort.percentage.value`, abort.percentage.value, faultPercentage);
    if (abort.grpcStatus !== undefined) s.rule('CI2125', `${p}.abort.grpcStatus`, abort.grpcStatus, grpcStatusName);
    else if (abort.http2Error !== undefined) s.err('CI2125', `${p}.abort.http2Error: HTTP/2 abort fault injection is not supported`);
    else if (abort.httpStatus !== undefined) s.rule('CI2125', `${p}.abort.httpStatus`, abort.httpStatus, responseStatus);
    else s.warn('CI2129', `${p}.abort: an abort without httpStatus, grpcStatus or http2Error does nothing`);
  }
  const delay = obj(o.delay);
  if (delay) {
    if (delay.percentage?.value !== undefined) s.rule('CI2125', `${p}.delay.percentage.value`, delay.percentage.value, faultPercentage);
    if (delay.fixedDelay !== undefined) s.duration('CI2113', `${p}.delay.fixedDelay`, delay.fixedDelay);
    else if (delay.exponentialDelay !== undefined) {
      s.duration('CI2113', `${p}.delay.exponentialDelay`, delay.exponentialDelay);
      s.err('CI2125', `${p}.delay.exponentialDelay: exponential delay is not supported`);
    }
  }
}

/** `validateHTTPRedirect`. */
function redirect(p: string, r: any, s: Sink): void {
  const o = obj(r);
  if (!o) return;
  const port = o.port ?? 0;
  if (!setScalar(o.uri) && !setScalar(o.authority) && !setScalar(o.port) && o.derivePort === undefined && !setScalar(o.scheme)) {
    s.err('CI2125', `${p}: a redirect must set uri, authority, scheme or port`);
    return;
  }
  if (setScalar(o.redirectCode) && redirectCode(o.redirectCode)) s.rule('CI2125', `${p}.redirectCode`, o.redirectCode, redirectCode);
  else if (setScalar(o.scheme) && redirectScheme(o.scheme)) s.rule('CI2125', `${p}.scheme`, o.scheme, redirectScheme);
  else if (typeof port === 'number' && port > 65535) s.err('CI2125', `${p}.port: ${port} is invalid: a port must be an integer in 1..65535`);
}

/** `validateHTTPDirectResponse`. */
function directResponse(p: string, d: any, s: Sink): void {
  const o = obj(d);
  if (!o) return;
  const body = obj(o.body);
  if (body) {
    const size = typeof body.string === 'string' ? Buffer.byteLength(body.string) : typeof body.bytes === 'string' ? Math.floor(body.bytes.length * 3 / 4) : 0;
    if (typeof body.string === 'string' && directResponseBody(body.string)) s.rule('CI2125', `${p}.body`, body.string, directResponseBody);
    else if (size > 1024 * 1024) s.err('CI2125', `${p}.body: a direct response body must be smaller than 1MB`);
    else if (size > 100 * 1024) s.warn('CI2129', `${p}.body: a direct response body over 100kB may impact control plane performance`);
  }
  s.rule('CI2125', `${p}.status`, o.status ?? 0, responseStatus);
}

/** `validateHTTPRetry`. */
function retries(p: string, r: any, s: Sink): void {
  const o = obj(r);
  if (!o) return;
  // proto3: an unset attempts is 0 (retries off).
  const attempts = typeof o.attempts === 'number' ? o.attempts : 0;
  if (attempts < 0) s.err('CI2117', `${p}.attempts: ${attempts} is invalid: must be >= 0`);
  if (attempts === 0 && (o.perTryTimeout != null || setScalar(o.retryOn) || o.retryRemoteLocalities != null)) {
    s.err('CI2117', `${p}: with attempts 0 (retries disabled${o.attempts === undefined ? ', the default' : ''}), perTryTimeout, retryOn and retryRemoteLocalities must not be set`);
  }
  s.duration('CI2113', `${p}.perTryTimeout`, o.perTryTimeout);
  if (setScalar(o.retryOn)) s.rule('CI2118', `${p}.retryOn`, o.retryOn, retryOn);
  s.duration('CI2113', `${p}.backoff`, o.backoff);
}

/** `validateHTTPRewrite`. */
function rewrite(p: string, r: any, s: Sink): void {
  const o = obj(r);
  if (!o) return;
  const rr = obj(o.uriRegexRewrite);
  if (setScalar(o.uri) && rr) s.err('CI2126', `${p}: only one of uri or uriRegexRewrite may be set`);
  else if (!setScalar(o.uri) && !rr && !setScalar(o.authority)) s.err('CI2126', `${p}: a rewrite must set uri, uriRegexRewrite or authority`);
  else if (rr) {
    if (!setScalar(rr.match) || !setScalar(rr.rewrite)) s.err('CI2126', `${p}.uriRegexRewrite: both match and rewrite are required`);
    else s.rule('CI2111', `${p}.uriRegexRewrite.match`, rr.match, re2Regex);
  }
}

/** `ValidateDestinationRule`. */
export function destinationRule(m: any, spec: any, s: Sink): void {
  if (spec.host !== undefined) s.rule('CI2201', 'spec.host', spec.host, wildcardDomain);
  const ns = m.metadata?.namespace;
  trafficPolicy('spec.trafficPolicy', spec.trafficPolicy, ns, s);
  const names = new Set<string>();
  arr(spec.subsets).forEach((sub: any, i: number) => {
    const p = `spec.subsets[${i}]`;
    if (!obj(sub)) {
      s.err('CI2202', `${p}: a subset may not be null`);
      return;
    }
    if (typeof sub.name === 'string' && names.has(sub.name)) s.err('CI2202', `${p}.name: duplicate subset name ${q(sub.name)}`);
    if (typeof sub.name === 'string') names.add(sub.name);
    if (!setScalar(sub.name)) s.err('CI2202', `${p}.name: a subset name cannot be empty`);
    else s.rule('CI2202', `${p}.name`, sub.name, istioDnsLabel);
    istioLabels('CI2210', `${p}.labels`, sub.labels, s);
    trafficPolicy(`${p}.trafficPolicy`, sub.trafficPolicy, ns, s);
  });
  const selector = obj(spec.workloadSelector);
  exportTo('spec.exportTo', spec.exportTo, ns, s, false, selector !== undefined);
  workloadSelector('spec.workloadSelector.matchLabels', selector?.matchLabels, selector !== undefined, s);
}

/** `validateTrafficPolicy`. */
function trafficPolicy(p: string, tp: any, ns: string | undefined, s: Sink): void {
  if (tp === undefined || tp === null) return;
  const o = obj(tp) ?? {};
  const fields = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol', 'retryBudget'];
  if (!fields.some((f) => o[f] !== undefined && o[f] !== null)) {
    s.err('CI2203', `${p}: an empty trafficPolicy is invalid: set at least one field`);
    return;
  }
  if (o.tunnel != null && o.proxyProtocol != null) {
    s.err('CI2211', `${p}: tunnel and proxyProtocol must not be set together`);
    return;
  }
  outlier(`${p}.outlierDetection`, o.outlierDetection, s);
  connectionPool(`${p}.connectionPool`, o.connectionPool, s);
  loadBalancer(`${p}.loadBalancer`, o.loadBalancer, s, o.outlierDetection);
  clientTls(`${p}.tls`, o.tls, ns, s);
  arr(o.portLevelSettings).forEach((pl: any, i: number) => {
    const pp = `${p}.portLevelSettings[${i}]`;
    const po = obj(pl);
    if (!po) {
      s.err('CI2203', `${pp}: a port traffic policy may not be null`);
      return;
    }
    if (po.port === undefined || po.port === null) s.err('CI2203', `${pp}.port: a port traffic policy needs a port`);
    else if (po.port?.number !== undefined) s.rule('CI2116', `${pp}.port.number`, po.port.number, port);
    if (!['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].some((f) => po[f] != null)) {
      s.err('CI2203', `${pp}: a port traffic policy must set at least one of outlierDetection, connectionPool, loadBalancer or tls`);
      return;
    }
    outlier(`${pp}.outlierDetection`, po.outlierDetection, s);
    connectionPool(`${pp}.connectionPool`, po.connectionPool, s);
    loadBalancer(`${pp}.loadBalancer`, po.loadBalancer, s, po.outlierDetection);
    clientTls(`${pp}.tls`, po.tls, ns, s);
    const dropped = portLevelDroppedFields(o, po);
    if (dropped.length > 0) {
      s.warn('CI2216', `${pp}: port ${q(po.port?.number)} drops ${dropped.join(', ')} of ${p}: Istio does not inherit destination-level settings into a port entry, so that port gets the defaults (GetPortLevelTrafficPolicy). Hint: write the fields into the port entry too`);
    }
  });
  const tunnel = obj(o.tunnel);
  if (tunnel) {
    if (setScalar(tunnel.protocol) && tunnel.protocol !== 'CONNECT' && tunnel.protocol !== 'POST') s.err('CI2211', `${p}.tunnel.protocol: ${q(tunnel.protocol)} is invalid: must be CONNECT or POST`);
    if (fqdn(tunnel.targetHost) && ipAddress(tunnel.targetHost)) s.err('CI2211', `${p}.tunnel.targetHost: ${q(tunnel.targetHost)} is invalid: must be an FQDN or an IP address`);
    s.rule('CI2211', `${p}.tunnel.targetPort`, tunnel.targetPort ?? 0, port);
  }
}

/** `validateOutlierDetection`. */
function outlier(p: string, od: any, s: Sink): void {
  const o = obj(od);
  if (!o) return;
  s.duration('CI2206', `${p}.baseEjectionTime`, o.baseEjectionTime);
  s.duration('CI2206', `${p}.interval`, o.interval);
  if (setScalar(o.consecutiveErrors)) s.warn('CI2213', `${p}.consecutiveErrors: deprecated, use consecutiveGatewayErrors or consecutive5xxErrors`);
  const local = typeof o.consecutiveLocalOriginFailures === 'object' ? o.consecutiveLocalOriginFailures?.value : o.consecutiveLocalOriginFailures;
  if (o.splitExternalLocalOriginErrors !== true && typeof local === 'number' && local > 0) {
    s.err('CI2209', `${p}.consecutiveLocalOriginFailures: requires splitExternalLocalOriginErrors: true`);
  }
  for (const k of ['maxEjectionPercent', 'minHealthPercent']) {
    const v = o[k];
    if (typeof v === 'number' && (v < 0 || v > 100)) s.err('CI2207', `${p}.${k}: ${v} is invalid: must be within 0..100`);
  }
  for (const k of ['consecutive5xxErrors', 'consecutiveGatewayErrors', 'consecutiveLocalOriginFailures']) {
    const v = typeof o[k] === 'object' && o[k] !== null ? o[k].value : o[k];
    if (v !== undefined && v !== null && uint32(v)) s.err('CI2208', `${p}.${k}: ${q(v)} is invalid: must be a uint32 (0..4294967295)`);
  }
}

/** `validateLoadBalancer` and `ValidateLocalityLbSetting`. */
function loadBalancer(p: string, lb: any, s: Sink, outlierDetection?: unknown): void {
  const o = obj(lb);
  if (!o) return;
  const ch = obj(o.consistentHash);
  if (ch) {
    const cookie = obj(ch.httpCookie);
    if (cookie && !setScalar(cookie.name)) s.err('CI2212', `${p}.consistentHash.httpCookie.name: a cookie name is required`);
    const attrNames = new Set<string>();
    arr(cookie?.attributes).forEach((a: any, i: number) => {
      if (!setScalar(a?.name)) s.err('CI2212', `${p}.consistentHash.httpCookie.attributes[${i}].name: a cookie attribute name cannot be empty`);
      else if (attrNames.has(a.name)) s.err('CI2212', `${p}.consistentHash.httpCookie.attributes[${i}].name: duplicate cookie attribute ${q(a.name)}`);
      else attrNames.add(a.name);
    });
    if (setScalar(ch.minimumRingSize)) {
      s.warn('CI2213', `${p}.consistentHash.minimumRingSize: deprecated, use ringHash`);
      if (ch.ringHash != null || ch.maglev != null) s.err('CI2212', `${p}.consistentHash: only one of minimumRingSize, ringHash or maglev may be set`);
    }
    const ml = obj(ch.maglev);
    if (ml) {
      const size = typeof ml.tableSize === 'number' ? ml.tableSize : Number(ml.tableSize ?? 0);
      s.rule('CI2212', `${p}.consistentHash.maglev.tableSize`, size, maglevTableSize);
    }
  }
  const loc = obj(o.localityLbSetting);
  if (loc) {
    const distribute = arr(loc.distribute);
    const failover = arr(loc.failover);
    if (distribute.length && failover.length) s.err('CI2212', `${p}.localityLbSetting: distribute and failover cannot both be set`);
    else {
      distribute.forEach((d: any, i: number) => {
        const to = obj(d?.to) ?? {};
        s.rule('CI2212', `${p}.localityLbSetting.distribute[${i}].to`, to, localityWeights);
        s.rule('CI2212', `${p}.localityLbSetting.distribute[${i}].to`, Object.keys(to), localities);
      });
      s.rule('CI2212', `${p}.localityLbSetting.distribute`, distribute.map((d: any) => String(d?.from ?? '')), localities);
      failover.forEach((f: any, i: number) => {
        const bad = localityFailover(f?.from, f?.to);
        if (bad) s.err('CI2212', `${p}.localityLbSetting.failover[${i}]: ${bad}`);
      });
      const wantsFailover = failover.length > 0 || arr(loc.failoverPriority).length > 0;
      const noOutlier = localityFailoverNeedsOutlierDetection(wantsFailover, outlierDetection !== undefined && outlierDetection !== null);
      if (noOutlier) s.warn('CI2215', `${p}.localityLbSetting: ${noOutlier}`);
    }
  }
  const warm = obj(o.warmup);
  if (warm) {
    if (warm.duration === undefined || warm.duration === null) s.err('CI2212', `${p}.warmup.duration: a warmup duration is required`);
    else s.duration('CI2206', `${p}.warmup.duration`, warm.duration);
    const minPct = typeof warm.minimumPercent === 'object' ? warm.minimumPercent?.value : warm.minimumPercent;
    if (typeof minPct === 'number' && minPct > 100) s.err('CI2212', `${p}.warmup.minimumPercent: ${minPct} is invalid: must be at most 100`);
    const agg = typeof warm.aggression === 'object' && warm.aggression !== null ? warm.aggression.value : warm.aggression;
    if (warm.aggression != null && typeof agg === 'number' && agg < 1) s.err('CI2212', `${p}.warmup.aggression: ${agg} is invalid: must be at least 1`);
  }
}

/** `ValidateSidecar`. */
export function sidecar(_m: any, spec: any, s: Sink): void {
  const ws = obj(spec.workloadSelector);
  workloadSelector('spec.workloadSelector.labels', ws?.labels, ws !== undefined, s);
  if (!nonEmpty(spec.egress) && !nonEmpty(spec.ingress) && spec.outboundTrafficPolicy == null && spec.inboundConnectionPool == null) {
    s.err('CI2701', 'spec: an empty Sidecar is invalid: set egress, ingress, outboundTrafficPolicy or inboundConnectionPool');
    return;
  }
  const ports = new Set<number>();
  arr(spec.ingress).forEach((ing: any, i: number) => {
    const p = `spec.ingress[${i}]`;
    const o = obj(ing);
    if (!o) {
      s.err('CI2702', `${p}: an ingress listener may not be null`);
      return;
    }
    const pt = obj(o.port);
    if (!pt) {
      s.err('CI2702', `${p}.port: a port is required for ingress listeners`);
      return;
    }
    if (setScalar(pt.targetPort)) s.err('CI2702', `${p}.port.targetPort: targetPort has no effect on a Sidecar`);
    sidecarPort(`${p}.port`, pt, s);
    s.rule('CI2702', `${p}.port.number`, pt.number ?? 0, port);
    bindAddress('CI2702', `${p}.bind`, o.bind, s);
    if (ports.has(pt.number)) s.err('CI2702', `${p}.port.number: ports on IP-bound listeners must be unique (${pt.number} repeats)`);
    ports.add(pt.number);
    if (setScalar(o.defaultEndpoint)) defaultEndpoint(`${p}.defaultEndpoint`, String(o.defaultEndpoint), s);
    const tls = obj(o.tls);
    if (tls) {
      if (nonEmpty(tls.subjectAltNames)) s.err('CI2702', `${p}.tls.subjectAltNames: not supported in Sidecar ingress TLS`);
      if (tls.httpsRedirect === true) s.err('CI2702', `${p}.tls.httpsRedirect: not supported in a Sidecar`);
      if (setScalar(tls.credentialName)) s.err('CI2702', `${p}.tls.credentialName: not supported in a Sidecar`);
      if (nonEmpty(tls.credentialNames)) s.err('CI2702', `${p}.tls.credentialNames: not supported in a Sidecar`);
      if (nonEmpty(tls.tlsCertificates)) s.err('CI2702', `${p}.tls.tlsCertificates: not supported in a Sidecar`);
      if (tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH') s.err('CI2702', `${p}.tls.mode: ${tls.mode} cannot be used in Sidecar ingress TLS`);
      if (!isTlsProtocol(parseProtocol(pt.protocol))) s.err('CI2702', `${p}.tls: TLS settings need an HTTPS or TLS port`);
      serverTls(`${p}.tls`, tls, s);
    }
    connectionPool(`${p}.connectionPool`, o.connectionPool, s);
    if (o.connectionPool?.http && !isHttpProtocol(parseProtocol(pt.protocol))) {
      s.warn('CI2706', `${p}.connectionPool.http: the port's protocol is not HTTP, so only the TCP settings apply`);
    }
  });
  connectionPool('spec.inboundConnectionPool', spec.inboundConnectionPool, s);
  const egressPorts = new Set<number>();
  const uds = new Set<string>();
  let catchAll = false;
  const egress = arr(spec.egress);
  egress.forEach((eg: any, i: number) => {
    const p = `spec.egress[${i}]`;
    const o = obj(eg);
    if (!o) {
      s.err('CI2703', `${p}: an egress listener may not be null`);
      return;
    }
    const pt = obj(o.port);
    if (!pt) {
      if (catchAll) {
        s.err('CI2703', `${p}.port: only one egress listener may omit the port`);
        return;
      }
      if (i === egress.length - 1) catchAll = true;
      else s.err('CI2703', `${p}.port: the egress listener without a port must be the last one`);
    } else {
      if (setScalar(pt.targetPort)) s.err('CI2703', `${p}.port.targetPort: targetPort has no effect on a Sidecar`);
      sidecarPort(`${p}.port`, pt, s);
      const bind = typeof o.bind === 'string' ? o.bind : '';
      if (!setScalar(pt.number)) {
        if (!bind.startsWith('unix://')) s.err('CI2703', `${p}.bind: a port 0 listener needs a unix:// bind address`);
        else s.rule('CI2703', `${p}.bind`, bind.slice('unix://'.length), unixAddress);
        if (o.captureMode !== undefined && o.captureMode !== 'DEFAULT' && o.captureMode !== 'NONE') s.err('CI2703', `${p}.captureMode: must be DEFAULT or NONE for a unix socket listener`);
        if (uds.has(bind)) s.err('CI2703', `${p}.bind: unix socket listeners must be unique`);
        uds.add(bind);
      } else {
        s.rule('CI2703', `${p}.port.number`, pt.number, port);
        bindAddress('CI2703', `${p}.bind`, o.bind, s);
        if (egressPorts.has(pt.number)) s.err('CI2703', `${p}.port.number: ports on IP-bound listeners must be unique (${pt.number} repeats)`);
        egressPorts.add(pt.number);
      }
    }
    const hosts = arr(o.hosts);
    if (hosts.length === 0) s.err('CI2704', `${p}.hosts: an egress listener needs at least one host`);
    hosts.forEach((h: any, n: number) => s.rule('CI2704', `${p}.hosts[${n}]`, h, (v) => namespaceSlashHost(v, false)));
  });
  const otp = obj(spec.outboundTrafficPolicy);
  if (otp && otp.egressProxy != null) {
    if ((otp.mode ?? 'REGISTRY_ONLY') !== 'ALLOW_ANY') s.err('CI2705', 'spec.outboundTrafficPolicy.egressProxy: an egress proxy needs mode ALLOW_ANY');
    else {
      s.rule('CI2705', 'spec.outboundTrafficPolicy.egressProxy.host', otp.egressProxy.host ?? '', fqdn);
      if (otp.egressProxy.port == null) s.err('CI2705', 'spec.outboundTrafficPolicy.egressProxy.port: a port is required');
      else destination('spec.outboundTrafficPolicy.egressProxy', otp.egressProxy, s, 'CI2705');
    }
  }
}

function sidecarPort(p: string, pt: any, s: Sink): void {
  if (setScalar(pt.name)) s.rule('CI2702', `${p}.name`, pt.name, istioPortName);
  s.rule('CI2702', `${p}.protocol`, pt.protocol, protocol);
}

function defaultEndpoint(p: string, v: string, s: Sink): void {
  if (v.startsWith('unix://')) {
    s.rule('CI2702', p, v.slice('unix://'.length), unixAddress);
    return;
  }
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(v);
  if (!m) {
    s.err('CI2702', `${p}: ${q(v)} is invalid: must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>`);
    return;
  }
  const host = m[1] ?? m[2];
  if (host !== '' && !['127.0.0.1', '0.0.0.0', '::1', '::'].includes(host)) {
    s.err('CI2702', `${p}: ${q(v)} is invalid: must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>`);
  }
  if (!/^[+-]?[0-9]+$/.test(m[3])) s.err('CI2702', `${p}: the port ${q(m[3])} is not a number`);
  else s.rule('CI2702', p, Number(m[3]), port);
}

/** `ValidateGateway`. */
export function gateway(m: any, spec: any, s: Sink): void {
  const name = m.metadata?.name;
  if (typeof name === 'string' && istioDnsLabel(name)) s.err('CI2901', `metadata.name: ${q(name)} is invalid: a Gateway name must be a DNS-1123 label (no dots)`);
  const servers = arr(spec.servers);
  if (servers.length === 0) s.err('CI2901', 'spec.servers: a Gateway needs at least one server');
  const portNames = new Set<string>();
  servers.forEach((srv: any, i: number) => {
    const p = `spec.servers[${i}]`;
    const o = obj(srv);
    if (!o) {
      s.err('CI2901', `${p}: a server may not be null`);
      return;
    }
    const hosts = arr(o.hosts);
    if (hosts.length === 0) s.err('CI2902', `${p}.hosts: a server needs at least one host`);
    hosts.forEach((h: any, n: number) => s.rule('CI2902', `${p}.hosts[${n}]`, h, (v) => namespaceSlashHost(v, true)));
    const pt = obj(o.port);
    const bind = typeof o.bind === 'string' ? o.bind : '';
    let portOk = true;
    if (!pt) {
      s.err('CI2903', `${p}.port: a port is required`);
      portOk = false;
    } else {
      if (!parseProtocol(pt.protocol)) {
        s.err('CI2903', `${p}.port.protocol: ${q(pt.protocol)} is invalid: supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP, TLS, HTTPS`);
        portOk = false;
      }
      if (setScalar(pt.number) || !bind.startsWith('unix://')) {
        if (port(pt.number ?? 0)) {
          s.err('CI2903', `${p}.port.number: ${q(pt.number ?? 0)} is invalid: a port must be an integer in 1..65535`);
          portOk = false;
        }
      }
      if (setScalar(pt.targetPort)) {
        s.err('CI2903', `${p}.port.targetPort: targetPort has no effect on a Gateway`);
        portOk = false;
      }
      if (!setScalar(pt.name)) {
        s.err('CI2903', `${p}.port.name: a port name is required`);
        portOk = false;
      }
    }
    if (bind.startsWith('unix://')) {
      s.rule('CI2903', `${p}.bind`, bind.slice('unix://'.length), unixAddress);
      if (pt && setScalar(pt.number)) s.err('CI2903', `${p}.port.number: must be 0 for a unix domain socket`);
    } else bindAddress('CI2903', `${p}.bind`, o.bind, s);
    serverTls(`${p}.tls`, o.tls, s);
    if (portOk && pt) {
      const proto = parseProtocol(pt.protocol);
      const tls = obj(o.tls);
      if (isTlsProtocol(proto) && !tls) s.err('CI2904', `${p}.tls: an HTTPS or TLS server needs TLS settings`);
      else if (!isTlsProtocol(proto) && tls) {
        const passthrough = (tls.mode ?? 'PASSTHROUGH') === 'PASSTHROUGH' || tls.mode === 'AUTO_PASSTHROUGH';
        if (isHttpProtocol(proto)) {
          if (!passthrough || ['caCertificates', 'privateKey', 'serverCertificate'].some((k) => setScalar(tls[k]))) {
            s.err('CI2904', `${p}.tls: a plain-text HTTP server cannot have TLS settings (only httpsRedirect)`);
          }
        } else s.err('CI2904', `${p}.tls: a non-HTTPS/TLS server cannot have TLS settings`);
      }
    }
    if (pt) {
      if (portNames.has(pt.name)) s.err('CI2903', `${p}.port.name: port names must be unique across servers (${q(pt.name)} repeats)`);
      portNames.add(pt.name);
      if (!isHttpProtocol(parseProtocol(pt.protocol)) && o.tls?.httpsRedirect === true) s.warn('CI2905', `${p}.tls.httpsRedirect: only meaningful on HTTP servers`);
    }
  });
}

/** `ValidateServiceEntry`. */
export function serviceEntry(m: any, spec: any, s: Sink): void {
  const ws = obj(spec.workloadSelector);
  workloadSelector('spec.workloadSelector.labels', ws?.labels, ws !== undefined, s);
  if (ws && spec.endpoints != null) s.err('CI2801', 'spec: only one of workloadSelector or endpoints may be set');
  const hosts = arr(spec.hosts);
  const resolution = spec.resolution ?? 'NONE';
  if (hosts.length === 0) s.err('CI2802', 'spec.hosts: a ServiceEntry needs at least one host');
  hosts.forEach((h: any, i: number) => {
    if (h === '*') s.err('CI2802', `spec.hosts[${i}]: "*" is invalid: a ServiceEntry host cannot be the full wildcard`);
    else {
      s.rule('CI2802', `spec.hosts[${i}]`, h, wildcardDomain);
      if (resolution !== 'DYNAMIC_DNS' && typeof h === 'string' && partialWildcard(h)) s.warn('CI2807', `spec.hosts[${i}]: ${partialWildcard(h)}`);
    }
  });
  const addresses = arr(spec.addresses);
  let cidr = false;
  addresses.forEach((a: any, i: number) => {
    if (typeof a === 'string' && a.includes('/')) cidr = true;
    s.rule('CI2803', `spec.addresses[${i}]`, a, ipSubnet);
  });
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC') s.err('CI2803', 'spec.addresses: CIDR addresses are allowed only with resolution NONE or STATIC');
  const portNames = new Set<string>();
  const portNumbers = new Set<number>();
  const ports = arr(spec.ports);
  ports.forEach((pt: any, i: number) => {
    const p = `spec.ports[${i}]`;
    if (!obj(pt)) {
      s.err('CI2804', `${p}: a port may not be null`);
      return;
    }
    if (portNames.has(pt.name)) s.err('CI2804', `${p}.name: port name ${q(pt.name)} is already defined`);
    portNames.add(pt.name);
    if (portNumbers.has(pt.number)) s.err('CI2804', `${p}.number: port ${pt.number} is already defined`);
    portNumbers.add(pt.number);
    if (setScalar(pt.targetPort)) s.rule('CI2804', `${p}.targetPort`, pt.targetPort, port);
    s.rule('CI2804', `${p}.name`, pt.name ?? '', istioPortName);
    s.rule('CI2804', `${p}.protocol`, pt.protocol, protocol);
    s.rule('CI2804', `${p}.number`, pt.number ?? 0, port);
  });
  const endpoints = arr(spec.endpoints);
  if (resolution === 'NONE') {
    if (endpoints.length) s.err('CI2805', 'spec.endpoints: no endpoints may be given with resolution NONE');
  } else if (resolution === 'STATIC') {
    endpoints.forEach((e: any, i: number) => workloadEntry(`spec.endpoints[${i}]`, e, portNames, s));
  } else if (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') {
    if (endpoints.length === 0) {
      const bad = hosts.find((h) => fqdn(h));
      if (bad !== undefined) s.err('CI2805', `spec.hosts: with resolution ${resolution} and no endpoints, hosts must be FQDNs (${q(bad)} is not)`);
    }
    if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) s.err('CI2805', 'spec.endpoints: resolution DNS_ROUND_ROBIN takes at most one endpoint');
    endpoints.forEach((e: any, i: number) => {
      const p = `spec.endpoints[${i}]`;
      if (!obj(e)) {
        s.err('CI2805', `${p}: an endpoint may not be null`);
        return;
      }
      if (ipAddress(e.address) && fqdn(e.address)) s.err('CI2805', `${p}.address: ${q(e.address)} is invalid: must be an FQDN or an IP address`);
      istioLabels('CI2805', `${p}.labels`, e.labels, s);
      for (const [name, n] of entries(e.ports)) {
        if (!portNames.has(name)) s.err('CI2805', `${p}.ports[${q(name)}]: the ServiceEntry defines no port named ${q(name)}`);
        s.rule('CI2805', `${p}.ports[${q(name)}]`, name, istioPortName);
        s.rule('CI2805', `${p}.ports[${q(name)}]`, n, port);
      }
    });
  } else if (resolution === 'DYNAMIC_DNS') {
    hosts.forEach((h: any, i: number) => {
      if (!(typeof h === 'string' && h.startsWith('*'))) s.err('CI2805', `spec.hosts[${i}]: with resolution DYNAMIC_DNS every host must be a wildcard`);
    });
    if (addresses.length) s.err('CI2805', 'spec.addresses: cannot be set with resolution DYNAMIC_DNS');
    if (endpoints.length) s.err('CI2805', 'spec.endpoints: cannot be set with resolution DYNAMIC_DNS');
    ports.forEach((pt: any, i: number) => {
      const proto = parseProtocol(pt?.protocol);
      if (proto !== 'HTTP' && proto !== 'TLS' && proto !== 'GRPC' && proto !== 'HTTP2') s.err('CI2805', `spec.ports[${i}].protocol: resolution DYNAMIC_DNS supports HTTP, TLS, GRPC and HTTP2 only`);
    });
    const location = spec.location ?? 'MESH_EXTERNAL';
    const waypoint = m.metadata?.labels?.['istio.io/use-waypoint'];
    if (location === 'MESH_INTERNAL' && typeof waypoint === 'string' && waypoint !== '' && waypoint.toLowerCase() !== 'none') {
      s.err('CI2805', 'spec.location: MESH_INTERNAL with resolution DYNAMIC_DNS is not supported with a waypoint');
    }
  }
  if (resolution !== 'NONE' && hosts.length > 1) {
    const bad = ports.find((pt: any) => {
      const proto = parseProtocol(pt?.protocol);
      return !isHttpProtocol(proto) && !isTlsProtocol(proto);
    });
    if (bad !== undefined) s.err('CI2806', 'spec.ports: several hosts with a non-HTTP, non-TLS port need resolution NONE (plain TCP cannot tell the hosts apart)');
  }
  exportTo('spec.exportTo', spec.exportTo, m.metadata?.namespace, s, true);
}

/** `validateWorkloadEntry` (ServiceEntry STATIC endpoints). */
function workloadEntry(p: string, e: any, portNames: Set<string>, s: Sink): void {
  const o = obj(e);
  if (!o) {
    s.err('CI2805', `${p}: an endpoint may not be null`);
    return;
  }
  const addr = typeof o.address === 'string' ? o.address : '';
  if (addr === '' && !setScalar(o.network)) s.err('CI2805', `${p}.address: an address is required unless a network is set`);
  else if (addr.startsWith('unix://')) {
    s.rule('CI2805', `${p}.address`, addr.slice('unix://'.length), unixAddress);
    if (nonEmpty(o.ports)) s.err('CI2805', `${p}.ports: a unix socket endpoint cannot have ports`);
  } else if (addr !== '' && ipAddress(addr)) s.err('CI2805', `${p}.address: ${q(addr)} is invalid: a STATIC endpoint address must be an IP address`);
  istioLabels('CI2805', `${p}.labels`, o.labels, s);
  for (const [name, n] of entries(o.ports)) {
    if (!portNames.has(name)) s.err('CI2805', `${p}.ports[${q(name)}]: the ServiceEntry defines no port named ${q(name)}`);
    s.rule('CI2805', `${p}.ports[${q(name)}]`, name, istioPortName);
    s.rule('CI2805', `${p}.ports[${q(name)}]`, n, port);
  }
  if (addr.startsWith('unix://') && portNames.size !== 1) s.err('CI2805', `${p}.address: a unix socket endpoint needs exactly one service port`);
}

