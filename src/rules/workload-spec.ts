/**
 * Workload spec rules the library checks where a TracedService is written: probe timings, volumes
 * and their mounts, HorizontalPodAutoscaler replicas and targets, PodDisruptionBudget bounds, and the
 * volume names Istio's sidecar injector adds to every pod.
 *
 * Kubernetes (v1.34) `pkg/apis/core/validation` (`validateProbe`, `ValidateVolumes`,
 * `ValidateVolumeMounts`), `pkg/apis/autoscaling/validation` (`ValidateHorizontalPodAutoscaler`) and
 * `pkg/apis/policy/validation` (`ValidatePodDisruptionBudgetSpec`) accept 0 for most probe fields
 * because the API server then fills in its default; a TracedService refuses 0 where it would silently
 * become a different value, and states each bound once here.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.34.0/pkg/apis/core/validation/validation.go
 * @see https://github.com/istio/istio/blob/1.30.3/manifests/charts/istio-control/istio-discovery/files/injection-template.yaml
 */
import { dns1123Label } from './names';
import { INT32_MAX } from './numbers';

/** The probe kinds: readiness, liveness and startup. */
export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/**
 * A probe timing field in whole seconds or counts: `initialDelaySeconds` from 0, every other field
 * (`periodSeconds`, `timeoutSeconds`, `failureThreshold`, `successThreshold`) from 1 (0 would be
 * replaced by the API server's default), at most int32.
 */
export function probeField(field: string, v: unknown): string | undefined {
  const min = field === 'initialDelaySeconds' ? 0 : 1;
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= INT32_MAX ? undefined : `${field} must be an integer in ${min}..${INT32_MAX}`;
}

/** `successThreshold` of a liveness or startup probe must be 1 (validateProbe); readiness takes any count from 1. */
export function probeSuccessThreshold(kind: ProbeKind, v: unknown): string | undefined {
  if (kind !== 'readiness' && v !== 1) return `successThreshold must be 1 for a ${kind} probe (the API server rejects any other value)`;
  return probeField('successThreshold', v);
}

/**
 * Volume names Istio 1.30's sidecar injector adds to a pod (injection-template.yaml): a pod volume of
 * the same name makes the injected pod invalid (duplicate volume name), so every pod would be rejected.
 */
export const ISTIO_INJECTED_VOLUMES: readonly string[] = [
  'workload-socket', 'credential-socket', 'workload-certs', 'gke-workload-certificate', 'custom-bootstrap-volume', 'istio-envoy',
  'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert', 'istio-ca-crl', 'istio-certs', 'lightstep-certs',
];

/** A pod volume name: a DNS-1123 label that the sidecar injector does not use itself. */
export function podVolumeName(v: unknown): string | undefined {
  const bad = dns1123Label(v);
  if (bad) return `a volume name ${bad}`;
  return ISTIO_INJECTED_VOLUMES.includes(v as string) ? `"${v}" is a volume the Istio sidecar injector adds to every pod (a second one makes the pod invalid)` : undefined;
}

/** A container mount path: absolute, without `..` elements, not the root, no `:` (the runtime's separator). */
export function mountPath(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.startsWith('/') || v === '/' || v.includes(':') || v.split('/').includes('..') || /\s/.test(v)) {
    return "a mount path must be an absolute path other than '/', without '..' elements, ':' or whitespace";
  }
  return undefined;
}

/**
 * HorizontalPodAutoscaler replicas: `minReplicas` at least 1 (0 needs the alpha HPAScaleToZero gate),
 * `maxReplicas` at least `minReplicas`; undefined when both hold.
 */
export function autoscalingReplicas(min: unknown, max: unknown): { readonly property: 'minReplicas' | 'maxReplicas'; readonly rule: string } | undefined {
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 1 || min > INT32_MAX) return { property: 'minReplicas', rule: `minReplicas must be an integer in 1..${INT32_MAX} (scaling to 0 needs the alpha HPAScaleToZero feature gate)` };
  if (typeof max !== 'number' || !Number.isInteger(max) || max < min || max > INT32_MAX) return { property: 'maxReplicas', rule: `maxReplicas must be an integer of at least minReplicas (${min})` };
  return undefined;
}

/** An HPA resource utilization target: an integer percent of the pods' requests, above 0 (may exceed 100). */
export function utilizationTarget(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= INT32_MAX ? undefined : 'a utilization target must be an integer percent of the requests, at least 1';
}

/**
 * A PodDisruptionBudget bound over `replicas` pods: `maxUnavailable` from 1 (0 blocks every eviction,
 * so node drains hang) to replicas - 1 (replicas or more protects nothing); `minAvailable` from 1 to
 * replicas - 1 (replicas or more blocks every eviction).
 */
export function disruptionBound(field: 'maxUnavailable' | 'minAvailable', v: unknown, replicas: number): string | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > replicas - 1) {
    const low = typeof v === 'number' && v < 1;
    const why = field === 'maxUnavailable'
      ? (low ? '0 blocks every eviction, so node drains hang' : 'all of them protects nothing')
      : (low ? '0 protects nothing' : 'all of them blocks every eviction, so node drains hang');
    return `${field} must be an integer in 1..${replicas - 1} for ${replicas} pods (${why})`;
  }
  return undefined;
}
