/**
 * One workload rule, two strictness levels (src/rules/workload-spec.ts): the validation layer reads
 * probe fields and HorizontalPodAutoscaler replicas as the API server does ('api'), a TracedService as
 * the library writes them ('library'). These tests feed both the same inputs: a value a TracedService
 * accepts is one the validator accepts, and the library refuses exactly what the API server refuses
 * plus its named extra rules:
 * - a probe count or period of 0 (the API server would replace it by its default), non-integers and
 *   values above int32 (the schema's job over manifests);
 * - HPA replicas above int32.
 *
 * Kubernetes v1.34 pkg/apis/core/validation/validation.go (validateProbe, validateLivenessProbe,
 * validateStartupProbe: successThreshold "must be 1"), pkg/apis/autoscaling/validation/validation.go
 * (ValidateHorizontalPodAutoscalerSpec).
 */
import { Duration } from 'cdk8s';
import { Probe } from '../../src';
import { autoscalingReplicas, probeSuccessThreshold } from '../../src/rules/workload-spec';
import { validateManifests } from '../../src/validation';
import { meshChart, one, service, synth } from '../helpers';

const INT32_MAX = 2147483647;

/** Error findings the validation layer reports for one manifest (per-object rules only). */
function apiRejects(manifest: any): boolean {
  return validateManifests([{ manifest }], { checks: { analyzers: false } }).some((f) => f.level === 'error');
}

function libraryAccepts(make: () => unknown): boolean {
  try {
    make();
    return true;
  } catch {
    return false;
  }
}

/** A Deployment and an HPA the library writes, accepted by the validator as they are. */
const base = (() => {
  const { chart, ns } = meshChart();
  service(chart, ns, 'a', { livenessProbe: Probe.tcp(), startupProbe: Probe.tcp(), autoscaling: { minReplicas: 2, maxReplicas: 4 } });
  const objects = synth(chart);
  return { deployment: one(objects, 'Deployment', 'a-v1'), hpa: one(objects, 'HorizontalPodAutoscaler', 'a-v1') };
})();

function withProbe(kind: 'livenessProbe' | 'startupProbe' | 'readinessProbe', fields: Record<string, unknown>): any {
  const d = JSON.parse(JSON.stringify(base.deployment));
  Object.assign(d.spec.template.spec.containers[0][kind], fields);
  return d;
}

const VALUES = [-1, 0, 1, 2, 3, 1.5, INT32_MAX, INT32_MAX + 1];

describe('the base objects', () => {
  test('are accepted by the validator as written (so a rejection below is the field under test)', () => {
    expect(apiRejects(base.deployment)).toBe(false);
    expect(apiRejects(base.hpa)).toBe(false);
  });
});

describe('successThreshold of liveness and startup probes (must be 1)', () => {
  test.each(VALUES.flatMap((v) => [['livenessProbe', v], ['startupProbe', v]] as const))('%s successThreshold %p: same verdict', (kind, v) => {
    const library = libraryAccepts(() => {
      const { chart, ns } = meshChart();
      service(chart, ns, 'a', { [kind]: Probe.tcp({ successThreshold: v }) });
    });
    const api = !apiRejects(withProbe(kind, { successThreshold: v }));
    expect(library).toBe(v === 1);
    expect(api).toBe(v === 1);
  });

  test.each(VALUES)('readinessProbe successThreshold %p: library accepts ⇔ API accepts and not the extra rule (0, more than int32)', (v) => {
    // readiness timings are not a TracedService prop: the library level is the shared rule itself
    const library = probeSuccessThreshold('readiness', v) === undefined;
    const api = !apiRejects(withProbe('readinessProbe', { successThreshold: v }));
    const extra = v === 0 || v > INT32_MAX;
    expect([library, api]).toEqual([api && !extra, api]);
  });
});

describe('probe timings (validateProbe: each non-negative)', () => {
  const FIELDS = [
    ['initialDelay', 'initialDelaySeconds'],
    ['period', 'periodSeconds'],
    ['timeout', 'timeoutSeconds'],
  ] as const;

  test.each(FIELDS.flatMap(([option, field]) => [0, 1, 2, 60].map((s) => [option, field, s] as const)))('%s = %p s: library accepts ⇔ API accepts and not the extra rule (0 becomes the default)', (option, field, s) => {
    const library = libraryAccepts(() => {
      const { chart, ns } = meshChart();
      service(chart, ns, 'a', { livenessProbe: Probe.tcp({ [option]: Duration.seconds(s) }) });
    });
    const api = !apiRejects(withProbe('livenessProbe', { [field]: s }));
    const extra = s === 0 && field !== 'initialDelaySeconds';
    expect(library).toBe(api && !extra);
  });

  test.each(VALUES.filter((v) => v !== 1.5))('failureThreshold %p: library accepts ⇔ API accepts and not the extra rule', (v) => {
    const library = libraryAccepts(() => {
      const { chart, ns } = meshChart();
      service(chart, ns, 'a', { livenessProbe: Probe.tcp({ failureThreshold: v }) });
    });
    const api = !apiRejects(withProbe('livenessProbe', { failureThreshold: v }));
    const extra = v === 0 || v > INT32_MAX;
    expect(library).toBe(api && !extra);
    // and whatever the library accepts, the API server accepts
    if (library) expect(api).toBe(true);
  });
});

describe('HorizontalPodAutoscaler replicas (ValidateHorizontalPodAutoscalerSpec)', () => {
  const PAIRS: Array<[number, number]> = [
    [1, 1], [1, 2], [2, 2], [2, 1], [3, 2], [0, 3], [-1, 3], [1, 0], [0, 0], [1, INT32_MAX], [INT32_MAX, INT32_MAX], [2, INT32_MAX + 1], [1.5, 3], [1, 2.5],
  ];

  test.each(PAIRS)('minReplicas %p, maxReplicas %p: library accepts ⇔ API accepts and not the extra rule (at most int32)', (min, max) => {
    const library = libraryAccepts(() => {
      const { chart, ns } = meshChart();
      service(chart, ns, 'a', { autoscaling: { minReplicas: min, maxReplicas: max } });
    });
    const api = !apiRejects({ ...base.hpa, spec: { ...base.hpa.spec, minReplicas: min, maxReplicas: max } });
    const extra = min > INT32_MAX || max > INT32_MAX;
    expect(library).toBe(api && !extra);
  });

  test('the bounds: min 1 and max = min accepted by both; min 0 and max < min refused by both, naming the same field', () => {
    expect(autoscalingReplicas(1, 1)).toEqual([]);
    expect(autoscalingReplicas(1, 1, 'api')).toEqual([]);
    expect(autoscalingReplicas(0, 3).map((p) => p.property)).toEqual(['minReplicas']);
    expect(autoscalingReplicas(0, 3, 'api').map((p) => p.property)).toEqual(['minReplicas']);
    expect(autoscalingReplicas(3, 2).map((p) => p.property)).toEqual(['maxReplicas']);
    expect(autoscalingReplicas(3, 2, 'api')).toEqual([{ property: 'maxReplicas', rule: 'must be greater than or equal to `minReplicas`' }]);
    // the API level reports every field (as the API server does); an absent minReplicas is the API server's to default
    expect(autoscalingReplicas(0, 0, 'api').map((p) => p.property)).toEqual(['minReplicas', 'maxReplicas']);
    expect(autoscalingReplicas(undefined, 3, 'api')).toEqual([]);
  });
});
