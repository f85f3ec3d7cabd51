import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as security from '../imports/security.istio.io';
import { IWorkloadIdentity, principalOf } from './identity';
import {
  AuthorizationAction,
  AuthorizationRuleIntent,
  CallEdge,
  MtlsIntent,
  OperationIntent,
  SourceIntent,
  WorkloadAuthorizationIntent,
} from './intent/security';
import { IMeshMember } from './mesh';
import { fail, validationMessage } from './private/errors';
import { renderedObject } from './private/rendered-object';
import { dns1123Label } from './rules/names';
import { isL4Rule, renderAmbientAuthorizationPolicySpec } from './render/ambient-security';
import { renderAuthorizationPolicySpec, renderPeerAuthenticationSpec, renderRule } from './render/istio-security';
import { Condition } from './values/condition';
import { EXTERNAL_PRINCIPALS_ANNOTATION, Validation } from './validation/suppress';
import { ExternalIdentity } from './values/external-identity';
import { HttpMethod } from './values/http-method';
import { MtlsMode } from './values/mtls-mode';
import { PathMatch } from './values/path-match';
import { Risk } from './values/risk';
import { addWarning } from './warnings';
import { TracedService } from './traced-service';

/** What an allowed (or denied) request may do. Every field is optional; given fields are ANDed. */
export interface OperationOptions {
  /**
   * Allowed methods (ORed). Given, it must be non-empty.
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * Allowed paths (ORed). `PathMatch.prefix('/x/')` does not match `/x` itself.
   * @example [PathMatch.exact('/api/orders'), PathMatch.prefix('/api/orders/')]
   * @default - any path
   */
  readonly paths?: PathMatch[];
  /**
   * Allowed destination ports (ORed), integers in 1..65535.
   * @default - any port
   */
  readonly ports?: number[];
  /**
   * Conditions that must all hold.
   * @example [Condition.requestHeader('x-user-role').notValues('guest')]
   * @default - none
   */
  readonly when?: Condition[];
}

/** Options of {@link ServiceSecurity.allowFrom} (and `TracedService.allowFrom`). */
export interface AllowOptions extends OperationOptions {}

/** Options of {@link ServiceSecurity.denyFrom}. */
export interface DenyOptions extends OperationOptions {}

/** Options of {@link ServiceSecurity.allowAnyCaller}. */
export interface AllowAnyCallerOptions extends OperationOptions {
  /** Must be `Risk.ALLOW_ALL`: any caller, plaintext included, is allowed. */
  readonly acceptRisk: Risk;
}

/** Options of {@link ServiceSecurity.allowAllExcept}. */
export interface AllowAllExceptOptions extends OperationOptions {
  /** Must be `Risk.FAIL_OPEN_FOR_PLAINTEXT`: plaintext callers match every negation and are allowed. */
  readonly acceptRisk: Risk;
  /**
   * Callers that are not allowed (rendered as `notPrincipals`).
   * @default - none
   */
  readonly identities?: IWorkloadIdentity[];
  /**
   * Namespaces whose callers are not allowed (rendered as `notNamespaces`).
   * @default - none
   */
  readonly namespaces?: string[];
}

/** Options of {@link ServiceSecurity.denyAll}. */
export interface DenyAllOptions {
  /** Must be `Risk.DENY_ALL`: every request to the workload is denied. */
  readonly acceptRisk: Risk;
}

/**
 * Where a workload's namespace and mesh mTLS defaults come from (the {@link ZeroTrustPolicy}).
 * @internal
 */
export interface IMtlsDefaults extends IMeshMember {
  /** The mode that applies to a workload of `namespace` that sets none: the namespace's, else the mesh's. */
  _mtlsModeOf(namespace: string): MtlsMode | undefined;
}

function isMtlsDefaults(m: IMeshMember): m is IMtlsDefaults {
  return typeof (m as Partial<IMtlsDefaults>)._mtlsModeOf === 'function';
}

interface OwnedMtls {
  readonly intent: MtlsIntent;
  readonly source: string;
}

/**
 * The security intent of one workload (one TracedService): its ALLOW rules (each naming a caller
 * identity is a call-graph edge), its DENY rules and its own mTLS mode. It renders one ALLOW
 * AuthorizationPolicy (`<service>-allow`), one DENY AuthorizationPolicy (`<service>-deny`) and one
 * PeerAuthentication (`<service>`), each only when intent needs it, with a lazily rendered spec.
 *
 * Callers are identities (TracedService or ExternalIdentity); principals are derived from them and
 * the mesh trust domain.
 */
