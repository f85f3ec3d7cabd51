/**
 * Istio's own code accepts the per-version DestinationRules the Gateway API renderer writes with the
 * host's CircuitBreaker settings carried into them (render/gateway-api.ts versionPolicy): istiod's webhook
 * and the CRD schemas reject none, and Istio's analyzers report no Warning or Error on them (Istio 1.30.3).
 */
import { crdFiles, describeConformance, runBatch, SKIP, ValidateOutput, writeYaml, AnalyzeOutput } from './harness';
import { clusterContext } from './cluster';
import { RoutingApi } from '../../src';
import { build, CASES } from '../gateway-api-version-cases';

describeConformance('Istio conformance: Gateway API per-version DestinationRules', () => {
  const sets = CASES.map(([name, breakers]) => ({ name, objects: build(RoutingApi.GATEWAY_API, breakers) }));
  let results: Array<{ validated: ValidateOutput; analyzed: AnalyzeOutput }> = [];

  beforeAll(() => {
    if (SKIP) return;
    const crds = crdFiles().flatMap((f) => ['--crds', f]);
    const jobs = sets.flatMap((s) => {
      const file = writeYaml(s.objects);
      const context = writeYaml(clusterContext(s.objects), undefined, 'cluster-context.yaml');
      return [{ args: ['validate', ...crds, file] }, { args: ['analyze', file, context] }];
    });
    const out = runBatch(jobs);
    for (const r of out) if (r.error !== undefined) throw new Error(`istio-conformance: ${r.error}`);
    results = sets.map((_, i) => ({ validated: out[2 * i].result as ValidateOutput, analyzed: out[2 * i + 1].result as AnalyzeOutput }));
  }, 10 * 60_000);

  test('GIVEN every case WHEN checked by istiod\'s webhook, the CRD schemas and Istio\'s analyzers THEN nothing is rejected or warned about', () => {
    sets.forEach((s, i) => {
      const { validated, analyzed } = results[i];
      const perVersion = validated.objects.filter((o) => o.kind === 'DestinationRule' && /-v[12]$/.test(o.name ?? ''));
      // every per-version DestinationRule written was checked (v1 has none when only v2 has a policy)
      const written = s.objects.filter((o) => o.kind === 'DestinationRule' && /-v[12]$/.test(o.metadata.name)).length;
      expect(written).toBeGreaterThan(0);
      expect({ case: s.name, perVersion: perVersion.length }).toEqual({ case: s.name, perVersion: written });
      const problems = validated.objects.flatMap((o) => [...o.errors, ...o.warnings].map((e) => `${o.kind} ${o.namespace ?? ''}/${o.name} [${e.source}] ${e.message}`));
      expect({ case: s.name, problems }).toEqual({ case: s.name, problems: [] });
      const messages = analyzed.messages.filter((m) => m.level === 'Error' || m.level === 'Warning').map((m) => `${m.code} ${m.resource ?? ''} ${m.message ?? ''}`);
      expect({ case: s.name, readErrors: analyzed.readErrors, messages }).toEqual({ case: s.name, readErrors: [], messages: [] });
    });
  });
});
