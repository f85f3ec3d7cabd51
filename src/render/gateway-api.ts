import {
  CorsIntent,
  effectiveSubsetPolicy,
  HeaderOperationsIntent,
  HostTrafficIntent,
  HttpMatchIntent,
  HttpRuleIntent,
  IntentProblem,
  Milliseconds,
  RetryIntent,
  RouteDefaultsIntent,
  RouteDestinationIntent,
  routedVersions,
  ServiceIntent,
  serviceOwner,
  StringMatchIntent,
  TrafficPolicyIntent,
  versionNames,
  isRouted,
} from '../model';
import { dns1123Label } from '../rules/names';
import { isHttpProtocol, portProtocol } from '../rules/protocol';
import { re2FullMatch } from '../rules/regex';
import { portLevelWithInherited } from '../rules/traffic-policy';
import { istioDuration } from './format';
import { hostRoutes, HostRouteView, renderTrafficPolicy, servicePort } from './istio-traffic';
import { lazyManifest, RenderedObject } from './types';

/**
 * Renders a host's traffic intent as Kubernetes Gateway API (v1.5.1, standard channel) objects for
 * the mesh (GAMMA): one `HTTPRoute` attached to the Service, whose weighted `backendRefs` point at
 * per-version Services (`<service>-<version>`), and DestinationRules without subsets (one for the
 * Service host, one per per-version Service host with a policy of its own). Pure functions of the
 * model.
 *
 * What Gateway API cannot express is reported by {@link gatewayApiProblems}, never silently dropped.
 */

/** Methods Gateway API's `HTTPRouteMatch.method` accepts (an enum, exact match only). */
const GATEWAY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
/** Gateway API `SectionName` (a rule name). */
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 3986 path characters Gateway API allows in an Exact path. */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
/** Standard-channel limits of an HTTPRoute. */
const MAX_RULES = 16;
const MAX_MATCHES_PER_RULE = 64;
const MAX_MATCHES = 127;

/** Something Gateway API cannot express (an {@link IntentProblem} with a hint). */
export interface GatewayApiProblem extends IntentProblem {
  readonly hint: string;
}

const ALTERNATIVES = 'use RoutingApi.ISTIO for this mesh (VirtualService), or change the intent';
/** Gateway API `HTTPHeaderName` (no pseudo-headers). */
const GATEWAY_HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** Gateway API CORS origin: `*`, or `http(s)://host[:port]` with an optional leading `*.` label. */
const GATEWAY_CORS_ORIGIN = /(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)/;
/** Gateway API `PreciseHostname`. */
const GATEWAY_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Most entries of one header modifier list. */
const MAX_HEADER_OPS = 16;

/** The name of the per-version Service a Gateway API backendRef points at. */
export function versionServiceName(service: string, version: string): string {
  return `${service}-${version}`;
}

/**
 * Renders a duration as a Gateway API `Duration` (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`), e.g. `10s`,
 * `1s500ms`, `2h`. Returns undefined when a part would need more than 5 digits.
 */
export function renderGatewayDuration(duration: Milliseconds): string | undefined {
  let ms = duration;
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    ms -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
    if (n > 99999) return undefined;
  }
  return parts.length > 0 ? parts.join('') : '0s';
}

/** An Istio uri prefix as an anchored RE2 regex: a plain string prefix, not a path-segment prefix. */
export function prefixAsRegex(prefix: string): string {
  return `^${escapeRe2(prefix)}.*$`;
}