export class ServiceSecurity {
  private readonly _allow: AuthorizationRuleIntent[] = [];
  private readonly _external = new Set<string>();
  private readonly _deny: AuthorizationRuleIntent[] = [];
  private _mtls?: OwnedMtls;
  private _allowPolicy?: ApiObject;
  private _denyPolicy?: ApiObject;
  private _peerAuthentication?: ApiObject;
  private readonly _warned = new Set<string>();

  /** @param service the workload this intent protects */
  constructor(public readonly service: TracedService) {
    service.node.addValidation({ validate: () => this.validate() });
  }

  /**
   * Allows `caller` to call this service, optionally only on some operations and under conditions.
   * The rule's source is the caller's principal AND its namespace, so only an mTLS caller from that
   * namespace matches. Each call adds one rule (one call-graph edge).
   *
   * @example payment.security.allowFrom(order, { methods: [HttpMethod.POST], paths: [PathMatch.prefix('/api/payments/')] })
   */
  public allowFrom(caller: IWorkloadIdentity, options: AllowOptions = {}): void {
    const id = this.checkIdentity('allowFrom.caller', caller);
    const rule = this.buildRule('allowFrom.options', { identities: [id], notIdentities: [], notNamespaces: [] }, options);
    this.addRule('ALLOW', rule, `allowFrom(${show(id)})`);
  }

  /**
   * Allows every caller (plaintext and out-of-mesh included), optionally only on some operations.
   * Refused unless `acceptRisk` is `Risk.ALLOW_ALL`. Without operation fields the rule is `{}`.
   */
  public allowAnyCaller(options: AllowAnyCallerOptions): void {
    this.checkRisk('allowAnyCaller.options.acceptRisk', options?.acceptRisk, Risk.ALLOW_ALL, 'an ALLOW rule without a source allows any caller, plaintext included');
    const rule = this.buildRule('allowAnyCaller.options', undefined, options);
    this.addRule('ALLOW', rule, 'allowAnyCaller');
  }

  /**
   * Allows every caller except some identities or namespaces (`notPrincipals`/`notNamespaces`).
   * Refused unless `acceptRisk` is `Risk.FAIL_OPEN_FOR_PLAINTEXT`: a plaintext caller has no
   * principal and no namespace, so it matches every negation and is allowed.
   */
  public allowAllExcept(options: AllowAllExceptOptions): void {
    this.checkRisk('allowAllExcept.options.acceptRisk', options?.acceptRisk, Risk.FAIL_OPEN_FOR_PLAINTEXT, 'ALLOW with notPrincipals/notNamespaces fails open for plaintext callers', 'list the callers you allow with allowFrom instead');
    const notIdentities = (options.identities ?? []).map((x, i) => this.checkIdentity(`allowAllExcept.options.identities[${i}]`, x));
    const notNamespaces = [...(options.namespaces ?? [])];
    notNamespaces.forEach((ns, i) => {
      const bad = dns1123Label(ns);
      if (bad) fail(this.service, `allowAllExcept.options.namespaces[${i}]`, ns, `a namespace ${bad}`);
    });
    if (notIdentities.length === 0 && notNamespaces.length === 0) {
      fail(this.service, 'allowAllExcept.options', options, 'name at least one excluded identity or namespace', 'use allowAnyCaller to allow everyone');
    }
    const rule = this.buildRule('allowAllExcept.options', { identities: [], notIdentities, notNamespaces }, options);
    this.addRule('ALLOW', rule, 'allowAllExcept');
  }

  /**
   * Denies `caller` (optionally only some operations). DENY wins over ALLOW. A principal-based deny
   * is bypassed by plaintext callers, so it is reported (CI5001) unless the workload is STRICT.
   */
  public denyFrom(caller: IWorkloadIdentity, options: DenyOptions = {}): void {
    const id = this.checkIdentity('denyFrom.caller', caller);
    const rule = this.buildRule('denyFrom.options', { identities: [id], notIdentities: [], notNamespaces: [] }, options);
    this.addRule('DENY', rule, `denyFrom(${show(id)})`);
  }

