import { labelsMatch } from '../rules/labels';
import { DRY_RUN_ANNOTATION, parseGoBool } from '../rules/annotations';
import { policyNamespaceMatch, policyPathMatch, policyValueMatch } from '../rules/authz-match';
import { cidrMatch, normalizeHeaders, SimulatorError } from './match';
import { capturedByAmbient, IndexedObject, list, ManifestIndex, Workload } from '../manifests';
import { isHttpOrSniffed, servicePortProtocol } from '../rules/protocol';
import { requestFqdn } from './request';
import { AuthzRequest, AuthzResult, ShadowDecision } from './types';
import { ZTUNNEL_HTTP_SOURCE_FIELDS, ztunnelWhenKey } from '../rules/authz';
import { codeUnitOrder } from '../private/order';
import { requestPath } from '../rules/http';

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
  readonly claims?: Record<string, unknown>;
  readonly sni?: string;
  readonly tcp: boolean;
  /**
   * Enforced by ztunnel: only the sources, ports and `when` keys istiod converts for ztunnel
   * (rules/authz.ts, `pilot/pkg/serviceregistry/ambient/authorization.go`) can match; a rule using
   * anything else never matches in an ALLOW policy and drops that part in a DENY policy.
   */
  readonly ztunnel?: boolean;
}

type Action = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/** A mismatch explanation, or undefined when the condition matches. */
type Why = string | undefined;

/**
 * Decides one request under istio-rules.md §3: PeerAuthentication first (STRICT rejects plaintext),
 * then CUSTOM → DENY → (no ALLOW applies → allow) → a matching ALLOW → allow → deny. A Service with
 * several workloads is allowed only when every workload allows; the first denial is reported.
 */
export function authorizeRequest(model: ManifestIndex, request: AuthzRequest): AuthzResult {
  if (!request || typeof request.to !== 'string' || request.to === '') throw new SimulatorError('authz request: to is required, e.g. payment-service.production');
  if (!request.plaintext && !request.fromPrincipal) throw new SimulatorError('authz request: give fromPrincipal (an mTLS caller) or plaintext: true');
  if (request.plaintext && request.fromPrincipal) throw new SimulatorError('authz request: fromPrincipal and plaintext exclude each other');
  const badPath = request.path === undefined ? undefined : requestPath(request.path);
  if (badPath) throw new SimulatorError(`authz request: path ${JSON.stringify(request.path)} is invalid: ${badPath}`);
  const fqdn = requestFqdn(model, request.to, undefined);
  const svc = model.serviceOfHost(fqdn);
  if (!svc) throw new SimulatorError(`authz request: no Service for ${request.to} (${fqdn}) in the manifests`);
  let workloads = model.workloadsOfService(svc);
  if (request.workload !== undefined) workloads = workloads.filter((w) => w.name === request.workload);
  if (workloads.length === 0) {
    if (request.workload !== undefined) throw new SimulatorError(`authz request: Service ${svc.namespace}/${svc.name} selects no workload named ${request.workload}`);
    // No pod template in the manifests: judge by the labels the Service selects.
    workloads = [serviceAsWorkload(svc)];
  }
  const firstPort = (svc.spec.ports ?? [])[0];
  const port = request.port ?? containerPort(firstPort, workloads[0]);
  // A port Istio does not route as HTTP (rules/protocol: not HTTP and not sniffed) carries TCP.
  const tcp = request.tcp ?? (firstPort ? !isHttpOrSniffed(servicePortProtocol(firstPort)) : false);
  const results = workloads.map((w) => decideForWorkload(model, w, request, port, tcp));
  return results.find((r) => r.decision === 'DENY') ?? results[0];
}

/** The container port a Service port sends to: a numeric targetPort, a named one looked up in the pod, else the port. */
function containerPort(servicePort: any, w: Workload): number | undefined {
  if (!servicePort) return undefined;
  const target = servicePort.targetPort;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  if (typeof target === 'string') {
    for (const c of list(w.podSpec.containers)) {
      const hit = list(c?.ports).find((p) => p?.name === target);
      if (hit) return hit.containerPort;
    }
  }
  return servicePort.port;
}

