import { cidrMatch, labelsMatch, normalizeHeaders, policyPathMatch, policyValueMatch, SimulatorError } from './match';
import { IndexedObject, MeshModel, Workload } from './model';
import { AuthzRequest, AuthzResult } from './types';

/** The attributes of one request, as the destination's proxy sees them. */
interface Attributes {
  /** The caller's principal; `''` for a plaintext caller. */
  readonly principal: string;
  /** The caller's namespace, derived from the principal; `''` for a plaintext caller. */
  readonly namespace: string;
  /** `<ns>/<sa>` derived from the principal; `''` for a plaintext caller. */
  readonly serviceAccount: string;
  readonly trustDomain: string;
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly headers: Record<string, string>;
  readonly sourceIp?: string;
  readonly requestPrincipal?: string;
  readonly tcp: boolean;
}

type Action = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/** A mismatch explanation, or undefined when the condition matches. */
type Why = string | undefined;

/**
 * Decides one request under istio-rules.md §3: PeerAuthentication first (STRICT rejects plaintext),
 * then CUSTOM → DENY → (no ALLOW applies → allow) → a matching ALLOW → allow → deny. A Service with
 * several workloads is allowed only when every workload allows; the first denial is reported.
 */
export function authorizeRequest(model: MeshModel, request: AuthzRequest): AuthzResult {
  if (!request || typeof request.to !== 'string' || request.to === '') throw new SimulatorError('authz request: to is required, e.g. payment-service.production');
  if (!request.plaintext && !request.fromPrincipal) throw new SimulatorError('authz request: give fromPrincipal (an mTLS caller) or plaintext: true');
  if (request.plaintext && request.fromPrincipal) throw new SimulatorError('authz request: fromPrincipal and plaintext exclude each other');
  const fqdn = model.fqdn(request.to);
  const svc = model.serviceOfHost(fqdn);
  if (!svc) throw new SimulatorError(`authz request: no Service for ${request.to} (${fqdn}) in the manifests`);
  let workloads = model.workloadsOfService(svc);
  if (request.workload !== undefined) workloads = workloads.filter((w) => w.name === request.workload);
  if (workloads.length === 0) {
    if (request.workload !== undefined) throw new SimulatorError(`authz request: Service ${svc.namespace}/${svc.name} selects no workload named ${request.workload}`);
    // No pod template in the manifests: judge by the labels the Service selects.
    workloads = [{ ...svc, kind: 'Service', labels: { ...(svc.spec.selector ?? {}) }, serviceAccount: 'default' }];
  }
  const firstPort = (svc.spec.ports ?? [])[0];
  const port = request.port ?? (typeof firstPort?.targetPort === 'number' ? firstPort.targetPort : firstPort?.port);
  const tcp = request.tcp ?? (firstPort ? !isHttpPort(firstPort) : false);
  const results = workloads.map((w) => decideForWorkload(model, w, request, port, tcp));
  return results.find((r) => r.decision === 'DENY') ?? results[0];
}

function isHttpPort(p: any): boolean {
  const proto = String(p.appProtocol ?? p.name ?? '').toLowerCase();
  return /^(http|http2|https|grpc|grpc-web|h2c)(-|$)/.test(proto) || proto.startsWith('kubernetes.io/h2c');
}

