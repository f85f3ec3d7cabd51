/**
 * fast-check generators of VALID mesh manifests (a deployable set: Namespace, ServiceAccounts,
 * Services, Deployments, DestinationRules, VirtualServices, PeerAuthentications,
 * AuthorizationPolicies, a Telemetry) and of single-field mutations that make them invalid.
 * Reusable by construct-level property tests: `validMeshSet()` yields plain manifests.
 */
import * as fc from 'fast-check';

const dnsLabel = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const durationArb = fc.oneof(
  fc.integer({ min: 1, max: 120 }).map((s) => `${s}s`),
  fc.integer({ min: 1, max: 9999 }).map((ms) => `${ms}ms`),
  fc.integer({ min: 1, max: 10 }).map((m) => `${m}m`),
);
const RETRY_TOKENS = ['5xx', 'gateway-error', 'reset', 'connect-failure', 'refused-stream', 'retriable-4xx', 'unavailable', 'cancelled', '503', '429'];
const retryOnArb = fc.uniqueArray(fc.constantFrom(...RETRY_TOKENS), { minLength: 1, maxLength: 4 }).map((t) => t.join(','));
const SAFE_REGEX = ['^[0-9]*[02468]$', '^v[0-9]+$', '.*canary.*', '^(a|b)+$', '[[:alpha:]]+'];
const stringMatchArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{1,8}$/).map((v) => ({ exact: v })),
  fc.stringMatching(/^\/[a-z]{1,8}$/).map((v) => ({ prefix: v })),
  fc.constantFrom(...SAFE_REGEX).map((v) => ({ regex: v })),
);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

/** Weights in percent over `n` destinations, summing to 100. */
function percentSplit(n: number): fc.Arbitrary<number[]> {
  if (n === 1) return fc.constant([100]);
  return fc.array(fc.integer({ min: 1, max: 100 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const points = [...new Set(cuts.map((c) => Math.min(99, c)))].sort((a, b) => a - b).slice(0, n - 1);
    while (points.length < n - 1) points.push(points.length ? Math.min(99, points[points.length - 1] + 1) : 50);
    const bounds = [0, ...points, 100];
    const w = bounds.slice(1).map((b, i) => b - bounds[i]);
    // Never a zero weight (a split to a version with no traffic is pointless).
    return w.some((x) => x <= 0) ? Array.from({ length: n }, (_, i) => (i === 0 ? 100 - (n - 1) : 1)) : w;
  });
}

/** One service's intent: name, versions, routing rules and callers. */
export interface ServiceSpec {
  readonly name: string;
  readonly versions: string[];
  readonly rules: Array<{ match?: any; weights: number[]; timeout: string; attempts: number; perTryTimeout: string; retryOn: string }>;
  readonly maxConnections: number;
  readonly outlier?: { consecutive5xxErrors: number; interval: string; baseEjectionTime: string; maxEjectionPercent: number; minHealthPercent: number };
  readonly strict: boolean;
  readonly methods: string[];
}

function serviceSpec(name: string): fc.Arbitrary<ServiceSpec> {
  return fc.integer({ min: 1, max: 3 }).chain((nv) => {
    const versions = Array.from({ length: nv }, (_, i) => `v${i + 1}`);
    const rule = (i: number, last: boolean) =>
      fc.record({
        match: last ? fc.constant(undefined) : stringMatchArb.map((sm) => [{ headers: { [`x-rule-${i}`]: sm } }]),
        weights: percentSplit(nv),
        timeout: durationArb,
        attempts: fc.integer({ min: 1, max: 5 }),
        perTryTimeout: durationArb,
        retryOn: retryOnArb,
      });
    return fc.record({
      name: fc.constant(name),
      versions: fc.constant(versions),
      rules: fc.integer({ min: 1, max: 3 }).chain((nr) => fc.tuple(...Array.from({ length: nr }, (_, i) => rule(i, i === nr - 1)))),
      maxConnections: fc.integer({ min: 1, max: 10000 }),
      outlier: fc.option(
        fc.record({
          consecutive5xxErrors: fc.integer({ min: 1, max: 100 }),
          interval: durationArb,
          baseEjectionTime: durationArb,
          maxEjectionPercent: fc.integer({ min: 0, max: 100 }),
          minHealthPercent: fc.integer({ min: 0, max: 100 }),
        }),
        { nil: undefined },
      ),
      strict: fc.boolean(),
      methods: fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1, maxLength: 3 }),
    }) as fc.Arbitrary<ServiceSpec>;
  });
}

