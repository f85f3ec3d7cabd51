/**
 * Seeded single-field mutations of synthesized manifests, each with the verdict the Kubernetes API
 * server (with Istio 1.30.3's CRDs, kubectl's strict field validation) and istiod's webhook would
 * give it, derived from the rule the mutation breaks (or keeps):
 * - CRD kinds: the pinned CRD's openAPIV3Schema, read here directly (types, enums, ranges, formats,
 *   required, preserve-unknown-fields), and istiod's pkg/config/validation rules by field;
 * - core kinds: Kubernetes' API types and pkg/apis/.../validation rules by field.
 *
 * A mutation is one change to one field (add an unknown field, change a type, a value out of range,
 * a bad enum, a duration, a regex, a name, a label, a duplicate, a deletion). `expect` is `reject`
 * when the rule forbids the result and `accept` when the change stays valid (the accepted ones
 * measure false positives). Each carries the family and the rule it tests.
 */
import { crdSchema } from '../../src/validation/schema-data';

export type Verdict = 'reject' | 'accept';
type Path = (string | number)[];

export interface Mutation {
  /** Stable id: kind/namespace/name, the path, the family and the new value. */
  readonly id: string;
  readonly family: string;
  /** The rule the mutation exercises, with its source. */
  readonly rule: string;
  readonly expect: Verdict;
  /** The field path of the change (`spec.http[0].timeout`). */
  readonly path: string;
  /** The mutated manifest (a deep copy). */
  readonly manifest: any;
}

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pathString(p: Path): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? (i ? `.${k}` : k) : `[${JSON.stringify(k)}]`)).join('');
}
/** The path with indexes as `[]` and map keys of free-form maps kept, for pattern matching. */
function shape(p: Path): string {
  return p.map((k, i) => (typeof k === 'number' ? '[]' : i ? `.${k}` : k)).join('');
}

function getAt(o: any, p: Path): any {
  return p.reduce((x, k) => (x === undefined || x === null ? undefined : x[k]), o);
}
function setAt(o: any, p: Path, v: any): void {
  const parent = getAt(o, p.slice(0, -1));
  parent[p[p.length - 1]] = v;
}
function deleteAt(o: any, p: Path): void {
  const parent = getAt(o, p.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1);
  else delete parent[p[p.length - 1]];
}

/** The CRD schema node at a path, or undefined when the path leaves the schema (free-form). */
function schemaAt(root: any, p: Path): any {
  let n = root;
  for (const k of p) {
    if (!n) return undefined;
    if (n['x-kubernetes-preserve-unknown-fields'] && !n.properties && !n.items && !n.additionalProperties) return { free: true };
    if (typeof k === 'number') n = n.items;
    else if (n.properties?.[k]) n = n.properties[k];
    else if (n.additionalProperties && typeof n.additionalProperties === 'object') n = n.additionalProperties;
    else return undefined;
  }
  return n;
}

/** Whether the schema node rejects an unknown field (structural, not preserving unknown fields). */
function strictObject(n: any): boolean {
  return !!n && !!n.properties && !n['x-kubernetes-preserve-unknown-fields'] && n.additionalProperties === undefined;
}

/** Whether a JSON value fits a schema node's type (int-or-string, nullable, formats' ranges). */
function fitsType(n: any, v: unknown): boolean {
  if (!n || n.free) return true;
  if (n['x-kubernetes-int-or-string']) return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string';
  if (v === null) return !!n.nullable;
  switch (n.type) {
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return isObj(v);
    default: return true;
  }
}

