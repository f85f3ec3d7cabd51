/**
 * Rules of what an HTTP route does besides choosing a destination: fault injection, redirects,
 * direct responses, CORS and mirroring, as istiod's webhook checks them (`validateHTTPFaultInjection`,
 * `validateHTTPRedirect`, `validateHTTPDirectResponse`, `validateCORSPolicy`), plus what pilot's route
 * translation can express (`ApplyRedirect`: only some redirect codes become an Envoy redirect).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/virtualservice.go
 * @see https://github.com/istio/istio/blob/1.30.3/pilot/pkg/networking/core/route/route.go
 */
import { istioDuration, parseGoDuration } from './duration';
import { headerMatchName } from './http';

/** gRPC status names an abort may return (`validateHTTPFaultInjection`). */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** An abort's or a direct response's HTTP status: an integer within 200..600. */
export function responseStatus(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 200 && v <= 600 ? undefined : 'must be an HTTP status within 200..600';
}

/** A gRPC status name an abort may return. */
export function grpcStatusName(v: unknown): string | undefined {
  return typeof v === 'string' && GRPC_STATUS_NAMES.includes(v) ? undefined : `must be a gRPC status name (${GRPC_STATUS_NAMES.join(', ')})`;
}

/** What istiod's webhook accepts as `redirectCode`: a 3xx code. */
export function redirectCode(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 300 && v <= 399 ? undefined : 'must be a 3xx code';
}

/**
 * Redirect codes pilot turns into an Envoy redirect (`ApplyRedirect`): any other 3xx passes the
 * webhook, but pilot drops the route's action ("Redirect Code %d is not yet supported"), so the
 * rule answers nothing.
 */
export const ENVOY_REDIRECT_CODES: readonly number[] = [301, 302, 303, 307, 308];

/** A redirect code pilot can translate (one of {@link ENVOY_REDIRECT_CODES}). */
export function translatedRedirectCode(v: unknown): string | undefined {
  return redirectCode(v) ?? (ENVOY_REDIRECT_CODES.includes(v as number) ? undefined : `Envoy redirects only with ${ENVOY_REDIRECT_CODES.join(', ')}; pilot drops a route with any other code`);
}

/** A redirect scheme: `http` or `https`. */
export function redirectScheme(v: unknown): string | undefined {
  return v === 'http' || v === 'https' ? undefined : 'must be "http" or "https"';
}

/** Largest direct response body istiod accepts (bytes, exclusive). */
export const DIRECT_RESPONSE_BODY_LIMIT = 1024 * 1024;

/** A direct response body: smaller than 1MB in UTF-8. */
export function directResponseBody(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'a body must be a string';
  return Buffer.byteLength(v) > DIRECT_RESPONSE_BODY_LIMIT ? 'a direct response body must be smaller than 1MB' : undefined;
}

/** A header name in `allowHeaders`/`exposeHeaders` of a CORS policy: an RFC 7230 token, or `*`. */
export function corsHeaderName(v: unknown): string | undefined {
  if (v === '*') return undefined;
  if (typeof v !== 'string' || v === '' || headerMatchName(v) || v.startsWith(':') || v.startsWith('@')) return 'a header name must be an RFC 7230 token or "*"';
  return undefined;
}

/** A CORS `maxAge` (a Go duration string): valid, and whole seconds (Envoy sends seconds). */
export function corsMaxAge(v: unknown): string | undefined {
  const bad = istioDuration(v);
  if (bad) return bad;
  const ns = parseGoDuration(v);
  return ns !== undefined && ns % 1000000000n !== 0n ? 'maxAge is accurate to whole seconds only' : undefined;
}

/** A non-empty exact, prefix or regex origin match. */
export function corsOriginValue(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? undefined : 'an origin match needs a non-empty exact, prefix or regex';
}

/**
 * A rewritten path (`rewrite.uri`): it starts with '/' and has no whitespace. Envoy's
 * `prefix_rewrite` puts it in place of the matched prefix as written (a `/v1/` prefix rewritten to
 * `x` turns `/v1/a` into `xa`, no leading slash); istiod's webhook does not check it.
 */
export function rewriteUri(v: unknown): string | undefined {
  return typeof v === 'string' && v.startsWith('/') && !/\s/.test(v) ? undefined : "a rewritten path starts with '/' and has no whitespace";
}

