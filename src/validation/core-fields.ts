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

/** Reports every unknown field under `value`, typed `ref`, as CI1002 at `path`. */
function walk(value: unknown, ref: string, path: string, out: RawFinding[]): void {
  if (value === null || value === undefined || ref === '' || ref === '*') return;
  if (ref.startsWith('[')) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, ref.slice(1, -1), `${path}[${i}]`, out));
    return;
  }
  if (ref.startsWith('{')) {
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, ref.slice(1, -1), `${path}[${JSON.stringify(k)}]`, out);
    }
    return;
  }
  const known = fields().types[ref];
  if (!known || Object.keys(known).length === 0 || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in known)) out.push({ code: 'CI1002', level: 'error', message: `${p}: unknown field "${k}" (kubectl's strict field validation rejects it)` });
    else walk(v, known[k], p, out);
  }
}

/** Unknown fields of a core kind (its metadata included). */
export function unknownCoreFields(m: any): RawFinding[] {
  const root = fields().roots[`${m.apiVersion}/${m.kind}`];
  const out: RawFinding[] = [];
  if (root) walk(m, root, '', out);
  return out;
}

/** Unknown fields in `metadata`, for any kind. */
export function unknownMetadataFields(metadata: unknown): RawFinding[] {
  const out: RawFinding[] = [];
  walk(metadata, fields().roots['meta/v1/ObjectMeta'], 'metadata', out);
  return out;
}
