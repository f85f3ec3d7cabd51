/**
 * Istio's analyzer test data, run through Istio's analyzers (the Go harness) and through our lint:
 * for every case of cases.json, both read the case's files as one set and must report the same
 * (code, resource) pairs on the Istio codes our lint implements. Every difference is either a
 * failing test or listed, with its reason, in known-differences.ts (ANALYZER_CASE_DIFFERENCES); the
 * list must equal the actual differences, so a fixed difference fails until it is removed.
 *
 * Istio runs every analyzer `istioctl analyze` runs (analyzers.All()), set up as its analyzer tests
 * set up a case (every kind read from the files, default ingress resources added, the case's mesh
 * config), so the comparison is "lint vs istioctl analyze", not "lint vs one analyzer".
 */
import * as fs from 'fs';
import * as path from 'path';
import { AnalyzeOutput, describeConformance, ROOT, runBatch, SKIP } from './harness';
import { caseFile } from '../validation/istio-cases';
import { ANALYZER_CASE_DIFFERENCES } from './known-differences';
import { diffPairs, implementedIstioCodes, istioPairs, lintFiles, ourPairs, PairDifference } from './sets';

/** test/fixtures/istio-analyzer-tests when vendored there, else ../shared/istio-analyzer-tests. */
export function analyzerTestsDir(): string {
  const vendored = path.join(ROOT, 'test', 'fixtures', 'istio-analyzer-tests');
  if (fs.existsSync(path.join(vendored, 'cases.json'))) return vendored;
  return path.resolve(ROOT, '..', 'shared', 'istio-analyzer-tests');
}

interface AnalyzerCase {
  readonly name: string;
  readonly analyzer: string;
  readonly files: readonly string[];
  readonly meshConfigFile?: string;
  readonly meshNetworksFile?: string;
  readonly expected: ReadonlyArray<readonly [string, string]>;
}

describeConformance('Istio conformance: Istio\'s analyzer test data, our lint vs Istio\'s analyzers', () => {
  const dir = analyzerTestsDir();
  const cases: AnalyzerCase[] = SKIP ? [] : JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
  const codes = implementedIstioCodes();
  const actual = new Map<string, PairDifference>();
  let results: AnalyzeOutput[] = [];

  beforeAll(() => {
    const jobs = cases.map((c) => ({
      args: [
        'analyze',
        ...(c.meshConfigFile ? ['--mesh-config', caseFile(c.meshConfigFile)] : []),
        ...(c.meshNetworksFile ? ['--mesh-networks', caseFile(c.meshNetworksFile)] : []),
        ...c.files.map((f) => caseFile(f)),
      ],
    }));
    const res = runBatch<AnalyzeOutput>(jobs);
    res.forEach((r, i) => {
      if (r.error !== undefined) throw new Error(`case ${cases[i].name}: ${r.error}`);
    });
    results = res.map((r) => r.result!);
    cases.forEach((c, i) => {
      const istio = istioPairs(results[i].messages, codes);
      // Our lint gets what Istio's analyzers get: the case's mesh config and mesh networks (lint
      // --mesh-config, --mesh-networks), and the test harness's default namespace for objects that
      // name none, which is empty (analyzers_test.go builds its source with namespace ""). With an
      // empty namespace Istio's gateway.SecretAnalyzer finds no namespace for a gateway whose pod
      // names none and reports IST0101; lint's default namespace `default` would hide that.
      const ours = ourPairs(lintFiles(c.files.map((f) => caseFile(f)), {
        meshConfigFile: c.meshConfigFile ? caseFile(c.meshConfigFile) : undefined,
        meshNetworksFile: c.meshNetworksFile ? caseFile(c.meshNetworksFile) : undefined,
        defaultNamespace: '',
      }), codes);
      const d = diffPairs(istio, ours);
      if (d.onlyIstio.length + d.onlyOurs.length > 0) actual.set(c.name, d);
    });
  }, 45 * 60_000);

  test('GIVEN the 100 cases WHEN Istio analyzes them THEN every case ran and most report something', () => {
    expect(cases).toHaveLength(100);
    expect(codes.size).toBeGreaterThan(0);
    // Istio's analyzers really ran: the cases' own expectations show up in what they report.
    const reproduced = cases.filter((c, i) => c.expected.every(([code, res]) => results[i].messages.some((m) => m.code === code && m.resource === res)));
    expect(reproduced.length).toBeGreaterThanOrEqual(90);
  });

  test('GIVEN each case WHEN our lint and Istio report on the codes we implement THEN they agree, or the difference is a listed known one', () => {
    const documented = new Map(Object.entries(ANALYZER_CASE_DIFFERENCES).map(([k, v]) => [k, { onlyIstio: [...v.onlyIstio].sort(), onlyOurs: [...v.onlyOurs].sort() }]));
    const got = new Map([...actual].map(([k, v]) => [k, { onlyIstio: [...v.onlyIstio].sort(), onlyOurs: [...v.onlyOurs].sort() }]));
    const undocumented = [...got].filter(([k, v]) => JSON.stringify(documented.get(k)) !== JSON.stringify(v));
    const fixed = [...documented.keys()].filter((k) => !got.has(k));
    expect({ undocumented: Object.fromEntries(undocumented), fixed }).toEqual({ undocumented: {}, fixed: [] });
  });

  test('GIVEN the known-differences list THEN every entry gives its reason', () => {
    for (const [name, d] of Object.entries(ANALYZER_CASE_DIFFERENCES)) {
      expect({ name, reason: d.reason.length > 20 }).toEqual({ name, reason: true });
    }
  });
});
