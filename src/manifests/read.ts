/**
 * Guarded reads of manifest values. Manifests are input: a field typed `string[]` in `./types` may hold
 * anything in a malformed file (the schema checks report that), so readers go through these.
 */
import type { StringMap } from './types';

/** `v` when it is an array, else `[]`. */
export function list<T>(v: readonly T[] | undefined): readonly T[];
export function list<T = unknown>(v: unknown): readonly T[];
export function list<T>(v: unknown): readonly T[] {
  return Array.isArray(v) ? (v as readonly T[]) : [];
}

/** `v` when it is a string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `v` when it is a finite number, else undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `v` when it is a plain object (a string map, by declaration), else `{}`. */
export function strings(v: unknown): StringMap {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as StringMap) : {};
}

/** True for a non-array object. */
export function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
