/** Turns ajv errors (from the CRD schemas and from kubernetes-models) into findings naming the field. */
import { fieldPath, RawFinding } from './report';

export { RawFinding };

/** Turns ajv errors into findings naming the field, the way kubectl words them. */
/**
 * Findings for ajv errors: `unknownCode` for unknown fields, `code` for the rest; the branch errors
 * of a failed oneOf/anyOf are folded into its summary.
 */
export function ajvFindings(errors: readonly any[], code: string, unknownCode: string): RawFinding[] {
  const out: RawFinding[] = [];
  const seen = new Set<string>();
  // oneOf/anyOf branches produce one error per failed branch plus a summary: keep the summary.
  const branchPaths = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    const path = fieldPath(e.instancePath);
    let f: RawFinding;
    if (isBranchError(e, branchPaths)) {
      continue;
    } else if (e.keyword === 'additionalProperties') {
      const p = path ? `${path}.${e.params.additionalProperty}` : e.params.additionalProperty;
      f = { code: unknownCode, level: 'error', message: `${p}: unknown field "${p}"` };
    } else if (e.keyword === 'required') {
      const p = path ? `${path}.${e.params.missingProperty}` : e.params.missingProperty;
      f = { code, level: 'error', message: `${p}: required value` };
    } else if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      f = { code, level: 'error', message: `${path || '<root>'}: ${e.keyword === 'oneOf' ? 'must set exactly one of the alternative fields' : 'must match one of the allowed shapes'}` };
    } else if (e.keyword === 'not') {
      f = { code, level: 'error', message: `${path || '<root>'}: sets fields that cannot be combined` };
    } else if (e.keyword === 'enum') {
      f = { code, level: 'error', message: `${path}: Unsupported value${e.data === undefined ? "" : ": " + JSON.stringify(e.data)}: supported values: ${e.params.allowedValues.map((x: unknown) => JSON.stringify(x)).join(', ')}` };
    } else {
      f = { code, level: 'error', message: `${path || '<root>'}: Invalid value: ${e.message ?? describe(e)}` };
    }
    const key = f.code + f.message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}


/** An error from inside a oneOf/anyOf branch at the same object, already summarized by the oneOf error. */
function isBranchError(e: any, branchPaths: Set<string>): boolean {
  return e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && branchPaths.has(e.instancePath) && /(oneOf|anyOf)\/\d+/.test(e.schemaPath);
}

/** Words an ajv error compiled without messages (kubernetes-models' validators are), as ajv would. */
function describe(e: any): string {
  const p = e.params ?? {};
  switch (e.keyword) {
    case 'type':
      return `must be ${p.type}`;
    case 'format':
      return `must match format "${p.format}"`;
    case 'pattern':
      return `must match pattern "${p.pattern}"`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${p.comparison} ${p.limit}`;
    case 'minLength':
    case 'maxLength':
      return `must NOT have ${e.keyword === 'minLength' ? 'fewer' : 'more'} than ${p.limit} characters`;
    case 'minItems':
    case 'maxItems':
      return `must NOT have ${e.keyword === 'minItems' ? 'fewer' : 'more'} than ${p.limit} items`;
    case 'const':
      return `must be equal to ${JSON.stringify(p.allowedValue)}`;
    default:
      return `fails the schema's "${e.keyword}" rule`;
  }
}
