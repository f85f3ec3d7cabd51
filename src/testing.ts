import { Chart } from 'cdk8s';
import { synthValidated } from './plain-app';
import { ValidationOptions } from './validation';
import { Finding } from './validation/types';

/** What {@link MeshTesting.synth} returns. */
export interface MeshSynthResult {
  /** The chart's manifests, as `Testing.synth(chart)` gives them. */
  readonly manifests: any[];
  /**
   * Every finding of the validation MeshApp runs (construct warnings, schema, CEL, webhook rules,
   * analyzers), suppressions applied. Each has a `code` (`CI3003`, `IST0101`, ...), a `level`
   * (`error`, `warning` or `info`) and a `message`, and names the object or construct path.
   */
  readonly findings: Finding[];
  /** The findings of level `error`: what would make `MeshApp`/`app.synth()` write nothing. */
  readonly errors: Finding[];
}

/**
 * Test helpers for apps and constructs built on cdk8s-istio.
 *
 * @example
 * const { manifests, errors } = MeshTesting.synth(chart);
 * expect(errors).toEqual([]);
 */
export class MeshTesting {
  /**
   * Synthesizes `chart` (as `Testing.synth`) and validates its manifests as one deployable set, as
   * MeshApp and a plain App's synth do. It never throws for findings: assert on them. When a
   * construct's own check fails at synth (where MeshApp throws a {@link MeshSynthError}), its errors are
   * the findings (code `CI0001`, with the construct path, `property`, `value`, `rule` and `hint`) and
   * `manifests` is empty, since nothing would be written.
   * @param options the validation options (checks, suppressions, analyzer settings)
   */
  public static synth(chart: Chart, options: ValidationOptions = {}): MeshSynthResult {
    const { manifests, findings } = synthValidated(chart.node.root, options, [chart]);
    return { manifests, findings, errors: findings.filter((f) => f.level === 'error') };
  }

  private constructor() {}
}
