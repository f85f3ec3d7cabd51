import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import {
  AuthorizationAction,
  AuthorizationRuleIntent,
  CallEdge,
  ConditionIntent,
  edgesOf,
  identityRef,
  IdentityRef,
  IWorkloadIdentity,
  jwtRuleProblems,
  MtlsIntent,
  OperationIntent,
  principalOf,
  ServiceRef,
  serviceOwner,
  SourceIntent,
} from './model';
import { fail, formatMessage, validationMessage } from './private/errors';
import { nameHint, namespaceHint } from './private/hints';
import { dns1123Label, dns1123Subdomain } from './rules/names';
import { Condition } from './values/condition';
import { Validation } from './validation/suppress';
import { ExternalIdentity } from './values/external-identity';
import { HttpMethod } from './values/http-method';
import { MtlsMode } from './values/mtls-mode';
import { PathMatch } from './values/path-match';
import { RequestPrincipal } from './values/jwt';
import { Risk } from './values/risk';
import { addWarning } from './warnings';

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
export interface AllowOptions extends OperationOptions {
  /**
   * End-user principals (JWT `<iss>/<sub>`) the request must also carry (ORed), validated by a
   * RequestAuthentication on this workload. Istio requires a non-empty `sub` for every form.
   * @example [RequestPrincipal.fromIssuer('https://auth.example.com')]
   * @default - no token required
   */
  readonly requestPrincipals?: RequestPrincipal[];
}

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

/** The workload a {@link ServiceSecurity} protects: a service of a mesh. */
export interface ISecuredWorkload extends IConstruct, ServiceRef {
  /** The mesh whose model holds the workload's intent. */
  readonly mesh: Mesh;
}

/** The policy of one workload for one action, as renderers take it. */
export interface WorkloadAuthorizationIntent {
  readonly action: AuthorizationAction;
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Labels selecting the workload's pods (`app: <service>`). */
  readonly selector: { readonly [key: string]: string };
  /** The workload's Service name, for renderers that target Services (ambient `targetRefs`). */
  readonly serviceName: string;
  readonly rules: readonly AuthorizationRuleIntent[];
}

/**
 * The security of one workload (one service): who may call it and its own mTLS mode. Each method
 * writes intent into the mesh model, keyed by the service; the mesh renders one ALLOW
 * AuthorizationPolicy (`<service>-allow`), one DENY AuthorizationPolicy (`<service>-deny`) and one
 * PeerAuthentication (`<service>`), each only when intent needs it.
 *
 * Callers are identities (any IWorkloadIdentity: a mesh service, an ExternalIdentity, an app's own); principals are derived from them and
 * the mesh trust domain.
 */
export class ServiceSecurity {
  private readonly _warned = new Set<string>();

  /** @param service the workload this intent protects */
  constructor(public readonly service: ISecuredWorkload) {
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
    const [id, external] = this.checkIdentity('allowFrom.caller', caller);
    const requestPrincipals = list(this.service, 'allowFrom.options.requestPrincipals', options.requestPrincipals, (p, at) => {
      if (!(p instanceof RequestPrincipal)) fail(this.service, at, p, "must be a RequestPrincipal (RequestPrincipal.fromIssuer('https://...'))", "e.g. RequestPrincipal.fromIssuer('https://auth.example.com')");
      return p.value;
    });
    const source = { identities: [id], notIdentities: [], notNamespaces: [], ...(requestPrincipals.length > 0 ? { requestPrincipals } : {}) };
    const rule = this.buildRule('allowFrom.options', source, options);
    this.addRule('ALLOW', rule, `allowFrom(${show(id)})`, external ? [id] : []);
  }

  /**
   * Allows every caller (plaintext and out-of-mesh included), optionally only on some operations.
   * Refused unless `acceptRisk` is `Risk.ALLOW_ALL`. Without operation fields the rule is `{}`.
   */
  public allowAnyCaller(options: AllowAnyCallerOptions): void {
    this.checkRisk('allowAnyCaller.options.acceptRisk', options?.acceptRisk, Risk.ALLOW_ALL, 'an ALLOW rule without a source allows any caller, plaintext included');
    const rule = this.buildRule('allowAnyCaller.options', undefined, options);
    this.addRule('ALLOW', rule, 'allowAnyCaller', []);
  }