function escapeRe2(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/**
 * Everything in a host's rules and route defaults that Gateway API v1.5.1 (standard channel) cannot
 * express, including first-match orders that Gateway API's precedence would change. Empty when the
 * HTTPRoute means exactly what the intent means.
 */
export function gatewayApiProblems(serviceName: string, rules: readonly HttpRuleIntent[], defaults: RouteDefaultsIntent): GatewayApiProblem[] {
  const out: GatewayApiProblem[] = [];
  const ruleName = (i: number) => (i === rules.length - 1 && rules[i].matches.length === 0 ? 'the default rule' : `rules[${i}]${rules[i].name ? ` (${rules[i].name})` : ''}`);
  if (defaults.retries) {
    out.push({
      property: 'retries', value: describeRetries(defaults.retries),
      rule: 'retries are experimental in Gateway API v1.5.1 (HTTPRouteRule.retry is not in the standard channel), so the HTTPRoute cannot carry them and they would be silently lost',
      hint: `use RoutingApi.ISTIO for this mesh (VirtualService retries), or drop the retries from the route of ${serviceName}`,
    });
  }
  if (defaults.timeout !== undefined && !renderGatewayDuration(defaults.timeout)) {
    out.push({ property: 'timeout', value: istioDuration(defaults.timeout), rule: 'a Gateway API duration has at most 5 digits per unit (h, m, s, ms)', hint: 'use a shorter timeout' });
  }
  if (rules.length > MAX_RULES) {
    out.push({ property: 'rules', value: rules.length, rule: `an HTTPRoute holds at most ${MAX_RULES} rules (the default included)`, hint: ALTERNATIVES });
  }
  let total = 0;
  rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    total += rule.matches.length;
    if (rule.matches.length > MAX_MATCHES_PER_RULE) {
      out.push({ property: `${at}.match`, value: rule.matches.length, rule: `an HTTPRoute rule holds at most ${MAX_MATCHES_PER_RULE} matches`, hint: ALTERNATIVES });
    }
    if (rule.name !== undefined && (!SECTION_NAME.test(rule.name) || rule.name.length > 253)) {
      out.push({ property: `${at}.name`, value: rule.name, rule: 'a Gateway API rule name must be a lowercase DNS subdomain (letters, digits, "-", ".")', hint: 'rename the rule, e.g. "ab-even-users"' });
    }
    if (rule.retries) {
      out.push({
        property: `${at}.retries`, value: describeRetries(rule.retries),
        rule: 'retries are experimental in Gateway API v1.5.1 (HTTPRouteRule.retry is not in the standard channel), so the HTTPRoute cannot carry them and they would be silently lost',
        hint: `use RoutingApi.ISTIO for this mesh (VirtualService retries), or drop the retries of ${ruleName(i)}`,
      });
    }
    if (rule.timeout !== undefined && !renderGatewayDuration(rule.timeout)) {
      out.push({ property: `${at}.timeout`, value: istioDuration(rule.timeout), rule: 'a Gateway API duration has at most 5 digits per unit (h, m, s, ms)', hint: 'use a shorter timeout' });
    }
    // the catch-all's effects are the route's `defaultEffects`: name the property the user wrote
    out.push(...effectProblems(rule, i === rules.length - 1 && rule.matches.length === 0 ? 'props.defaultEffects' : at, ruleName(i)));
    rule.matches.forEach((m, j) => {
      const where = `${at}.match[${j}]`;
      if (m.method) {
        if (m.method.kind !== 'exact') {
          out.push({ property: `${where}.method`, value: `${m.method.kind}: ${m.method.value}`, rule: `Gateway API matches a method exactly, one of ${GATEWAY_METHODS.join(', ')}; a ${m.method.kind} method match cannot be expressed`, hint: `split it into one match block per exact method, or ${ALTERNATIVES}` });
        } else if (!GATEWAY_METHODS.includes(m.method.value)) {
          out.push({ property: `${where}.method`, value: m.method.value, rule: `Gateway API matches only the methods ${GATEWAY_METHODS.join(', ')}`, hint: ALTERNATIVES });
        }
      }
      if (m.uri) {
        if (m.uri.kind === 'exact' && (!m.uri.value.startsWith('/') || !PATH_CHARS.test(m.uri.value) || /\/\/|\/\.\.?\/|\/\.\.?$|%2f/i.test(m.uri.value))) {
          out.push({ property: `${where}.uri`, value: m.uri.value, rule: "a Gateway API Exact path is absolute and normalized (starts with '/', no '//', '/./', '/../', '%2F', '#' and only RFC 3986 path characters)", hint: 'write the normalized path' });
        }
        if (m.uri.kind === 'prefix' && /[?#]/.test(m.uri.value)) {
          out.push({ property: `${where}.uri`, value: m.uri.value, rule: "Gateway API path matches never see the query string or fragment, so a prefix with '?' or '#' cannot be expressed", hint: ALTERNATIVES });
        }
        if (renderPathValue(m.uri).length > 1024) {
          out.push({ property: `${where}.uri`, value: m.uri.value, rule: 'a Gateway API path value is at most 1024 characters', hint: 'shorten it' });
        }
      }
      for (const h of m.headers) {
        if (h.name.length > 256) out.push({ property: `${where}.headers`, value: h.name, rule: 'a Gateway API header name is at most 256 characters', hint: 'shorten it' });
        if (renderHeaderValue(h.match).length > 4096) out.push({ property: `${where}.headers`, value: h.name, rule: 'a Gateway API header value is at most 4096 characters', hint: 'shorten it' });
      }
    });
  });
  if (total > MAX_MATCHES) {
    out.push({ property: 'rules', value: total, rule: `an HTTPRoute holds fewer than 128 matches across its rules`, hint: ALTERNATIVES });
  }
  out.push(...precedenceProblems(rules, defaults, ruleName));
  return out;
}