/** Parses `<td>/ns/<ns>/sa/<sa>`. */
function parsePrincipal(p: string): { trustDomain: string; namespace: string; serviceAccount: string } | undefined {
  const m = /^(?:spiffe:\/\/)?([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[3] } : undefined;
}

function decideForWorkload(model: MeshModel, w: Workload, request: AuthzRequest, port: number | undefined, tcp: boolean): AuthzResult {
  const workload = `${w.namespace}/${w.name}`;
  const mtls = effectiveMtls(model, w, port);
  if (request.plaintext && mtls.mode === 'STRICT') {
    return {
      decision: 'DENY',
      policy: mtls.policy ?? null,
      kind: 'PeerAuthentication',
      reason: `${workload} is under STRICT mTLS (${mtls.policy ? `PeerAuthentication ${mtls.policy}` : 'default'}${mtls.portLevel ? `, port ${port}` : ''}): the plaintext connection is rejected before authorization runs`,
      workload,
      mtls: mtls.mode,
    };
  }
  // With DISABLE, the client sidecar's auto-mTLS sends plaintext: the workload sees no principal.
  const asPlaintext = request.plaintext === true || mtls.mode === 'DISABLE';
  const parsed = asPlaintext ? undefined : parsePrincipal(request.fromPrincipal!);
  const attrs: Attributes = {
    principal: asPlaintext ? '' : request.fromPrincipal!,
    namespace: parsed?.namespace ?? '',
    serviceAccount: parsed ? `${parsed.namespace}/${parsed.serviceAccount}` : '',
    trustDomain: parsed?.trustDomain ?? '',
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    host: (request.host ?? request.to).toLowerCase(),
    port,
    headers: normalizeHeaders(request.headers),
    sourceIp: request.sourceIp,
    requestPrincipal: request.requestPrincipal,
    tcp,
  };
  const note = mtls.mode === 'DISABLE' && !request.plaintext ? ' (mTLS is DISABLEd for this workload, so the caller arrives as plaintext: no principal)' : '';
  const policies = applicablePolicies(model, w);
  const audit = policies.filter((p) => action(p) === 'AUDIT' && firstMatchingRule(p, attrs, 'DENY').index !== undefined).map(id);
  const base = { workload, mtls: mtls.mode, ...(audit.length ? { audit } : {}) };

  for (const p of policies.filter((x) => action(x) === 'CUSTOM')) {
    const m = firstMatchingRule(p, attrs, 'DENY');
    if (m.index === undefined) continue;
    const provider = String(p.spec.provider?.name ?? '');
    const verdict = request.customDecisions?.[provider] ?? 'DENY';
    if (verdict === 'DENY') {
      return { decision: 'DENY', policy: id(p), kind: 'AuthorizationPolicy', rule: m.index, reason: `CUSTOM policy ${id(p)} rule ${m.index} matches and sends the request to provider ${JSON.stringify(provider)}, taken to deny${request.customDecisions?.[provider] ? '' : ' (the simulator cannot ask it: pass customDecisions to change this)'}${note}`, ...base };
    }
  }
  for (const p of policies.filter((x) => action(x) === 'DENY')) {
    const m = firstMatchingRule(p, attrs, 'DENY');
    if (m.index !== undefined) {
      return { decision: 'DENY', policy: id(p), kind: 'AuthorizationPolicy', rule: m.index, reason: `DENY policy ${id(p)} rule ${m.index} matches${note}`, ...base };
    }
  }
  const allows = policies.filter((x) => action(x) === 'ALLOW');
  if (allows.length === 0) {
    return { decision: 'ALLOW', policy: null, reason: `no ALLOW policy applies to ${workload} and no CUSTOM or DENY policy matches, so the request is allowed${note}`, ...base };
  }
  const misses: string[] = [];
  for (const p of allows) {
    const m = firstMatchingRule(p, attrs, 'ALLOW');
    if (m.index !== undefined) {
      return { decision: 'ALLOW', policy: id(p), kind: 'AuthorizationPolicy', rule: m.index, reason: `ALLOW policy ${id(p)} rule ${m.index} matches${note}`, ...base };
    }
    misses.push(`${id(p)}: ${m.why}`);
  }
  return {
    decision: 'DENY',
    policy: null,
    reason: `ALLOW policies apply to ${workload} but none matches, so the request is denied${note}. ${misses.join('; ')}`,
    ...base,
  };
}

function id(p: IndexedObject): string {
  return `${p.namespace}/${p.name}`;
}

function action(p: IndexedObject): Action {
  const a = String(p.spec.action ?? 'ALLOW').toUpperCase();
  return (['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'].includes(a) ? a : 'ALLOW') as Action;
}

/**
 * AuthorizationPolicies that apply to a workload, sorted by namespace then name so that answers do
 * not depend on file order: policies in the root namespace (mesh-wide) and in the workload's
 * namespace, without selector or with a selector matching its labels; `targetRef(s)` naming its
 * Service or the waypoint it uses (enforced at the waypoint, in ambient mode).
 */
export function applicablePolicies(model: MeshModel, w: Workload): IndexedObject[] {
  const services = model.ofKind('Service').filter((s) => s.namespace === w.namespace && s.spec.selector && Object.keys(s.spec.selector).length > 0 && labelsMatch(s.spec.selector, w.labels));
  const out = model.ofKind('AuthorizationPolicy').filter((p) => {
    if (p.namespace !== model.rootNamespace && p.namespace !== w.namespace) return false;
    const refs: any[] = [...(p.spec.targetRef ? [p.spec.targetRef] : []), ...(Array.isArray(p.spec.targetRefs) ? p.spec.targetRefs : [])];
    if (refs.length > 0) return refs.some((r) => targetRefHits(model, r, p.namespace, services));
    // A root-namespace policy with a selector applies to matching workloads in every namespace.
    return labelsMatch(p.spec.selector?.matchLabels, w.labels);
  });
  return out.sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : a.namespace === model.rootNamespace ? -1 : b.namespace === model.rootNamespace ? 1 : cmp(a.namespace, b.namespace)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function targetRefHits(model: MeshModel, ref: any, policyNs: string, services: IndexedObject[]): boolean {
  const ns = ref?.namespace ?? policyNs;
  if (ref?.kind === 'Service' && (ref.group ?? '') === '') return services.some((s) => s.name === ref.name && s.namespace === ns);
  if (ref?.kind === 'Gateway') {
    return services.some((s) => {
      const waypoint = s.manifest.metadata?.labels?.['istio.io/use-waypoint'] ?? model.namespaceObject(s.namespace)?.manifest.metadata?.labels?.['istio.io/use-waypoint'];
      return waypoint === ref.name && s.namespace === ns;
    });
  }
  return false;
}

/** The first rule of `p` that matches, or why none does. `mode` picks the TCP rule for HTTP-only fields. */
function firstMatchingRule(p: IndexedObject, a: Attributes, mode: 'ALLOW' | 'DENY'): { index?: number; why: string } {
  const rules: any[] | undefined = Array.isArray(p.spec.rules) ? p.spec.rules : undefined;
  if (!rules || rules.length === 0) return { why: 'it has no rules, so it matches nothing' };
  const whys: string[] = [];
  for (let i = 0; i < rules.length; i++) {
    const why = ruleMismatch(rules[i] ?? {}, a, mode);
    if (why === undefined) return { index: i, why: '' };
    whys.push(`rule ${i}: ${why}`);
  }
  return { why: whys.join(', ') };
}

/** A rule matches when some `from`, some `to` and every `when` matches; absent parts match anything. */
function ruleMismatch(rule: any, a: Attributes, mode: 'ALLOW' | 'DENY'): Why {
  if (Array.isArray(rule.from)) {
    const whys = rule.from.map((f: any) => sourceMismatch(f?.source ?? {}, a, mode));
    if (!whys.includes(undefined)) return whys.join(' / ');
  }
  if (Array.isArray(rule.to)) {
    const whys = rule.to.map((t: any) => operationMismatch(t?.operation ?? {}, a, mode));
    if (!whys.includes(undefined)) return whys.join(' / ');
  }
  for (const c of Array.isArray(rule.when) ? rule.when : []) {
    const why = conditionMismatch(c ?? {}, a, mode);
    if (why !== undefined) return why;
  }
  return undefined;
}

/** Checks `field`/`notField` of one source or operation: some value matches, and no not-value does. */
function field(label: string, value: string | undefined, values: unknown, notValues: unknown, match: (pattern: string, v: string | undefined) => boolean): Why {
  const shown = value === undefined ? '(none)' : value === '' ? '(empty: plaintext)' : JSON.stringify(value);
  if (Array.isArray(values) && !values.some((p) => match(String(p), value))) return `${label} ${shown} is not in ${JSON.stringify(values)}`;
  if (Array.isArray(notValues) && notValues.some((p) => match(String(p), value))) return `${label} ${shown} is in not-list ${JSON.stringify(notValues)}`;
  return undefined;
}

const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];
const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];