/** Parses `<td>/ns/<ns>/sa/<sa>`. */
function parsePrincipal(p: string): { trustDomain: string; namespace: string; serviceAccount: string } | undefined {
  const m = /^(?:spiffe:\/\/)?([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[3] } : undefined;
}

/** Where policies are enforced: a sidecar, the destination's ztunnel (L4 only), or a waypoint (L7). */
type Enforcer = 'sidecar' | 'ztunnel' | 'waypoint';

/** One enforcement point on the request's way in, with the policies it runs and what it sees. */
interface Stage {
  readonly enforcer: Enforcer;
  readonly policies: IndexedObject[];
  readonly attrs: Attributes;
  /** Prefix for reasons, e.g. that ztunnel sees the waypoint's identity. */
  readonly context: string;
}

function decideForWorkload(model: ManifestIndex, w: Workload, request: AuthzRequest, port: number | undefined, tcp: boolean): AuthzResult {
  const workload = `${w.namespace}/${w.name}`;
  const dp = dataPlaneOf(model, w);
  const written = effectiveMtls(model, w, port);
  // ztunnel does not support DISABLE: istiod treats it as PERMISSIVE for ambient workloads
  // (pilot/pkg/serviceregistry/ambient/authorization.go), and callers keep their HBONE identity.
  const mtls = dp.ambient && written.mode === 'DISABLE' ? { ...written, mode: 'PERMISSIVE' } : written;
  if (request.plaintext && mtls.mode === 'STRICT') {
    return {
      decision: 'DENY',
      policy: mtls.policy ?? null,
      kind: 'PeerAuthentication',
      reason: `${workload} is under STRICT mTLS (${mtls.policy ? `PeerAuthentication ${mtls.policy}` : 'default'}${mtls.portLevel ? `, port ${port}` : ''}): the plaintext connection is rejected before authorization runs`,
      workload,
      mtls: mtls.mode,
      enforcedBy: dp.ambient ? 'ztunnel' : 'sidecar',
    };
  }
  // With DISABLE (sidecars only), the client sidecar's auto-mTLS sends plaintext: the workload sees no principal.
  const asPlaintext = request.plaintext === true || mtls.mode === 'DISABLE';
  const caller = attributes(asPlaintext ? '' : request.fromPrincipal!, request, port, tcp);
  const note = mtls.mode === 'DISABLE' && !request.plaintext ? ' (mTLS is DISABLEd for this workload, so the caller arrives as plaintext: no principal)' : '';
  const stages: Stage[] = [];
  if (request.via !== undefined && request.via !== 'service' && request.via !== 'pod') {
    throw new SimulatorError(`authz request: via ${JSON.stringify(request.via)} must be 'service' or 'pod'`);
  }
  if (!dp.ambient) {
    stages.push({ enforcer: 'sidecar', policies: workloadPolicies(model, w), attrs: caller, context: '' });
  } else if (dp.waypoint && !asPlaintext && request.via !== 'pod') {
    const wp = dp.waypoint;
    stages.push({ enforcer: 'waypoint', policies: waypointPolicies(model, w, wp), attrs: caller, context: `at waypoint ${wp.namespace}/${wp.name}: ` });
    stages.push({
      enforcer: 'ztunnel',
      policies: workloadPolicies(model, w),
      attrs: { ...attributes(wp.principal, request, port, true), ztunnel: true },
      context: `ztunnel of ${workload} (L4 only) sees the waypoint's identity ${wp.principal}, not the caller's: `,
    });
  } else {
    const why = !dp.waypoint ? 'no waypoint, so policies with targetRefs are not enforced; '
      : asPlaintext ? 'a plaintext caller does not pass the waypoint; '
        : 'sent straight to a pod IP, so the waypoint and its policies are skipped; ';
    stages.push({ enforcer: 'ztunnel', policies: workloadPolicies(model, w), attrs: { ...caller, tcp: true, ztunnel: true }, context: `ztunnel of ${workload} (L4 only; ${why}HTTP-only fields cannot match): ` });
  }
  const audit = stages.flatMap((st) => enforced(st.policies).filter((p) => action(p) === 'AUDIT' && firstMatchingRule(p, st.attrs, 'DENY').index !== undefined).map(id));
  const shadow = stages.flatMap((st) => shadowDecisions(st));
  const base = { workload, mtls: mtls.mode, ...(audit.length ? { audit } : {}), ...(shadow.length ? { shadow } : {}) };
  let first: AuthzResult | undefined;
  for (const st of stages) {
    const r = evaluate({ ...st, policies: enforced(st.policies) }, request, workload, note, base);
    if (r.decision === 'DENY') return r;
    first = first ?? r;
  }
  return first!;
}

/**
 * Whether a policy is dry-run: annotation `istio.io/dry-run` true as Go's `strconv.ParseBool` reads it
 * (pilot/pkg/security/authz/builder/builder.go `isDryRun`; an unparseable value enforces the policy).
 */
export function isDryRun(p: IndexedObject): boolean {
  return parseGoBool(p.metadata.annotations?.[DRY_RUN_ANNOTATION] ?? '') === true;
}

/** The policies a proxy enforces: all but the dry-run ones. */
function enforced(policies: readonly IndexedObject[]): IndexedObject[] {
  return policies.filter((p) => !isDryRun(p));
}

/** The shadow rules of one enforcement point: per action, the first matching dry-run policy, or none. */
function shadowDecisions(st: Stage): ShadowDecision[] {
  const out: ShadowDecision[] = [];
  for (const act of ['CUSTOM', 'DENY', 'ALLOW'] as const) {
    const dry = st.policies.filter((p) => isDryRun(p) && action(p) === act);
    if (dry.length === 0) continue;
    const hit = dry.map((p) => ({ p, m: firstMatchingRule(p, st.attrs, act === 'ALLOW' ? 'ALLOW' : 'DENY') })).find((x) => x.m.index !== undefined);
    const decision = act === 'ALLOW' ? (hit ? 'ALLOW' : 'DENY') : hit ? 'DENY' : 'ALLOW';
    out.push({
      action: act,
      decision,
      policy: hit ? id(hit.p) : null,
      ...(hit ? { rule: hit.m.index } : {}),
      enforcedBy: st.enforcer,
      reason: hit
        ? `dry-run ${act} policy ${id(hit.p)} rule ${hit.m.index} matches: its shadow rules would ${decision === 'ALLOW' ? 'allow' : act === 'CUSTOM' ? 'send the request to the provider' : 'deny'} the request (logged, not enforced)`
        : `no dry-run ${act} policy (${dry.map(id).join(', ')}) matches: its shadow rules would ${decision === 'ALLOW' ? 'allow' : 'deny'} the request (logged, not enforced)`,
    });
  }
  return out;
}

/** The attributes of a request from `principal` (`''` for plaintext). */
function attributes(principal: string, request: AuthzRequest, port: number | undefined, tcp: boolean): Attributes {
  const parsed = principal ? parsePrincipal(principal) : undefined;
  return {
    principal,
    namespace: parsed?.namespace ?? '',
    serviceAccount: parsed ? `${parsed.namespace}/${parsed.serviceAccount}` : '',
    trustDomain: parsed?.trustDomain ?? '',
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    host: (request.host ?? request.to).toLowerCase(),
    port,
    headers: normalizeHeaders(request.headers),
    sourceIp: request.sourceIp,
    requestPrincipal: request.requestPrincipal ?? claimsPrincipal(request.claims),
    claims: request.claims,
    sni: request.sni?.toLowerCase(),
    tcp,
  };
}

/** CUSTOM → DENY → (no ALLOW applies → allow) → a matching ALLOW → allow → deny, at one enforcement point. */
function evaluate(st: Stage, request: AuthzRequest, workload: string, note: string, base: object): AuthzResult {
  const { policies, attrs, context } = st;
  const at = { enforcedBy: st.enforcer, ...base };
  for (const p of policies.filter((x) => action(x) === 'CUSTOM')) {
    const m = firstMatchingRule(p, attrs, 'DENY');
    if (m.index === undefined) continue;
    const provider = String(p.spec.provider?.name ?? '');
    const verdict = request.customDecisions?.[provider] ?? 'DENY';
    if (verdict === 'DENY') {
      return { decision: 'DENY', policy: id(p), kind: 'AuthorizationPolicy', rule: m.index, reason: `${context}CUSTOM policy ${id(p)} rule ${m.index} matches and sends the request to provider ${JSON.stringify(provider)}, taken to deny${request.customDecisions?.[provider] ? '' : ' (the simulator cannot ask it: pass customDecisions to change this)'}${note}`, ...at };
    }
  }
  for (const p of policies.filter((x) => action(x) === 'DENY')) {
    const m = firstMatchingRule(p, attrs, 'DENY');
    if (m.index !== undefined) {
      return { decision: 'DENY', policy: id(p), kind: 'AuthorizationPolicy', rule: m.index, reason: `${context}DENY policy ${id(p)} rule ${m.index} matches${note}`, ...at };
    }
  }
  const allows = policies.filter((x) => action(x) === 'ALLOW');
  if (allows.length === 0) {
    return { decision: 'ALLOW', policy: null, reason: `${context}no ALLOW policy applies to ${workload} and no CUSTOM or DENY policy matches, so the request is allowed${note}`, ...at };
  }
  const misses: string[] = [];
  for (const p of allows) {
    const m = firstMatchingRule(p, attrs, 'ALLOW');
    if (m.index !== undefined) {
      return { decision: 'ALLOW', policy: id(p), kind: 'AuthorizationPolicy', rule: m.index, reason: `${context}ALLOW policy ${id(p)} rule ${m.index} matches${note}`, ...at };
    }
    misses.push(`${id(p)}: ${m.why}`);
  }
  return {
    decision: 'DENY',
    policy: null,
    reason: `${context}ALLOW policies apply to ${workload} but none matches, so the request is denied${note}. ${misses.join('; ')}`,
    ...at,
  };
}

function id(p: IndexedObject): string {
  return `${p.namespace}/${p.name}`;
}

function action(p: IndexedObject): Action {
  const a = String(p.spec.action ?? 'ALLOW').toUpperCase();
  return (['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'].includes(a) ? a : 'ALLOW') as Action;
}

/** How a workload receives traffic: through its sidecar, or through ztunnel and maybe a waypoint (ambient). */
export interface DataPlaneOfWorkload {
  readonly ambient: boolean;
  /** The waypoint its Service (or namespace) uses, with the waypoint's own principal. */
  readonly waypoint?: { readonly name: string; readonly namespace: string; readonly principal: string };
}

/**
 * Ambient when istio-cni captures the pod (`capturedByAmbient`, stated once in src/manifests/data-plane.ts
 * with Istio's util/in_mesh.go: an ambient namespace or pod label, not `istio.io/dataplane-mode: none`,
 * and no sidecar), or a live pod already carries `ambient.istio.io/redirection: enabled`. The waypoint is named by `istio.io/use-waypoint` on the Service, else the pod, else the
 * namespace (`none` opts out); its principal is its ServiceAccount, named after the Gateway.
 */
export function dataPlaneOf(model: ManifestIndex, w: Workload): DataPlaneOfWorkload {
  const nsLabels: Record<string, string> = model.namespaceObject(w.namespace)?.manifest.metadata?.labels ?? {};
  if (w.podAnnotations['ambient.istio.io/redirection'] !== 'enabled' && !capturedByAmbient(model, w)) return { ambient: false };
  const svcLabels: Record<string, string> = servicesOf(model, w)[0]?.manifest.metadata?.labels ?? {};
  const name = svcLabels['istio.io/use-waypoint'] ?? w.labels['istio.io/use-waypoint'] ?? nsLabels['istio.io/use-waypoint'];
  if (!name || name === 'none') return { ambient: true };
  const namespace = svcLabels['istio.io/use-waypoint-namespace'] ?? w.labels['istio.io/use-waypoint-namespace'] ?? nsLabels['istio.io/use-waypoint-namespace'] ?? w.namespace;
  return { ambient: true, waypoint: { name, namespace, principal: `${model.trustDomain}/ns/${namespace}/sa/${name}` } };
}

function servicesOf(model: ManifestIndex, w: Workload): IndexedObject[] {
  return model
    .ofKind('Service')
    .filter((s) => s.namespace === w.namespace && s.spec.selector && Object.keys(s.spec.selector).length > 0 && labelsMatch(s.spec.selector, w.labels))
    .sort((a, b) => codeUnitOrder(a.name, b.name));
}

function targetRefsOf(p: IndexedObject): any[] {
  return [...(p.spec.targetRef ? [p.spec.targetRef] : []), ...(Array.isArray(p.spec.targetRefs) ? p.spec.targetRefs : [])];
}

/** Sorts policies root namespace first, then by namespace and name, so answers do not depend on file order. */
function sortPolicies(model: ManifestIndex, list: IndexedObject[]): IndexedObject[] {
  return list.sort((a, b) => (a.namespace === b.namespace ? codeUnitOrder(a.name, b.name) : a.namespace === model.rootNamespace ? -1 : b.namespace === model.rootNamespace ? 1 : codeUnitOrder(a.namespace, b.namespace)));
}

/**
 * Policies a workload's sidecar (or, in ambient, its ztunnel) enforces: those in the root namespace
 * (mesh-wide) and in the workload's namespace, without selector or with a selector matching its
 * labels, and without targetRef(s).
 */
export function workloadPolicies(model: ManifestIndex, w: Workload): IndexedObject[] {
  return sortPolicies(
    model,
    // A root-namespace policy with a selector applies to matching workloads in every namespace.
    [...new Set([model.rootNamespace, w.namespace])].flatMap((ns) => model.ofKindIn('AuthorizationPolicy', ns)).filter(
      (p) => targetRefsOf(p).length === 0 && labelsMatch(p.spec.selector?.matchLabels, w.labels),
    ),
  );
}

/**
 * Policies a waypoint enforces for requests to the workload's Service: `targetRefs` naming the
 * Service (kind Service, core group) or the waypoint Gateway, in their namespace.
 */
export function waypointPolicies(model: ManifestIndex, w: Workload, waypoint: { name: string; namespace: string }): IndexedObject[] {
  const services = servicesOf(model, w);
  return sortPolicies(
    model,
    model.ofKind('AuthorizationPolicy').filter((p) =>
      targetRefsOf(p).some((r) => {
        const ns = r?.namespace ?? p.namespace;
        if (r?.kind === 'Service' && (r.group ?? '') === '') return services.some((s) => s.name === r.name && s.namespace === ns);
        if (r?.kind === 'Gateway') return r.name === waypoint.name && ns === waypoint.namespace;
        return false;
      }),
    ),
  );
}

/**
 * Every AuthorizationPolicy that can apply to a workload, whichever proxy enforces it (for the graph).
 */
export function applicablePolicies(model: ManifestIndex, w: Workload): IndexedObject[] {
  const dp = dataPlaneOf(model, w);
  return sortPolicies(model, [...workloadPolicies(model, w), ...(dp.waypoint ? waypointPolicies(model, w, dp.waypoint) : [])]);
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

/**
 * Checks `field`/`notField` of one source or operation: some value matches, and no not-value does. An
 * empty list constrains nothing, as if absent (pilot/pkg/security/authz/model/model.go skips a key whose
 * values and notValues are both empty).
 */
function field(label: string, value: string | undefined, values: unknown, notValues: unknown, match: (pattern: string, v: string | undefined) => boolean): Why {
  const shown = value === undefined ? '(none)' : value === '' ? '(empty: plaintext)' : JSON.stringify(value);
  if (Array.isArray(values) && values.length > 0 && !values.some((p) => match(String(p), value))) return `${label} ${shown} is not in ${JSON.stringify(values)}`;
  if (Array.isArray(notValues) && notValues.length > 0 && notValues.some((p) => match(String(p), value))) return `${label} ${shown} is in not-list ${JSON.stringify(notValues)}`;
  return undefined;
}

const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];
const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];