/** What Gateway API v1.5.1 (standard channel) filters cannot carry of one rule's effects. */
function effectProblems(rule: HttpRuleIntent, at: string, name: string): GatewayApiProblem[] {
  const out: GatewayApiProblem[] = [];
  if (rule.fault) {
    out.push({ property: `${at}.fault`, value: rule.fault, rule: 'Gateway API v1.5.1 has no fault injection (no HTTPRoute filter delays or aborts requests), so the fault would be lost', hint: `use RoutingApi.ISTIO for this mesh (VirtualService fault), or drop the fault of ${name}` });
  }
  if (rule.directResponse) {
    out.push({ property: `${at}.directResponse`, value: rule.directResponse, rule: 'Gateway API v1.5.1 (standard channel) has no direct response filter', hint: `use RoutingApi.ISTIO for this mesh (VirtualService directResponse), or route ${name} to a service that answers` });
  }
  if (rule.rewrite?.uri !== undefined) {
    const prefixLike = rule.matches.length === 0 || rule.matches.some((m) => !m.uri || m.uri.kind === 'prefix');
    if (prefixLike) {
      out.push({
        property: `${at}.rewrite.uri`, value: rule.rewrite.uri,
        rule: "Istio's rewrite.uri replaces the matched string prefix (\"/\" when the rule matches no path), but Gateway API's ReplacePrefixMatch works on path-segment PathPrefix matches and this library renders Istio prefixes as regular expressions; only exact and regex path matches (ReplaceFullPath) can be expressed",
        hint: rule.matches.length === 0
          ? `${name} matches every path, so its path cannot be rewritten here: move the rewrite to a rule that matches an exact or regex path, or use RoutingApi.ISTIO for this mesh`
          : `match exact or regex paths in ${name}, or use RoutingApi.ISTIO for this mesh`,
      });
    }
  }
  if (rule.rewrite?.authority !== undefined && !GATEWAY_HOSTNAME.test(rule.rewrite.authority)) {
    out.push({ property: `${at}.rewrite.authority`, value: rule.rewrite.authority, rule: 'a Gateway API URLRewrite hostname is a lowercase DNS name without port', hint: ALTERNATIVES });
  }
  const r = rule.redirect;
  if (r) {
    if (r.authority !== undefined && !GATEWAY_HOSTNAME.test(r.authority)) out.push({ property: `${at}.redirect.authority`, value: r.authority, rule: 'a Gateway API RequestRedirect hostname is a lowercase DNS name without port (set the port separately)', hint: ALTERNATIVES });
    if (r.uri !== undefined && (/[?#]/.test(r.uri) || !r.uri.startsWith('/'))) out.push({ property: `${at}.redirect.uri`, value: r.uri, rule: "a Gateway API redirect path starts with '/' and carries no query string or fragment", hint: ALTERNATIVES });
  }
  const h = rule.headers;
  for (const [dir, ops] of [['request', h?.request], ['response', h?.response]] as const) {
    if (!ops) continue;
    for (const n of [...Object.keys(ops.set), ...Object.keys(ops.add), ...ops.remove]) {
      if (!GATEWAY_HEADER_NAME.test(n)) out.push({ property: `${at}.headers.${dir}`, value: n, rule: 'a Gateway API header modifier names RFC 7230 tokens only (no pseudo-headers such as :authority)', hint: `set the authority with a rewrite, or ${ALTERNATIVES}` });
    }
    for (const [op, n] of [['set', Object.keys(ops.set).length], ['add', Object.keys(ops.add).length], ['remove', ops.remove.length]] as const) {
      if (n > MAX_HEADER_OPS) out.push({ property: `${at}.headers.${dir}.${op}`, value: n, rule: `a Gateway API header modifier holds at most ${MAX_HEADER_OPS} entries per operation`, hint: ALTERNATIVES });
    }
  }
  if (rule.cors) out.push(...corsProblems(rule.cors, at));
  return out;
}

function corsProblems(c: CorsIntent, at: string): GatewayApiProblem[] {
  const out: GatewayApiProblem[] = [];
  for (const o of c.allowOrigins) {
    if (o.kind !== 'exact' || !GATEWAY_CORS_ORIGIN.test(o.value)) {
      out.push({ property: `${at}.cors.allowOrigins`, value: `${o.kind}: ${o.value}`, rule: 'Gateway API CORS origins are exact origins (scheme://host[:port], a leading "*." label allowed) or "*"; prefix and regex origin matches cannot be expressed', hint: `list the exact origins, or ${ALTERNATIVES}` });
    }
  }
  for (const n of [...c.allowHeaders, ...c.exposeHeaders]) {
    if (n !== '*' && !GATEWAY_HEADER_NAME.test(n)) out.push({ property: `${at}.cors`, value: n, rule: 'Gateway API CORS header names are RFC 7230 tokens or "*"', hint: ALTERNATIVES });
  }
  for (const [f, list] of [['allowOrigins', c.allowOrigins.map((o) => o.value)], ['allowMethods', c.allowMethods], ['allowHeaders', c.allowHeaders]] as const) {
    if (list.includes('*') && list.length > 1) out.push({ property: `${at}.cors.${f}`, value: list.join(','), rule: `Gateway API refuses "*" alongside other ${f} entries`, hint: 'keep "*" alone, or list the values' });
  }
  if (c.maxAge !== undefined && c.maxAge < 1000) out.push({ property: `${at}.cors.maxAge`, value: istioDuration(c.maxAge), rule: 'a Gateway API CORS maxAge is at least 1 second', hint: 'use at least 1s' });
  return out;
}

/**
 * The precedence of one match as Istio orders Gateway API matches (pilot's `sortHTTPRoutes`, which
 * implements the spec's order and ranks RegularExpression paths, left implementation-specific by the
 * spec, below every PathPrefix): path kind (Exact > PathPrefix > RegularExpression), then path
 * length, then a method match, then the number of header matches. A match without a path is the
 * CRD's default `PathPrefix /`.
 */
interface RankedMatch {
  readonly rule: number;
  readonly block: number;
  readonly match?: HttpMatchIntent;
  readonly pathRank: number;
  readonly pathLength: number;
  readonly method: boolean;
  readonly headers: number;
}

function rank(rule: number, block: number, m: HttpMatchIntent | undefined, catchAll: PathValue | undefined, grpc = false): RankedMatch {
  if (grpc) {
    // GRPCRoute (pilot's createGRPCURIMatch): service + method is an exact URI, service alone a
    // prefix, no method match no URI at all (ranked below every URI); a rule without matches is last.
    const uri = m?.uri;
    const pathRank = !m ? -1 : !uri ? 0 : uri.kind === 'exact' ? 3 : 2;
    return { rule, block, match: m, pathRank, pathLength: uri?.value.length ?? 0, method: false, headers: m?.headers.length ?? 0 };
  }
  const path = m?.uri ? renderPath(m.uri) : (!m && catchAll) || { type: 'PathPrefix', value: '/' };
  const pathRank = path.type === 'Exact' ? 3 : path.type === 'PathPrefix' ? 2 : 1;
  return { rule, block, match: m, pathRank, pathLength: path.value.length, method: !!m?.method, headers: m?.headers.length ?? 0 };
}

/** Negative when `a` takes precedence over `b`, with the criterion that decided. */
function compare(a: RankedMatch, b: RankedMatch, grpc = false): { order: number; why: string } {
  if (grpc && a.pathRank !== b.pathRank) {
    const kinds: Record<number, string> = { 3: 'a service and method match', 2: 'a service match', 0: 'a match without service or method', [-1]: 'a rule without matches' };
    return { order: b.pathRank - a.pathRank, why: `${kinds[Math.max(a.pathRank, b.pathRank)]} ranks above ${kinds[Math.min(a.pathRank, b.pathRank)]} (Istio turns a service and method into an exact path, a service alone into a path prefix, and sorts rules without matches last)` };
  }
  if (grpc && a.pathLength !== b.pathLength) return { order: b.pathLength - a.pathLength, why: 'a longer service/method path ranks above a shorter one of the same kind' };
  const kinds = ['', 'RegularExpression', 'PathPrefix', 'Exact'];
  if (a.pathRank !== b.pathRank) return { order: b.pathRank - a.pathRank, why: `${article(kinds[Math.max(a.pathRank, b.pathRank)])} path match ranks above ${article(kinds[Math.min(a.pathRank, b.pathRank)])} one (a match without a path is PathPrefix "/"; Istio ranks RegularExpression paths last)` };
  if (a.pathLength !== b.pathLength) return { order: b.pathLength - a.pathLength, why: 'a longer path match ranks above a shorter one of the same type' };
  if (a.method !== b.method) return { order: a.method ? -1 : 1, why: 'a match with a method ranks above a match without one' };
  if (a.headers !== b.headers) return { order: b.headers - a.headers, why: 'a match with more header conditions ranks above one with fewer' };
  return { order: 0, why: '' };
}

function article(word: string): string {
  return `${/^[AEIOU]/.test(word) ? 'an' : 'a'} ${word}`;
}

function precedenceProblems(rules: readonly HttpRuleIntent[], defaults: RouteDefaultsIntent, ruleName: (i: number) => string, grpc = false): GatewayApiProblem[] {
  const ranked: RankedMatch[] = [];
  const catchAll = grpc ? undefined : catchAllPath(rules);
  rules.forEach((r, i) => {
    if (r.matches.length === 0) ranked.push(rank(i, 0, undefined, catchAll, grpc));
    r.matches.forEach((m, j) => ranked.push(rank(i, j, m, catchAll, grpc)));
  });
  const out: GatewayApiProblem[] = [];
  const reported = new Set<string>();
  for (const a of ranked) {
    for (const b of ranked) {
      if (b.rule <= a.rule) continue;
      const c = compare(b, a, grpc);
      if (c.order >= 0) continue;
      // b now wins over a: harmless only if no request matches both, or both rules do the same.
      if (disjoint(a.match, b.match) || sameOutcome(rules[a.rule], rules[b.rule], defaults)) continue;
      const key = `${a.rule}/${b.rule}`;
      if (reported.has(key)) continue;
      reported.add(key);
      out.push({
        property: `rules[${b.rule}]`, value: ruleName(b.rule),
        rule: `Gateway API does not try rules in list order: ${c.why}, so ${ruleName(b.rule)} would take requests that ${ruleName(a.rule)} matches first in the intent`,
        hint: `reorder the rules so that list order equals Gateway API precedence, make the matches disjoint, or ${ALTERNATIVES}`,
      });
    }
  }
  return out;
}

/** Whether no request can match both blocks (only provable cases; undefined = matches everything). */
function disjoint(a?: HttpMatchIntent, b?: HttpMatchIntent): boolean {
  if (!a || !b) return false;
  if (a.method && b.method && a.method.kind === 'exact' && b.method.kind === 'exact' && a.method.value !== b.method.value) return true;
  if (a.uri && b.uri && excludes(a.uri, b.uri)) return true;
  for (const h of a.headers) {
    const other = b.headers.find((x) => x.name.toLowerCase() === h.name.toLowerCase());
    if (other && excludes(h.match, other.match)) return true;
  }
  return false;
}

/** Whether no string satisfies both conditions (exact vs exact, exact vs regex/prefix). */
function excludes(a: StringMatchIntent, b: StringMatchIntent): boolean {
  if (a.kind === 'exact' && b.kind === 'exact') return a.value !== b.value;
  if (a.kind === 'exact') return !satisfies(b, a.value);
  if (b.kind === 'exact') return !satisfies(a, b.value);
  return false;
}

function satisfies(m: StringMatchIntent, value: string): boolean {
  if (m.kind === 'prefix') return value.startsWith(m.value);
  if (m.kind === 'regex') return re2FullMatch(m.value, value);
  return m.value === value;
}

function sameOutcome(a: HttpRuleIntent, b: HttpRuleIntent, defaults: RouteDefaultsIntent): boolean {
  const outcome = (r: HttpRuleIntent) => JSON.stringify({ ...r, name: undefined, matches: undefined, t: r.timeout ?? defaults.timeout, timeout: undefined });
  return outcome(a) === outcome(b);
}

function describeRetries(r: RetryIntent): string {
  const parts = [`attempts ${r.attempts}`];
  if (r.perTryTimeout !== undefined) parts.push(`perTryTimeout ${istioDuration(r.perTryTimeout)}`);
  if (r.retryOn.length > 0) parts.push(`retryOn ${r.retryOn.join(',')}`);
  return parts.join(', ');
}

interface PathValue {
  readonly type: string;
  readonly value: string;
}

/**
 * The path match of the catch-all rule. Without one, the CRD defaults it to `PathPrefix /`, which
 * Istio ranks above every RegularExpression path: a rule with a regex (or translated prefix) path
 * would never be reached. When the route has such a rule, the catch-all matches the regex `.*`
 * instead: the same requests (every path), ranked below every longer regex (Istio orders regex
 * paths by length, longest first).
 */
function catchAllPath(rules: readonly HttpRuleIntent[]): PathValue | undefined {
  const regex = rules.some((r) => r.matches.some((m) => m.uri && m.uri.kind !== 'exact'));
  return regex ? { type: 'RegularExpression', value: '.*' } : undefined;
}

/** A path condition: exact → Exact; Istio's string prefix → anchored RegularExpression; regex as is. */
function renderPath(m: StringMatchIntent): PathValue {
  switch (m.kind) {
    case 'exact': return { type: 'Exact', value: m.value };
    case 'prefix': return { type: 'RegularExpression', value: prefixAsRegex(m.value) };
    default: return { type: 'RegularExpression', value: m.value };
  }
}

function renderPathValue(m: StringMatchIntent): string {
  return renderPath(m).value;
}

/** A header condition: exact → Exact; prefix → anchored RegularExpression; regex as is (RE2, whole value). */
function renderHeader(name: string, m: StringMatchIntent): Record<string, string> {
  return m.kind === 'exact' ? { name, type: 'Exact', value: m.value } : { name, type: 'RegularExpression', value: renderHeaderValue(m) };
}

function renderHeaderValue(m: StringMatchIntent): string {
  return m.kind === 'prefix' ? prefixAsRegex(m.value) : m.value;
}

function renderMatch(m: HttpMatchIntent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.headers.length > 0) out.headers = m.headers.map((h) => renderHeader(h.name, h.match));
  if (m.method) out.method = m.method.value;
  if (m.uri) out.path = renderPath(m.uri);
  return out;
}

function renderBackends(svc: { name: string; port: number }, destinations: readonly RouteDestinationIntent[]): Array<Record<string, unknown>> {
  return destinations.map((d) => {
    const ref: Record<string, unknown> = { group: '', kind: 'Service', name: d.version === undefined ? svc.name : versionServiceName(svc.name, d.version), port: svc.port };
    // A lone whole-service backend takes all traffic; its weight is implied.
    if (!(destinations.length === 1 && d.version === undefined)) ref.weight = d.weight;
    return ref;
  });
}

/**
 * The HTTPRoute spec of a host's first route (GAMMA: `parentRefs` is the Service and port). Rules keep
 * the intent's order; {@link gatewayApiProblems} has refused every intent whose meaning would change.
 * Throws if called on such intent.
 */
export function renderHttpRouteSpec(svc: ServiceIntent, host: HostTrafficIntent): Record<string, unknown> {
  const [first] = hostRoutes(svc, host);
  return renderHttpRouteSpecOf(svc, first ?? { rules: [{ matches: [], destinations: [{ weight: 100 }] }], defaults: host.defaults, first: true });
}

/** The HTTPRoute spec of one route of a host, attached to the route's port (the primary port when it names none). */
export function renderHttpRouteSpecOf(svc: ServiceIntent, route: HostRouteView): Record<string, unknown> {
  const port = route.port ?? servicePort(svc);
  const rules = route.rules;
  const problems = gatewayApiProblems(svc.name, rules, route.defaults);
  if (problems.length > 0) {
    throw new Error(`[${svc.source}] the route of ${svc.name} cannot be rendered as an HTTPRoute: ${problems.map((p) => `${p.property}: ${p.rule}`).join('; ')}`);
  }
  const catchAll = catchAllPath(rules);
  return {
    parentRefs: [{ group: '', kind: 'Service', name: svc.name, port }],
    rules: rules.map((rule) => {
      const out: Record<string, unknown> = {};
      if (rule.name) out.name = rule.name;
      if (rule.matches.length > 0) out.matches = rule.matches.map(renderMatch);
      else if (catchAll) out.matches = [{ path: { ...catchAll } }];
      const filters = renderFilters(svc.name, port, rule);
      if (filters.length > 0) out.filters = filters;
      if (!rule.redirect) out.backendRefs = renderBackends({ name: svc.name, port }, rule.destinations);
      const timeout = rule.timeout ?? route.defaults.timeout;
      if (timeout !== undefined && !rule.redirect) out.timeouts = { request: renderGatewayDuration(timeout) };
      return out;
    }),
  };
}

/** gRPC service names a GRPCRoute method match accepts (its CEL rule for Exact matches). */
const GRPC_SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
/** gRPC method names a GRPCRoute method match accepts. */
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;
const GRPC_ALTERNATIVES = 'use RoutingApi.ISTIO for this mesh (a VirtualService routes gRPC as HTTP/2 requests), or change the intent';

/**
 * The GRPCRoute method match of a URI condition, when it has one: a gRPC request's path is
 * `/<service>/<method>`, and pilot (pilot/pkg/config/kube/gateway/conversion.go `createGRPCURIMatch`,
 * Istio 1.30.3) turns an Exact service + method into the exact path and an Exact service alone into
 * the path prefix `/<service>/`. So an exact URI `/pkg.Svc/Method` and a prefix URI `/pkg.Svc/` mean
 * the same to Istio in either API; any other URI condition has no GRPCRoute form.
 */
export function grpcMethodMatch(uri: StringMatchIntent): { readonly service: string; readonly method?: string } | undefined {
  if (uri.kind === 'exact') {
    const m = /^\/([^/]+)\/([^/]+)$/.exec(uri.value);
    return m && GRPC_SERVICE.test(m[1]) && GRPC_METHOD.test(m[2]) ? { service: m[1], method: m[2] } : undefined;
  }
  if (uri.kind === 'prefix') {
    const m = /^\/([^/]+)\/$/.exec(uri.value);
    return m && GRPC_SERVICE.test(m[1]) ? { service: m[1] } : undefined;
  }
  return undefined;
}

/**
 * Everything in one route's rules and defaults that a GRPCRoute (Gateway API v1.5.1, standard
 * channel) cannot express: it has header and service/method matches, weighted backendRefs and the
 * RequestHeaderModifier, ResponseHeaderModifier and RequestMirror filters, and no timeouts, retries,
 * redirects, rewrites, CORS, fault injection or direct responses. Rule order must equal Istio's
 * precedence, as for HTTPRoutes.
 */
export function grpcRouteProblems(serviceName: string, rules: readonly HttpRuleIntent[], defaults: RouteDefaultsIntent): GatewayApiProblem[] {
  const out: GatewayApiProblem[] = [];
  const ruleName = (i: number) => (i === rules.length - 1 && rules[i].matches.length === 0 ? 'the default rule' : `rules[${i}]${rules[i].name ? ` (${rules[i].name})` : ''}`);
  if (defaults.timeout !== undefined) {
    out.push({ property: 'timeout', value: istioDuration(defaults.timeout), rule: 'a GRPCRoute (Gateway API v1.5.1 standard channel) has no timeouts, so the timeout would be silently lost', hint: `${GRPC_ALTERNATIVES}: drop the timeout of the route of ${serviceName}` });
  }
  if (defaults.retries) {
    out.push({ property: 'retries', value: describeRetries(defaults.retries), rule: 'a GRPCRoute (Gateway API v1.5.1 standard channel) has no retries, so they would be silently lost', hint: `${GRPC_ALTERNATIVES}: drop the retries of the route of ${serviceName}` });
  }
  if (rules.length > MAX_RULES) out.push({ property: 'rules', value: rules.length, rule: `a GRPCRoute holds at most ${MAX_RULES} rules (the default included)`, hint: GRPC_ALTERNATIVES });
  let total = 0;
  rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    total += rule.matches.length;
    if (rule.matches.length > MAX_MATCHES_PER_RULE) out.push({ property: `${at}.match`, value: rule.matches.length, rule: `a GRPCRoute rule holds at most ${MAX_MATCHES_PER_RULE} matches`, hint: GRPC_ALTERNATIVES });
    if (rule.name !== undefined && (!SECTION_NAME.test(rule.name) || rule.name.length > 253)) {
      out.push({ property: `${at}.name`, value: rule.name, rule: 'a Gateway API rule name must be a lowercase DNS subdomain (letters, digits, "-", ".")', hint: 'rename the rule, e.g. "ab-even-users"' });
    }
    for (const [k, v] of [['timeout', rule.timeout], ['retries', rule.retries]] as const) {
      if (v !== undefined) out.push({ property: `${at}.${k}`, value: k === 'timeout' ? istioDuration(rule.timeout!) : describeRetries(rule.retries!), rule: `a GRPCRoute (Gateway API v1.5.1 standard channel) has no ${k}, so the ${k} of ${ruleName(i)} would be silently lost`, hint: `${GRPC_ALTERNATIVES}: drop them` });
    }
    for (const k of ['fault', 'redirect', 'directResponse', 'rewrite', 'cors'] as const) {
      if (rule[k] !== undefined) {
        out.push({ property: `${at}.${k}`, value: rule[k], rule: `a GRPCRoute (Gateway API v1.5.1 standard channel) has no ${k} (its filters are RequestHeaderModifier, ResponseHeaderModifier and RequestMirror)`, hint: `${GRPC_ALTERNATIVES}: drop the ${k} of ${ruleName(i)}` });
      }
    }
    out.push(...effectProblems({ ...rule, fault: undefined, redirect: undefined, directResponse: undefined, rewrite: undefined, cors: undefined }, at, ruleName(i)));
    rule.matches.forEach((m, j) => {
      const where = `${at}.match[${j}]`;
      if (m.method) {
        out.push({ property: `${where}.method`, value: `${m.method.kind}: ${m.method.value}`, rule: 'a GRPCRoute matches gRPC services and methods, not HTTP methods (every gRPC call is a POST)', hint: 'match the gRPC method by its path instead, e.g. StringMatch.exact(\'/shop.Catalog/GetItem\')' });
      }
      if (m.uri && !grpcMethodMatch(m.uri)) {
        out.push({ property: `${where}.uri`, value: `${m.uri.kind}: ${m.uri.value}`, rule: 'a GRPCRoute matches the path of a gRPC call only as a service and method (exact path /<service>/<method>) or a service (prefix /<service>/), with gRPC names',
          hint: `e.g. StringMatch.exact('/shop.Catalog/GetItem') or StringMatch.prefix('/shop.Catalog/'), or ${GRPC_ALTERNATIVES}` });
      }
      for (const h of m.headers) {
        if (h.name.length > 256) out.push({ property: `${where}.headers`, value: h.name, rule: 'a Gateway API header name is at most 256 characters', hint: 'shorten it' });
        if (renderHeaderValue(h.match).length > 4096) out.push({ property: `${where}.headers`, value: h.name, rule: 'a Gateway API header value is at most 4096 characters', hint: 'shorten it' });
      }
      if (m.headers.length > 16) out.push({ property: `${where}.headers`, value: m.headers.length, rule: 'a GRPCRoute match holds at most 16 header conditions', hint: GRPC_ALTERNATIVES });
    });
  });
  if (total > MAX_MATCHES) out.push({ property: 'rules', value: total, rule: 'a GRPCRoute holds at most 128 matches across its rules', hint: GRPC_ALTERNATIVES });
  out.push(...precedenceProblems(rules, defaults, ruleName, true).map((p) => ({ ...p, hint: p.hint.replace(ALTERNATIVES, GRPC_ALTERNATIVES) })));
  return out;
}

