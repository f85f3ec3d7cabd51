/**
 * Code-unit order of two strings (what `Array.prototype.sort` does without a comparator), as a
 * comparator: `-1`, `0` or `1`. Not `localeCompare`, which follows the process locale and would make
 * output differ between machines; every sort whose result is written or printed uses this one.
 */
export function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
