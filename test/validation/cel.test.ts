import { _checkCelWithSchema as check, celCoverage, resetCelCounters, toCel } from '../../src/validation/cel';

const obj = (properties: Record<string, any>, rules: any[] = []) => ({ type: 'object', properties, 'x-kubernetes-validations': rules });

describe('CEL rules', () => {
  beforeEach(() => resetCelCounters());

  test('integers are bigints, so int comparisons type-check', () => {
    const schema = obj({ port: { type: 'integer' } }, [{ rule: '0 < self.port && self.port <= 65535', message: 'port must be between 1-65535' }]);
    expect(check({ port: 8080 }, schema)).toEqual([]);
    expect(check({ port: 70000 }, schema)).toEqual([{ code: 'CI1101', level: 'error', message: '<root>: Invalid value: port must be between 1-65535' }]);
    expect(toCel({ port: 1 }, schema)).toEqual(new Map([['port', 1n]]));
  });

  test('messageExpression wins over message, and fieldPath is appended to the path', () => {
    const schema = obj({ spec: obj({ a: { type: 'string' } }, [{ rule: "self.a != 'x'", message: 'static', messageExpression: "'a is ' + self.a", fieldPath: '.a' }]) });
    expect(check({ spec: { a: 'x' } }, schema)).toEqual([{ code: 'CI1101', level: 'error', message: 'spec.a: Invalid value: a is x' }]);
  });

  test('rules on items and map values run per element with its path', () => {
    const schema = obj({
      list: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != '*'", message: 'no wildcard' }] } },
      map: { type: 'object', additionalProperties: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0', message: 'positive' }] } },
    });
    expect(check({ list: ['a', '*'], map: { 'k-1': 0, 'ok': 1 } }, schema).map((f) => f.message)).toEqual(['list[1]: Invalid value: no wildcard', 'map["k-1"]: Invalid value: positive']);
  });

  test('a non-boolean result is "not evaluated", never a pass', () => {
    const schema = obj({ a: { type: 'string' } }, [{ rule: 'size(self.a)' }]);
    expect(check({ a: 'abc' }, schema)).toEqual([{ code: 'CI1102', level: 'warning', message: '<root>: CEL rule not evaluated (returned int 3, not a bool): size(self.a)' }]);
    expect(celCoverage().runtime.notEvaluated).toBe(1);
  });

  test('transition rules (oldSelf) are skipped at create and counted', () => {
    const schema = obj({ a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'immutable' }] } });
    expect(check({ a: 'x' }, schema)).toEqual([]);
    expect(celCoverage().runtime.skippedTransition).toBe(1);
  });

  test("Kubernetes' URL library: isURL and url(x).getScheme()", () => {
    const schema = obj({ u: { type: 'string', 'x-kubernetes-validations': [{ rule: 'isURL(self) && url(self).getScheme() in ["http", "https"]', message: 'http(s) URL' }] } });
    expect(check({ u: 'https://example.com/keys' }, schema)).toEqual([]);
    expect(check({ u: 'ftp://example.com/keys' }, schema)).toHaveLength(1);
    expect(check({ u: 'not a url' }, schema)).toHaveLength(1);
  });

  test('schema defaults are applied before the rules run', () => {
    const schema = obj({ group: { type: 'string', default: '' }, kind: { type: 'string', default: 'Service' } }, [{ rule: "self.group == '' && self.kind == 'Service'" }]);
    expect(check({}, schema)).toEqual([]);
  });

  test('a rule that errors on a missing field rejects the object, as the API server does', () => {
    const schema = obj({ a: { type: 'string' }, b: { type: 'string' } }, [{ rule: "self.a == 'x' ? self.b != '' : true", message: 'b must be set when a is x' }]);
    expect(check({ a: 'x' }, schema)[0].message).toMatch(/^<root>: Invalid value: b must be set when a is x \(the rule errored: .*b/);
  });

  test('RE2 semantics for matches()', () => {
    const schema = obj({ v: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.matches('^[a-z]+$')", message: 'lowercase' }] } });
    expect(check({ v: 'abc' }, schema)).toEqual([]);
    expect(check({ v: 'aBc' }, schema)).toHaveLength(1);
  });
});

describe('celCoverage', () => {
  test('covers every rule of the pinned CRDs except the transition rules', () => {
    const c = celCoverage();
    // cert-manager v1.21.1's Issuer and ClusterIssuer CRDs carry one rule each (the same venafi rule: 1 distinct)
    expect(c).toMatchObject({ total: 618, distinct: 112, evaluable: 616, transition: 2, notCompiled: 0, notEvaluable: [] });
  });
});

/**
 * The API server exposes a property whose name is a CEL reserved word under an escaped name
 * (k8s.io/apiserver/pkg/cel/escaping.go): Gateway API v1.5.1's parentRefs rules read `p.__namespace__`,
 * the `namespace` property. Read literally, `has(p.__namespace__)` was always false and two parentRefs
 * that differ only by namespace were refused (found by the perf2 review).
 */
describe('CEL escaped property names', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { validateManifests } = require('../../src/validation');
  const route = (parentRefs: any[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' },
    spec: { parentRefs, rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] },
  });
  const celErrors = (o: any) => validateManifests([{ manifest: o }]).filter((f: any) => f.code === 'CI1101').map((f: any) => f.message);

  test('GIVEN two parentRefs to same-named Gateways in different namespaces THEN no sectionName is needed', () => {
    expect(celErrors(route([{ name: 'gw', namespace: 'a' }, { name: 'gw', namespace: 'b' }]))).toEqual([]);
  });

  test('GIVEN two parentRefs to the same Gateway (same namespace) without sectionName THEN refused, as the API server does', () => {
    expect(celErrors(route([{ name: 'gw', namespace: 'a' }, { name: 'gw', namespace: 'a' }]))).toEqual(expect.arrayContaining([expect.stringMatching(/sectionName must be (specified|unique)/)]));
  });

  test('unescapeCelField follows the API server: reserved words and the __dot__/__dash__/__slash__/__underscores__ sequences', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unescapeCelField } = require('../../src/validation/cel');
    expect(unescapeCelField('__namespace__')).toBe('namespace');
    expect(unescapeCelField('__if__')).toBe('if');
    expect(unescapeCelField('a__dot__b__dash__c__slash__d__underscores__e')).toBe('a.b-c/d__e');
    expect(unescapeCelField('plain')).toBe('plain');
    expect(unescapeCelField('__name__')).toBe('__name__');
  });
});
