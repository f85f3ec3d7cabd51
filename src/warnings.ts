import { IConstruct } from 'constructs';

const KEY = 'cdk8s-istio/finding';

/** A warning or info a construct records at construction time, printed once at synth. */
export interface ConstructFinding {
  readonly code: string;
  readonly level: 'warning' | 'info';
  readonly message: string;
  readonly path: string;
}

/**
 * Records a warning on a construct. Warnings never fail synth; {@link MeshApp} prints them once,
 * with the validation findings, in a compact table. Codes can be turned off with
 * `Suppressions.of(scope).suppress(code, reason)`.
 */
export function addWarning(scope: IConstruct, code: string, message: string): void {
  scope.node.addMetadata(KEY, { code, level: 'warning', message });
}

/** Records an info finding on a construct. */
export function addInfo(scope: IConstruct, code: string, message: string): void {
  scope.node.addMetadata(KEY, { code, level: 'info', message });
}

/** Every finding recorded under `root`, in construct-tree order. */
export function collectFindings(root: IConstruct, nodes: readonly IConstruct[] = root.node.findAll()): ConstructFinding[] {
  const out: ConstructFinding[] = [];
  for (const c of nodes) {
    for (const m of c.node.metadata) {
      if (m.type === KEY) {
        const d = m.data as { code: string; level: 'warning' | 'info'; message: string };
        out.push({ ...d, path: c.node.path });
      }
    }
  }
  return out;
}