  /**
   * Allows every caller except some identities or namespaces (`notPrincipals`/`notNamespaces`).
   * Refused unless `acceptRisk` is `Risk.FAIL_OPEN_FOR_PLAINTEXT`: a plaintext caller has no
   * principal and no namespace, so it matches every negation and is allowed.
   */
  public allowAllExcept(options: AllowAllExceptOptions): void {
    this.checkRisk('allowAllExcept.options.acceptRisk', options?.acceptRisk, Risk.FAIL_OPEN_FOR_PLAINTEXT, 'ALLOW with notPrincipals/notNamespaces fails open for plaintext callers', 'list the callers you allow with allowFrom instead');
    const checked = (options.identities ?? []).map((x, i) => this.checkIdentity(`allowAllExcept.options.identities[${i}]`, x));
    const notIdentities = checked.map(([id]) => id);
    const notNamespaces = [...(options.namespaces ?? [])];
    notNamespaces.forEach((ns, i) => {
      const bad = dns1123Label(ns);
      if (bad) fail(this.service, `allowAllExcept.options.namespaces[${i}]`, ns, `a namespace ${bad}`, namespaceHint(ns, dns1123Label));
    });
    if (notIdentities.length === 0 && notNamespaces.length === 0) {
      fail(this.service, 'allowAllExcept.options', options, 'name at least one excluded identity or namespace', 'use allowAnyCaller to allow everyone');
    }
    const rule = this.buildRule('allowAllExcept.options', { identities: [], notIdentities, notNamespaces }, options);
    this.addRule('ALLOW', rule, 'allowAllExcept', checked.filter(([, ext]) => ext).map(([id]) => id));
  }

  /**
   * Denies `caller` (optionally only some operations). DENY wins over ALLOW. A principal-based deny
   * is bypassed by plaintext callers, so it is reported (CI5001) unless the workload is STRICT.
   */
  public denyFrom(caller: IWorkloadIdentity, options: DenyOptions = {}): void {
    const [id, external] = this.checkIdentity('denyFrom.caller', caller);
    const rule = this.buildRule('denyFrom.options', { identities: [id], notIdentities: [], notNamespaces: [] }, options);
    this.addRule('DENY', rule, `denyFrom(${show(id)})`, external ? [id] : []);
  }

  /**
   * Denies every request to the workload. Istio rejects a DENY policy without rules, so this renders
   * DENY with one empty rule. Refused unless `acceptRisk` is `Risk.DENY_ALL`.
   */
  public denyAll(options: DenyAllOptions): void {
    this.checkRisk('denyAll.options.acceptRisk', options?.acceptRisk, Risk.DENY_ALL, 'a DENY policy without conditions denies every request, health checks through the mesh included');
    this.addRule('DENY', { when: [], addedBy: this.service.node.path }, 'denyAll', []);
  }

  /** The ALLOW rules, in the order they were added. */
  public get allowRules(): readonly AuthorizationRuleIntent[] {
    return this.model.allow;
  }

  /** The DENY rules, in the order they were added. */
  public get denyRules(): readonly AuthorizationRuleIntent[] {
    return this.model.deny;
  }

  /** The workload's own mTLS intent, when set. */
  public get mtls(): MtlsIntent | undefined {
    return this.model.mtls;
  }

  /**
   * The mode that applies to the workload's service port: its port-level or own mode, else the
   * namespace's, else the mesh's, else Istio's default PERMISSIVE.
   */
  public get effectiveMtlsMode(): MtlsMode {
    const mode = this.service.mesh.model.effectiveMtlsMode(this.ref);
    return MtlsMode.values().find((m) => m.value === mode)!;
  }

  /**
   * The call-graph edges into this service: one per ALLOW rule that names caller identities, in the
   * order they were added. Sidecar egress scoping reads these.
   */
  public get edges(): CallEdge[] {
    return edgesOf(this.model);
  }

  /** The authorization intent for one action, or undefined when there are no rules. */
  public authorization(action: AuthorizationAction): WorkloadAuthorizationIntent | undefined {
    const rules = action === 'ALLOW' ? this.model.allow : this.model.deny;
    if (rules.length === 0) return undefined;
    return { action, namespace: this.service.namespace, selector: { app: this.service.name }, serviceName: this.service.name, rules: [...rules] };
  }

  /** The ALLOW AuthorizationPolicy, once a rule exists (an escape hatch). */
  public get allowPolicy(): ApiObject | undefined {
    return this.service.mesh.objectOf(serviceOwner(this.ref), 'AuthorizationPolicy');
  }

  /** The DENY AuthorizationPolicy, once a rule exists (an escape hatch). */
  public get denyPolicy(): ApiObject | undefined {
    return this.service.mesh.objectOf(serviceOwner(this.ref), 'DenyPolicy');
  }

