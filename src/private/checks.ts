import { Duration } from 'cdk8s';
import { RE2JS } from 're2js';
import { checkIstioDuration } from './duration';
import { fail } from './errors';

/** Largest int32 (Istio's connection pool counters, retry attempts). */
export const INT32_MAX = 2147483647;
/** Largest uint32 (outlier detection counters, Envoy token counts). */
export const UINT32_MAX = 4294967295;
/** Istio rejects regexes longer than this. */
export const MAX_REGEX_LENGTH = 1024;

/** Checks an optional int32 counter that must be non-negative. */
export function checkInt32(where: string, property: string, v: number | undefined): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < 0 || v > INT32_MAX) fail(where, property, v, `must be an integer in 0..${INT32_MAX}`);
}

/** Checks an optional uint32 counter. */
export function checkUint32(where: string, property: string, v: number | undefined): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX) fail(where, property, v, `must be an integer in 0..${UINT32_MAX} (uint32)`);
}

/** Checks an optional integer percent in 0..100. */
export function checkPercent(where: string, property: string, v: number | undefined): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < 0 || v > 100) fail(where, property, v, 'a percent must be an integer in 0..100');
}

/** Checks an optional duration with Istio's rule (at least 1ms, millisecond precision). */
export function checkDuration(where: string, property: string, d: Duration | undefined): void {
  if (d === undefined) return;
  const bad = checkIstioDuration(d);
  if (bad) fail(where, property, d, bad);
}

/** Checks a pattern as Istio does: non-empty, at most 1024 characters, compiles as RE2. */
export function checkRegex(where: string, pattern: string): void {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    fail(where, 'pattern', pattern, 'a regex match needs a non-empty pattern (`regex: ""` is rejected by Istio)');
  }
  if (pattern.length > MAX_REGEX_LENGTH) {
    fail(where, 'pattern', `${pattern.slice(0, 40)}... (${pattern.length} characters)`, `a regex must be at most ${MAX_REGEX_LENGTH} characters`);
  }
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    fail(where, 'pattern', pattern, `the regex does not compile as RE2, the engine Envoy uses (${(e as Error).message})`,
      'RE2 has no lookaround and no backreferences; rewrite the pattern without them');
  }
}

/** The object without undefined fields, or undefined when nothing is left (never `{}`). */
export function compact<T>(o: { [K in keyof T]: T[K] | undefined }): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}