/**
 * The GRPCRoute spec of one route of a host on a gRPC port (GAMMA: `parentRefs` is the Service and
 * port): header and service/method matches, weighted backendRefs to the per-version Services, header
 * modifiers and mirror. Throws on intent {@link grpcRouteProblems} refuses.
 */
export function renderGrpcRouteSpec(svc: ServiceIntent, route: HostRouteView): Record<string, unknown> {
  const port = route.port ?? servicePort(svc);
  const problems = grpcRouteProblems(svc.name, route.rules, route.defaults);
  if (problems.length > 0) {
    throw new Error(`[${svc.source}] the route of ${svc.name} cannot be rendered as a GRPCRoute: ${problems.map((p) => `${p.property}: ${p.rule}`).join('; ')}`);
  }
  return {
    parentRefs: [{ group: '', kind: 'Service', name: svc.name, port }],
    rules: route.rules.map((rule) => {
      const out: Record<string, unknown> = {};
      if (rule.name) out.name = rule.name;
      if (rule.matches.length > 0) {
        out.matches = rule.matches.map((m) => {
          const r: Record<string, unknown> = {};
          if (m.headers.length > 0) r.headers = m.headers.map((h) => renderHeader(h.name, h.match));
          const gm = m.uri ? grpcMethodMatch(m.uri) : undefined;
          if (gm) r.method = { type: 'Exact', service: gm.service, ...(gm.method !== undefined ? { method: gm.method } : {}) };
          return r;
        });
      }
      const filters = renderFilters(svc.name, port, rule);
      if (filters.length > 0) out.filters = filters;
      out.backendRefs = renderBackends({ name: svc.name, port }, rule.destinations);
      return out;
    }),
  };
}

