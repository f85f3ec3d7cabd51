import { Duration } from 'cdk8s';

/**
 * Flagger's CRD checks its durations (`interval`, webhook `timeout`) against `^[0-9]+(m|s)` and
 * parses them with Go's time.ParseDuration: whole seconds or whole minutes. Returns the rule text
 * when `d` breaks it, with `min` seconds as the floor.
 */
export function checkFlaggerDuration(d: Duration, min = 1): string | undefined {
  if (!(d instanceof Duration) && typeof (d as any)?.toSeconds !== 'function') {
    return 'must be a cdk8s Duration, e.g. Duration.minutes(1)';
  }
  const s = d.toSeconds({ integral: false });
  if (!Number.isFinite(s) || !Number.isInteger(s)) return 'Flagger durations are whole seconds (the CRD pattern is ^[0-9]+(m|s))';
  if (s < min) return `must be at least ${min}s`;
  return undefined;
}

/** Renders a Flagger duration: `1m` when whole minutes, else `30s`. */
export function renderFlaggerDuration(d: Duration): string {
  const s = d.toSeconds({ integral: false });
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}
