import * as path from 'path';
import * as ts from 'typescript';

/**
 * No hidden types: every interface, type alias, class or enum of `src/` that a public signature names (a property,
 * a parameter, a return type, a base type of something `src/index.ts` exports) is itself exported from
 * `src/index.ts`, so a consumer wrapping our constructs can name it (`import { PodSecurityAdmission } from
 * 'cdk8s-istio'`). Found by a consumer trial: `MeshNamespaceProps.podSecurity`'s type could not be imported.
 *
 * Walks the declarations with the TypeScript compiler API (the pinned typescript ~6.0 has it); private and
 * protected members and members tagged `@internal` are not public.
 */
describe('public signatures name only exported types', () => {
  const root = path.join(__dirname, '..');
  const index = path.join(root, 'src', 'index.ts');
  const program = ts.createProgram([index], { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const srcDir = path.join(root, 'src') + path.sep;

  const indexSymbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const exported = new Set<ts.Symbol>();
  const roots: ts.Symbol[] = [];
  for (const s of checker.getExportsOfModule(indexSymbol)) {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    exported.add(target);
    roots.push(target);
    // `export type * as ManifestTypes from './manifests/types'`: the namespace's members are exported too
    if (target.flags & ts.SymbolFlags.ValueModule) {
      for (const m of checker.getExportsOfModule(target)) { exported.add(m); roots.push(m); }
    }
  }

  const inSrc = (d: ts.Declaration): boolean => path.resolve(d.getSourceFile().fileName).startsWith(srcDir);
  const isHidden = (n: ts.Node): boolean => {
    const mods = ts.canHaveModifiers(n) ? ts.getModifiers(n) ?? [] : [];
    if (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return true;
    if (ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n)) {
      if (n.name && ts.isPrivateIdentifier(n.name)) return true;
    }
    return ts.getJSDocTags(n).some((t) => t.tagName.text === 'internal');
  };

  /** Type names referenced by the public surface of one declaration. */
  function referencedTypes(decl: ts.Declaration): Array<{ symbol: ts.Symbol; where: string }> {
    const out: Array<{ symbol: ts.Symbol; where: string }> = [];
    const owner = (decl as ts.NamedDeclaration).name?.getText() ?? '?';
    const visitType = (node: ts.Node, where: string): void => {
      if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
        const at = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
        let s = checker.getSymbolAtLocation(at);
        if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
        if (s) out.push({ symbol: s, where });
      }
      ts.forEachChild(node, (c) => visitType(c, where));
    };
    const visitMember = (m: ts.Node): void => {
      if (isHidden(m)) return;
      const name = (m as ts.NamedDeclaration).name?.getText() ?? 'constructor';
      const where = `${owner}.${name}`;
      if (ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) { if (m.type) visitType(m.type, where); return; }
      if (ts.isMethodSignature(m) || ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)
        || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
        for (const p of m.parameters) if (p.type) visitType(p.type, where);
        if (m.type) visitType(m.type, where);
        for (const p of m.parameters) {
          // constructor parameter properties are members too
          if (ts.isConstructorDeclaration(m) && !isHidden(p) && p.type) visitType(p.type, where);
        }
      }
    };
    if (ts.isInterfaceDeclaration(decl) || ts.isClassDeclaration(decl)) {
      for (const h of decl.heritageClauses ?? []) for (const t of h.types) visitType(t, `${owner} (base type)`);
      for (const tp of decl.typeParameters ?? []) if (tp.constraint) visitType(tp.constraint, `${owner}<${tp.name.text}>`);
      decl.members.forEach((m: ts.Node) => visitMember(m));
    } else if (ts.isTypeAliasDeclaration(decl)) {
      visitType(decl.type, owner);
    } else if (ts.isFunctionDeclaration(decl)) {
      for (const p of decl.parameters) if (p.type) visitType(p.type, owner);
      if (decl.type) visitType(decl.type, owner);
    } else if (ts.isVariableDeclaration(decl)) {
      if (decl.type) visitType(decl.type, owner);
    }
    return out;
  }

  test('every src/ type named by an exported declaration is exported from src/index.ts', () => {
    const missing = new Map<string, string>();
    const seen = new Set<ts.Symbol>();
    const queue = [...roots];
    while (queue.length > 0) {
      const s = queue.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const decl of s.declarations ?? []) {
        if (!inSrc(decl)) continue;
        for (const ref of referencedTypes(decl)) {
          const refDecls = (ref.symbol.declarations ?? []).filter(inSrc);
          if (refDecls.length === 0) continue; // cdk8s, constructs, imports/*, lib types
          if (ref.symbol.flags & ts.SymbolFlags.TypeParameter) continue;
          if (!exported.has(ref.symbol)) {
            const file = path.relative(root, refDecls[0].getSourceFile().fileName);
            missing.set(`${ref.symbol.name} (${file})`, ref.where);
          }
          queue.push(ref.symbol);
        }
      }
    }
    const report = [...missing].map(([t, where]) => `${t} — named by ${where}`).sort();
    expect(report).toEqual([]);
  });

  test('the walk sees the public surface (it finds the types TracedServiceProps names)', () => {
    // guards the guard: if the walk stopped following members, the test above would pass vacuously
    const props = roots.find((s) => s.name === 'TracedServiceProps')!;
    const names = props.declarations!.flatMap(referencedTypes).map((r) => r.symbol.name);
    expect(names).toEqual(expect.arrayContaining(['IMeshNamespace', 'WorkloadOptions', 'ServicePort']));
  });
});