/** On TCP traffic an ALLOW entry using an HTTP-only field never matches; a DENY entry ignores that field. */
function tcpGuard(entry: any, httpFields: string[], a: Attributes, mode: 'ALLOW' | 'DENY'): { drop: boolean; ignore: boolean } {
  const uses = a.tcp && httpFields.some((f) => entry[f] !== undefined);
  return { drop: uses && mode === 'ALLOW', ignore: uses && mode === 'DENY' };
}

function sourceMismatch(s: any, a: Attributes, mode: 'ALLOW' | 'DENY'): Why {
  const g = tcpGuard(s, HTTP_SOURCE_FIELDS, a, mode);
  if (g.drop) return 'requestPrincipals need HTTP, and this is TCP traffic';
  const exact = (p: string, v: string | undefined) => policyValueMatch(p, v);
  return (
    field('principal', a.principal, s.principals, s.notPrincipals, exact) ??
    field('namespace', a.namespace, s.namespaces, s.notNamespaces, exact) ??
    field('service account', a.serviceAccount, s.serviceAccounts, s.notServiceAccounts, exact) ??
    (g.ignore ? undefined : field('request principal', a.requestPrincipal, s.requestPrincipals, s.notRequestPrincipals, exact)) ??
    field('source ip', a.sourceIp, s.ipBlocks, s.notIpBlocks, cidrMatch) ??
    field('remote ip', a.sourceIp, s.remoteIpBlocks, s.notRemoteIpBlocks, cidrMatch)
  );
}