/** Renders one service's intent as manifests in namespace `ns`; `callers` are the services allowed in. */
export function renderService(ns: string, s: ServiceSpec, callers: string[]): any[] {
  const out: any[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: s.name, namespace: ns } },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: ns },
      spec: { selector: { app: s.name }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
    },
  ];
  for (const v of s.versions) {
    const labels = { app: s.name, version: v };
    out.push({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${s.name}-${v}`, namespace: ns, labels },
      spec: {
        replicas: 2, selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { serviceAccountName: s.name, containers: [{ name: s.name, image: `example/${s.name}:${v}`, ports: [{ containerPort: 8080 }] }] } },
      },
    });
  }
  out.push({
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: s.name, namespace: ns },
    spec: {
      host: s.name,
      trafficPolicy: { connectionPool: { tcp: { maxConnections: s.maxConnections } }, ...(s.outlier ? { outlierDetection: s.outlier } : {}) },
      subsets: s.versions.map((v) => ({ name: v, labels: { version: v } })),
    },
  });
  out.push({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: s.name, namespace: ns },
    spec: {
      hosts: [s.name],
      http: s.rules.map((r) => ({
        ...(r.match ? { match: r.match } : {}),
        route: s.versions.map((v, i) => ({ destination: { host: s.name, subset: v }, weight: r.weights[i] })),
        timeout: r.timeout,
        retries: { attempts: r.attempts, perTryTimeout: r.perTryTimeout, retryOn: r.retryOn },
      })),
    },
  });
  if (s.strict) {
    out.push({
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: s.name, namespace: ns },
      spec: { selector: { matchLabels: { app: s.name } }, mtls: { mode: 'STRICT' } },
    });
  }
  if (callers.length) {
    out.push({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: s.name, namespace: ns },
      spec: {
        selector: { matchLabels: { app: s.name } },
        action: 'ALLOW',
        rules: [{
          from: [{ source: { principals: callers.map((c) => `cluster.local/ns/${ns}/sa/${c}`) } }],
          to: [{ operation: { methods: s.methods, paths: [`/api/${s.name}/*`], ports: ['8080'] } }],
          when: [{ key: 'request.headers[x-user-role]', notValues: ['guest'] }],
        }],
      },
    });
  }
  return out;
}

/** A valid deployable set of 1..4 services in one injected namespace, plus mesh-wide resources. */
export function validMeshSet(): fc.Arbitrary<any[]> {
  return fc
    .record({
      ns: dnsLabel.map((n) => `ns-${n}`),
      names: fc.uniqueArray(dnsLabel.map((n) => `svc-${n}`), { minLength: 1, maxLength: 4 }),
      sampling: fc.integer({ min: 0, max: 100 }),
    })
    .chain(({ ns, names, sampling }) =>
      fc.tuple(...names.map(serviceSpec)).chain((specs) =>
        fc.tuple(...specs.map(() => fc.subarray(names))).map((callerSets) => [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio-injection': 'enabled' } } },
          { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } } },
          { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: {} },
          {
            apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' },
            spec: { tracing: [{ randomSamplingPercentage: sampling, customTags: { user_id: { header: { name: 'x-user-id' } } } }] },
          },
          ...specs.flatMap((s, i) => renderService(ns, s, callerSets[i])),
        ]),
      ),
    );
}

/** A mutation that breaks exactly one field, and the field path the error must name. */
export interface Mutation {
  readonly name: string;
  /** Applies the mutation in place; returns the field path (as reported) or undefined when it does not apply. */
  readonly apply: (objects: any[]) => { kind: string; field: string } | undefined;
}

const find = (objects: any[], kind: string) => objects.find((o) => o.kind === kind);

/** Single-field mutations, each of which Istio or the API server rejects. */
export const MUTATIONS: readonly Mutation[] = [
  { name: 'retryOn with a space', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].retries.retryOn = '5xx, reset'; return { kind: 'VirtualService', field: 'spec.http[0].retries.retryOn' }; } },
  { name: 'unknown retryOn token', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].retries.retryOn = 'boom'; return { kind: 'VirtualService', field: 'spec.http[0].retries.retryOn' }; } },
  { name: 'sub-millisecond timeout', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].timeout = '500us'; return { kind: 'VirtualService', field: 'spec.http[0].timeout' }; } },
  { name: 'negative weight', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].route[0].weight = -1; return { kind: 'VirtualService', field: 'spec.http[0].route[0].weight' }; } },
  { name: 'subset name not a label', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].route[0].destination.subset = 'V_1'; return { kind: 'VirtualService', field: 'spec.http[0].route[0].destination.subset' }; } },
  { name: 'destination port 0', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].route[0].destination.port = { number: 0 }; return { kind: 'VirtualService', field: 'spec.http[0].route[0].destination.port.number' }; } },
  { name: 'lookahead regex', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].match = [{ uri: { regex: '^(?!admin).*' } }]; return { kind: 'VirtualService', field: 'spec.http[0].match[0].uri.regex' }; } },
  { name: 'unknown field', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].retry = { attempts: 1 }; return { kind: 'VirtualService', field: 'spec.http[0].retry' }; } },
  { name: 'duplicate subset', apply: (o) => { const dr = find(o, 'DestinationRule'); dr.spec.subsets.push({ ...dr.spec.subsets[0] }); return { kind: 'DestinationRule', field: `spec.subsets[${dr.spec.subsets.length - 1}].name` }; } },
  { name: 'ejection percent over 100', apply: (o) => { const dr = find(o, 'DestinationRule'); dr.spec.trafficPolicy.outlierDetection = { maxEjectionPercent: 101 }; return { kind: 'DestinationRule', field: 'spec.trafficPolicy.outlierDetection.maxEjectionPercent' }; } },
  { name: 'negative maxConnections', apply: (o) => { const dr = find(o, 'DestinationRule'); dr.spec.trafficPolicy.connectionPool.tcp.maxConnections = -5; return { kind: 'DestinationRule', field: 'spec.trafficPolicy.connectionPool.tcp.maxConnections' }; } },
  { name: 'empty method', apply: (o) => { const ap = o.find((x) => x.kind === 'AuthorizationPolicy' && x.spec.rules); if (!ap) return undefined; ap.spec.rules[0].to[0].operation.methods = ['']; return { kind: 'AuthorizationPolicy', field: 'spec.rules[0].to[0].operation.methods[0]' }; } },
  { name: 'port "*"', apply: (o) => { const ap = o.find((x) => x.kind === 'AuthorizationPolicy' && x.spec.rules); if (!ap) return undefined; ap.spec.rules[0].to[0].operation.ports = ['*']; return { kind: 'AuthorizationPolicy', field: 'spec.rules[0].to[0].operation.ports[0]' }; } },
  { name: 'unknown when key', apply: (o) => { const ap = o.find((x) => x.kind === 'AuthorizationPolicy' && x.spec.rules); if (!ap) return undefined; ap.spec.rules[0].when[0].key = 'request.body'; return { kind: 'AuthorizationPolicy', field: 'spec.rules[0].when[0].key' }; } },
  { name: 'unknown principal', apply: (o) => { const ap = o.find((x) => x.kind === 'AuthorizationPolicy' && x.spec.rules); if (!ap) return undefined; ap.spec.rules[0].from[0].source.principals = ['cluster.local/ns/nowhere/sa/ghost']; return { kind: 'AuthorizationPolicy', field: 'spec.rules[0].from[0].source.principals[0]' }; } },
  { name: 'bad mTLS mode', apply: (o) => { const pa = find(o, 'PeerAuthentication'); pa.spec.mtls.mode = 'ON'; return { kind: 'PeerAuthentication', field: 'spec.mtls.mode' }; } },
  { name: 'sampling over 100', apply: (o) => { const t = find(o, 'Telemetry'); t.spec.tracing[0].randomSamplingPercentage = 100.5; return { kind: 'Telemetry', field: 'spec.tracing[0].randomSamplingPercentage' }; } },
  { name: 'replicas as a string', apply: (o) => { const d = find(o, 'Deployment'); d.spec.replicas = 'three'; return { kind: 'Deployment', field: 'spec.replicas' }; } },
  { name: 'subset that does not exist', apply: (o) => { const vs = find(o, 'VirtualService'); vs.spec.http[0].route[0].destination.subset = 'v9'; return { kind: 'VirtualService', field: 'spec.http[0].route[0].destination.subset' }; } },
  { name: 'bad namespace name', apply: (o) => { const sa = find(o, 'ServiceAccount'); sa.metadata.namespace = 'Not_A_Label'; return { kind: 'ServiceAccount', field: 'metadata.namespace' }; } },
];
