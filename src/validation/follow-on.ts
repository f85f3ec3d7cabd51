/**
 * Follow-on findings (consumer trial F7): once the schema says a field has the wrong type, a later check
 * that reads the same field (a webhook rule, an analyzer, the schema's own enum check) can only repeat
 * the problem in other words (`spec.action: 12` → "must be string", then "Unsupported value", then the
 * webhook's "must be one of ALLOW, DENY..."; `selector.matchLabels: [a]` → "must be object", then "a
 * workload selector without labels selects every workload"; `spec: [1]` → "must be object", then
 * IST0174 `spec.host: ""`). Findings about other fields of the object stay, even under the same parent
 * (a Deployment's `labels.app: 1` is a type error, its missing `version` label still a finding).
 */
import { Finding } from './types';

/** Codes whose findings state a wrong type, with the message forms that do. */
const TYPE_ERROR = /^(\S+): (?:Invalid value: must be (?:string|integer|number|boolean|object|array|null)(?:,(?:string|integer|number|boolean|object|array|null))*$|\S+ is invalid: must be a string$|must be a map of strings$)/;
const TYPE_CODES = new Set(['CI1001', 'CI1201', 'CI1003']);

/** The field path a finding's message starts with (`spec.http[0].timeout: ...`), or undefined. */
export function findingField(message: string): string | undefined {
  const i = message.indexOf(': ');
  if (i <= 0) return undefined;
  const p = message.slice(0, i);
  return /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[[^\]]*\])*$/.test(p) ? p : undefined;
}

/** The field a type-error finding is about, or undefined when the finding states no wrong type. */
export function wrongTypeField(f: Pick<Finding, 'code' | 'message'>): string | undefined {
  if (!TYPE_CODES.has(f.code)) return undefined;
  const m = TYPE_ERROR.exec(f.message);
  return m ? m[1] : undefined;
}

function objectOf(f: Finding): string {
  return [f.file ?? '', f.document ?? '', f.item ?? '', f.path ?? '', f.kind ?? '', f.namespace ?? '', f.name ?? ''].join('\u0000');
}

/**
 * The findings without those that only repeat a wrong-type finding of the same object: a finding (of
 * any other check, or the schema's non-type check) whose field is the mistyped field or lies inside it.
 * Order is kept.
 */
export function withoutFollowOnFindings(findings: readonly Finding[]): Finding[] {
  const mistyped = new Map<string, string[]>();
  for (const f of findings) {
    const field = wrongTypeField(f);
    if (field === undefined) continue;
    const key = objectOf(f);
    const list = mistyped.get(key) ?? [];
    list.push(field);
    mistyped.set(key, list);
  }
  if (mistyped.size === 0) return [...findings];
  return findings.filter((f) => {
    const fields = mistyped.get(objectOf(f));
    if (!fields || wrongTypeField(f) !== undefined) return true;
    const at = findingField(f.message);
    if (at === undefined) return true;
    return !fields.some((q) => at === q || at.startsWith(`${q}.`) || at.startsWith(`${q}[`));
  });
}
