/**
 * Duration rules.
 * - Go's `time.ParseDuration`, which Istio's resources are decoded with (the legacy `jsonpb`
 *   unmarshaler istiod uses parses `google.protobuf.Duration` strings with it, so `1m30s` works).
 * - Istio's `agent.ValidateDuration`: at least 1ms, millisecond precision.
 * - Flagger's: the CRD pattern `^[0-9]+(m|s)`, then `time.ParseDuration`.
 */
import { Duration } from 'cdk8s';

const NS_PER: Record<string, bigint> = {
  'ns': 1n, 'us': 1000n, '\u00b5s': 1000n, '\u03bcs': 1000n, 'ms': 1000000n, 's': 1000000000n, 'm': 60000000000n, 'h': 3600000000000n,
};
const MAX_NS = 9223372036854775807n;

/**
 * Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`, units ns, us, µs, ms, s,
 * m, h. Returns nanoseconds, or undefined when Go would return an error.
 */
export function parseGoDuration(v: unknown): bigint | undefined {
  if (typeof v !== 'string') return undefined;
  let s = v;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const intPart = m[1];
    const frac = m[2];
    if (intPart === '' && (frac === undefined || frac === '')) return undefined;
    s = s.slice(m[0].length);
    const u = /^[^0-9.]+/.exec(s);
    if (!u) return undefined;
    const per = NS_PER[u[0]];
    if (per === undefined) return undefined;
    s = s.slice(u[0].length);
    let ns = BigInt(intPart || '0') * per;
    if (frac) {
      // Go scales the fraction and truncates below a nanosecond.
      ns += (BigInt(frac) * per) / 10n ** BigInt(frac.length);
    }
    total += ns;
    if (total > MAX_NS) return undefined;
  }
  return neg ? -total : total;
}

/** Milliseconds of a duration string, or undefined when it does not parse (for the simulator). */
export function parseDurationMs(v: unknown): number | undefined {
  const ns = parseGoDuration(v);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}

/** Istio's duration rule on nanoseconds: at least 1ms, whole milliseconds. */
function istioDurationNs(ns: bigint): string | undefined {
  if (ns < 1000000n) return 'a duration must be at least 1ms';
  if (ns % 1000000n !== 0n) return 'a duration must have millisecond precision at most (no fractions of a millisecond)';
  return undefined;
}

/**
 * Istio's `ValidateDuration` on a duration as written in a resource (`10s`, `1.5s`, `1m30s`).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/agent/validation.go
 */
export function istioDuration(v: unknown): string | undefined {
  const ns = parseGoDuration(v);
  if (ns === undefined) return 'must be a duration such as "10s", "1.5s" or "1m30s"';
  return istioDurationNs(ns);
}

function isDuration(d: unknown): d is Duration {
  return typeof (d as any)?.toMilliseconds === 'function';
}

/** Istio's duration rule on a cdk8s Duration (the same rule as {@link istioDuration}, before rendering). */
export function istioDurationOf(d: unknown): string | undefined {
  if (!isDuration(d)) return 'must be a cdk8s Duration, e.g. Duration.seconds(10)';
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms)) return 'a duration must be finite';
  return istioDuration(renderDuration(d));
}

/** Renders a Duration the way Istio docs write it: `10s` when whole seconds, else `1500ms` (or `0.5ms`). */
export function renderDuration(d: Duration): string {
  const ms = d.toMilliseconds({ integral: false });
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const FLAGGER_PATTERN = /^[0-9]+(m|s)/;

/**
 * Flagger's duration rule (Canary `analysis.interval`, webhook `timeout`): the CRD pattern
 * `^[0-9]+(m|s)` (anchored at the start only), then Go's `time.ParseDuration`.
 */
export function flaggerDuration(v: unknown): string | undefined {
  if (typeof v !== 'string' || !FLAGGER_PATTERN.test(v)) return 'Flagger durations are whole seconds or minutes, e.g. "30s" or "1m" (the CRD pattern is ^[0-9]+(m|s))';
  return parseGoDuration(v) === undefined ? 'must be a duration Go parses, e.g. "30s" or "1m"' : undefined;
}

/** Renders a Flagger duration: `1m` when whole minutes, else `30s`. */
export function renderFlaggerDuration(d: Duration): string {
  const s = d.toSeconds({ integral: false });
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/**
 * Flagger's rule on a cdk8s Duration: what {@link renderFlaggerDuration} writes must pass
 * {@link flaggerDuration}; `min` seconds is the floor a factory adds (a 0s interval never runs).
 */
export function flaggerDurationOf(d: unknown, min = 1): string | undefined {
  if (!isDuration(d)) return 'must be a cdk8s Duration, e.g. Duration.minutes(1)';
  const s = d.toSeconds({ integral: false });
  if (!Number.isFinite(s)) return 'a duration must be finite';
  const bad = flaggerDuration(renderFlaggerDuration(d));
  if (bad) return bad;
  if (s < min) return `must be at least ${min}s`;
  return undefined;
}
