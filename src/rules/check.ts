/**
 * The construct-time side of a rule: value-object factories and constructs call these to turn a
 * rule's verdict into a {@link MeshConfigError} naming where, the property, the value and the rule.
 */
import { fail } from '../private/errors';

/** A rule: the rule text when the value breaks it, else undefined. */
export type Rule<T = unknown> = (v: T) => string | undefined;

/**
 * Throws when `rule` rejects `value`; `hint` says how to fix it (the accepted form with an example);
 * `prefix` words the rule for the property (e.g. "a namespace").
 */
export function check<T>(where: string, property: string, value: T, rule: Rule<T>, hint: string, prefix?: string): void {
  const bad = rule(value);
  if (bad) fail(where, property, value, prefix ? `${prefix} ${bad}` : bad, hint);
}

/** {@link check} for an optional value: undefined passes. */
export function checkOptional<T>(where: string, property: string, value: T | undefined, rule: Rule<T>, hint: string): void {
  if (value !== undefined) check(where, property, value, rule, hint);
}
