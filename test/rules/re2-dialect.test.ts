/**
 * The RE2 dialect of src/rules/re2-dialect.ts: where a RegExp form is given, it finds a match in exactly
 * the strings RE2 (re2js, as the CEL engine and rules/regex.ts run it) finds one in; every pattern in
 * the dialect's syntax compiles with RE2 (rules/regex.ts answers "compiles" without RE2 for them).
 */
import * as fs from 'fs';
import * as path from 'path';
import { re2 } from '../../src/private/re2';
import { inRe2Dialect, re2AsJs } from '../../src/rules/re2-dialect';
import { re2Compiles, re2Find } from '../../src/rules/regex';
import { decodeCelAst } from '../../src/validation/cel';
import { prng } from '../validation/mutations';

const AOT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'imports', 'schemas', 'validators', 'cel-ast.json'), 'utf8'));

/** The constant patterns of `matches` calls in the stored rules. */
function storedPatterns(): string[] {
  const out = new Set<string>();
  const walk = (n: any): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (n.$typeName === 'cel.expr.Expr.Call' && n.function === 'matches' && n.args?.[0]?.exprKind?.case === 'constExpr') out.add(n.args[0].exprKind.value.constantKind.value);
    Object.values(n).forEach(walk);
  };
  for (const text of Object.values<string>(AOT.asts)) walk(decodeCelAst(text, AOT.types));
  return [...out].sort();
}

const ODD = ['', '\n', '\r', ' ', '\t', 'é', 'K', '\u212A', '\u{1F600}', '\uD800', '\uDC00', '\u0000', '\u2028', 'ß'];

/** Strings over the pattern's own characters and a few others, seeded. */
function corpus(pattern: string, rnd: () => number, n: number): string[] {
  const own = [...new Set(pattern.replace(/[\\^$]/g, '').split(''))];
  const alphabet = [...own, 'a', 'z', 'A', 'Z', '0', '9', '-', '.', '/', '%', '_', '*', ...ODD];
  const out = ['', 'a', '.', '-', 'a.b', 'a-b', '-a', 'a-', '*.a.b', '/a/b', '%2F', '%2', '%zz', 'a'.repeat(63), 'a'.repeat(64), `${'a.'.repeat(40)}a`];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(rnd() * 24);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    out.push(s);
  }
  return out;
}