/** Whether a route's port is one Gateway API routes with a GRPCRoute (declared gRPC, not gRPC-Web). */
function routesGrpc(svc: ServiceIntent, route: HostRouteView): boolean {
  const port = svc.ports.find((p) => p.port === (route.port ?? servicePort(svc)))!;
  return portProtocol(port.port, port.name, port.protocol, port.appProtocol) === 'GRPC';
}

/**
 * The child id of a route's Gateway API object: `HTTPRoute`/`GRPCRoute` for the host's first route
 * (named after the service, as a host with one route always was), `<kind>-<port>` for a further port's
 * (named `<service>-<port name>`).
 */
export function gatewayRouteId(kind: 'HTTPRoute' | 'GRPCRoute', route: Pick<HostRouteView, 'first' | 'port'>): string {
  return route.first ? kind : `${kind}-${route.port}`;
}

/** The HTTPRoute filters of one rule's effects, in a fixed order. */
function renderFilters(service: string, port: number, rule: HttpRuleIntent): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const modifier = (ops: HeaderOperationsIntent) => {
    const m: Record<string, unknown> = {};
    const set = Object.entries(ops.set).map(([name, value]) => ({ name, value }));
    const add = Object.entries(ops.add).map(([name, value]) => ({ name, value }));
    if (set.length > 0) m.set = set;
    if (add.length > 0) m.add = add;
    if (ops.remove.length > 0) m.remove = [...ops.remove];
    return Object.keys(m).length > 0 ? m : undefined;
  };
  const req = rule.headers?.request ? modifier(rule.headers.request) : undefined;
  if (req) out.push({ type: 'RequestHeaderModifier', requestHeaderModifier: req });
  const res = rule.headers?.response ? modifier(rule.headers.response) : undefined;
  if (res) out.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: res });
  if (rule.rewrite) {
    const rw: Record<string, unknown> = {};
    if (rule.rewrite.authority !== undefined) rw.hostname = rule.rewrite.authority;
    if (rule.rewrite.uri !== undefined) rw.path = { type: 'ReplaceFullPath', replaceFullPath: rule.rewrite.uri };
    out.push({ type: 'URLRewrite', urlRewrite: rw });
  }
  if (rule.mirror) {
    const backendRef = { group: '', kind: 'Service', name: rule.mirror.version === undefined ? service : versionServiceName(service, rule.mirror.version), port };
    const p = rule.mirror.percent;
    const share = Number.isInteger(p) ? { percent: p } : { fraction: { numerator: Math.round(p * 10000), denominator: 1000000 } };
    out.push({ type: 'RequestMirror', requestMirror: { backendRef, ...share } });
  }
  if (rule.cors) out.push({ type: 'CORS', cors: renderGatewayCors(rule.cors) });
  if (rule.redirect) {
    const r = rule.redirect;
    const rr: Record<string, unknown> = {};
    if (r.scheme !== undefined) rr.scheme = r.scheme;
    if (r.authority !== undefined) rr.hostname = r.authority;
    if (r.uri !== undefined) rr.path = { type: 'ReplaceFullPath', replaceFullPath: r.uri };
    if (r.port !== undefined) rr.port = r.port;
    rr.statusCode = r.code;
    out.push({ type: 'RequestRedirect', requestRedirect: rr });
  }
  return out;
}

