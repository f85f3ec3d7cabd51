import { IConstruct } from 'constructs';

/**
 * Steps that must run before an app's objects are collected for synthesis, per app (construct
 * root). A Mesh registers its render step here: `MeshApp` runs the hooks before it walks the tree,
 * and under a plain cdk8s `App` the Mesh's own validation runs the same step (cdk8s validates before
 * it collects a chart's objects). Hooks must be idempotent.
 */
const HOOKS = new WeakMap<IConstruct, Array<() => void>>();

/** Registers a step to run before synthesis of the app `root`. */
export function addSynthHook(root: IConstruct, hook: () => void): void {
  const list = HOOKS.get(root) ?? [];
  list.push(hook);
  HOOKS.set(root, list);
}

/** Runs every step registered for the app `root`, in registration order. */
export function runSynthHooks(root: IConstruct): void {
  for (const hook of HOOKS.get(root) ?? []) hook();
}
