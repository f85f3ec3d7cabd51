import type { Finding } from './validation/types';

const SYNTH_ERROR = Symbol.for('cdk8s-istio.MeshSynthError');

/**
 * A synth that failed on the app's input (validation errors, or construct validations): its message
 * lists every error finding and says what the output folder holds. Nothing was written.
 */
export class MeshSynthError extends Error {
  /** True for a {@link MeshSynthError} from any copy of the package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[SYNTH_ERROR] === true;
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
  if (e instanceof MeshSynthError) return true;
  return e instanceof Error && e.name === 'MeshConfigError';
}