function renderGatewayCors(c: CorsIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { allowOrigins: c.allowOrigins.map((o) => o.value) };
  if (c.allowMethods.length > 0) out.allowMethods = [...c.allowMethods];
  if (c.allowHeaders.length > 0) out.allowHeaders = [...c.allowHeaders];
  if (c.exposeHeaders.length > 0) out.exposeHeaders = [...c.exposeHeaders];
  if (c.maxAge !== undefined) out.maxAge = Math.floor(c.maxAge / 1000);
  if (c.allowCredentials !== undefined) out.allowCredentials = c.allowCredentials;
  return out;
}

/**
 * The versions that get a per-version Service (`<service>-<version>`, selecting `app` and
 * `version`): those a route sends to by name, and those with a policy of their own.
 */
export function versionServices(svc: ServiceIntent, host: HostTrafficIntent): string[] {
  const wanted = new Set([...routedVersions(host), ...host.subsetPolicies.map((s) => s.version)]);
  return versionNames(svc).filter((v) => wanted.has(v));
}

/**
 * The traffic policy a per-version Service host gets: exactly what the proxy applies to that version's
 * subset with the Istio routing API. A per-version Service is a host of its own: pilot looks its
 * DestinationRule up by its hostname (pilot/pkg/model/push_context.go `destinationRule`,
 * `MostSpecificHostMatch`), so nothing of the Service host's DestinationRule reaches it, while a subset
 * inherits from it every top-level field it does not set (pilot/pkg/networking/util/util.go
 * `MergeSubsetTrafficPolicy` → `mergeTrafficPolicy`: connection pool, outlier detection, load balancer,
 * TLS and retry budget each replaced as a whole only when the subset sets it; Istio 1.30.3). So the host
 * policy with the version's effective fields ({@link effectiveSubsetPolicy}) laid over it, field by
 * field, the pool (TCP and HTTP) as one. Undefined when neither is set.
 */
