/**
 * re2js (a port of RE2, the regex engine Envoy and Go use), loaded on first use through the package's
 * code cache (compile-cache.ts): its 260 KB bundle is otherwise compiled by every process that loads
 * the library, also when no regex is ever checked.
 */
import type { RE2JS as Re2jsClass } from 're2js';
import { loadDependency } from './compile-cache';

let cls: typeof Re2jsClass | undefined;

/** The RE2JS class. */
export function re2(): typeof Re2jsClass {
  cls ??= (loadDependency('re2js') as typeof import('re2js')).RE2JS;
  return cls;
}