  /** The workload PeerAuthentication, once a mode is set (an escape hatch). */
  public get peerAuthentication(): ApiObject | undefined {
    return this.service.mesh.objectOf(serviceOwner(this.ref), 'PeerAuthentication');
  }

  private get ref(): ServiceRef {
    return { namespace: this.service.namespace, name: this.service.name };
  }

  private get model() {
    return this.service.mesh.model.workload(this.ref);
  }

  private addRule(action: AuthorizationAction, rule: AuthorizationRuleIntent, label: string, external: readonly IdentityRef[]): void {
    this.service.mesh.model.addAuthorizationRule(this.ref, action, rule, this.service.node.path, { external, property: label });
  }

  private checkRisk(property: string, given: unknown, needed: Risk, rule: string, hint?: string): void {
    // compared by value: the Risk may come from another copy of this package
    if (!Risk.isRisk(given) || given.name !== needed.name) {
      fail(this.service, property, given === undefined ? undefined : String(given), `${rule}; refused unless acceptRisk is Risk.${riskName(needed)}`, hint ?? `pass { acceptRisk: Risk.${riskName(needed)} } if you mean it`);
    }
  }

  /**
   * Only identities this app knows are accepted: its own services (members of this mesh) or declared
   * ExternalIdentities. Returns the identity and whether it is declared external.
   */
  private checkIdentity(property: string, x: unknown): [IdentityRef, boolean] {
    const mesh = this.service.mesh;
    if (ExternalIdentity.isExternalIdentity(x)) {
      // A declared external caller is a known identity: tell the validation layer (CI3002) so.
      Validation.declareExternalPrincipal(this.service, principalOf(x, mesh.trustDomain));
      return [identityRef(x), true];
    }
    const member = x as Partial<IMeshMember & IWorkloadIdentity> | undefined;
    if (member && typeof member === 'object' && Mesh.isMesh(member.mesh) && typeof member.serviceAccountName === 'string' && typeof member.identityNamespace === 'string') {
      if (member.mesh !== mesh) {
        fail(this.service, property, member.node?.path, 'the caller belongs to another mesh', 'declare it with ExternalIdentity.serviceAccount');
      }
      return [identityRef(member as IWorkloadIdentity), false];
    }
    return this.checkOwnIdentity(property, x);
  }

  /**
   * Any other {@link IWorkloadIdentity} (an app's own class, e.g. the identity of a CronJob written
   * elsewhere): its ServiceAccount and namespace are checked as Kubernetes names; a service of this
   * mesh running as that identity makes it a member, anything else is declared external, as an
   * {@link ExternalIdentity} is.
   */
  private checkOwnIdentity(property: string, x: unknown): [IdentityRef, boolean] {
    const id = x as Partial<IWorkloadIdentity> | undefined;
    if (!id || typeof id !== 'object' || typeof id.serviceAccountName !== 'string' || typeof id.identityNamespace !== 'string') {
      return fail(this.service, property, x, 'a caller must be an IWorkloadIdentity: a service of this mesh (TracedService, MeshService, any IMeshService), an ExternalIdentity, or an object with string serviceAccountName and identityNamespace',
        "declare external callers with ExternalIdentity.serviceAccount({ namespace, serviceAccount })");
    }
    const badNs = dns1123Label(id.identityNamespace);
    if (badNs) fail(this.service, `${property}.identityNamespace`, id.identityNamespace, `a namespace ${badNs}`, namespaceHint(id.identityNamespace, dns1123Label));
    const badSa = dns1123Subdomain(id.serviceAccountName);
    if (badSa) fail(this.service, `${property}.serviceAccountName`, id.serviceAccountName, `a ServiceAccount name ${badSa}`, nameHint(id.serviceAccountName, dns1123Subdomain, 'orders'));
    const ref = identityRef(id as IWorkloadIdentity);
    const mesh = this.service.mesh;
    if (mesh.model.servicesOf(ref).length > 0) return [ref, false];
    Validation.declareExternalPrincipal(this.service, principalOf(ref, mesh.trustDomain));
    return [ref, true];
  }

