/**
 * HTTP rules Istio applies: status codes Go's `net/http` knows, `retryOn` policies, header names
 * (RFC 7230 tokens, pseudo-headers, JWT-claim routing keys) and CORS methods.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/validation.go
 */

/** Status codes with a non-empty `http.StatusText` in Go 1.24 (Istio accepts these as retryOn tokens). */
export const KNOWN_HTTP_STATUS: ReadonlySet<number> = new Set([
  100, 101, 102, 103,
  200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
  300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418,
  421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/**
 * The `retryOn` policies Istio accepts (`supportedRetryOnPolicies`): Envoy's `x-envoy-retry-on` and
 * `x-envoy-retry-grpc-on` values.
 */
export const RETRY_ON_POLICIES: readonly string[] = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
];
const RETRY_ON_SET = new Set(RETRY_ON_POLICIES);

/** A status code `http.StatusText` knows. */
export function knownHttpStatus(v: unknown): string | undefined {
  return typeof v === 'number' && KNOWN_HTTP_STATUS.has(v) ? undefined : 'must be an HTTP status code Go\'s net/http knows (e.g. 503)';
}

/**
 * One retryOn token as Istio's `validateHTTPRetry` checks it: a known policy, or a string that Go's
 * `strconv.Atoi` reads as a known status code (so `+503` and `0503` pass, as in Istio).
 */
export function retryOnToken(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'a retryOn token must be a string';
  if (RETRY_ON_SET.has(v)) return undefined;
  if (/^[+-]?[0-9]+$/.test(v) && KNOWN_HTTP_STATUS.has(Number(v))) return undefined;
  if (v.trim() !== v || v === '') return `${JSON.stringify(v)}: tokens are comma-separated with no spaces`;
  return `${JSON.stringify(v)} is not a retry policy or a known HTTP status code`;
}

/**
 * A whole `retryOn` value: comma-separated tokens, each {@link retryOnToken}. The empty string is
 * "not set" and passes (Istio skips the check).
 */
export function retryOn(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'retryOn must be a string';
  if (v === '') return undefined;
  for (const tok of v.split(',')) {
    const bad = retryOnToken(tok);
    if (bad) return bad;
  }
  return undefined;
}

/** RFC 7230 `token`: 1*tchar (Istio's `validHeaderNameRegex`). */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const RULE_HTTP_TOKEN = "must be an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~), with no spaces or separators";

/** An RFC 7230 token (header names, methods). */
export function httpToken(v: unknown): string | undefined {
  return typeof v === 'string' && HTTP_TOKEN.test(v) ? undefined : RULE_HTTP_TOKEN;
}

/** HTTP/2 pseudo-headers Istio accepts as header-match keys. */
export const PSEUDO_HEADERS: readonly string[] = [':method', ':scheme', ':authority', ':path', ':status'];

/**
 * Istio's `jwt.ToRoutingClaim`: a header key `@request.auth.claims.a.b` or
 * `@request.auth.claims[a][b]` (case-insensitive prefix) routes on a JWT claim.
 */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith('@request.auth.claims')) return false;
  const rest = name.slice('@request.auth.claims'.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

/**
 * Istio's `ValidateHTTPHeaderNameOrJwtClaimRoute` (VirtualService `headers` and `withoutHeaders`
 * match keys): an RFC 7230 token, a pseudo-header, or a JWT-claim routing key.
 */
export function headerMatchName(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return RULE_HTTP_TOKEN;
  if (isJwtClaimRoute(v) || PSEUDO_HEADERS.includes(v)) return undefined;
  return httpToken(v);
}

/**
 * Header keys Istio's route translation ignores inside `headers` (they have dedicated match fields),
 * so a condition on them silently matches everything; factories refuse them.
 */
export const IGNORED_HEADER_MATCH_KEYS: readonly string[] = ['uri', 'scheme', 'method', 'authority'];

/** Methods a CORS policy may allow (`supportedCORSMethods`: Go's net/http methods and `*`). */
export const CORS_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*'];

/** Istio's `ValidateHTTPHeaderOperationName` (headers removed, or set on responses). */
export function headerOperationName(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return 'a header name cannot be empty';
  if (v.toLowerCase() === 'host') return 'the Host header cannot be set or removed';
  if (v.startsWith(':')) return 'a header name cannot start with ":"';
  return undefined;
}

/** Istio's `ValidateHTTPHeaderWithAuthorityOperationName` (headers added or set on requests). */
export function headerRequestSetName(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return 'a header name cannot be empty';
  const lower = v.toLowerCase();
  if ((v.startsWith(':') || lower === 'host') && lower !== ':authority' && lower !== 'host') return 'a header name cannot start with ":"';
  return undefined;
}

/**
 * Istio's `ValidateHTTPHeaderValue`: no control characters but tab, and `%` only as `%%` or in a
 * command (`%HOSTNAME%`, `%REQ(x-id)%`, `%ENVIRONMENT(["a"])%`), read by the same state machine as
 * `pkg/config/validation/header_value_validator.go`.
 */
export function headerValue(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'a header value must be a string';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(v)) return 'a header value cannot contain control characters';
  type State = 'literal' | 'name' | 'array' | 'delim' | 'string-start' | 'string' | 'args-end' | 'var-end';
  let state: State = 'literal';
  for (let pos = 0; pos < v.length; pos++) {
    const ch = v[pos];
    const hasNext = pos + 1 < v.length;
    switch (state) {
      case 'literal':
        if (ch !== '%') break;
        if (!hasNext) return 'an un-escaped % (write %% for a literal %)';
        if (v[pos + 1] === '%') pos++;
        else state = 'name';
        break;
      case 'name':
        if (ch === '%') state = 'literal';
        else if (ch === '(') state = 'array';
        break;
      case 'array':
        if (ch === '[') state = 'string-start';
        else if (ch !== ' ') state = 'string';
        break;
      case 'delim':
        if (ch === ',') state = 'string-start';
        else if (ch === ']') state = 'args-end';
        else if (ch !== ' ') return "expected ',', ']' or a space in a %-command";
        break;
      case 'string-start':
        if (ch === '"') state = 'string';
        else if (ch !== ' ') return 'expected \'"\' in a %-command';
        break;
      case 'string':
        if (ch === '\\') {
          if (!hasNext) return 'an unterminated backslash in a %-command';
          pos++;
        } else if (ch === ')') state = 'var-end';
        else if (ch === '"') state = 'delim';
        break;
      case 'args-end':
        if (ch === ')') state = 'var-end';
        else if (ch !== ' ') return "expected ')' in a %-command";
        break;
      case 'var-end':
        if (ch === '%') state = 'literal';
        else if (ch !== ' ') return "expected '%' after a %-command";
        break;
    }
  }
  return state === 'literal' ? undefined : 'an unterminated %-command (write %% for a literal %)';
}