  /**
   * Denies every request to the workload. Istio rejects a DENY policy without rules, so this renders
   * DENY with one empty rule. Refused unless `acceptRisk` is `Risk.DENY_ALL`.
   */
  public denyAll(options: DenyAllOptions): void {
    this.checkRisk('denyAll.options.acceptRisk', options?.acceptRisk, Risk.DENY_ALL, 'a DENY policy without conditions denies every request, health checks through the mesh included');
    this.addRule('DENY', { when: [], addedBy: this.service.node.path }, 'denyAll');
  }

  /**
   * Sets this workload's own mTLS mode (called by ZeroTrustPolicy.requireMtls). One owner per workload.
   * @internal
   */
  public _setMtls(source: IConstruct, mode: MtlsMode, portLevel: ReadonlyArray<{ port: number; mode: MtlsMode }>): void {
    if (this._mtls) {
      fail(source, 'mtls', this.service.name, `the mTLS mode of ${this.service.name} is already set by ${this._mtls.source}`, 'set it once');
    }
    this._mtls = {
      intent: { mode: mode.value, portLevel: [...portLevel].sort((a, b) => a.port - b.port).map((p) => ({ port: p.port, mode: p.mode.value })) },
      source: source.node.path,
    };
    if (!this._peerAuthentication) {
      const svc = this.service;
      this._peerAuthentication = renderedObject(svc, 'PeerAuthentication', security.PeerAuthentication.GVK, { name: svc.name, namespace: svc.namespace }, () => renderPeerAuthenticationSpec(this._mtls!.intent, svc.selectorLabels));
    }
  }

  /** The ALLOW rules, in the order they were added. */
  public get allowRules(): readonly AuthorizationRuleIntent[] {
    return [...this._allow];
  }

  /** The DENY rules, in the order they were added. */
  public get denyRules(): readonly AuthorizationRuleIntent[] {
    return [...this._deny];
  }

  /** The workload's own mTLS intent, when set. */
  public get mtls(): MtlsIntent | undefined {
    return this._mtls?.intent;
  }

  /**
   * The mode that applies to the workload's service port: its port-level or own mode, else the
   * namespace's, else the mesh's, else Istio's default PERMISSIVE.
   */
  public get effectiveMtlsMode(): MtlsMode {
    const own = this._mtls?.intent;
    const byName = (v: string) => MtlsMode.values().find((m) => m.value === v)!;
    const port = own?.portLevel.find((p) => p.port === this.service.port);
    if (port && port.mode !== 'UNSET') return byName(port.mode);
    if (own && own.mode !== 'UNSET') return byName(own.mode);
    for (const d of this.service.mesh.membersOf(isMtlsDefaults)) {
      const m = d._mtlsModeOf(this.service.namespace);
      if (m && m !== MtlsMode.UNSET) return m;
    }
    return MtlsMode.PERMISSIVE;
  }

  /**
   * The call-graph edges into this service: one per ALLOW rule that names caller identities, in the
   * order they were added. Sidecar egress scoping reads these.
   */
  public get edges(): CallEdge[] {
    return this._allow.flatMap((rule) => (rule.source?.identities ?? []).map((caller) => ({ caller, target: this.service, rule })));
  }

  /** The authorization intent for one action, or undefined when there are no rules. */
  public authorization(action: AuthorizationAction): WorkloadAuthorizationIntent | undefined {
    const rules = action === 'ALLOW' ? this._allow : this._deny;
    if (rules.length === 0) return undefined;
    return { action, namespace: this.service.namespace, selector: this.service.selectorLabels, serviceName: this.service.name, rules: [...rules] };
  }

  /** The ALLOW AuthorizationPolicy, once a rule exists. */
  public get allowPolicy(): ApiObject | undefined {
    return this._allowPolicy;
  }

  /** The DENY AuthorizationPolicy, once a rule exists. */
  public get denyPolicy(): ApiObject | undefined {
    return this._denyPolicy;
  }

  /** The workload PeerAuthentication, once a mode is set. */
  public get peerAuthentication(): ApiObject | undefined {
    return this._peerAuthentication;
  }

  /** Records on the policies which principals they name are declared external (for lint of the YAML). */
  private annotateExternal(): void {
    if (this._external.size === 0) return;
    const value = [...this._external].sort().join(',');
    for (const p of [this._allowPolicy, this._denyPolicy]) p?.metadata.addAnnotation(EXTERNAL_PRINCIPALS_ANNOTATION, value);
  }