/** On TCP traffic an ALLOW entry using an HTTP-only field never matches; a DENY entry ignores that field. */
function tcpGuard(entry: any, httpFields: readonly string[], a: Attributes, mode: 'ALLOW' | 'DENY'): { drop: boolean; ignore: boolean } {
  const uses = a.tcp && httpFields.some((f) => entry[f] !== undefined);
  return { drop: uses && mode === 'ALLOW', ignore: uses && mode === 'DENY' };
}

function sourceMismatch(s: any, a: Attributes, mode: 'ALLOW' | 'DENY'): Why {
  const g = tcpGuard(s, a.ztunnel ? ZTUNNEL_HTTP_SOURCE_FIELDS : HTTP_SOURCE_FIELDS, a, mode);
  if (g.drop) return a.ztunnel ? 'requestPrincipals and remoteIpBlocks are L7, and ztunnel enforces L4 only' : 'requestPrincipals need HTTP, and this is TCP traffic';
  const exact = (p: string, v: string | undefined) => policyValueMatch(p, v);
  return (
    field('principal', a.principal, s.principals, s.notPrincipals, exact) ??
    field('namespace', a.namespace, s.namespaces, s.notNamespaces, (pattern) => policyNamespaceMatch(pattern, a.principal)) ??
    field('service account', a.serviceAccount, s.serviceAccounts, s.notServiceAccounts, exact) ??
    (g.ignore ? undefined : field('request principal', a.requestPrincipal, s.requestPrincipals, s.notRequestPrincipals, exact)) ??
    field('source ip', a.sourceIp, s.ipBlocks, s.notIpBlocks, cidrMatch) ??
    (g.ignore && a.ztunnel ? undefined : field('remote ip', a.sourceIp, s.remoteIpBlocks, s.notRemoteIpBlocks, cidrMatch))
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
  if (a.ztunnel && !ztunnelWhenKey(key)) return mode === 'ALLOW' ? `${key} is not one of the keys ztunnel enforces (source.ip, source.namespace, source.principal, destination.ip, destination.port)` : undefined;
  const httpOnly = key.startsWith('request.');
  if (a.tcp && httpOnly) return mode === 'ALLOW' ? `${key} needs HTTP, and this is TCP traffic` : undefined;
  let value: string | undefined;
  let match = (p: string, v: string | undefined) => policyValueMatch(p, v);
  if (header) value = a.headers[header[1].toLowerCase()];
  else if (key === 'source.principal') value = a.principal;
  else if (key === 'source.namespace') {
    value = a.namespace;
    match = (pattern) => policyNamespaceMatch(pattern, a.principal);
  }
  else if (key === 'source.serviceAccount') value = a.serviceAccount;
  else if (key === 'source.trustDomain') value = a.trustDomain;
  else if (key === 'request.auth.principal') value = a.requestPrincipal;
  else if (key === 'connection.sni') value = a.sni;
  else if (key === 'request.auth.audiences' || key === 'request.auth.presenter' || key.startsWith('request.auth.claims[')) {
    return claimField(key, claimValues(a.claims, key), c.values, c.notValues);
  }
  else if (key === 'destination.port') value = a.port === undefined ? undefined : String(a.port);
  else if (key === 'source.ip' || key === 'remote.ip') {
    value = a.sourceIp;
    match = cidrMatch;
  } else value = undefined; // destination.ip: not modelled
  return field(`when ${key}`, value, c.values, c.notValues, match);
}

/** `<iss>/<sub>` of a JWT payload, when it has both as strings. */
function claimsPrincipal(claims: Record<string, unknown> | undefined): string | undefined {
  return typeof claims?.iss === 'string' && typeof claims.sub === 'string' ? `${claims.iss}/${claims.sub}` : undefined;
}

/** The claims Istio's JWT filter config splits at spaces (pilot/pkg/security/authn: SpaceDelimitedClaims). */
const SPACE_DELIMITED_CLAIMS = new Set(['scope', 'permission']);

/**
 * The values of a `request.auth.*` claim key as strings: `request.auth.claims[a][b]` walks nested objects,
 * `audiences` is `aud`, `presenter` is `azp`; a list gives each string element, a space-delimited claim its
 * words; undefined when the token has no such claim (or no token).
 */
function claimValues(claims: Record<string, unknown> | undefined, key: string): string[] | undefined {
  if (!claims) return undefined;
  const path = key === 'request.auth.audiences' ? ['aud'] : key === 'request.auth.presenter' ? ['azp'] : [...key.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]);
  let v: unknown = claims;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  if (typeof v === 'string') return path.length === 1 && SPACE_DELIMITED_CLAIMS.has(path[0]) ? v.split(' ').filter((x) => x !== '') : [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string');
  return undefined;
}

/**
 * A claim condition as Envoy's metadata list matcher decides it: `values` match when some element
 * matches some value; `notValues` (a negated matcher) when no element does, so a missing claim
 * satisfies `notValues` and fails `values`.
 */
function claimField(key: string, elements: string[] | undefined, values: unknown, notValues: unknown): Why {
  const shown = elements === undefined ? '(no such claim)' : JSON.stringify(elements);
  const hit = (patterns: unknown[]) => (elements ?? []).some((e) => patterns.some((p) => policyValueMatch(String(p), e)));
  if (Array.isArray(values) && values.length > 0 && !hit(values)) return `when ${key} ${shown} has none of ${JSON.stringify(values)}`;
  if (Array.isArray(notValues) && notValues.length > 0 && hit(notValues)) return `when ${key} ${shown} has one of not-list ${JSON.stringify(notValues)}`;
  return undefined;
}

/** The effective mTLS mode of a workload port, and the PeerAuthentication that set it. */
export function effectiveMtls(model: ManifestIndex, w: Workload, port: number | undefined): { mode: string; policy?: string; portLevel?: boolean } {
  const pas = [...model.ofKind('PeerAuthentication')].sort((a, b) => codeUnitOrder(a.name, b.name));
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

/** A Service's selector standing in for its pods when the manifests hold none (no pod template to read). */
export function serviceAsWorkload(svc: IndexedObject): Workload {
  return { ...svc, kind: 'Service', labels: { ...(svc.spec.selector ?? {}) }, podAnnotations: {}, podSpec: {}, serviceAccount: 'default', fromTemplate: true, replicas: 1 };
}