/**
 * The regex `*` in a VirtualService header, query or `withoutHeaders` match is no RE2 regex: pilot
 * makes it Envoy's `present_match` (route.go `canBeConvertedToPresentMatch`), and istiod's validation
 * skips the regex check for it in `withoutHeaders` (validation.go `validateHTTPRouteMatchRequest`).
 */
export const PRESENT_MATCH_REGEX = '*';

/** An Istio `StringMatch` as written: at most one of exact, prefix or regex. */
export interface StringMatchSpec {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

/**
 * Whether a StringMatch becomes Envoy's `present_match` (`canBeConvertedToPresentMatch`,
 * pilot/pkg/networking/core/route/route.go): absent or no match type, or the regex {@link PRESENT_MATCH_REGEX}.
 */
export function isPresenceMatch(spec: StringMatchSpec | undefined | null): boolean {
  if (!spec || typeof spec !== 'object') return true;
  if (spec.regex === PRESENT_MATCH_REGEX) return true;
  return spec.exact === undefined && spec.prefix === undefined && spec.regex === undefined;
}

/** A `:path` without its query string: what Envoy compares as `url_path` (and VirtualService `uri` exact/regex). */
export function pathWithoutQuery(path: string): string {
  const q = path.indexOf('?');
  return q >= 0 ? path.slice(0, q) : path;
}

/**
 * A header named by two operations of one `headers.request` / `headers.response` block (`set`, `add`,
 * `remove`; names are case-insensitive): the block does not say what happens to it (Envoy applies the
 * removals before the additions, so a `remove` of a header the block sets or adds does nothing).
 * `earlier` is the operation that named it first, undefined when none did.
 */
export function headerChangedOnce(name: string, dir: string, earlier: string | undefined): string | undefined {
  return earlier === undefined ? undefined : `header ${name} is already in ${dir}.${earlier} (header names are case-insensitive)`;
}

/** Every header of one block named by a second operation, in the order set, add, remove, with the rule it breaks. */
export function repeatedHeaderOperations(dir: string, block: unknown): { readonly op: string; readonly name: string; readonly rule: string }[] {
  const o = typeof block === 'object' && block !== null ? block as Record<string, unknown> : {};
  const seen = new Map<string, string>();
  const out: { op: string; name: string; rule: string }[] = [];
  const note = (op: string, name: string) => {
    const rule = headerChangedOnce(name, dir, seen.get(name.toLowerCase()));
    if (rule) out.push({ op, name, rule });
    else seen.set(name.toLowerCase(), op);
  };
  for (const op of ['set', 'add']) {
    const m = o[op];
    if (typeof m === 'object' && m !== null && !Array.isArray(m)) for (const name of Object.keys(m).sort()) note(op, name);
  }
  if (Array.isArray(o.remove)) for (const name of o.remove) if (typeof name === 'string') note('remove', name);
  return out;
}

/**
 * A request's `:path` as a proxy receives it: origin form, starting with '/' (RFC 9112 §3.2.1; Envoy's
 * HTTP codecs refuse any other request target but `*` and absolute URIs, which a mesh caller does not send).
 */
export function requestPath(v: unknown): string | undefined {
  return typeof v === 'string' && v.startsWith('/') ? undefined : "a request path starts with '/' (origin form, e.g. /api/orders?id=7)";
}
