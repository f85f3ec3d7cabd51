/**
 * Unknown fields in core kinds and in every kind's `metadata`, rejected as kubectl's strict field
 * validation (the default since kubectl 1.27) makes the API server reject them. Kubernetes' OpenAPI
 * schemas (core-kinds.ts) allow unknown fields, so the known fields come from imports/schemas/k8s-core-fields.json,
 * generated from kubernetes-models' declarations by scripts/core-fields.js (Kubernetes 1.33 API).
 */
import { RawFinding } from './report';

interface FieldTable {
  readonly roots: Record<string, string>;
  readonly types: Record<string, Record<string, string>>;
}

let table: FieldTable | undefined;
function fields(): FieldTable {
  // Relative to src/validation (ts-jest) and lib/src/validation (compiled) alike.
  table ??= require('../../imports/schemas/k8s-core-fields.json') as FieldTable;
  return table;
}

/** Whether the strict field table covers `apiVersion/Kind`. */
export function hasFieldTable(apiVersion: string, kind: string): boolean {
  return fields().roots[`${apiVersion}/${kind}`] !== undefined;
}

/**
 * Path segments of the value being walked, joined only when a finding is reported: building every
 * field's path eagerly cost more than the check itself.
 */
type Segment = string | number | { readonly key: string };

function joinPath(base: string, segments: readonly Segment[]): string {
  let p = base;
  for (const s of segments) {
    if (typeof s === 'number') p += `[${s}]`;
    else if (typeof s === 'object') p += `[${JSON.stringify(s.key)}]`;
    else p = p ? `${p}.${s}` : s;
  }
  return p;
}

/** Reports every unknown field under `value`, typed `ref`, as CI1002 at `base` + `segments`. */
function walk(value: unknown, ref: string, base: string, segments: Segment[], out: RawFinding[]): void {
  if (value === null || value === undefined || ref === '' || ref === '*') return;
  const first = ref.charCodeAt(0);
  if (first === 91 /* [ */) {
    if (Array.isArray(value)) {
      const inner = ref.slice(1, -1);
      for (let i = 0; i < value.length; i++) {
        segments.push(i);
        walk(value[i], inner, base, segments, out);
        segments.pop();
      }
    }
    return;
  }
  if (first === 123 /* { */) {
    if (typeof value === 'object' && !Array.isArray(value)) {
      const inner = ref.slice(1, -1);
      if (inner === '' || inner === '*') return; // a map of scalars: nothing below to check
      for (const k of Object.keys(value)) {
        segments.push({ key: k });
        walk((value as Record<string, unknown>)[k], inner, base, segments, out);
        segments.pop();
      }
    }
    return;
  }
  const known = fields().types[ref];
  if (!known || typeof value !== 'object' || Array.isArray(value)) return;
  for (const k of Object.keys(value as object)) {
    // own fields only: a manifest field named like an Object.prototype member is unknown too
    const sub = Object.prototype.hasOwnProperty.call(known, k) ? known[k] : undefined;
    if (sub === undefined) {
      if (!hasFields(known)) return;
      const p = joinPath(base, [...segments, k]);
      out.push({ code: 'CI1002', level: 'error', message: `${p}: unknown field "${k}" (kubectl's strict field validation rejects it)` });
    } else {
      segments.push(k);
      walk((value as Record<string, unknown>)[k], sub, base, segments, out);
      segments.pop();
    }
  }
}

const fieldCounts = new WeakMap<object, boolean>();

/** Whether a type lists any field (a type without fields is open: anything goes). */
function hasFields(known: Record<string, string>): boolean {
  let v = fieldCounts.get(known);
  if (v === undefined) {
    v = Object.keys(known).length > 0;
    fieldCounts.set(known, v);
  }
  return v;
}

/** Unknown fields of a core kind (its metadata included). */
export function unknownCoreFields(m: any): RawFinding[] {
  const root = fields().roots[`${m.apiVersion}/${m.kind}`];
  const out: RawFinding[] = [];
  if (root) walk(m, root, '', [], out);
  return out;
}

/** Unknown fields in `metadata`, for any kind. */
export function unknownMetadataFields(metadata: unknown): RawFinding[] {
  const out: RawFinding[] = [];
  walk(metadata, fields().roots['meta/v1/ObjectMeta'], 'metadata', [], out);
  return out;
}
