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
