import * as fc from 'fast-check';
import { parse, parseAllDocuments } from 'yaml';
import * as jsyaml from 'js-yaml';
import { toYaml, toYamlDocuments } from '../src';

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.constantFrom('true', 'no', 'On', 'null', '~', '1e3', '0x1F', '100m', '128Mi', '/health', '- a', 'a: b', '#x', '*', '&a', '!t', '2001-12-14', '.inf', ''),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('fast YAML emitter', () => {
  test('round-trips any JSON data through the yaml (1.2) and js-yaml parsers', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = toYaml(v);
        const expected = JSON.parse(JSON.stringify(v));
        expect(parse(text)).toEqual(expected);
        expect(jsyaml.load(text)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  test('YAML 1.1 booleans and numbers-looking strings stay strings', () => {
    const doc = { a: 'yes', b: 'off', c: '1e3', d: '0o17', e: '8080', f: 'y' };
    expect(parse(toYaml(doc), { version: '1.1' })).toEqual(doc);
  });

  test('documents are separated by ---', () => {
    const text = toYamlDocuments([{ a: 1 }, { b: [1, { c: 'd' }] }]);
    expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual([{ a: 1 }, { b: [1, { c: 'd' }] }]);
    expect(text).toBe('a: 1\n---\nb:\n  - 1\n  - c: d\n');
  });

  test('non-finite numbers are refused, not written', () => {
    expect(() => toYaml({ a: Infinity })).toThrow(/cannot serialize/);
  });
});
