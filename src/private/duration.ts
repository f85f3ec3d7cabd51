import { Duration } from 'cdk8s';

/**
 * Istio's duration rule (webhook and CRD CEL alike): at least 1ms, with millisecond precision at most.
 * Returns the rule text when `d` breaks it.
 */
export function checkIstioDuration(d: Duration): string | undefined {
  if (!(d instanceof Duration) && typeof (d as any)?.toMilliseconds !== 'function') {
    return 'must be a cdk8s Duration, e.g. Duration.seconds(10)';
  }
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms < 1) return 'a duration must be at least 1ms';
  if (!Number.isInteger(ms)) return 'a duration must have millisecond precision at most (no fractions of a millisecond)';
  return undefined;
}

/** Renders a Duration the way Istio docs write it: `10s` when whole seconds, else `1500ms`. */
export function renderDuration(d: Duration): string {
  const ms = d.toMilliseconds({ integral: false });
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Parses an Istio/protobuf duration string (`10s`, `1.5s`, `500ms`, `1m`, `1h`) into milliseconds. */
export function parseDurationMs(s: string): number | undefined {
  if (typeof s !== 'string') return undefined;
  let total = 0;
  let rest = s.trim();
  if (rest === '') return undefined;
  const re = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  while (rest.length) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += parseFloat(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}
