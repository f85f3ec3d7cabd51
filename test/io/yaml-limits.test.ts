import { parseDocuments } from '../../src/io/manifests';
import { parseYaml, parseYamlDocuments, YamlInputError } from '../../src/io/yaml';
import { laughs } from './helpers';

describe('YAML limits', () => {
  test('a billion-laughs document is refused without being expanded', () => {
    // GIVEN 9 levels of 9 aliases: 387 million nodes once expanded, 1.1 KB written
    const text = laughs(9);
    // WHEN parsed THEN refused, saying why (jest's timeout guards against an expansion)
    expect(() => parseYamlDocuments(text)).toThrow(YamlInputError);
    expect(() => parseYamlDocuments(text)).toThrow(/aliases would expand document 1 to \d+ nodes .*refused as a likely alias bomb/);
  }, 10_000);

  test('an alias bomb spread over many small documents is refused too (the budget is per file)', () => {
    // GIVEN 200 documents, each 9x9x9: 7290 nodes each, 1.46 M for the file, 100k+10x allowed
    const doc = laughs(3);
    const text = Array(200).fill(doc).join('---\n');
    expect(() => parseYamlDocuments(text)).toThrow(/likely alias bomb/);
    // AND one such document alone is fine: aliases are allowed
    expect(parseYamlDocuments(doc)).toHaveLength(1);
  });

  test('the alias budget: at the limit accepted, one node past refused', () => {
    // GIVEN an anchored list of 4 scalars (5 nodes) aliased m times in a 1-node root mapping:
    // written = 1 + 5 = 6, expanded extra = 5m; limits: floor 10, ratio 1 => budget max(10, 6) = 10
    const doc = (m: number) => `a: &a [1, 2, 3, 4]\n${Array.from({ length: m }, (_, i) => `r${i}: *a`).join('\n')}\n`;
    const limits = { aliasExpansionFloor: 10, aliasExpansionRatio: 1 };
    // WHEN 2 aliases (10 extra nodes) THEN accepted
    expect(parseYamlDocuments(doc(2), limits)).toEqual([{ a: [1, 2, 3, 4], r0: [1, 2, 3, 4], r1: [1, 2, 3, 4] }]);
    // WHEN 3 aliases (15 extra) THEN refused
    expect(() => parseYamlDocuments(doc(3), limits)).toThrow(/likely alias bomb/);
    // AND the ratio raises the budget for a larger file: ratio 3 => 18 >= 15
    expect(parseYamlDocuments(doc(3), { ...limits, aliasExpansionRatio: 3 })).toHaveLength(1);
  });

  test('merge keys copy while parsing: a merge-key bomb is refused, ordinary merges pass', () => {
    // GIVEN a mapping of 3000 keys merged into 3000 mappings: 9 million keys copied from 76 KB
    const keys = Array.from({ length: 3000 }, (_, i) => `k${i}: 1`).join(', ');
    const bomb = `a: &a {${keys}}\n${Array.from({ length: 3000 }, (_, i) => `c${i}: {<<: *a}`).join('\n')}\n`;
    expect(() => parseYamlDocuments(bomb)).toThrow(/merge keys \(<<\) would copy more keys than the file has bytes: refused as a likely merge-key bomb/);
    // AND the same merge 20 times is fine
    const few = `a: &a {${keys}}\n${Array.from({ length: 20 }, (_, i) => `c${i}: {<<: *a}`).join('\n')}\n`;
    expect(Object.keys(parseYamlDocuments(few)[0] as object)).toHaveLength(21);
  }, 10_000);

  test('an alias to its own ancestor (a cycle) is refused', () => {
    expect(() => parseYamlDocuments('x: &x\n  y: *x\n')).toThrow(/cycle/);
    expect(() => parseYamlDocuments('&x [*x]')).toThrow(/cycle/);
  });

  test('nesting: 100 levels accepted, 101 refused (flow and block YAML, JSON)', () => {
    // a flow sequence nested n deep is n containers; so is a block mapping with a scalar leaf
    const flow = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const block = (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' v\n';
    expect(parseYamlDocuments(flow(100))).toHaveLength(1);
    expect(() => parseYamlDocuments(flow(101))).toThrow(/nested deeper than 100 levels/);
    expect(parseYamlDocuments(block(100))).toHaveLength(1);
    expect(() => parseYamlDocuments(block(101))).toThrow(/nested deeper than 100 levels/);
    expect(parseDocuments(flow(100), 'x.json')).toMatchObject({ ok: true });
    expect(parseDocuments(flow(101), 'x.json')).toEqual({ ok: false, failure: 'content', message: expect.stringMatching(/nested deeper than 100/) });
    // and with anchors in the text (the full check) the same limit holds
    expect(parseYamlDocuments(`a: &a 1\nb: ${flow(99)}`)).toHaveLength(1);
    expect(() => parseYamlDocuments(`a: &a 1\nb: ${flow(100)}`)).toThrow(/nested deeper than 100 levels/);
  });

  test('nesting far beyond the parser stack is a clean error, not a crash', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(() => parseYamlDocuments(deep)).toThrow(YamlInputError);
    expect(parseDocuments(deep, 'x.json')).toMatchObject({ ok: false, failure: 'content' });
  });

  test('a syntax error names line and column', () => {
    expect(() => parseYamlDocuments('a: [1, 2\n')).toThrow(/line \d+, column \d+/);
  });

  test('an embedded YAML string (mesh config) is parsed under the same limits', () => {
    expect(parseYaml('defaultConfig: {}\n')).toEqual({ defaultConfig: {} });
    expect(() => parseYaml(laughs(9))).toThrow(/likely alias bomb/);
  });

  test('merge keys and ordinary anchors still work', () => {
    const [doc] = parseYamlDocuments('base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n');
    expect(doc).toEqual({ base: { x: 1 }, derived: { x: 1, y: 2 } });
  });
});
