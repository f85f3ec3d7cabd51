import { MeshConfigError } from './private/errors';
import { brandSymbol, hasBrand } from './private/brand';
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

  /** The error findings (empty for construct validation errors, which are in the message). */
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
