import { IConstruct } from 'constructs';

/**
 * Steps that must run before an app's objects are collected for synthesis, per app (construct
 * root). A Mesh registers its render step here: `MeshApp` runs the hooks before it walks the tree,
 * and under a plain cdk8s `App` the Mesh's own validation runs the same step (cdk8s validates before
 * it collects a chart's objects). Hooks must be idempotent.
 *
 * Two phases: `render` steps (which create objects) run first, in registration order, then `annotate`
 * steps (which only add metadata to the objects that exist, e.g. the construct suppressions), so an
 * annotate step sees every rendered object whatever order the constructs were created in.
 */
export type SynthHookPhase = 'render' | 'annotate';

const HOOKS = new WeakMap<IConstruct, Record<SynthHookPhase, Array<() => void>>>();

/** Registers a step to run before synthesis of the app `root`. */
export function addSynthHook(root: IConstruct, hook: () => void, phase: SynthHookPhase = 'render'): void {
  const hooks = HOOKS.get(root) ?? { render: [], annotate: [] };
  hooks[phase].push(hook);
  HOOKS.set(root, hooks);
}

/** Runs every step registered for the app `root`: the render steps, then the annotate steps, each in registration order. */
export function runSynthHooks(root: IConstruct): void {
  const hooks = HOOKS.get(root);
  if (!hooks) return;
  for (const hook of hooks.render) hook();
  for (const hook of hooks.annotate) hook();
}