describe('RegExp forms of RE2 patterns', () => {
  test('GIVEN the patterns the stored CEL rules match with WHEN translated THEN each has a form, and it agrees with RE2 on every string tried', () => {
    const patterns = storedPatterns();
    expect(patterns.length).toBeGreaterThanOrEqual(4);
    const rnd = prng(7);
    let matched = 0;
    for (const p of patterns) {
      const js = re2AsJs(p);
      expect([p, js === undefined]).toEqual([p, false]);
      for (const s of corpus(p, rnd, 3000)) {
        const ours = js!.test(s);
        expect([p, s, ours]).toEqual([p, s, re2Find(p, s)]);
        if (ours) matched++;
      }
    }
    // not vacuous: both answers occur
    expect(matched).toBeGreaterThan(100);
  });

  test('GIVEN seeded patterns of the dialect and just outside it WHEN translated THEN every form agrees with RE2 on seeded strings', () => {
    const rnd = prng(20261130);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const atoms = ['a', 'b', '-', '.', '\\.', '%', '[ab]', '[a-c]', '[-a]', '[a-]', '[.%]', '[\\]a]', '[^a]', '.', '\\d', 'é', '{', '}', ']'];
    const quants = ['', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '{1001}'];
    const gen = (depth: number): string => {
      const n = 1 + Math.floor(rnd() * 3);
      let s = '';
      for (let i = 0; i < n; i++) {
        if (depth < 2 && rnd() < 0.25) {
          const alts = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => gen(depth + 1));
          s += `(${rnd() < 0.5 ? '?:' : ''}${alts.join('|')})${pick(quants)}`;
        } else {
          s += pick(atoms) + pick(quants);
        }
      }
      return s;
    };
    let translated = 0;
    let checked = 0;
    for (let k = 0; k < 1500; k++) {
      const p = `${rnd() < 0.5 ? '^' : ''}${gen(0)}${rnd() < 0.5 ? '$' : ''}`;
      const js = re2AsJs(p);
      if (!js) continue;
      translated++;
      for (const s of corpus(p, rnd, 40)) {
        let theirs: boolean | string;
        try {
          theirs = re2Find(p, s);
        } catch (e) {
          theirs = `RE2 rejects it: ${String(e)}`;
        }
        expect([p, s, js.test(s)]).toEqual([p, s, theirs]);
        checked++;
      }
    }
    // not vacuous: a good share of the seeded patterns is in the dialect
    expect(translated).toBeGreaterThan(200);
    expect(checked).toBeGreaterThan(10000);
  });

  test('GIVEN seeded patterns in and near the dialect\'s syntax WHEN the syntax accepts one THEN RE2 compiles it, and re2Compiles agrees with RE2 on every one', () => {
    const rnd = prng(424242);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const atoms = ['a', 'Z', '0', '-', '.', '\\.', '\\\\', '%', '[ab]', '[a-c]', '[-a]', '[a-]', '[.%]', '[\\]a]', '[^a]', '[z-a]', '\\d', '\\b', 'é', '{', '}', ']', '(', '(?=a)', '\\1', ' '];
    const quants = ['', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '{1000}', '{3,2}', '*?', '**', '{1001}', '{'];
    const gen = (depth: number): string => {
      const n = 1 + Math.floor(rnd() * 4);
      let s = '';
      for (let i = 0; i < n; i++) {
        if (depth < 3 && rnd() < 0.3) {
          const alts = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => gen(depth + 1));
          s += `(${rnd() < 0.5 ? '?:' : ''}${alts.join('|')})${pick(quants)}`;
        } else {
          s += pick(atoms) + pick(quants);
        }
      }
      return s;
    };
    const viaRe2 = (p: string): string | undefined => {
      try {
        re2().compile(p);
        return undefined;
      } catch (e) {
        return String(e);
      }
    };
    let inDialect = 0;
    let rejected = 0;
    for (let k = 0; k < 4000; k++) {
      const p = `${rnd() < 0.5 ? '^' : ''}${gen(0)}${rnd() < 0.5 ? '$' : ''}`;
      const theirs = viaRe2(p);
      if (inRe2Dialect(p)) {
        inDialect++;
        expect([p, theirs]).toEqual([p, undefined]);
      }
      if (theirs !== undefined) rejected++;
      // the rule's answer (valid or not) is RE2's either way
      expect([p, re2Compiles(p) === undefined]).toEqual([p, theirs === undefined]);
    }
    // not vacuous: many patterns in the dialect, and many RE2 rejects
    expect(inDialect).toBeGreaterThan(250);
    expect(rejected).toBeGreaterThan(200);
  });

  test('GIVEN the largest and deepest patterns of the dialect WHEN checked THEN RE2 compiles them', () => {
    const extremes = [
      '[a-z]{1000}'.repeat(46), // 506 characters of counted repetition
      `${'(?:'.repeat(100)}a${')*'.repeat(100)}`, // nested 100 deep, each repeated
      `${'('.repeat(170)}a${')+'.repeat(170)}`,
      `^${'(?:a|b|[c-e]{1000})'.repeat(25)}$`,
    ];
    for (const p of extremes) {
      expect(p.length).toBeLessThanOrEqual(512);
      expect([p.slice(0, 20), inRe2Dialect(p)]).toEqual([p.slice(0, 20), true]);
      expect(() => re2().compile(p)).not.toThrow();
    }
    // one past the dialect's length: RE2 decides
    expect(inRe2Dialect('a'.repeat(513))).toBe(false);
  });

  test('GIVEN patterns outside the dialect WHEN translated THEN none has a form (RE2 matches them)', () => {
    for (const p of ['a.b', '[^a]', '(?i)a', '\\d+', 'a{1001}', '[]a]', '(ab){2}', 'a|b', '^(a|a)+$', '(a+)+', '^(?:ab|ac)+$', 'a**', 'a*?', '(?P<x>a)', '[[:alpha:]]', 'é', 'a{,2}', '()', '(a|)', '^$', '[a-b-c]', 'a\\b', '\\Qa\\E']) {
      expect([p, re2AsJs(p)]).toEqual([p, undefined]);
    }
  });
});