/**
 * Where a prefix rewrite's seam falls wrong (consumer trial F14). For a prefix match, pilot writes
 * `rewrite.uri` as Envoy's `prefix_rewrite` (pilot/pkg/networking/core/route/route.go
 * `applyHTTPRouteDestination`, Istio 1.30.3; a rule or match block without a uri condition matches
 * the prefix `/`, `TranslateRouteMatch`), and Envoy replaces the matched prefix with it literally
 * (envoy route_components.proto `prefix_rewrite`: "pay careful attention to the use of trailing
 * slashes"). So the rest of the path is appended as it is: a prefix ending in '/' rewritten to a
 * value that does not glues two segments together (`/v1/` → `/api`: `/v1/users` becomes
 * `/apiusers`), and a prefix not ending in '/' rewritten to one that does doubles the slash (`/v1` →
 * `/api/`: `/v1/users` becomes `/api//users`; `/v1` → `/`: `//users`). istiod accepts both, so they
 * are warnings. Returns the problem, or undefined when both end in '/' or neither does. Exact and
 * regex matches are not affected (Envoy replaces the whole path).
 */
export function prefixRewriteSeam(prefix: string, to: string): string | undefined {
  if (typeof prefix !== 'string' || typeof to !== 'string' || to === '') return undefined;
  const p = prefix.endsWith('/');
  const t = to.endsWith('/');
  if (p === t) return undefined;
  const example = p ? `${prefix}users` : `${prefix}/users`;
  const rewritten = to + example.slice(prefix.length);
  return p
    ? `the matched prefix ${JSON.stringify(prefix)} ends with '/' and the rewrite ${JSON.stringify(to)} does not, so Envoy's prefix_rewrite glues the rest of the path on: ${example} becomes ${rewritten}`
    : `the matched prefix ${JSON.stringify(prefix)} does not end with '/' and the rewrite ${JSON.stringify(to)} does, so Envoy's prefix_rewrite doubles the slash: ${example} becomes ${rewritten}`;
}

/**
 * The finding text of a bad seam (after the field it is about), the same for a construct's warning
 * and lint's CI3011 (so synth can tell that both say the same), or undefined when the seam is fine.
 */
export function prefixRewriteSeamFinding(prefix: string, to: string): string | undefined {
  const problem = prefixRewriteSeam(prefix, to);
  return problem && `rewrite.uri ${JSON.stringify(to)} on the prefix ${JSON.stringify(prefix)}: ${problem}. Hint: ${prefixRewriteSeamHint(prefix, to)}`;
}

/** How to fix what {@link prefixRewriteSeam} reports: end both in '/' or neither. */
export function prefixRewriteSeamHint(prefix: string, to: string): string {
  return prefix.endsWith('/')
    ? `rewrite to ${JSON.stringify(`${to}/`)}`
    : `match the prefix ${JSON.stringify(`${prefix}/`)}${to.length > 1 ? ` (or rewrite to ${JSON.stringify(to.replace(/\/+$/, ''))})` : ''}`;
}

/**
 * The prefix a VirtualService match block hands to Envoy's `prefix_rewrite`: its `uri.prefix`, `/`
 * when the block (or the rule) has no uri condition (`TranslateRouteMatch`), undefined for an exact
 * or regex uri (the whole path is replaced).
 */
export function rewrittenPrefix(block: unknown): string | undefined {
  const uri = block && typeof block === 'object' ? (block as { uri?: unknown }).uri : undefined;
  if (uri === undefined || uri === null) return '/';
  if (typeof uri !== 'object') return undefined;
  const p = (uri as { prefix?: unknown }).prefix;
  return typeof p === 'string' ? p : undefined;
}

/**
 * What istiod makes of an HTTPRoute `URLRewrite` `ReplacePrefixMatch` on a `PathPrefix` match
 * (pilot/pkg/config/kube/gateway/conversion.go `createURIMatch` and the rewrite filter, route.go
 * `TranslateRouteMatch` and `applyHTTPRouteDestination`, Istio 1.30.3): the match loses a trailing
 * '/' and becomes a whole-segment match (except `/`, which stays a plain prefix), the replacement
 * loses a trailing '/' (empty: `/`), and a `/` replacement strips the prefix with a regex. Returns the
 * plain `prefix_rewrite` Envoy then does (`prefix` replaced by `to`), or undefined for the regex strip.
 * With a segment match the rest of the path is empty or starts with '/', so only the `/` match can
 * glue (istio/istio#60182: PathPrefix `/` with `/foo` turns `/test` into `/footest`).
 */
export function gatewayPrefixRewrite(matchValue: string, replace: string): { readonly prefix: string; readonly to: string } | undefined {
  const to = replace.replace(/\/$/, '') || '/';
  if (to === '/') return undefined;
  return { prefix: matchValue === '/' ? '/' : matchValue.replace(/\/$/, ''), to };
}