  private buildRule(property: string, source: SourceIntent | undefined, o: OperationOptions): AuthorizationRuleIntent {
    const scope = this.service;
    const methods = list(scope, `${property}.methods`, o.methods, (m, p) => {
      if (!(HttpMethod.isHttpMethod(m))) fail(scope, p, m, 'must be an HttpMethod (HttpMethod.GET, HttpMethod.of(...))', "e.g. HttpMethod.GET or HttpMethod.of('PURGE')");
      return m.value;
    });
    const paths = list(scope, `${property}.paths`, o.paths, (m, p) => {
      if (!(PathMatch.isPathMatch(m))) fail(scope, p, m, 'must be a PathMatch (PathMatch.exact/prefix/suffix/template/any)', "e.g. PathMatch.prefix('/api') or PathMatch.exact('/health')");
      return m.toIntent();
    });
    const declared = scope.mesh.model.service({ namespace: scope.namespace, name: scope.name });
    const ports = list(scope, `${property}.ports`, o.ports, (n, p) => {
      if (!Number.isInteger(n) || n < 1 || n > 65535) fail(scope, p, n, 'a port must be an integer in 1..65535', 'e.g. 8080, a container port of the service');
      // An AuthorizationPolicy port is the workload's (container) port: another one never matches.
      if (declared && !declared.ports.some((x) => x.targetPort === n)) {
        const byServicePort = declared.ports.find((x) => x.port === n);
        fail(scope, p, n, `port ${n} is not a container port of ${declared.name} (it has ${declared.ports.map((x) => `${x.name} ${x.targetPort}`).join(', ')}); the policy would never match`,
          byServicePort ? `AuthorizationPolicy ports are the pod's ports: use targetPort ${byServicePort.targetPort} of Service port ${n}` : 'name a port the service declares');
      }
      return n;
    });
    const when = list(scope, `${property}.when`, o.when, (c, p): ConditionIntent => {
      if (!(Condition.isCondition(c))) fail(scope, p, c, 'must be a Condition (Condition.requestHeader(...).notValues(...))', "e.g. Condition.requestHeader('x-user-role').values('admin')");
      return c.toIntent();
    });
    const operation: OperationIntent | undefined = methods.length || paths.length || ports.length ? { methods, paths, ports } : undefined;
    return { ...(source ? { source } : {}), ...(operation ? { operation } : {}), when, addedBy: scope.node.path };
  }

  private validate(): string[] {
    const errors: string[] = [];
    const mode = this.effectiveMtlsMode;
    const name = this.service.name;
    const w = this.model;
    // A principal never matches a plaintext request, so a DENY by principal does not stop plaintext.
    if (mode.value !== MtlsMode.STRICT.value && w.deny.some((r) => (r.source?.identities.length ?? 0) > 0)) {
      this.warnOnce('CI5001', `DENY rules of ${name} match callers by principal, but ${name} is not under STRICT mTLS (it is ${mode.value}): plaintext requests carry no principal and bypass the deny. Require STRICT mTLS for ${name}.`);
    }
    if (mode.value === MtlsMode.DISABLE.value && w.allow.some((r) => (r.source?.identities.length ?? 0) > 0)) {
      // Only reachable on the sidecar data plane: ambient refuses DISABLE (ztunnel treats it as PERMISSIVE).
      this.warnOnce('CI5002', `ALLOW rules of ${name} match callers by principal, but mTLS is DISABLE for ${name}: client sidecars send it plaintext, so no request carries a principal and these rules never match.`);
    }
    // Rules that read the end-user token, with nobody validating it (or a gateway removing it).
    for (const p of jwtRuleProblems(this.service.mesh.model, this.ref)) {
      if (p.at === undefined || p.at === this.service.node.path) errors.push(validationMessage(p.property, p.value, p.rule, p.hint));
      else errors.push(formatMessage(p.at, p.property, p.value, p.rule, p.hint));
    }
    // An ExternalIdentity that is really one of our services would hide a call-graph edge.
    for (const id of w.externalIdentities) {
      const own = this.service.mesh.model.servicesOf(id)[0];
      if (own) errors.push(validationMessage('caller', show(id), `this ExternalIdentity is the identity of TracedService ${own.source}`, 'pass the TracedService itself'));
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
    const key = JSON.stringify(x);
    if (seen.has(key)) fail(scope, `${property}[${i}]`, given[i] instanceof Object ? String(given[i]) : given[i], 'listed twice', 'drop the repeated entry');
    seen.add(key);
  });
  return out;
}

function riskName(r: Risk): string {
  return r.name === Risk.ALLOW_ALL.name ? 'ALLOW_ALL' : r.name === Risk.FAIL_OPEN_FOR_PLAINTEXT.name ? 'FAIL_OPEN_FOR_PLAINTEXT' : 'DENY_ALL';
}

function show(id: IdentityRef): string {
  return `${id.namespace}/${id.serviceAccount}`;
}