export function versionPolicy(host: HostTrafficIntent, version: string): Record<string, unknown> | undefined {
  const own = effectiveSubsetPolicy(host, version);
  if (!own) return renderTrafficPolicy(host.hostPolicy);
  const merged: { -readonly [K in keyof TrafficPolicyIntent]: TrafficPolicyIntent[K] } = { ...(host.hostPolicy ?? {}) };
  // connectionPool is one field of the TrafficPolicy: the subset's (already merged with the host's parts) replaces it
  if (own.tcp !== undefined || own.http !== undefined) {
    delete merged.tcp;
    delete merged.http;
  }
  return renderTrafficPolicy({ ...merged, ...own });
}

/**
 * The routing objects of one host with the Gateway API: the HTTPRoute (child id `HTTPRoute`) when
 * the host is routed, per-version Services (`Service-<version>`), a DestinationRule for the Service
 * host when it has a policy (`DestinationRule`) and one per per-version Service with a policy
 * (`DestinationRule-<version>`).
 */
export function renderGatewayApiRouting(svc: ServiceIntent, host: HostTrafficIntent): RenderedObject[] {
  const owner = serviceOwner(svc);
  const port = servicePort(svc);
  const portName = svc.ports[0].name;
  const out: RenderedObject[] = [];
  for (const route of hostRoutes(svc, host)) {
    const kind = routesGrpc(svc, route) ? 'GRPCRoute' : 'HTTPRoute';
    const name = route.first ? svc.name : `${svc.name}-${svc.ports.find((p) => p.port === route.port)!.name}`;
    const spec = kind === 'GRPCRoute' ? () => renderGrpcRouteSpec(svc, route) : () => renderHttpRouteSpecOf(svc, route);
    out.push({ owner, id: gatewayRouteId(kind, route), manifest: lazyManifest('gateway.networking.k8s.io/v1', kind, { name, namespace: svc.namespace }, spec) });
  }
  const versions = versionServices(svc, host);
  for (const v of versions) {
    const labels = { ...svc.selector, version: v };
    out.push({
      owner,
      id: `Service-${v}`,
      role: 'per-version Service',
      manifest: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: versionServiceName(svc.name, v), namespace: svc.namespace, labels },
        spec: { selector: labels, ports: svc.ports.length > 1 || svc.ports[0].appProtocol !== undefined ? svc.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol, ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}) })) : [{ name: portName, port, targetPort: port, protocol: 'TCP' }] },
      },
    });
  }
  if ((host.hostPolicy || (host.portPolicies?.length ?? 0) > 0) && !serviceHostRuleUnused(svc, host)) {
    out.push({ owner, id: 'DestinationRule', manifest: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: svc.name, namespace: svc.namespace }, spec: { host: svc.name, trafficPolicy: withPortLevel(renderTrafficPolicy(host.hostPolicy), host) } } });
  }
  for (const v of versions) {
    // (a version's own policy and port-level policies of its host are refused together by the model)
    const policy = withPortLevel(versionPolicy(host, v), host);
    if (!policy) continue;
    const name = versionServiceName(svc.name, v);
    out.push({ owner, id: `DestinationRule-${v}`, manifest: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: svc.namespace }, spec: { host: name, trafficPolicy: policy } } });
  }
  return out;
}

