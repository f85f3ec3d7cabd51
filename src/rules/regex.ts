/**
 * Regex rules: Istio compiles match regexes with Go's `regexp` (RE2 syntax, the engine Envoy uses)
 * and caps their length (`validateStringRegexp` in pkg/config/validation/validation.go at 1.30.3).
 * We compile with re2js, a port of RE2, so lookarounds and backreferences are rejected as Istio does.
 */
import { RE2JS } from 're2js';

/** Istio rejects regexes longer than this (an approximation of Envoy's RE2 program-size limit). */
export const MAX_REGEX_LENGTH = 1024;

const compiled = new Map<string, string | undefined>();

/** Whether `pattern` compiles as RE2; returns the compiler's message when it does not. */
export function re2Compiles(pattern: string): string | undefined {
  if (compiled.has(pattern)) return compiled.get(pattern);
  let bad: string | undefined;
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    bad = e instanceof Error ? e.message : String(e);
  }
  if (compiled.size < 10000) compiled.set(pattern, bad);
  return bad;
}

/**
 * Istio's `validateStringRegexp` (rewrite regexes, and match regexes after the empty check): at
 * most 1024 characters, valid RE2. The empty pattern compiles, as in Go.
 */
export function re2Regex(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'a regex must be a string';
  if (v.length > MAX_REGEX_LENGTH) return `a regex must be at most ${MAX_REGEX_LENGTH} characters (got ${v.length})`;
  const bad = re2Compiles(v);
  return bad ? `the regex does not compile as RE2, the engine Envoy uses (${bad}); RE2 has no lookaround and no backreferences` : undefined;
}

/** Istio's `validateStringMatchRegexp` (a `regex:` string match): non-empty, then {@link re2Regex}. */
export function matchRegex(v: unknown): string | undefined {
  if (v === '') return 'a regex match needs a non-empty pattern (`regex: ""` is rejected by Istio)';
  return re2Regex(v);
}