function operationMismatch(o: any, a: Attributes, mode: 'ALLOW' | 'DENY'): Why {
  const g = tcpGuard(o, HTTP_OPERATION_FIELDS, a, mode);
  if (g.drop) return 'hosts/methods/paths need HTTP, and this is TCP traffic';
  const exact = (p: string, v: string | undefined) => policyValueMatch(p, v);
  const host = (p: string, v: string | undefined) => policyValueMatch(p, v, true) || (v !== undefined && policyValueMatch(p, v.replace(/:\d+$/, ''), true));
  const port = a.port === undefined ? undefined : String(a.port);
  return (
    field('port', port, o.ports, o.notPorts, exact) ??
    (g.ignore
      ? undefined
      : field('host', a.host, o.hosts, o.notHosts, host) ??
        field('method', a.method, o.methods, o.notMethods, exact) ??
        field('path', a.path, o.paths, o.notPaths, policyPathMatch))
  );
}

function conditionMismatch(c: any, a: Attributes, mode: 'ALLOW' | 'DENY'): Why {
  const key = String(c.key ?? '');
  const header = /^request\.headers\[(.+)\]$/.exec(key);
  const httpOnly = key.startsWith('request.');
  if (a.tcp && httpOnly) return mode === 'ALLOW' ? `${key} needs HTTP, and this is TCP traffic` : undefined;
  let value: string | undefined;
  let match = (p: string, v: string | undefined) => policyValueMatch(p, v);
  if (header) value = a.headers[header[1].toLowerCase()];
  else if (key === 'source.principal') value = a.principal;
  else if (key === 'source.namespace') value = a.namespace;
  else if (key === 'source.serviceAccount') value = a.serviceAccount;
  else if (key === 'source.trustDomain') value = a.trustDomain;
  else if (key === 'request.auth.principal') value = a.requestPrincipal;
  else if (key === 'destination.port') value = a.port === undefined ? undefined : String(a.port);
  else if (key === 'source.ip' || key === 'remote.ip') {
    value = a.sourceIp;
    match = cidrMatch;
  } else value = undefined; // request.auth.claims, destination.ip, connection.sni: not modelled
  return field(`when ${key}`, value, c.values, c.notValues, match);
}

/** The effective mTLS mode of a workload port, and the PeerAuthentication that set it. */
export function effectiveMtls(model: MeshModel, w: Workload, port: number | undefined): { mode: string; policy?: string; portLevel?: boolean } {
  const pas = [...model.ofKind('PeerAuthentication')].sort((a, b) => cmp(a.name, b.name));
  const hasSelector = (p: IndexedObject) => p.spec.selector?.matchLabels && Object.keys(p.spec.selector.matchLabels).length > 0;
  const workloadLevel = pas.find((p) => p.namespace === w.namespace && hasSelector(p) && labelsMatch(p.spec.selector.matchLabels, w.labels));
  const nsLevel = pas.find((p) => p.namespace === w.namespace && !hasSelector(p));
  const meshLevel = pas.find((p) => p.namespace === model.rootNamespace && !hasSelector(p));
  // UNSET (or no mode) inherits from the next level up; the mesh default is PERMISSIVE.
  const chain = [workloadLevel, nsLevel, meshLevel].filter((p): p is IndexedObject => p !== undefined);
  if (workloadLevel && port !== undefined) {
    const portMode = modeOf(workloadLevel.spec.portLevelMtls?.[String(port)]?.mode);
    if (portMode) return { mode: portMode, policy: id(workloadLevel), portLevel: true };
  }
  for (const p of chain) {
    const mode = modeOf(p.spec.mtls?.mode);
    if (mode) return { mode, policy: id(p) };
  }
  return { mode: 'PERMISSIVE' };
}

function modeOf(mode: unknown): string | undefined {
  const m = typeof mode === 'string' ? mode.toUpperCase() : undefined;
  return m && m !== 'UNSET' ? m : undefined;
}