  private addRule(action: AuthorizationAction, rule: AuthorizationRuleIntent, label: string): void {
    const list = action === 'ALLOW' ? this._allow : this._deny;
    const td = this.service.mesh.trustDomain;
    const rendered = JSON.stringify(renderRule(rule, td));
    if (list.some((r) => JSON.stringify(renderRule(r, td)) === rendered)) {
      fail(this.service, label, rendered, `this ${action} rule already exists on ${this.service.name}`, 'each rule is added once');
    }
    const svc = this.service;
    if (svc.mesh.isAmbient) {
      if (svc.meshNamespace.waypointAllowed) {
        svc.meshNamespace._requireWaypoint(svc, 'authorization policies are enforced by the waypoint in ambient mode');
      } else if (!isL4Rule(rule)) {
        fail(svc, label, rendered, `this ${action} rule uses HTTP attributes (methods, paths or request.* conditions), which only a waypoint can enforce in ambient mode; `
          + `an L7 policy with a selector and no waypoint fails closed in ztunnel, and namespace ${svc.namespace} has waypoint: false`,
        'allow the waypoint (MeshNamespace waypoint: true), keep the rule to identities and ports, or use DataPlaneMode.SIDECAR');
      }
    }
    list.push(rule);
    if (action === 'ALLOW' && !this._allowPolicy) {
      this._allowPolicy = renderedObject(svc, 'AuthorizationPolicy', security.AuthorizationPolicy.GVK, { name: `${svc.name}-allow`, namespace: svc.namespace }, () => this.renderPolicy('ALLOW'));
    }
    if (action === 'DENY' && !this._denyPolicy) {
      this._denyPolicy = renderedObject(svc, 'DenyPolicy', security.AuthorizationPolicy.GVK, { name: `${svc.name}-deny`, namespace: svc.namespace }, () => this.renderPolicy('DENY'));
    }
    this.annotateExternal();
  }

  /**
   * Sidecar: `selector` on the pods. Ambient with a waypoint: `targetRefs` to the Service, enforced
   * by the waypoint (never `selector`). Ambient without a waypoint: L4-only rules, enforced by ztunnel.
   */
  private renderPolicy(action: AuthorizationAction): Record<string, unknown> {
    const svc = this.service;
    const intent = this.authorization(action)!;
    return svc.mesh.isAmbient && svc.meshNamespace.waypoint
      ? renderAmbientAuthorizationPolicySpec(intent, svc.mesh.trustDomain)
      : renderAuthorizationPolicySpec(intent, svc.mesh.trustDomain);
  }

  private checkRisk(property: string, given: unknown, needed: Risk, rule: string, hint?: string): void {
    if (given !== needed) {
      fail(this.service, property, given === undefined ? undefined : String(given), `${rule}; refused unless acceptRisk is Risk.${riskName(needed)}`, hint ?? `pass { acceptRisk: Risk.${riskName(needed)} } if you mean it`);
    }
  }

  private checkIdentity(property: string, x: unknown): IWorkloadIdentity {
    // Only identities this app knows are accepted: its own TracedServices or declared ExternalIdentities.
    if (ExternalIdentity.isExternalIdentity(x)) {
      // A declared external caller is a known identity: tell the validation layer (CI3002) so.
      const principal = principalOf(x, this.service.mesh.trustDomain);
      Validation.declareExternalPrincipal(this.service, principal);
      this._external.add(principal);
      return x;
    }
    if (isTracedService(x)) {
      if (x.mesh !== this.service.mesh) {
        fail(this.service, property, x.node.path, 'the caller belongs to another mesh', 'declare it with ExternalIdentity.serviceAccount');
      }
      return x;
    }
    return fail(this.service, property, x, 'a caller must be a TracedService of this mesh or an ExternalIdentity', "declare external callers with ExternalIdentity.serviceAccount({ namespace, serviceAccount })");
  }

