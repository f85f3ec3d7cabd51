/**
 * IST0130 / IST0131: the warnings istiod's VirtualService validation adds and `istioctl analyze`
 * reports through its schema analyzer (pkg/config/validation/validation.go `analyzeUnreachableHTTPRules`,
 * `analyzeUnreachableTCPRules`, `analyzeUnreachableTLSRules`; pkg/config/analysis/analyzers/schema).
 */
import { isObject, list, str, strings } from '../../manifests';
import type { HttpMatchRequest, HttpRoute, IndexedObject, L4Route, StringMatch } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';

/**
 * A canonical form of a match for duplicate detection, as Go's `json.Marshal` of the proto struct
 * sees it: keys sorted, the match `name` and zero values (false, 0, '') left out.
 */
function canonical(v: unknown, top = false): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x)).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).filter((k) => !(top && k === 'name') && !isZero(v[k])).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0);
}

/** `"name"` of a named HTTP rule, else `#<index>` (`routeName`). */
function routeName(route: unknown, i: number): string {
  const n = isObject(route) ? str(route.name) : undefined;
  return n ? JSON.stringify(n) : `#${i}`;
}

/** `"name"` of a named HTTP match, else `#<index>` (`requestName`). */
function requestName(match: unknown, i: number): string {
  const n = isObject(match) ? str(match.name) : undefined;
  return n ? JSON.stringify(n) : `#${i}`;
}

/** `exact:<v>` or `prefix:<v>` of a StringMatch, `''` otherwise (`assignExactOrPrefix`). */
function exactOrPrefix(m: StringMatch | undefined): string {
  if (!isObject(m)) return '';
  if (str(m.exact)) return `exact:${m.exact}`;
  if (str(m.prefix)) return `prefix:${m.prefix}`;
  return '';
}

/** An HTTP match with a URI prefix, reduced to what overlap detection compares (`OverlappingMatchValidationForHTTPRoute`). */
interface PrefixMatch {
  readonly route: string;
  readonly match: string;
  readonly prefix: string;
  readonly port: number;
  readonly method: string;
  readonly authority: string;
  readonly headers: Map<string, string>;
  readonly queryParams: Map<string, string>;
  readonly withoutHeaders: Map<string, string>;
}

function reduce(m: Readonly<Record<string, unknown>> | undefined): Map<string, string> {
  return new Map(Object.entries(m ?? {}).map(([k, v]) => [k, exactOrPrefix(v as StringMatch)]));
}

function prefixMatch(route: HttpRoute, match: HttpMatchRequest, ri: number, mi: number): PrefixMatch | undefined {
  if (!isObject(match) || !isObject(match.uri)) return undefined;
  const prefix = str(match.uri.prefix) ?? '';
  if (prefix === '') return undefined;
  return {
    route: routeName(route, ri),
    match: requestName(match, mi),
    prefix,
    port: Number(match.port ?? 0),
    method: exactOrPrefix(match.method as StringMatch | undefined) || 'exact:GET',
    authority: exactOrPrefix(match.authority as StringMatch | undefined),
    headers: reduce(strings(match.headers) as Readonly<Record<string, unknown>>),
    queryParams: reduce(strings(match.queryParams) as Readonly<Record<string, unknown>>),
    withoutHeaders: reduce(strings(match.withoutHeaders) as Readonly<Record<string, unknown>>),
  };
}

function mapCovered(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined) return false;
    if (v !== w && !v.startsWith(w)) return false;
  }
  return true;
}

/** Whether prefix match `a` (earlier) covers `b` (`coveredValidation`, with Istio's comparisons as written). */
function covered(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix)) return false;
  if (b.port !== a.port) return false;
  if (a.method !== b.method && !a.method.startsWith(b.method)) return false;
  if (a.authority !== b.authority && !a.authority.startsWith(b.authority)) return false;
  return mapCovered(a.headers, b.headers) && mapCovered(a.queryParams, b.queryParams) && mapCovered(a.withoutHeaders, b.withoutHeaders);
}

function analyzeRules(ctx: AnalyzerContext, vs: IndexedObject, proto: 'http' | 'tcp' | 'tls'): void {
  const routes = list<HttpRoute | L4Route>(vs.spec[proto]);
  const unreachable = (rule: string, reason: string): void => ctx.report(vs, 'IST0130', `spec.${proto}: rule ${rule} is not used (${reason})`, `${rule}|${reason}`);
  const ineffective = (rule: string, match: string, dup: string): void => ctx.report(vs, 'IST0131', `spec.${proto}: rule ${rule} match ${match} is not used (duplicate/overlapping match in rule ${dup})`, `${rule}|${match}|${dup}`);
  const seen = new Map<string, number>();
  let emptyMatch = -1;
  const prefixMatches: PrefixMatch[] = [];
  routes.forEach((route, ri) => {
    if (route === null || route === undefined) return;
    const matches = list<HttpMatchRequest>(route.match);
    const name = proto === 'http' ? routeName(route, ri) : `#${ri}`;
    if (matches.length === 0) {
      if (emptyMatch >= 0) unreachable(name, 'only the last rule can have no matches');
      emptyMatch = ri;
      return;
    }
    let duplicates = 0;
    matches.forEach((match, mi) => {
      if (emptyMatch >= 0) {
        unreachable(name, 'route without matches defined before');
        return;
      }
      const key = canonical(match, proto === 'http');
      const dup = seen.get(key);
      if (dup !== undefined) {
        ineffective(name, proto === 'http' ? requestName(match, mi) : `#${mi}`, proto === 'http' ? routeName(routes[dup], dup) : `#${dup}`);
        duplicates++;
        return;
      }
      seen.set(key, ri);
      if (proto === 'http') {
        const p = prefixMatch(route as HttpRoute, match, ri, mi);
        if (p) prefixMatches.push(p);
      }
    });
    if (duplicates === matches.length) unreachable(name, 'all matches used by prior rules');
  });
  for (let i = 0; i < prefixMatches.length; i++) {
    for (let j = i + 1; j < prefixMatches.length; j++) {
      const a = prefixMatches[i];
      const b = prefixMatches[j];
      if (b.prefix === a.prefix) continue;
      if (covered(a, b)) ineffective(b.route, `${b.match} of prefix ${b.prefix}`, `${a.match} of prefix ${a.prefix} on ${a.route}`);
    }
  }
}

/** IST0130 unreachable rules and IST0131 ineffective matches of http, tcp and tls routes. */
export const unreachableRulesAnalyzer: Analyzer = {
  name: 'schema.ValidationAnalyzer.VirtualService',
  codes: ['IST0130', 'IST0131'],
  source: 'pkg/config/validation/validation.go (analyzeUnreachable*Rules), pkg/config/analysis/analyzers/schema/validation.go',
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      for (const proto of ['http', 'tcp', 'tls'] as const) analyzeRules(ctx, vs, proto);
    }
  },
};
