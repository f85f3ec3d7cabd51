/**
 * Small shared pieces of the validation layer: the finding shape checks produce before the object
 * is attached, field-path formatting, and the stable sort order.
 */
import { Finding, FindingLevel } from './types';

/** A finding before the validator attaches the object, file and construct path. */
export interface RawFinding {
  readonly code: string;
  readonly level: FindingLevel;
  readonly message: string;
}

/** `/spec/http/0/route` → `spec.http[0].route`. */
export function fieldPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const LEVEL_ORDER: Record<FindingLevel, number> = { error: 0, warning: 1, info: 2 };

/** Stable, deterministic order: file, kind, namespace, name, level, code, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) ||
    cmp(a.kind, b.kind) ||
    cmp(a.namespace, b.namespace) ||
    cmp(a.name, b.name) ||
    // objects without a name, in file order
    (a.name === undefined && b.name === undefined ? (a.document ?? -1) - (b.document ?? -1) || (a.item ?? -1) - (b.item ?? -1) : 0) ||
    LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
    cmp(a.code, b.code) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
