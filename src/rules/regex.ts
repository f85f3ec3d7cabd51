/**
 * Regex rules: Istio compiles match regexes with Go's `regexp` (RE2 syntax, the engine Envoy uses)
 * and caps their length (`validateStringRegexp` in pkg/config/validation/validation.go at 1.30.3).
 * We compile with re2js, a port of RE2, so lookarounds and backreferences are rejected as Istio does.
 */
import type { RE2JS } from 're2js';
import { re2 } from '../private/re2';
import { inRe2Dialect } from './re2-dialect';

/** Istio rejects regexes longer than this (an approximation of Envoy's RE2 program-size limit). */
export const MAX_REGEX_LENGTH = 1024;

/** Compiled patterns (or the compiler's message), shared by the checks and the matchers; bounded. */
const compiled = new Map<string, RE2JS | string>();

function compile(pattern: string): RE2JS | string {
  let c = compiled.get(pattern);
  if (c !== undefined) return c;
  try {
    c = re2().compile(pattern);
  } catch (e) {
    c = e instanceof Error ? e.message : String(e);
  }
  if (compiled.size < 10000) compiled.set(pattern, c);
  return c;
}

/**
 * Whether `pattern` compiles as RE2; returns the compiler's message when it does not. A pattern in the
 * small dialect of re2-dialect.ts compiles without asking RE2 (so a fresh process that only checks
 * such patterns never loads it).
 */
export function re2Compiles(pattern: string): string | undefined {
  if (inRe2Dialect(pattern)) return undefined;
  const c = compile(pattern);
  return typeof c === 'string' ? c : undefined;
}

/** Thrown by {@link re2FullMatch} for a pattern RE2 rejects. */
export class Re2SyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Re2SyntaxError';
  }
}

/**
 * Whether `value` matches `pattern` as a whole, in the RE2 dialect: Envoy's `safe_regex` (a full
 * match). Throws {@link Re2SyntaxError} for a pattern RE2 rejects (lookarounds, backreferences), which
 * istiod's webhook rejects too, so no proxy ever runs it.
 */
export function re2FullMatch(pattern: string, value: string): boolean {
  const c = compile(pattern);
  if (typeof c === 'string') throw new Re2SyntaxError(`regex ${JSON.stringify(pattern)} is not valid RE2: ${c}`);
  return c.matches(value);
}

/**
 * Whether `pattern` matches somewhere in `value` (RE2, unanchored): protoc-gen-validate's `pattern`
 * rule, as Envoy's generated validators run it. Throws {@link Re2SyntaxError} for a pattern RE2 rejects.
 */
export function re2Find(pattern: string, value: string): boolean {
  const c = compile(pattern);
  if (typeof c === 'string') throw new Re2SyntaxError(`regex ${JSON.stringify(pattern)} is not valid RE2: ${c}`);
  return c.matcher(value).find();
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