  private buildRule(property: string, source: SourceIntent | undefined, o: OperationOptions): AuthorizationRuleIntent {
    const scope = this.service;
    const methods = list(scope, `${property}.methods`, o.methods, (m, p) => {
      if (!(m instanceof HttpMethod)) fail(scope, p, m, 'must be an HttpMethod (HttpMethod.GET, HttpMethod.of(...))');
      return m.value;
    });
    const paths = list(scope, `${property}.paths`, o.paths, (m, p) => {
      if (!(m instanceof PathMatch)) fail(scope, p, m, 'must be a PathMatch (PathMatch.exact/prefix/suffix/template/any)');
      return m._intent();
    });
    const ports = list(scope, `${property}.ports`, o.ports, (n, p) => {
      if (!Number.isInteger(n) || n < 1 || n > 65535) fail(scope, p, n, 'a port must be an integer in 1..65535');
      return n;
    });
    const when = list(scope, `${property}.when`, o.when, (c, p) => {
      if (!(c instanceof Condition)) fail(scope, p, c, 'must be a Condition (Condition.requestHeader(...).notValues(...))');
      return c._intent();
    });
    const operation: OperationIntent | undefined = methods.length || paths.length || ports.length ? { methods, paths, ports } : undefined;
    return { source, operation, when, addedBy: scope.node.path };
  }

  private validate(): string[] {
    const errors: string[] = [];
    const mode = this.effectiveMtlsMode;
    const name = this.service.name;
    // A principal never matches a plaintext request, so a DENY by principal does not stop plaintext.
    if (mode !== MtlsMode.STRICT && this._deny.some((r) => (r.source?.identities.length ?? 0) > 0)) {
      this.warnOnce('CI5001', `DENY rules of ${name} match callers by principal, but ${name} is not under STRICT mTLS (it is ${mode.value}): plaintext requests carry no principal and bypass the deny. Require STRICT mTLS for ${name}.`);
    }
    if (mode === MtlsMode.DISABLE && this._allow.some((r) => (r.source?.identities.length ?? 0) > 0)) {
      this.warnOnce('CI5002', `ALLOW rules of ${name} match callers by principal, but mTLS is DISABLE for ${name}: no request carries a principal, so these rules never match.`);
    }
    const services = this.service.mesh.membersOf(TracedService.isTracedService);
    for (const r of [...this._allow, ...this._deny]) {
      for (const id of [...(r.source?.identities ?? []), ...(r.source?.notIdentities ?? [])]) {
        if (isTracedService(id) && id.mesh !== this.service.mesh) {
          errors.push(validationMessage('caller', id.node.path, 'the caller belongs to another mesh'));
        }
        // An ExternalIdentity that is really one of our services would hide a call-graph edge.
        const own = ExternalIdentity.isExternalIdentity(id)
          ? services.find((s) => s.serviceAccountName === id.serviceAccountName && s.namespace === id.identityNamespace)
          : undefined;
        if (own) {
          errors.push(validationMessage('caller', show(id), `this ExternalIdentity is the identity of TracedService ${own.node.path}`, 'pass the TracedService itself'));
        }
      }
    }
    return errors;
  }

  private warnOnce(code: string, message: string): void {
    // Validation can run more than once per synth; record each finding once.
    if (this._warned.has(code)) return;
    this._warned.add(code);
    addWarning(this.service, code, message);
  }
}

function list<T, R>(scope: IConstruct, property: string, given: T[] | undefined, map: (x: T, property: string) => R): R[] {
  if (given === undefined) return [];
  if (!Array.isArray(given) || given.length === 0) {
    fail(scope, property, given, 'must be a non-empty list when given', 'omit it to match any value');
  }
  const out = given.map((x, i) => map(x, `${property}[${i}]`));
  const seen = new Set<string>();
  out.forEach((x, i) => {
    // Identities inside conditions are constructs: compare them by namespace/ServiceAccount.
    const key = JSON.stringify(x, (_k, v) => (v && typeof v === 'object' && 'serviceAccountName' in v && 'identityNamespace' in v ? show(v) : v));
    if (seen.has(key)) fail(scope, `${property}[${i}]`, given[i] instanceof Object ? String(given[i]) : given[i], 'listed twice');
    seen.add(key);
  });
  return out;
}

function isTracedService(x: unknown): x is TracedService {
  // TracedService imports this file; the import cycle is safe because this runs only after both loaded.
  return x instanceof TracedService;
}

function riskName(r: Risk): string {
  return r === Risk.ALLOW_ALL ? 'ALLOW_ALL' : r === Risk.FAIL_OPEN_FOR_PLAINTEXT ? 'FAIL_OPEN_FOR_PLAINTEXT' : 'DENY_ALL';
}

function show(id: IWorkloadIdentity): string {
  return `${id.identityNamespace}/${id.serviceAccountName}`;
}
