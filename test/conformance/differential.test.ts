/**
 * Differential tests against Istio's own code on random but schema-valid mesh sets
 * (generators.ts): Namespaces, Services, Deployments, VirtualServices, DestinationRules and
 * AuthorizationPolicies, with HTTP requests through them.
 *
 * - Istio's webhook and CRD schemas accept every generated object (the generator is honest), and
 *   our validation raises no error either;
 * - our lint and Istio's analyzers report the same (code, resource) pairs on the Istio codes our
 *   lint implements;
 * - our simulator (`MeshSimulator.route`) and pilot (the Envoy config istiod generates for the
 *   calling sidecar, pilot/pkg/simulation + full Envoy route matching) pick the same VirtualService
 *   rule and the same weighted destinations, or both answer 404.
 *
 * A difference fails the test unless a rule of known-differences.ts (DIFFERENTIAL_RULES) explains
 * it; with the default seed and run count every rule must explain at least one difference, so a
 * rule that no longer applies fails too. On failure the seed and the failing case are printed.
 *
 * CONFORMANCE_SEED=<n> picks another seed, CONFORMANCE_RUNS=<n> the number of sets (default 200);
 * e.g. `CONFORMANCE_RUNS=5000 npx jest test/conformance/differential.test.ts`.
 */
import * as fs from 'fs';
import * as fc from 'fast-check';
import * as os from 'os';
import * as path from 'path';
import { MeshSimulator } from '../../src/simulator/simulator';
import { clusterContext } from './cluster';
import { AnalyzeOutput, crdFiles, describeConformance, IstioRouteAnswer, runBatch, SKIP, ValidateOutput, writeYaml } from './harness';
import { DEFAULT_RUNS, DEFAULT_SEED, DIFFERENTIAL_RULES, DifferentialObservation } from './known-differences';
import { meshCase, MeshCase } from './generators';
import { istioVerdict, ourVerdict } from './verdicts';
import { diffPairs, implementedIstioCodes, istioPairs, lintObjects, ourPairs } from './sets';

const SEED = process.env.CONFORMANCE_SEED !== undefined ? Number(process.env.CONFORMANCE_SEED) : DEFAULT_SEED;
const RUNS = process.env.CONFORMANCE_RUNS !== undefined ? Number(process.env.CONFORMANCE_RUNS) : DEFAULT_RUNS;
const DEFAULTS = SEED === DEFAULT_SEED && RUNS === DEFAULT_RUNS;
/** Cases per harness process (bounds the memory of one batch). */
const CHUNK = 100;

