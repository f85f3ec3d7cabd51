/**
 * Integer and percentage ranges of Istio's protobuf fields and validation
 * (`ValidatePercent`, `validatePercentage`, int32/uint32 counters).
 */

/** Largest int32 (connection-pool counters, retry attempts). */
export const INT32_MAX = 2147483647;
/** Largest uint32 (outlier-detection counters, Envoy token counts). */
export const UINT32_MAX = 4294967295;

/** A non-negative int32 (0..2147483647). */
export function nonNegativeInt32(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= INT32_MAX ? undefined : `must be an integer in 0..${INT32_MAX}`;
}

/** A uint32 (0..4294967295). */
export function uint32(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= UINT32_MAX ? undefined : `must be an integer in 0..${UINT32_MAX} (uint32)`;
}

/** A positive uint32 (1..4294967295), e.g. Envoy token counts (`gt: 0`). */
export function positiveUint32(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= UINT32_MAX ? undefined : `must be an integer in 1..${UINT32_MAX}`;
}

/** Istio's `ValidatePercent`: an integer in 0..100. */
export function percentInt(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100 ? undefined : 'a percent must be an integer in 0..100';
}

/** A percentage in 0..100 (`mirrorPercentage`, `randomSamplingPercentage`). */
export function percentage(v: unknown): string | undefined {
  return typeof v === 'number' && v >= 0 && v <= 100 ? undefined : 'must be within 0..100';
}

/** Istio's `validatePercentage` (fault injection): 0, or within 0.0001..100. */
export function faultPercentage(v: unknown): string | undefined {
  return typeof v === 'number' && (v === 0 || (v >= 0.0001 && v <= 100)) ? undefined : 'must be 0 or within 0.0001..100';
}
