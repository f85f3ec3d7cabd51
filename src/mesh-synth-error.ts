import { IConstruct } from 'constructs';
import { MeshConfigError, show, validationMessage } from './private/errors';
import { brandSymbol, hasBrand } from './private/brand';
import { afterFailure, describeFailedOutput } from './synth/output';
import type { Finding } from './validation/types';

const SYNTH_ERROR = brandSymbol('MeshSynthError');

/**
 * A synth that failed on the app's input (validation errors, or construct validations): its message
 * lists every error finding and says what the output folder holds. Nothing was written.
 */
export class MeshSynthError extends Error {
  /** Whether `x` is a MeshSynthError (works across copies of this package). */
  public static isMeshSynthError(x: unknown): x is MeshSynthError {
    return hasBrand(x, SYNTH_ERROR);
  }

  /** True for a {@link MeshSynthError} from any copy of the package. */
  public static [Symbol.hasInstance](x: unknown): x is MeshSynthError {
    return hasBrand(x, SYNTH_ERROR);
  }

  /**
   * Every error finding: the validation errors of the output (with the object), or the errors of the
   * constructs' own checks at synth (code {@link CONSTRUCT_ERROR_CODE}, with the construct path and,
   * when the message follows the house format, `property`, `value`, `rule` and `hint`).
   */
  public readonly findings: readonly Finding[];

  constructor(message: string, findings: readonly Finding[] = []) {
    super(message);
    this.name = 'MeshSynthError';
    this.findings = findings;
    Object.defineProperty(this, SYNTH_ERROR, { value: true });
  }
}

/** Whether an error is bad app input (a synth or construct error), as opposed to a bug. */
export function isInputError(e: unknown): e is Error {
  if (MeshSynthError.isMeshSynthError(e)) return true;
  return MeshConfigError.isMeshConfigError(e);
}

/** Formats findings as a compact table: level, code, where, message. */
export function formatFindings(findings: readonly Finding[]): string {
  const rows = findings.map((f) => [
    f.level,
    f.code,
    f.kind ? `${f.kind}/${f.namespace ?? '-'}/${f.name ?? '-'}` : f.path ?? '-',
    f.kind && f.path ? `${f.message} [${f.path}]` : f.message,
  ]);
  const widths = [0, 1, 2].map((i) => Math.min(60, rows.reduce((w, r) => Math.max(w, r[i].length), 0)));
  return rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  ')).join('\n');
}

/**
 * The code of a construct's own check that failed at synth (`node.addValidation`, e.g. a Pod Security
 * opt-out in a namespace that enforces "restricted", or a value already set by another writer). Such an
 * error stops synth before the output is validated; it cannot be suppressed.
 */
export const CONSTRUCT_ERROR_CODE = 'CI0001';

/** `property: value is invalid: rule.` with an optional ` Hint: hint` (the house format, src/private/errors.ts). */
const HOUSE_FORMAT = /^([^\n]*?): ([\s\S]*?) is invalid: ([\s\S]*?)\.(?: Hint: ([\s\S]*))?$/;

/** A construct's error at synth as a finding: the path, and the parts of a house-format message. */
export function constructErrorFinding(path: string, message: string): Finding {
  const m = HOUSE_FORMAT.exec(message);
  return {
    code: CONSTRUCT_ERROR_CODE,
    level: 'error',
    message,
    path,
    ...(m ? { property: m[1], value: m[2], rule: m[3], ...(m[4] !== undefined ? { hint: m[4] } : {}) } : {}),
  };
}

/**
 * Runs the construct checks cdk8s runs before synth (`node.validate()` of every construct, in tree
 * order) and returns their errors as findings. A check that throws a {@link MeshConfigError} is one
 * finding with that error's parts; any other exception (a bug) propagates.
 */
export function constructErrorFindings(all: readonly IConstruct[]): Finding[] {
  const out: Finding[] = [];
  for (const c of all) {
    let errors: string[];
    try {
      errors = c.node.validate();
    } catch (e) {
      if (!MeshConfigError.isMeshConfigError(e)) throw e;
      out.push({
        code: CONSTRUCT_ERROR_CODE, level: 'error', message: validationMessage(e.property, e.value, e.rule, e.hint), path: e.path || c.node.path,
        property: e.property, value: show(e.value), rule: e.rule, ...(e.hint !== undefined ? { hint: e.hint } : {}),
      });
      continue;
    }
    for (const message of errors) out.push(constructErrorFinding(c.node.path, message));
  }
  return out;
}

/**
 * The error of a synth stopped by construct errors: one line per error, `[path] property: value is
 * invalid: rule. Hint: …`, and the findings.
 */
export function constructSynthError(findings: readonly Finding[]): MeshSynthError {
  const lines = findings.map((f) => `[${f.path}] ${f.message}`);
  return new MeshSynthError(`Synth failed with ${findings.length} construct error(s); nothing was written:\n${lines.join('\n')}`, findings);
}

/**
 * What a failed synth throws, for MeshApp and a plain App's Mesh alike: the last good output is put
 * back if the output folder went missing (afterFailure), and a MeshSynthError says what the folder
 * holds now. Any other error is returned as it is.
 */
export function failedSynthError(e: unknown, outdir: string, keep: string | undefined, restoredAtStart: boolean): unknown {
  const state = afterFailure(outdir, keep, restoredAtStart);
  return MeshSynthError.isMeshSynthError(e) ? new MeshSynthError(`${e.message}\n${describeFailedOutput(outdir, state)}`, e.findings) : e;
}
