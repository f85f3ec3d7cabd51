import * as path from 'path';
import * as ts from 'typescript';
import { SRC } from './src-files';

/**
 * Every bad-input error carries a hint (the project's standard: "an error naming the construct path,
 * property, value and rule, with a hint"). `fail`, `check` and `checkOptional` take the hint as a
 * required `string`, so the compiler already refuses a call without one; this test refuses what the
 * compiler lets through:
 * - a hint written as `''` (or whitespace only),
 * - a `new MeshConfigError(...)`, `validationMessage(...)` or `formatMessage(...)` (whose hint is optional,
 *   MeshConfigError being public) without a hint, or with one whose type admits `undefined`,
 * - an `IntentProblem` (a renderer's refusal, which the model throws as a MeshConfigError) built in
 *   src/ without a `hint`.
 *
 * Walks src/ with the TypeScript compiler API and its type checker (as public-types-reachable.test.ts
 * does). A call counts when its callee resolves to the helper declared in src/private/errors.ts or
 * src/rules/check.ts: local functions of the same name (the PGV checker's `fail` in
 * validation/envoy.ts, which words lint findings) are other functions.
 */

/** The error helpers: the file that declares each, and the index of the hint argument. */
const HELPERS: { readonly [name: string]: { readonly home: string; readonly hintAt: number } } = {
  fail: { home: 'private/errors.ts', hintAt: 4 },
  MeshConfigError: { home: 'private/errors.ts', hintAt: 4 },
  formatMessage: { home: 'private/errors.ts', hintAt: 4 },
  validationMessage: { home: 'private/errors.ts', hintAt: 3 },
  check: { home: 'rules/check.ts', hintAt: 4 },
  checkOptional: { home: 'rules/check.ts', hintAt: 4 },
};

/**
 * Calls whose hint may be undefined, each with its reason; keyed `file helper(hint expression)`. Each
 * forwards a hint given elsewhere, which this test checks at its origin. The list may only shrink.
 */
const EXEMPT: { readonly [key: string]: string } = {
  'private/errors.ts formatMessage(hint)': 'the public MeshConfigError constructor and validationMessage forward their optional hint',
  'service-security.ts validationMessage(p.hint)': 'reports the problems of the model (IntentProblem), whose hints the IntentProblem test covers',
  'service-security.ts formatMessage(p.hint)': 'the same problems, blamed on another construct',
  'mesh-synth-error.ts validationMessage(e.hint)': 'rewords a caught MeshConfigError, thrown with its hint by fail()',
};

const rel = (file: string): string => path.relative(SRC, path.resolve(file)).split(path.sep).join('/');

describe('every bad-input error carries a hint', () => {
  // GIVEN the program of src/ with its types
  const program = ts.createProgram([path.join(SRC, 'index.ts')], { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const sources = program.getSourceFiles().filter((sf) => !rel(sf.fileName).startsWith('..'));

  /** The helper a callee resolves to, if it is one. */
  const helperOf = (callee: ts.Expression): string | undefined => {
    let s = checker.getSymbolAtLocation(callee);
    if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
    const decl = s?.declarations?.[0];
    const h = s && HELPERS[s.getName()];
    return h && decl && rel(decl.getSourceFile().fileName) === h.home ? s!.getName() : undefined;
  };

  /** Why `hint` is not a usable hint, or undefined when it is one. */
  const badHint = (hint: ts.Expression | undefined): string | undefined => {
    if (hint === undefined) return 'no hint';
    if ((ts.isStringLiteral(hint) || ts.isNoSubstitutionTemplateLiteral(hint)) && hint.text.trim() === '') return 'empty hint';
    if (ts.isConditionalExpression(hint)) return badHint(hint.whenTrue) ?? badHint(hint.whenFalse);
    if (ts.isParenthesizedExpression(hint)) return badHint(hint.expression);
    const type = checker.getTypeAtLocation(hint);
    const parts = type.isUnion() ? type.types : [type];
    if (parts.some((t) => t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void))) return `hint may be undefined (${checker.typeToString(type)})`;
    if (!parts.every((t) => t.flags & ts.TypeFlags.StringLike)) return `hint is not a string (${checker.typeToString(type)})`;
    return undefined;
  };

  const calls: Array<{ where: string; key: string; problem: string | undefined }> = [];
  const intentProblems: Array<{ where: string; problem: string | undefined }> = [];
  for (const sf of sources) {
    const file = rel(sf.fileName);
    const visit = (n: ts.Node): void => {
      const where = `${file}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
      if ((ts.isCallExpression(n) || ts.isNewExpression(n))) {
        const helper = helperOf(n.expression);
        if (helper) {
          const hint = n.arguments?.[HELPERS[helper].hintAt];
          calls.push({ where: `${where} ${n.getText().replace(/\s+/g, ' ').slice(0, 160)}`, key: `${file} ${helper}(${hint?.getText() ?? ''})`, problem: badHint(hint) });
        }
      }
      if (ts.isObjectLiteralExpression(n)) {
        const type = checker.getContextualType(n);
        if ((type?.aliasSymbol ?? type?.getSymbol())?.getName() === 'IntentProblem') {
          const hint = n.properties.find((p) => p.name?.getText() === 'hint');
          const spread = n.properties.some((p) => ts.isSpreadAssignment(p));
          const problem = hint === undefined ? (spread ? undefined : 'no hint')
            : ts.isPropertyAssignment(hint) ? badHint(hint.initializer) : undefined;
          intentProblems.push({ where: `${where} ${n.getText().replace(/\s+/g, ' ').slice(0, 140)}`, problem });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }

  test('the walk sees the error helpers and the renderers\' problems (it would pass vacuously otherwise)', () => {
    expect(calls.filter((c) => c.key.includes(' fail(')).length).toBeGreaterThan(500);
    expect(calls.filter((c) => / check(Optional)?\(/.test(c.key)).length).toBeGreaterThan(50);
    expect(intentProblems.length).toBeGreaterThan(10);
  });

  test('fail, check, checkOptional, new MeshConfigError, validationMessage and formatMessage get a hint', () => {
    // THEN no call leaves the hint out, empty or possibly undefined, except the listed forwarders
    const bad = calls.filter((c) => c.problem !== undefined && !(c.key in EXEMPT)).map((c) => `${c.where}: ${c.problem}`);
    expect(bad).toEqual([]);
  });

  test('every exemption is still needed', () => {
    const needed = new Set(calls.filter((c) => c.problem !== undefined).map((c) => c.key));
    expect(Object.keys(EXEMPT).filter((k) => !needed.has(k))).toEqual([]);
  });

  test('every IntentProblem built in src/ has a hint (the model throws it as a MeshConfigError)', () => {
    expect(intentProblems.filter((p) => p.problem !== undefined).map((p) => `${p.where}: ${p.problem}`)).toEqual([]);
  });
});