/** Whether a number is within the node's range (minimum/maximum, int32/uint32 formats). */
function inRange(n: any, v: number): boolean {
  if (n?.minimum !== undefined && (n.exclusiveMinimum ? v <= n.minimum : v < n.minimum)) return false;
  if (n?.maximum !== undefined && (n.exclusiveMaximum ? v >= n.maximum : v > n.maximum)) return false;
  if (n?.type === 'integer' && n.format === 'int32' && (v < -2147483648 || v > 2147483647)) return false;
  if (n?.type === 'integer' && n.format === 'uint32' && (v < 0 || v > 4294967295)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Field knowledge for core kinds (Kubernetes 1.33) and istiod rules for CRD fields.

/** Free-form maps in core kinds (any key). */
const CORE_FREE_MAPS = /(^|\.)(labels|annotations|matchLabels|nodeSelector|data|binaryData|stringData|limits|requests)$|^spec\.selector$/;
/** Core int-or-string fields. */
/** Core quantity fields (string or number). */
const CORE_QUANTITY = /\.(limits|requests)\.[^.]+$/;

type Rule = { family: string; rule: string; values: [unknown, Verdict][] };

/** Per-field rules: istiod's for CRD kinds, the API server's for core kinds. */
function fieldRules(kind: string, group: string, sh: string, value: unknown): Rule[] {
  const rules: Rule[] = [];
  const add = (family: string, rule: string, values: [unknown, Verdict][]) => rules.push({ family, rule, values });
  const istio = group.endsWith('istio.io');
  const core = group === '' || group === 'apps';
  // Ports (agent.ValidatePort, IsValidPortNum).
  if (/(\.port\.number|\.ports\[\]\.(port|containerPort|targetPort|number)|\.containerPort|(httpGet|tcpSocket)\.port)$/.test(sh) && typeof value === 'number') {
    // A Service targetPort of 0 is unset: the API server defaults it to the port (SetDefaults_Service).
    const zero: Verdict = core && /\.targetPort$/.test(sh) ? 'accept' : 'reject';
    add('range', 'a port is 1..65535 (agent.ValidatePort, IsValidPortNum)', [[0, zero], [65536, 'reject'], [65535, 'accept'], [1, 'accept']]);
  }
  if (core && /\.(replicas|periodSeconds|initialDelaySeconds|timeoutSeconds|failureThreshold|revisionHistoryLimit|minReadySeconds)$/.test(sh)) {
    add('range', 'counts and probe seconds are non-negative (ValidateNonnegativeField)', [[-1, 'reject'], [3, 'accept']]);
  }
  if (istio && /\.route\[\]\.weight$/.test(sh)) add('range', 'a weight is non-negative (validateWeight)', [[-1, 'reject']]);
  if (istio && /\.retries\.attempts$/.test(sh)) add('range', 'attempts >= 0 (validateHTTPRetry)', [[-1, 'reject'], [5, 'accept']]);
  if (istio && /\.(maxConnections|http1MaxPendingRequests|http2MaxRequests|maxRequestsPerConnection|maxRetries)$/.test(sh)) {
    add('range', 'connection-pool counters are non-negative int32 (validateConnectionPool)', [[-1, 'reject'], [2147483648, 'reject'], [7, 'accept']]);
  }
  if (istio && /\.(maxEjectionPercent|minHealthPercent)$/.test(sh)) add('range', 'a percent is 0..100 (ValidatePercent)', [[101, 'reject'], [-1, 'reject'], [100, 'accept']]);
  if (istio && /\.(consecutive5xxErrors|consecutiveGatewayErrors)$/.test(sh)) add('range', 'a uint32 counter (schema uint32)', [[-1, 'reject'], [4294967296, 'reject'], [4294967295, 'accept']]);
  if (istio && /\.randomSamplingPercentage$/.test(sh)) add('range', 'a percentage is 0..100 (validateTelemetryTracing)', [[100.5, 'reject'], [-0.5, 'reject'], [0.01, 'accept']]);
  // Durations (agent.ValidateDuration; Flagger's CRD pattern).
  if (istio && typeof value === 'string' && /(Timeout|timeout|interval|Interval|EjectionTime|idleTimeout|backoff|fixedDelay)$/.test(sh)) {
    add('duration', 'a duration is Go syntax, >= 1ms, ms precision (agent.ValidateDuration)', [['10', 'reject'], ['0.5ms', 'reject'], ['1.0005s', 'reject'], ['-1s', 'reject'], ['1m30s', 'accept'], ['250ms', 'accept']]);
  }
  // Only where the CRD states the pattern (analysis.interval, webhooks[].timeout); service.timeout is a plain string.
  if (group === 'flagger.app' && /^spec\.analysis\.(interval|webhooks\[\]\.timeout)$/.test(sh) && typeof value === 'string') {
    add('duration', "Flagger's CRD pattern ^[0-9]+(m|s)", [['10', 'reject'], ['1.5m', 'reject'], ['90s', 'accept']]);
  }
  // Regex (validateStringMatch, RE2).
  if (istio && /\.regex$/.test(sh)) add('regex', 'a regex match is non-empty RE2 of at most 1024 characters', [['(?=a)b', 'reject'], ['', 'reject'], ['a'.repeat(1025), 'reject'], ['^[a-z]+$', 'accept']]);
  // Hosts (agent.ValidateWildcardDomain).
  if (istio && (/^spec\.hosts\[\]$/.test(sh) && kind === 'VirtualService' || /^spec\.host$/.test(sh) || /\.destination\.host$/.test(sh)) && typeof value === 'string') {
    add('host', 'a host is a wildcard domain (agent.ValidateWildcardDomain): a trailing dot and upper case are allowed', [['bad_host', 'reject'], ['a..b', 'reject'], ['x.*.local', 'reject'], [`${value}.`, 'accept'], [value.toUpperCase(), 'accept']]);
  }
  if (kind === 'Sidecar' && /\.egress\[\]\.hosts\[\]$/.test(sh)) {
    add('host', 'a Sidecar egress host is namespace/FQDN (ValidateNamespaceSlashWildcardHostname)', [['short', 'reject'], ['ns/short', 'reject'], ['ns/a.*.com', 'reject'], ['Other/x.example.com', 'accept'], ['*/api.example.com', 'accept']]);
  }
  // Subsets (validateSubsetName: Istio DNS label, either case).
  if (istio && /(\.destination\.subset|^spec\.subsets\[\]\.name)$/.test(sh) && typeof value === 'string') {
    add('name', 'a subset name is an Istio DNS label (labels.IsDNS1123Label allows upper case)', [['v_1', 'reject'], ['-v1', 'reject'], [value.toUpperCase(), 'accept']]);
  }
  // retryOn.
  if (istio && /\.retryOn$/.test(sh)) add('retryOn', 'retryOn tokens are policies or Go-known status codes, no spaces (validateHTTPRetry)', [['5xx, reset', 'reject'], ['5xx,599', 'reject'], ['server-error', 'reject'], ['5xx,503,gateway-error', 'accept']]);
  // AuthorizationPolicy values (security.go).
  if (kind === 'AuthorizationPolicy' && /\.operation\.paths\[\]$/.test(sh)) add('authz', 'path templates: no operator after {**} (CheckValidPathTemplate)', [['/a/{**}/{*}', 'reject'], ['/a/x{*}', 'reject'], ['', 'reject'], ['/a/{**}/b', 'accept'], ['/api/{*}/items', 'accept']]);
  if (kind === 'AuthorizationPolicy' && /\.operation\.methods\[\]$/.test(sh)) add('authz', 'values are non-empty (CheckEmptyValues)', [['', 'reject'], ['PURGE', 'accept']]);
  if (kind === 'AuthorizationPolicy' && /\.source\.principals\[\]$/.test(sh)) add('authz', 'values are non-empty (CheckEmptyValues)', [['', 'reject'], ['cluster.local/ns/other/sa/x', 'accept']]);
  if (kind === 'AuthorizationPolicy' && /\.operation\.ports\[\]$/.test(sh)) add('authz', 'ports are decimal <= 65535 (ValidatePorts)', [['*', 'reject'], ['70000', 'reject'], ['8443', 'accept']]);
  if (kind === 'AuthorizationPolicy' && /\.when\[\]\.key$/.test(sh)) add('authz', 'when keys are Istio attributes (ValidateAttribute)', [['request.method', 'reject'], ['request.headers[x', 'reject'], ['request.auth.claims[a][b]', 'accept']]);
  // Header names (ValidateHTTPHeaderNameOrJwtClaimRoute): renames a match key.
  // Names and labels (ObjectMeta).
  if (sh === 'metadata.name') {
    const vals: [unknown, Verdict][] = [['Bad_Name', 'reject'], ['x'.repeat(254), 'reject']];
    if (kind === 'Service') vals.push(['1svc', 'reject']);
    if (kind === 'Namespace' || kind === 'Service' || (kind === 'Gateway' && istio)) vals.push(['a.b', 'reject']);
    else vals.push(['a.b', 'accept']);
    add('name', 'metadata.name per kind (DNS subdomain; Service DNS-1035 label; Namespace and Istio Gateway DNS label)', vals);
  }
  if (/^metadata\.labels\.[^.]+$/.test(sh)) add('label', 'label values are <= 63 [A-Za-z0-9_.-], alphanumeric at the ends (IsValidLabelValue)', [['bad value', 'reject'], ['x'.repeat(64), 'reject'], ['-x', 'reject'], ['', 'accept'], ['v2.1_b', 'accept']]);
  // Quantities and requests vs limits.
  if (core && CORE_QUANTITY.test(sh) && typeof value === 'string') {
    const vals: [unknown, Verdict][] = [['1d', 'reject'], ['100c', 'reject'], ['1Y', 'reject'], ['-1', 'reject']];
    if (/\.limits\./.test(sh)) vals.push(['64Ti', 'accept']);
    add('quantity', 'quantities Kubernetes parses, non-negative (resource.ParseQuantity, ValidateResourceQuantityValue)', vals);
    if (/\.requests\./.test(sh)) add('quantity', 'a request does not exceed its limit (ValidateResourceRequirements)', [['100Ti', 'reject'], ['1m', 'accept']]);
  }
  // Core enums.
  if (core && /(\.protocol|^spec\.type|\.imagePullPolicy|\.restartPolicy|^spec\.strategy\.type|\.sessionAffinity)$/.test(sh) && typeof value === 'string') {
    add('enum', 'a Kubernetes enum value', [['Bogus', 'reject']]);
  }
  // Core IPs.
  if (kind === 'Service' && sh === 'spec.clusterIP') add('ip', 'clusterIP is "", None or an IP (ValidateService)', [['10.0.0.300', 'reject'], ['None', 'accept']]);
  return rules;
}

/** Additions: a field set where none was (one field). */
function additions(kind: string, group: string, m: any): { path: Path; value: unknown; family: string; rule: string; expect: Verdict }[] {
  const out: { path: Path; value: unknown; family: string; rule: string; expect: Verdict }[] = [];
  const push = (path: Path, value: unknown, family: string, rule: string, expect: Verdict) => {
    if (getAt(m, path.slice(0, -1)) !== undefined) out.push({ path, value, family, rule, expect });
  };
  if (kind === 'Service' && group === '') {
    push(['spec', 'externalIPs'], ['127.0.0.1'], 'ip', 'externalIPs may not be loopback (ValidateNonSpecialIP)', 'reject');
    push(['spec', 'externalIPs'], ['203.0.113.7'], 'ip', 'externalIPs are IPs (ValidateService)', 'accept');
    push(['spec', 'loadBalancerSourceRanges'], ['10.0.0.0/8'], 'ip', 'loadBalancerSourceRanges only with type LoadBalancer', 'reject');
    push(['spec', 'clusterIP'], '10.0.0.300', 'ip', 'clusterIP is "", None or an IP', 'reject');
    push(['spec', 'sessionAffinity'], 'ClientIP', 'enum', 'sessionAffinity None or ClientIP', 'accept');
  }
  if (kind === 'Deployment') {
    push(['spec', 'template', 'spec', 'hostAliases'], [{ ip: 'db', hostnames: ['db.local'] }], 'ip', 'hostAliases[].ip is an IP (ValidateHostAliases)', 'reject');
    push(['spec', 'template', 'spec', 'hostAliases'], [{ ip: '10.0.0.9', hostnames: ['db.local'] }], 'ip', 'hostAliases[].ip is an IP', 'accept');
    push(['spec', 'minReadySeconds'], -1, 'range', 'minReadySeconds >= 0', 'reject');
    push(['spec', 'template', 'spec', 'terminationGracePeriodSeconds'], -5, 'range', 'terminationGracePeriodSeconds >= 0', 'reject');
  }
  if (kind === 'AuthorizationPolicy' && Array.isArray(m.spec?.rules) && m.spec.rules.length) {
    const r = m.spec.rules[0];
    if (Array.isArray(r.from) && r.from.length) {
      push(['spec', 'rules', 0, 'from', 0, 'source', 'ipBlocks'], ['10.0.0.0/33'], 'ip', 'ipBlocks are IPs or CIDRs (security.ValidateIPs)', 'reject');
      push(['spec', 'rules', 0, 'from', 0, 'source', 'remoteIpBlocks'], ['example.com'], 'ip', 'remoteIpBlocks are IPs or CIDRs', 'reject');
      push(['spec', 'rules', 0, 'from', 0, 'source', 'notIpBlocks'], ['10.1.0.0/16', '2001:db8::1'], 'ip', 'notIpBlocks are IPs or CIDRs', 'accept');
    }
    push(['spec', 'rules', 0, 'when'], [{ key: 'source.ip', values: ['1.2.3'] }], 'ip', 'source.ip conditions are IPs (ValidateAttribute)', 'reject');
    push(['spec', 'rules', 0, 'when'], [{ key: 'request.auth.claims[groups]', values: ['admins'] }], 'authz', 'bracketed claim keys (ValidateAttribute)', 'accept');
    push(['spec', 'targetRef'], { kind: 'Deployment', group: 'apps', name: 'x' }, 'targetRef', 'targetRef kinds are Service, ServiceEntry, Gateway, GatewayClass (validatePolicyTargetReference)', 'reject');
  }
  if (kind === 'VirtualService' && Array.isArray(m.spec?.http)) {
    push(['spec', 'http', 0, 'mirrorPercentage'], { value: 150 }, 'range', 'mirrorPercentage is 0..100', 'reject');
    push(['spec', 'http', 0, 'corsPolicy'], { allowMethods: ['FETCH'] }, 'enum', 'CORS methods are Go net/http methods', 'reject');
    push(['spec', 'http', 0, 'fault'], {}, 'structure', 'a fault needs abort or delay (validateHTTPFaultInjection)', 'reject');
    push(['spec', 'http', 0, 'headers'], { response: { set: { host: 'x' } } }, 'header', 'the Host header cannot be set (ValidateHTTPHeaderOperationName)', 'reject');
    push(['spec', 'http', 0, 'headers'], { request: { set: { 'x-tenant': 'a%%b' } } }, 'header', 'header values with escaped % (ValidateHTTPHeaderValue)', 'accept');
  }
  if (kind === 'Sidecar' && group === 'networking.istio.io') {
    push(['spec', 'outboundTrafficPolicy'], { mode: 'REGISTRY_ONLY' }, 'structure', 'outboundTrafficPolicy REGISTRY_ONLY', 'accept');
  }
  if (kind === 'Telemetry' && Array.isArray(m.spec?.tracing) && m.spec.tracing.length) {
    push(['spec', 'tracing', 0, 'customTags'], { empty: {} }, 'structure', 'a custom tag {} is accepted (validateTelemetryTracing)', 'accept');
  }
  return out;
}

/** Every single-field mutation of one manifest. */
export function mutationsOf(m: any): Mutation[] {
  const out: Mutation[] = [];
  const group = typeof m.apiVersion === 'string' && m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
  const kind = m.kind;
  const crd = crdSchema(m.apiVersion, m.kind)?.schema;
  const core = !crd;
  const id = `${kind}/${m.metadata?.namespace ?? '-'}/${m.metadata?.name}`;
  const add = (path: Path, family: string, rule: string, expect: Verdict, change: (o: any) => void, label: string) => {
    const manifest = clone(m);
    change(manifest);
    out.push({ id: `${id} ${pathString(path)} ${family}: ${label}`, family, rule, expect, path: pathString(path), manifest });
  };

  const visit = (v: unknown, p: Path): void => {
    const sh = shape(p);
    // EnvoyFilter patch values are Envoy's API, mutated by the envoy family of their own.
    if (kind === 'EnvoyFilter' && /\.patch\.value/.test(sh)) return;
    const node = crd ? schemaAt(crd, p) : undefined;
    const freeForm = crd ? !node || node.free : CORE_FREE_MAPS.test(shape(p.slice(0, -1))) || CORE_FREE_MAPS.test(sh);
    if (isObj(v)) {
      // Unknown fields (kubectl --validate=strict; CRD structural schema; Kubernetes API types).
      if (p.length > 0 && !freeForm) {
        let expect: Verdict = 'reject';
        if (crd && p[0] !== 'metadata' && !strictObject(node)) {
          // A map: the new entry must fit its value schema; preserve-unknown objects take anything.
          expect = node?.additionalProperties && typeof node.additionalProperties === 'object' ? (fitsType(node.additionalProperties, 'x') ? 'accept' : 'reject') : 'accept';
        }
        add([...p, 'xUnknownField'], 'unknown-field', 'kubectl strict field validation rejects unknown fields', expect, (o) => { getAt(o, p).xUnknownField = 'x'; }, 'xUnknownField');
      }
      for (const [k, c] of Object.entries(v)) visit(c, [...p, k]);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((c, i) => visit(c, [...p, i]));
      return;
    }
    if (p.length === 0 || p[0] === 'apiVersion' || p[0] === 'kind') return;
    // Wrong types.
    if (!freeForm || (p[0] === 'metadata' && (p[1] === 'labels' || p[1] === 'annotations'))) {
      const alt = typeof v === 'string' ? 12345 : typeof v === 'number' ? 'abc' : typeof v === 'boolean' ? 'yes' : undefined;
      if (alt !== undefined) {
        let expect: Verdict = 'reject';
        if (crd && p[0] !== 'metadata') expect = fitsType(node, alt) ? 'accept' : 'reject';
        if (core) {
          // int-or-string ports: "abc" is a valid IANA port name, 12345 a valid port.
          if (/(targetPort|(httpGet|tcpSocket)\.port)$/.test(sh)) expect = 'accept';
          // int-or-percent: 12345 is a valid count, "abc" no percent.
          if (/(maxUnavailable|maxSurge|minAvailable)$/.test(sh)) expect = typeof alt === 'number' ? 'accept' : 'reject';
          // Quantities take JSON numbers.
          if (CORE_QUANTITY.test(sh) && typeof alt === 'number') expect = 'accept';
        }
        add(p, 'type', 'values have the declared type (schema)', expect, (o) => setAt(o, p, alt), JSON.stringify(alt));
      }
      // Bad enum (CRD enums).
      if (crd && node?.enum && typeof v === 'string') {
        add(p, 'enum', `an enum of the CRD (${node.enum.slice(0, 4).join(', ')}...)`, 'reject', (o) => setAt(o, p, 'BOGUS_VALUE'), '"BOGUS_VALUE"');
      }
      // CRD numeric ranges from the schema.
      if (crd && typeof v === 'number' && (node?.minimum !== undefined || node?.maximum !== undefined || node?.format === 'int32' || node?.format === 'uint32')) {
        const probes = [node.minimum !== undefined ? node.minimum - 1 : undefined, node.maximum !== undefined ? node.maximum + 1 : undefined, node.format === 'int32' ? 2147483648 : undefined, node.format === 'uint32' ? -1 : undefined]
          .filter((x): x is number => x !== undefined);
        for (const n of probes) {
          if (Number.isInteger(v) && !Number.isInteger(n)) continue;
          add(p, 'range', 'the CRD schema range (minimum, maximum, int32/uint32)', inRange(node, n) ? 'accept' : 'reject', (o) => setAt(o, p, n), String(n));
        }
      }
    }
    for (const r of fieldRules(kind, group, sh, v)) {
      for (const [nv, expect] of r.values) {
        if (nv === v) continue;
        add(p, r.family, r.rule, expect, (o) => setAt(o, p, nv), JSON.stringify(nv).slice(0, 40));
      }
    }
  };
  visit(m, []);

  // Deletions of required fields.
  const required = (path: Path, rule: string, expect: Verdict = 'reject') => {
    if (getAt(m, path) !== undefined) add(path, 'required', rule, expect, (o) => deleteAt(o, path), 'deleted');
  };
  required(['metadata', 'name'], 'metadata.name is required');
  if (crd) {
    const walkRequired = (n: any, p: Path, v: any) => {
      if (!n || !isObj(v)) return;
      for (const r of n.required ?? []) if (v[r] !== undefined) required([...p, r], 'a field the CRD schema requires');
      for (const [k, c] of Object.entries(v)) {
        if (n.properties?.[k]) {
          const cn = n.properties[k];
          if (Array.isArray(c) && cn.items) c.forEach((x, i) => walkRequired(cn.items, [...p, k, i], x));
          else walkRequired(cn, [...p, k], c);
        }
      }
    };
    walkRequired(crd, [], m);
  }
  if (kind === 'DestinationRule') required(['spec', 'host'], 'a DestinationRule needs a host');
  if (kind === 'Deployment') {
    required(['spec', 'selector'], 'a Deployment needs a selector');
    required(['spec', 'template', 'spec', 'containers', 0, 'image'], 'a container needs an image');
    const c = m.spec?.template?.spec?.containers?.[0];
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      for (const h of ['httpGet', 'tcpSocket', 'exec', 'grpc']) required(['spec', 'template', 'spec', 'containers', 0, probe, h], 'a probe needs exactly one handler (validateHandler)');
      if (c?.[probe]) add(['spec', 'template', 'spec', 'containers', 0, probe, 'periodSeconds'], 'range', 'probe seconds are non-negative', 'reject', (o) => { o.spec.template.spec.containers[0][probe].periodSeconds = -10; }, '-10');
    }
    // Selector/label agreement.
    const sel = m.spec?.selector?.matchLabels ?? {};
    for (const k of Object.keys(sel)) {
      add(['spec', 'template', 'metadata', 'labels', k], 'selector', 'the selector must match the template labels (ValidateDeploymentSpec)', 'reject', (o) => { o.spec.template.metadata.labels[k] = `${sel[k]}-other`; }, 'changed');
    }
    for (const k of Object.keys(m.spec?.template?.metadata?.labels ?? {})) {
      if (!(k in sel)) add(['spec', 'template', 'metadata', 'labels', k], 'selector', 'a template label outside the selector may change', 'accept', (o) => { o.spec.template.metadata.labels[k] = 'changed'; }, 'changed');
    }
    // Duplicates and empties.
    if (c) add(['spec', 'template', 'spec', 'containers'], 'duplicate', 'container names are unique', 'reject', (o) => o.spec.template.spec.containers.push(clone(c)), 'duplicate container');
    if (c?.env?.length) add(['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'name'], 'required', 'an env var needs a name', 'reject', (o) => { o.spec.template.spec.containers[0].env[0].name = ''; }, '""');
    if (c?.ports?.length) {
      add(['spec', 'template', 'spec', 'containers', 0, 'ports'], 'duplicate', 'named container ports are unique', 'reject', (o) => o.spec.template.spec.containers[0].ports.push({ ...clone(c.ports[0]), name: c.ports[0].name ?? 'http', containerPort: 9999 }), 'duplicate port name');
    }
  }
  if (kind === 'Service' && group === '') {
    const ports = m.spec?.ports ?? [];
    if (ports.length) {
      add(['spec', 'ports'], 'duplicate', 'Service port names and port/protocol pairs are unique', 'reject', (o) => o.spec.ports.push(clone(ports[0])), 'duplicate port');
      add(['spec', 'ports'], 'required', 'with several ports each port needs a name', 'reject', (o) => o.spec.ports.push({ port: 9999, targetPort: 9999 }), 'unnamed second port');
      add(['spec', 'ports'], 'duplicate', 'a second, distinct named port is fine', 'accept', (o) => o.spec.ports.push({ name: 'metrics', port: 9090, targetPort: 9090 }), 'second port');
    }
  }
  if (kind === 'DestinationRule' && m.spec?.subsets?.length) {
    add(['spec', 'subsets'], 'duplicate', 'subset names are unique (ValidateDestinationRule)', 'reject', (o) => o.spec.subsets.push(clone(m.spec.subsets[0])), 'duplicate subset');
  }
  if (kind === 'VirtualService' && m.spec?.hosts?.length) {
    add(['spec', 'hosts'], 'duplicate', 'hosts do not overlap (ValidateVirtualService)', 'reject', (o) => o.spec.hosts.push(m.spec.hosts[0]), 'duplicate host');
  }
  if (kind === 'VirtualService') {
    (m.spec?.http ?? []).forEach((h: any, i: number) => (h.match ?? []).forEach((mt: any, j: number) => {
      for (const name of Object.keys(mt.headers ?? {})) {
        const rename = (to: string) => (o: any) => {
          const hs = o.spec.http[i].match[j].headers;
          hs[to] = hs[name];
          delete hs[name];
        };
        add(['spec', 'http', i, 'match', j, 'headers', name], 'header', 'a header match name is an RFC 7230 token (ValidateHTTPHeaderNameOrJwtClaimRoute)', 'reject', rename('x canary'), 'x canary');
        add(['spec', 'http', i, 'match', j, 'headers', name], 'header', 'pseudo-headers are valid header match names', 'accept', rename(':authority'), ':authority');
      }
    }));
    (m.spec?.http ?? []).forEach((h: any, i: number) => {
      if ((h.route ?? []).length > 1) {
        add(['spec', 'http', i, 'route'], 'range', 'several destinations cannot all weigh 0 (validateHTTPRouteDestinations)', 'reject', (o) => o.spec.http[i].route.forEach((r: any) => { r.weight = 0; }), 'all weights 0');
      }
      if (h.retries) add(['spec', 'http', i, 'retries', 'attempts'], 'retryOn', 'attempts 0 with retryOn set (validateHTTPRetry)', h.retries.retryOn || h.retries.perTryTimeout ? 'reject' : 'accept', (o) => { o.spec.http[i].retries.attempts = 0; }, '0');
    });
  }
  if (kind === 'EnvoyFilter') out.push(...envoyMutations(m, id));
  for (const a of additions(kind, group, m)) {
    add(a.path, a.family, a.rule, a.expect, (o) => setAt(o, a.path, a.value), JSON.stringify(a.value).slice(0, 40));
  }
  return out;
}

/**
 * Envoy API rules for the fields our EnvoyFilters carry, read from Envoy's protos
 * (envoy/type/v3/token_bucket.proto, http_status.proto, percent.proto, config/core/v3/base.proto,
 * extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto,
 * extensions/common/ratelimit/v3/ratelimit.proto, config/route/v3/route_components.proto) and the
 * legacy jsonpb decoder istiod uses: each key → the values to try and the verdict.
 */
const ENVOY_FIELD_RULES: Record<string, [unknown, Verdict, string][]> = {
  fill_interval: [['10', 'reject', 'a Duration Go parses (jsonpb)'], ['0s', 'reject', 'PGV duration gt 0'], ['10ms', 'reject', 'local rate limit fill interval >= 50ms (Envoy code)'], [5, 'reject', 'a Duration is a string'], ['1.5s', 'accept', 'Go duration'], ['250ms', 'accept', 'Go duration']],
  max_tokens: [[0, 'reject', 'PGV uint32 gt 0'], [-1, 'reject', 'uint32 range'], [4294967296, 'reject', 'uint32 range'], [1.5, 'reject', 'an integer'], ['30', 'accept', 'a quoted integer (jsonpb trimQuote)'], [1000, 'accept', 'uint32']],
  tokens_per_fill: [[0, 'reject', 'PGV UInt32Value gt 0'], ['x', 'reject', 'an integer'], [10, 'accept', 'uint32']],
  stat_prefix: [['', 'reject', 'PGV string min_len 1'], [123, 'reject', 'a string'], ['other_prefix', 'accept', 'a string']],
  code: [['TooMany', 'reject', 'StatusCode enum names (jsonpb)'], [7777, 'reject', 'PGV enum defined_only'], [0, 'reject', 'PGV enum not_in 0'], ['ServiceUnavailable', 'accept', 'a StatusCode'], [429, 'accept', 'a defined StatusCode number']],
  denominator: [['PERCENT', 'reject', 'DenominatorType enum names'], ['MILLION', 'accept', 'a DenominatorType']],
  numerator: [[-1, 'reject', 'uint32 range'], [50, 'accept', 'uint32']],
  append_action: [['APPEND', 'reject', 'HeaderAppendAction enum names'], ['ADD_IF_ABSENT', 'accept', 'a HeaderAppendAction']],
  key: [['', 'reject', 'PGV string min_len 1'], ['x-other', 'accept', 'a header name / descriptor key']],
  always_consume_default_token_bucket: [['yes', 'reject', 'a BoolValue is a boolean'], [true, 'accept', 'a boolean']],
  descriptor_value: [['', 'reject', 'PGV string min_len 1'], ['other', 'accept', 'a string']],
  expect_match: [['no', 'reject', 'a BoolValue is a boolean'], [false, 'accept', 'a boolean']],
  prefix: [['', 'reject', 'PGV StringMatcher prefix min_len 1'], ['/api', 'accept', 'a prefix']],
  runtime_key: [[7, 'reject', 'a string'], ['other_key', 'accept', 'a string']],
  '@type': [['type.googleapis.com/envoy.config.filter.http.local_rate_limit.v2.LocalRateLimit', 'reject', 'a type istiod resolves (no v2)'], ['type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope', 'reject', 'a type istiod resolves']],
};

function envoyMutations(m: any, id: string): Mutation[] {
  const out: Mutation[] = [];
  (m.spec?.configPatches ?? []).forEach((cp: any, i: number) => {
    const base: Path = ['spec', 'configPatches', i, 'patch', 'value'];
    const merge = cp.patch?.operation === 'MERGE';
    const visit = (v: unknown, p: Path) => {
      if (isObj(v)) {
        const mutated = clone(m);
        getAt(mutated, p).xUnknownField = 'x';
        // Struct and TypedStruct values take anything; our patches have none.
        out.push({ id: `${id} ${pathString([...p, 'xUnknownField'])} envoy: unknown field`, family: 'envoy', rule: 'unknown fields are dropped by istiod (strict decoding warns)', expect: 'reject', path: pathString(p), manifest: mutated });
        for (const [k, c] of Object.entries(v)) visit(c, [...p, k]);
        return;
      }
      if (Array.isArray(v)) {
        v.forEach((c, j) => visit(c, [...p, j]));
        return;
      }
      const key = String(p[p.length - 1]);
      for (const [nv, expect, rule] of ENVOY_FIELD_RULES[key] ?? []) {
        if (nv === v) continue;
        const mutated = clone(m);
        setAt(mutated, p, nv);
        out.push({ id: `${id} ${pathString(p)} envoy: ${JSON.stringify(nv)}`, family: 'envoy', rule, expect, path: pathString(p), manifest: mutated });
      }
      // Deleting a field: a complete value loses it (PGV rules on absent fields); a MERGE value stays valid.
      if (['max_tokens', 'stat_prefix', 'fill_interval'].includes(key)) {
        const mutated = clone(m);
        deleteAt(mutated, p);
        out.push({ id: `${id} ${pathString(p)} envoy: deleted`, family: 'envoy', rule: 'PGV rules apply to absent scalars and required messages', expect: merge ? 'accept' : 'reject', path: pathString(p), manifest: mutated });
      }
    };
    visit(cp.patch?.value, base);
  });
  return out;
}
