import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import { isPresenceMatch, pathWithoutQuery, StringMatchSpec } from '../rules/http';
import { ipInPrefix } from '../rules/ip';
import { re2FullMatch, Re2SyntaxError } from '../rules/regex';

/**
 * Value matchers shared by routing and authorization. Kept free of any manifest shape so that each
 * routing API (Istio VirtualService, Gateway API HTTPRoute) and each policy kind can reuse them.
 */

const SIMULATOR_ERROR_BRAND = brandSymbol('SimulatorError');

/** Thrown when a manifest holds something the simulator cannot evaluate, e.g. a regex RE2 rejects. */
export class SimulatorError extends Error {
  /** Whether `x` is a SimulatorError (works across copies of this package). */
  public static isSimulatorError(x: unknown): x is SimulatorError {
    return hasBrand(x, SIMULATOR_ERROR_BRAND);
  }

  /** `x instanceof SimulatorError`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is SimulatorError {
    return hasBrand(x, SIMULATOR_ERROR_BRAND);
  }

  constructor(message: string) {
    super(message);
    addBrand(this, SIMULATOR_ERROR_BRAND);
    this.name = 'SimulatorError';
  }
}

/**
 * True when `value` matches `pattern` as a whole, in the RE2 dialect (Envoy's `safe_regex`,
 * `re2FullMatch`). A pattern RE2 rejects (lookaheads, backreferences) throws a {@link SimulatorError}:
 * istiod's webhook rejects it too, so no proxy ever runs it.
 */
export function regexFullMatch(pattern: string, value: string): boolean {
  try {
    return re2FullMatch(pattern, value);
  } catch (e) {
    if (e instanceof Re2SyntaxError) throw new SimulatorError(e.message);
    throw e;
  }
}

export type { StringMatchSpec };

/**
 * Istio `StringMatch` semantics: exact and prefix compare code units, regex is an RE2 full match.
 * A missing value (`undefined`) matches nothing. `ignoreCase` lowers both sides for exact and prefix
 * (VirtualService `ignoreUriCase`). An empty match object `{}` matches any present value.
 */
export function stringMatch(m: StringMatchSpec, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (m.exact !== undefined) return v === (ignoreCase ? m.exact.toLowerCase() : m.exact);
  if (m.prefix !== undefined) return v.startsWith(ignoreCase ? m.prefix.toLowerCase() : m.prefix);
  if (m.regex !== undefined) return regexFullMatch(m.regex, value);
  return true;
}

/** Describes a StringMatch for explanations: `exact "true"`, `regex "^a$"`. */
export function describeStringMatch(m: StringMatchSpec): string {
  if (m.exact !== undefined) return `exact ${JSON.stringify(m.exact)}`;
  if (m.prefix !== undefined) return `prefix ${JSON.stringify(m.prefix)}`;
  if (m.regex !== undefined) return `regex ${JSON.stringify(m.regex)}`;
  return 'present';
}

/** The path without its query string (`pathWithoutQuery`). */
export const stripQuery = pathWithoutQuery;

/**
 * The query parameters of a path (`?a=1&b`) as Envoy's router matches them: names and values as sent,
 * not percent-decoded (a malformed `%` escape is just text), first value wins, `b` alone gives `''`.
 */
export function queryParams(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const q = path.indexOf('?');
  if (q < 0) return out;
  const end = path.indexOf('#', q);
  for (const pair of path.slice(q + 1, end < 0 ? undefined : end).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = eq >= 0 ? pair.slice(0, eq) : pair;
    const v = eq >= 0 ? pair.slice(eq + 1) : '';
    if (!Object.prototype.hasOwnProperty.call(out, k)) out[k] = v;
  }
  return out;
}

/**
 * A VirtualService `headers`, `queryParams`, `method`, `authority` or `scheme` condition as pilot
 * translates it (route.go `translateHeaderMatch`, `translateQueryParamMatch`): Envoy's `present_match`
 * for {@link isPresenceMatch}, else the StringMatch on the value; either way an absent value fails.
 */
export function headerConditionMatch(spec: StringMatchSpec | undefined | null, value: string | undefined): boolean {
  if (isPresenceMatch(spec)) return value !== undefined;
  return stringMatch(spec!, value);
}

/**
 * A VirtualService `withoutHeaders` condition as pilot translates it (route.go `TranslateRouteMatch`):
 * an inverted header matcher. Presence inverted matches an absent header; any other StringMatch is
 * inverted with `treat_missing_header_as_empty`, so an absent header is compared as `''`: `exact: x`
 * matches it, a regex matching the empty string does not.
 */
export function withoutHeaderMatch(spec: StringMatchSpec | undefined | null, value: string | undefined): boolean {
  if (isPresenceMatch(spec)) return value === undefined;
  return !stringMatch(spec!, value ?? '');
}

/**
 * True when `ip` lies in `cidr` (`10.0.0.0/8`, `2001:db8::/32`, or a bare address meaning /32 or
 * /128), as Envoy's RBAC matches it: `ipInPrefix` of rules/ip.
 */
export const cidrMatch = ipInPrefix;

/** Lower-cases header names; values are kept as written (they are case-sensitive). */
export function normalizeHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(headers ?? {}).sort()) out[k.toLowerCase()] = headers![k];
  return out;
}
