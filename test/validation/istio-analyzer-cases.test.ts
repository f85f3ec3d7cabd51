/**
 * Istio 1.30.3's own analyzer test cases (pkg/config/analysis/analyzers/analyzers_test.go and its
 * testdata, vendored in test/fixtures/istio-analyzer-tests) run through our analyzers.
 */
import { corrections, documentedFailures, istioCases, runCase } from './istio-cases';

const cases = istioCases();
const results = cases.map((c) => runCase(c));
const known = documentedFailures();
const score = results.filter((r) => r.pass).length;

describe("Istio's own analyzer test cases", () => {
  test('all 100 cases of analyzers_test.go are vendored', () => {
    expect(cases).toHaveLength(100);
  });

  test.each(results.filter((r) => !known.has(r.case.name)).map((r) => [r.case.name, r] as const))('%s', (_name, r) => {
    // GIVEN the case's files as one set WHEN only its analyzer runs THEN it reports exactly Istio's messages
    expect(r.actual).toEqual(r.expected);
  });

  test(`the score is at least 90 of 100 (it is ${score})`, () => {
    expect(score).toBeGreaterThanOrEqual(90);
  });

  test('the cases docs/validation.md lists as not passing are exactly the ones that fail', () => {
    // THEN the documented list cannot rot: a case that starts passing must leave it, a new failure must join it
    const failing = results.filter((r) => !r.pass).map((r) => r.case.name).sort();
    expect([...known.keys()].sort()).toEqual(failing);
    for (const reason of known.values()) expect(reason.trim()).not.toBe('');
  });

  test.each(corrections().map((c) => [c.name, c] as const))('%s: where cases.json disagrees with analyzers_test.go, we report what Istio\'s test expects', (name, c) => {
    // GIVEN a case whose cases.json expectation differs from Istio's own test (c.source)
    const r = results.find((x) => x.case.name === name)!;
    expect(r.expected).not.toEqual(c.expected.map(([code, res]) => `${code} ${res}`).sort());
    // THEN our analyzer reports exactly Istio's expectation
    expect(r.actual).toEqual(c.expected.map(([code, res]) => `${code} ${res}`).sort());
  });

  test("the outcome does not depend on lint's file-mode choices (pod templates as pods, default namespace)", () => {
    // GIVEN lint's defaults instead of the harness's WHEN every case runs THEN the same cases pass
    const withDefaults = cases.map((c) => runCase(c, { lintDefaults: true }));
    expect(withDefaults.filter((r) => !r.pass).map((r) => r.case.name).sort()).toEqual(results.filter((r) => !r.pass).map((r) => r.case.name).sort());
  });
});
