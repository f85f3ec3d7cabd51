import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IngressGateway } from './ingress-gateway';
import { IMeshMember, Mesh } from './mesh';
import { readsJwt, RequestAuthenticationTarget, sourceOwner } from './model';
import { fail } from './private/errors';
import { nameHint } from './private/hints';
import { dns1123Subdomain, toDnsLabel } from './rules/names';
import { JwtRule } from './values/jwt';
import { addWarning } from './warnings';

/** Warning code: a RequestAuthentication whose tokens no rule requires (requests without a token pass). */
export const WARN_TOKEN_NOT_REQUIRED = 'CI5003';

/** A service a RequestAuthentication can protect: a service of a mesh (a TracedService). */
export interface IJwtProtectedService extends IConstruct {
  /** The mesh of the service. */
  readonly mesh: Mesh;
  /** The Service name. */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
}

/** Properties of a {@link RequestAuthentication}. */
export interface RequestAuthenticationProps {
  /** The workload that validates tokens: a service of the mesh, or an {@link IngressGateway}. */
  readonly target: IJwtProtectedService | IngressGateway;
  /**
   * The issuers accepted, one rule each.
   * @example [JwtRule.of({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop-api'] })]
   */
  readonly jwtRules: JwtRule[];
  /**
   * The resource name.
   * @default - `<target name>-jwt`
   */
  readonly name?: string;
}

/**
 * End-user authentication: a `RequestAuthentication` (security.istio.io/v1) that makes a service's
 * workload (or an ingress gateway) validate JWTs from the given issuers. A request with an invalid
 * token, or a token from an issuer that is not configured, is rejected with 401; a request
 * **without** a token passes, with no request principal. Only an authorization rule that requires
 * one (`allowFrom(..., { requestPrincipals })` or a `Condition.requestAuthClaim`) makes a token
 * required: without such a rule, synth warns (CI5003).
 *
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 */
export class RequestAuthentication extends Construct implements IMeshMember {
  /** The mesh. */
  public readonly mesh: Mesh;
  /** The RequestAuthentication object: the escape hatch. */
  public readonly resource: ApiObject;
  private readonly target: RequestAuthenticationTarget;
  private warned = false;

  constructor(scope: Construct, id: string, props: RequestAuthenticationProps) {
    super(scope, id);
    const t = props?.target;
    if (!t || !Mesh.isMesh((t as IJwtProtectedService).mesh) || typeof t.name !== 'string' || typeof t.namespace !== 'string') {
      fail(this, 'props.target', t, 'must be a service of the mesh (a TracedService) or an IngressGateway', 'pass a TracedService (or another IMeshService) or an IngressGateway of the mesh');
    }
    this.mesh = t.mesh;
    this.target = IngressGateway.isIngressGateway(t)
      ? { kind: 'gateway', gateway: t.gatewayRef }
      : { kind: 'service', service: { namespace: t.namespace, name: t.name } };
    const name = props.name ?? `${toDnsLabel(t.name)}-jwt`;
    const badName = dns1123Subdomain(name);
    if (badName) fail(this, 'props.name', name, `a RequestAuthentication name ${badName}`, nameHint(name, dns1123Subdomain, 'orders-jwt'));
    if (!Array.isArray(props.jwtRules) || props.jwtRules.length === 0) {
      fail(this, 'props.jwtRules', props.jwtRules, 'a RequestAuthentication needs at least one JWT rule', "e.g. [JwtRule.of({ issuer, jwksUri })]");
    }
    const issuers = new Set<string>();
    const jwtRules = props.jwtRules.map((r, i) => {
      if (!(r instanceof JwtRule)) fail(this, `props.jwtRules[${i}]`, r, 'must be a JwtRule (JwtRule.of({ issuer, jwksUri }))', "e.g. JwtRule.of({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' })");
      if (issuers.has(r.issuer)) fail(this, `props.jwtRules[${i}].issuer`, r.issuer, 'each issuer is configured once', 'merge the rules of this issuer into one JwtRule');
      issuers.add(r.issuer);
      return r._intent();
    });
    const owner = sourceOwner(this.node.path);
    this.mesh.registerOwner(owner, this);
    this.mesh.model.addRequestAuthentication({ name, target: this.target, jwtRules, source: this.node.path });
    this.mesh.addMember(this);
    this.resource = this.mesh.objectOf(owner, 'Resource')!;
    this.node.addValidation({ validate: () => this.warnIfNotRequired() });
  }

  /**
   * CI5003: the tokens this RequestAuthentication validates are not required by any rule of the
   * workload (for a gateway: of a service exposed on it), so requests without a token get in.
   */
  private warnIfNotRequired(): string[] {
    if (this.warned) return [];
    const model = this.mesh.model;
    const services = this.target.kind === 'service' ? [this.target.service] : model.exposuresOn(this.target.gateway).map((e) => e.service);
    const required = services.some((s) => {
      const w = model.workload(s);
      return [...w.allow, ...w.deny].some(readsJwt);
    });
    if (!required) {
      this.warned = true;
      const what = this.target.kind === 'service' ? `service ${this.target.service.namespace}/${this.target.service.name}` : `gateway ${this.target.gateway}`;
      addWarning(this, WARN_TOKEN_NOT_REQUIRED, `the RequestAuthentication on ${what} rejects invalid tokens, but no authorization rule requires a token, so requests without one are still allowed; `
        + 'require it with allowFrom(..., { requestPrincipals: [RequestPrincipal.fromIssuer(...)] }) or a Condition.requestAuthClaim');
    }
    return [];
  }
}
