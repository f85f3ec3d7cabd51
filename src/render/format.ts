import { Duration } from 'cdk8s';
import { renderDuration } from '../rules/duration';
import { renderFlaggerDuration } from '../rules/duration';
import type { Milliseconds } from '../model';

/** A model duration as Istio writes it: `10s` when whole seconds, else `1500ms`. */
export function istioDuration(ms: Milliseconds): string {
  return renderDuration(Duration.millis(ms));
}

/** A model duration as Flagger writes it: `1m` when whole minutes, else `30s`. */
export function flaggerDuration(ms: Milliseconds): string {
  return renderFlaggerDuration(Duration.millis(ms));
}

/** The object without undefined fields, or undefined when nothing is left (never `{}`). */
export function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