/**
 * Whether no request uses the Service host's own cluster, so its DestinationRule is dead config and
 * is not rendered (sidecar and ambient data planes alike). The HTTPRoute attaches to one Service port
 * (`parentRefs[].port`): istiod turns it into routes that match that port only (pilot/pkg/config/kube/
 * gateway/conversion.go augmentPortMatch, Istio 1.30.3), and a port without a route of the host keeps
 * the Service's default route to the Service host's cluster, where its DestinationRule applies — at a
 * sidecar (pilot/pkg/networking/core/route/route.go buildSidecarVirtualHostsForVirtualService returns
 * no virtual host for a port without routes, so BuildSidecarVirtualHostWrapper builds the default one)
 * and at a waypoint (core/listener_waypoint.go buildWaypointInboundHTTPRouteConfig falls back to the
 * inbound default route; core/cluster_waypoint.go buildWaypointInboundVIP applies the host's
 * DestinationRule). A TCP port is proxied straight to that cluster. Backends that are per-version
 * Services (not DestinationRule subsets) use their own clusters, whose DestinationRules carry the host
 * policy ({@link versionPolicy}). So the Service host's cluster is unused exactly when the host is routed,
 * every rule forwards (and mirrors) only to versions, and the Service has one port, an HTTP one: the
 * routed port.
 */
export function serviceHostRuleUnused(svc: ServiceIntent, host: HostTrafficIntent): boolean {
  if ((host.hostPolicy === undefined && (host.portPolicies?.length ?? 0) === 0) || !isRouted(host)) return false;
  const rules = host.rules ?? [];
  if (!rules.some((r) => r.destinations.length > 0)) return false;
  const toVersions = rules.every((r) => r.destinations.every((d) => d.version !== undefined) && (r.mirror === undefined || r.mirror.version !== undefined));
  const only = svc.ports.length === 1 ? svc.ports[0] : undefined;
  return toVersions && only !== undefined && isHttpProtocol(portProtocol(only.port, only.name, only.protocol, only.appProtocol));
}

/**
 * A traffic policy with the host's per-port policies as `portLevelSettings` (per-version Services
 * carry the same ports, so their DestinationRules get them too). Undefined when there is neither.
 */
function withPortLevel(tp: Record<string, unknown> | undefined, host: HostTrafficIntent): Record<string, unknown> | undefined {
  // Istio does not inherit the policy's settings into a port entry (GetPortLevelTrafficPolicy): write them in.
  const portLevel = (host.portPolicies ?? []).map((pp) => portLevelWithInherited(tp ?? {}, { port: { number: pp.port }, ...renderTrafficPolicy(pp.policy) }));
  if (portLevel.length === 0) return tp;
  return { ...(tp ?? {}), portLevelSettings: portLevel };
}

/** What the Gateway API renderer cannot express in a host's intent, including per-version Service names. */
export function gatewayApiHostProblems(svc: ServiceIntent, host: HostTrafficIntent): IntentProblem[] {
  const out: IntentProblem[] = [];
  const routes = hostRoutes(svc, host);
  for (const route of routes) {
    const port = svc.ports.find((p) => p.port === (route.port ?? servicePort(svc)))!;
    const protocol = portProtocol(port.port, port.name, port.protocol, port.appProtocol);
    if (protocol === 'GRPC-Web') {
      out.push({
        property: 'port', value: `${port.name} ${port.port}`,
        rule: 'the route is for a GRPC-Web port: browsers call it over HTTP/1.1, which a GRPCRoute (HTTP/2 gRPC) does not describe, and an HTTPRoute for it is not portable (the mesh renders routes with RoutingApi.GATEWAY_API)',
        hint: 'use RoutingApi.ISTIO for this mesh (a VirtualService routes gRPC-Web as HTTP), or route an HTTP or gRPC port of the service',
        at: route.source ?? svc.source,
      });
    }
  }
  if (host.delegation) {
    out.push({
      property: 'delegates', value: host.delegation.map((e) => `${e.namespace}/${e.name}`).join(', '),
      rule: 'Gateway API has no route delegation for mesh (GAMMA) routes: an HTTPRoute in another namespace attached to this Service is a consumer route that applies only to callers in its own namespace (the mesh renders routes with RoutingApi.GATEWAY_API)',
      hint: 'use RoutingApi.ISTIO for this mesh (VirtualService delegation), or route the host with one CanaryRoute',
      at: host.sources.delegation,
    });
  }
  for (const route of routes) {
    const grpc = routesGrpc(svc, route);
    const [p] = grpc ? grpcRouteProblems(svc.name, route.rules, route.defaults) : gatewayApiProblems(svc.name, route.first && !host.rules ? [] : route.rules, route.defaults);
    const on = routes.length > 1 ? ` (the route of port ${route.port})` : '';
    if (p) out.push({ ...p, property: `${p.property}${on}`, rule: `${p.rule} (the mesh renders routes with RoutingApi.GATEWAY_API)` });
  }
  for (const v of versionServices(svc, host)) {
    const name = versionServiceName(svc.name, v);
    const bad = dns1123Label(name);
    if (bad) out.push({ property: 'versions', value: name, rule: `the per-version Service name ${bad}`, hint: 'shorten the service or version name', at: svc.source });
  }
  return out;
}

/** One match block as a Gateway API `HTTPRouteMatch` (used by gateway routes, render/ingress.ts). */
export { renderMatch as renderGatewayApiMatch, renderBackends as renderGatewayApiBackends };
/** One rule's effects as HTTPRoute filters, the same for mesh and gateway routes (render/ingress.ts). */
export { renderFilters as renderGatewayApiFilters };
