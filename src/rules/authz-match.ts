/**
 * How Istio matches AuthorizationPolicy values, as istiod translates them into Envoy RBAC matchers
 * (pilot/pkg/security/authz/matcher/string.go, pilot/pkg/security/authz/model/generator.go at 1.30.3),
 * and how its authorization analyzer reads namespace patterns (a different rule:
 * pkg/config/analysis/analyzers/authz/authorizationpolicies.go). The rules that say which values are
 * valid are in `authz.ts`.
 */
import { MATCH_ANY_TEMPLATE, MATCH_ONE_TEMPLATE } from './authz';
import { re2 } from '../private/re2';
import { pathWithoutQuery } from './http';
import { re2FullMatch } from './regex';

/**
 * A policy value against a request value, as `StringMatcherWithPrefix` builds Envoy's matcher:
 * `*` alone is the regex `.+` (present and non-empty); `*abc` a suffix, `abc*` a prefix (a leading `*`
 * is looked at first); anything else exact. `undefined` (no value) matches nothing. `ignoreCase`
 * lowers both sides (hosts).
 */
export function policyValueMatch(pattern: string, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (p === '*') return v.length > 0;
  if (p.startsWith('*')) return v.endsWith(p.slice(1));
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1));
  return v === p;
}

// Envoy's uri_template character classes (RFC 3986 pchar without '/', and with it for `**`).
const SEGMENT = "[a-zA-Z0-9\\-._~%!$&'()+,;:@=]+";
const SEGMENTS = "[a-zA-Z0-9\\-._~%!$&'()+,;:@=/]*";

/**
 * A policy path against a request path: `{*}` is exactly one path segment and `{**}` any number of
 * segments (Envoy `uri_template`, what istiod emits for a path template); otherwise
 * {@link policyValueMatch}. The query string is not part of the path (Envoy matches `url_path`).
 */
export function policyPathMatch(pattern: string, path: string | undefined): boolean {
  if (path === undefined) return false;
  const bare = pathWithoutQuery(path);
  if (pattern.includes(MATCH_ONE_TEMPLATE) || pattern.includes(MATCH_ANY_TEMPLATE)) {
    const re = pattern
      .split(/(\{\*\*\}|\{\*\})/)
      .map((part) => (part === MATCH_ANY_TEMPLATE ? SEGMENTS : part === MATCH_ONE_TEMPLATE ? SEGMENT : re2().quote(part)))
      .join('');
    return re2FullMatch(re, bare);
  }
  return policyValueMatch(pattern, bare);
}

/**
 * A `namespaces` / `notNamespaces` pattern (and `when source.namespace`) against the caller's
 * principal, as `srcNamespaceGenerator` builds it: every `*` is a wildcard (`team-*-prod`, `*ro*`),
 * the rest quoted, matched as a regex on the whole principal: anything, `/ns/`, the pattern, `/`,
 * anything. A caller without a principal (plaintext) matches no namespace.
 */
export function policyNamespaceMatch(pattern: string, principal: string | undefined): boolean {
  if (!principal) return false;
  return re2FullMatch(`.*/ns/${pattern.split('*').map((part) => re2().quote(part)).join('.*')}/.*`, principal);
}

/**
 * Whether a `namespaces` pattern of a policy names namespace `ns`, as Istio's authorization analyzer
 * decides it (`namespaceMatch`, IST0101 for a pattern no Namespace matches): `*`, a `*` prefix or
 * suffix, or equal ignoring case. Unlike {@link policyNamespaceMatch}, a `*` inside is literal.
 */
export function analyzerNamespaceMatch(ns: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return ns.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return ns.startsWith(pattern.slice(0, -1));
  return ns.toLowerCase() === pattern.toLowerCase();
}
