/**
 * Kubernetes resource quantities (`100m`, `128Mi`, `0.5`, `1e3`): the grammar of
 * k8s.io/apimachinery `resource.ParseQuantity`:
 *
 *   quantity ::= [+-] number suffix;  number ::= digits | digits "." digits? | "." digits
 *   suffix   ::= "" | n u m k M G T P E | Ki Mi Gi Ti Pi Ei | (e|E) [+-]? digits
 *
 * and the resource-requirement rules of the API server (`ValidateResourceRequirements`): requests
 * and limits are non-negative, and a request does not exceed its limit.
 */

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export const RULE_QUANTITY = 'must be a non-negative Kubernetes quantity: a number with an optional suffix m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent (e.g. "100m", "128Mi", "0.5")';
export const RULE_ANY_QUANTITY = 'must be a Kubernetes quantity: a number with an optional suffix m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent (e.g. "100m", "128Mi", "0.5")';

/** Whether `v` parses as a quantity (any sign); a JSON number counts, as the API server reads it. */
export function anyQuantity(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : RULE_ANY_QUANTITY;
  return typeof v === 'string' && QUANTITY.test(v) ? undefined : RULE_ANY_QUANTITY;
}

/** A quantity that is not negative (resource requests and limits). Only strings: factories take strings. */
export function quantity(v: unknown): string | undefined {
  if (typeof v !== 'string') return RULE_QUANTITY;
  const m = QUANTITY.exec(v);
  if (!m) return RULE_QUANTITY;
  return m[1] === '-' && quantityValue(v) !== 0 ? RULE_QUANTITY : undefined;
}

/** The numeric value of a valid quantity (cores for cpu, bytes for memory). */
export function quantityValue(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = QUANTITY.exec(v);
  if (!m) return NaN;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  const suffix = m[3] ?? '';
  if (suffix === '') return n;
  if (suffix in BINARY) return n * BINARY[suffix];
  if (suffix in DECIMAL) return n * DECIMAL[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

/** A hint for common mistakes, e.g. `128MB` or `128mi`. */
export function quantityHint(v: unknown): string | undefined {
  if (typeof v !== 'string') return typeof v === 'number' ? `write it as a string, e.g. "${v}"` : undefined;
  const m = /^([0-9.]+)\s*([A-Za-z]+)$/.exec(v.trim());
  if (!m) return undefined;
  const [, n, unit] = m;
  const lower = unit.toLowerCase();
  const binary = ['ki', 'mi', 'gi', 'ti', 'pi', 'ei'].find((u) => u === lower || u[0] + 'b' === lower);
  if (binary) return `did you mean "${n}${binary[0].toUpperCase()}i"?`;
  return undefined;
}

/** Request ≤ limit, as the API server requires for every resource present in both. */
export function requestWithinLimit(request: string | number, limit: string | number): string | undefined {
  return quantityValue(request) > quantityValue(limit) ? `a request must not exceed its limit (${limit})` : undefined;
}
