/**
 * Hints shared by many bad-input errors (the `Hint:` part of a {@link MeshConfigError}). A hint tells the
 * user how to fix the input: the form to write with an example, the factory or enum to use, or the
 * option to drop. Hints that depend on a rule derive from that rule (src/rules/), never restate it.
 */
import { toDnsLabel } from '../rules/names';

/**
 * Hint for a name a rule rejected: a name derived from the bad one (lowercased, separators turned
 * into '-', cut to 63 characters) when the same rule accepts it, else `example`.
 */
export function nameHint(value: unknown, rule: (v: unknown) => string | undefined, example: string): string {
  const suggestion = typeof value === 'string' ? toDnsLabel(value) : '';
  return suggestion !== '' && suggestion !== value && rule(suggestion) === undefined ? `try "${suggestion}"` : `e.g. "${example}"`;
}

/** Hint for an option that takes a boolean. */
export const BOOLEAN_HINT = 'pass true or false, or leave the option out for its default';

/** Hint for a construct or value that belongs to another Mesh than the construct using it. */
export const SAME_MESH_HINT = 'pass one declared with the same Mesh as this construct';

/** Hint for a missing Mesh: the constructs of a mesh hang off one `new Mesh(...)`. */
export const MESH_HINT = "pass the app's Mesh, e.g. { mesh } with const mesh = new Mesh(chart, 'Mesh')";

/** Hint for an entry listed twice. */
export function onceHint(what: string): string {
  return `list each ${what} once: drop the repeated entry`;
}

/** Hint for a version a service does not run. */
export function versionHint(versions: readonly string[]): string {
  return versions.length > 0 ? `use one of ${versions.map((v) => JSON.stringify(v)).join(', ')}, or add the version to the service's versions` : "add the version to the service's versions";
}

/** Hint for a namespace name that is not a DNS-1123 label. */
export function namespaceHint(value: unknown, rule: (v: unknown) => string | undefined): string {
  return nameHint(value, rule, 'shop');
}

/**
 * The hint of a renderer's refusal (an `IntentProblem`). The built-in renderers give one each
 * (test/error-hints.test.ts); a policy of another library may not, so this says what is left to do.
 */
export function refusalHint(p: { readonly property: string; readonly hint?: string }): string {
  return p.hint ?? `change or drop ${p.property}, or select a routing API or data plane that can express it`;
}