describeConformance(`Istio conformance: differential, ${RUNS} random sets (seed ${SEED})`, () => {
  const cases: MeshCase[] = SKIP ? [] : fc.sample(meshCase(), { seed: SEED, numRuns: RUNS });
  const codes = implementedIstioCodes();
  const observations: DifferentialObservation[] = [];
  const invalid: string[] = [];
  let files: string[] = [];
  let routesCompared = 0;

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-diff-'));
    files = cases.map((c, i) => writeYaml(c.objects, dir, `case-${i}.yaml`));
    // Istio's analyzers see the cluster the set is applied to: istio-system and the workloads' Pods (cluster.ts).
    const contexts = cases.map((c, i) => writeYaml(clusterContext(c.objects), dir, `case-${i}-cluster.yaml`));
    const crds = crdFiles().flatMap((f) => ['--crds', f]);
    for (let start = 0; start < cases.length; start += CHUNK) {
      const slice = cases.slice(start, start + CHUNK);
      const jobs = slice.flatMap((c, k) => {
        const file = files[start + k];
        return [
          { args: ['validate', ...crds, file] },
          { args: ['analyze', file, contexts[start + k]] },
          {
            args: ['route', file],
            input: c.requests.map((r) => ({
              source: { namespace: r.sourceNamespace, ...(r.sourceWorkload ? { workload: r.sourceWorkload } : { labels: r.sourceLabels }) },
              host: r.host,
              port: r.port,
              method: r.method,
              path: r.path,
              headers: r.headers,
            })),
          },
        ];
      });
      const res = runBatch(jobs);
      slice.forEach((c, k) => {
        const i = start + k;
        const [v, a, r] = [res[3 * k], res[3 * k + 1], res[3 * k + 2]];
        for (const x of [v, a, r]) if (x.error !== undefined) throw new Error(`seed ${SEED}, case ${i} (${files[i]}): ${x.error}`);
        const validated = v.result as ValidateOutput;
        for (const o of validated.objects) for (const e of o.errors) invalid.push(`case ${i} ${o.kind} ${o.namespace}/${o.name}: ${e.message}`);
        const ourFindings = lintObjects(c.objects);
        for (const f of ourFindings.filter((x) => x.level === 'error' && /^CI[12]/.test(x.code))) {
          observations.push({ kind: 'validation', caseIndex: i, case: c, detail: `${f.code} ${f.kind} ${f.namespace}/${f.name}: ${f.message}` });
        }
        const d = diffPairs(istioPairs((a.result as AnalyzeOutput).messages, codes), ourPairs(ourFindings, codes));
        for (const p of d.onlyIstio) observations.push({ kind: 'lint', side: 'onlyIstio', pair: p, caseIndex: i, case: c, detail: p });
        for (const p of d.onlyOurs) observations.push({ kind: 'lint', side: 'onlyOurs', pair: p, caseIndex: i, case: c, detail: p });
        const sim = MeshSimulator.fromManifests(c.objects);
        const answers = (r.result as { answers: IstioRouteAnswer[] }).answers;
        c.requests.forEach((req, j) => {
          const ans = answers[j];
          if (ans.unsupported && ans.unsupported.length > 0) {
            observations.push({ kind: 'route', caseIndex: i, case: c, request: req, detail: `harness cannot evaluate: ${ans.unsupported.join('; ')}` });
            return;
          }
          routesCompared++;
          const istio = istioVerdict(ans);
          const ours = ourVerdict(sim, req);
          if (JSON.stringify(istio) !== JSON.stringify(ours)) {
            observations.push({ kind: 'route', caseIndex: i, case: c, request: req, istio, ours, detail: `istio ${JSON.stringify(istio)} ours ${JSON.stringify(ours)}` });
          }
        });
      });
    }
  }, 60 * 60_000);

  const explain = (o: DifferentialObservation) => DIFFERENTIAL_RULES.find((r) => r.explains(o));
  const report = (list: DifferentialObservation[]) =>
    list.slice(0, 10).map((o) => `seed ${SEED} case ${o.caseIndex} (${files[o.caseIndex]}): ${o.detail}${o.request ? `\n  request ${JSON.stringify(o.request)}` : ''}`).join('\n');

  afterAll(() => {
    // CONFORMANCE_REPORT=<file>: every observed difference, explained or not, as JSON (for triage).
    if (process.env.CONFORMANCE_REPORT) {
      const rows = observations.map((o) => ({ rule: explain(o)?.id ?? null, kind: o.kind, side: o.side, file: files[o.caseIndex], detail: o.detail, request: o.request }));
      fs.writeFileSync(process.env.CONFORMANCE_REPORT, JSON.stringify({ seed: SEED, runs: RUNS, observations: rows }, null, 1));
    }
  });

  test('GIVEN the generated sets WHEN Istio validates them THEN every object is valid (the generator is honest)', () => {
    expect(invalid.slice(0, 20)).toEqual([]);
  });

  test('GIVEN the generated sets WHEN our validation, lint and simulator are compared with Istio THEN every difference is a known one', () => {
    const unexplained = observations.filter((o) => !explain(o));
    if (unexplained.length > 0) {
      throw new Error(`${unexplained.length} unexplained difference(s) with Istio (CONFORMANCE_SEED=${SEED} CONFORMANCE_RUNS=${RUNS}):\n${report(unexplained)}`);
    }
    expect(routesCompared).toBeGreaterThan(RUNS);
  });

  test('GIVEN the default seed and run count THEN every known-difference rule still explains at least one difference', () => {
    if (!DEFAULTS) return;
    const unused = DIFFERENTIAL_RULES.filter((r) => !observations.some((o) => explain(o) === r)).map((r) => r.id);
    expect(unused).toEqual([]);
  });
});
