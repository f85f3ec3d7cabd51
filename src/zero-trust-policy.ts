import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as security from '../imports/security.istio.io';
import { CallEdge } from './intent/security';
import { IMeshMember, Mesh } from './mesh';
import { MeshNamespace } from './mesh-namespace';
import { fail, validationMessage } from './private/errors';
import { renderedObject } from './private/rendered-object';
import { renderAllowFromWaypointSpec, renderWaypointDefaultDenySpec } from './render/ambient-security';
import { renderDefaultDenySpec, renderPeerAuthenticationSpec } from './render/istio-security';
import { TracedService } from './traced-service';
import { MtlsMode } from './values/mtls-mode';

/** Security settings of one namespace. */
export interface NamespaceSecurityOptions {
  /** The namespace. */
  readonly namespace: MeshNamespace;
  /**
   * Render a real default deny: an ALLOW policy that matches nothing (`default-deny`), so a request
   * to any workload of the namespace is allowed only when an explicit allow rule matches it.
   * @default true
   */
  readonly defaultDeny?: boolean;
  /**
   * Namespace-wide mTLS mode (a PeerAuthentication named `default` without selector).
   * @default - the mesh-wide mode applies
   */
  readonly mtls?: MtlsMode;
}

/** Properties of a {@link ZeroTrustPolicy}. */
export interface ZeroTrustPolicyProps {
  /** The mesh. */
  readonly mesh: Mesh;
  /**
   * Mesh-wide mTLS mode: a PeerAuthentication named `default` in the root namespace, without
   * selector. Use PERMISSIVE while migrating, then STRICT.
   * @default - no mesh-wide PeerAuthentication (Istio then behaves as PERMISSIVE)
   * @see https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
   */
  readonly meshMtls?: MtlsMode;
  /**
   * Namespaces to secure.
   * @default - none (add them with addNamespace)
   */
  readonly namespaces?: NamespaceSecurityOptions[];
}

/** Options of {@link ZeroTrustPolicy.requireMtls}. */
export interface RequireMtlsOptions {
  /**
   * Per-port modes that override the workload mode, keyed by container port (1..65535). Given, it
   * needs at least one entry.
   * @example { 9090: MtlsMode.PERMISSIVE } // a metrics port scraped in plaintext
   * @default - none
   */
  readonly portLevel?: { readonly [port: number]: MtlsMode };
}

const ZTP_SYMBOL = Symbol.for('cdk8s-istio.ZeroTrustPolicy');

/**
 * Zero-trust security for a mesh: mTLS modes (mesh-wide, per namespace, per workload, per port) and
 * a real default deny per namespace. Allow rules are declared on the services themselves
 * (`payment.allowFrom(order, {...})`), from typed identities, and together they form the call graph
 * ({@link ZeroTrustPolicy.edges}).
 *
 * @example
 * const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', {
 *   mesh, meshMtls: MtlsMode.PERMISSIVE,
 *   namespaces: [{ namespace: production, defaultDeny: true }],
 * });
 * zt.requireMtls(payment, MtlsMode.STRICT);
 */
export class ZeroTrustPolicy extends Construct implements IMeshMember {
  /** Whether `x` is a ZeroTrustPolicy. */
  public static isZeroTrustPolicy(x: unknown): x is ZeroTrustPolicy {
    return typeof x === 'object' && x !== null && ZTP_SYMBOL in x;
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The mesh-wide mode, when set. */
  public readonly meshMtls?: MtlsMode;
  /** The mesh-wide PeerAuthentication, when `meshMtls` is set. */
  public readonly meshPeerAuthentication?: ApiObject;

  private readonly _namespaces = new Map<string, { readonly options: NamespaceSecurityOptions; readonly objects: ApiObject[] }>();

  constructor(scope: Construct, id: string, props: ZeroTrustPolicyProps) {
    super(scope, id);
    Object.defineProperty(this, ZTP_SYMBOL, { value: true });
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'a Mesh is required');
    this.mesh = props.mesh;
    const other = this.mesh.membersOf(ZeroTrustPolicy.isZeroTrustPolicy)[0];
    if (other) {
      fail(this, 'props.mesh', this.mesh.node.path, `the mesh already has a ZeroTrustPolicy (${other.node.path}); a mesh has one`, 'add namespaces to the existing one with addNamespace');
    }
    if (props.meshMtls !== undefined) {
      if (!MtlsMode.isMtlsMode(props.meshMtls)) fail(this, 'props.meshMtls', props.meshMtls, 'must be an MtlsMode (MtlsMode.PERMISSIVE, MtlsMode.STRICT, ...)');
      this.meshMtls = props.meshMtls;
      this.meshPeerAuthentication = renderedObject(this, 'MeshPeerAuthentication', security.PeerAuthentication.GVK, { name: 'default', namespace: this.mesh.rootNamespace }, renderPeerAuthenticationSpec({ mode: props.meshMtls.value, portLevel: [] }));
    }
    (props.namespaces ?? []).forEach((n, i) => this.secureNamespace(`props.namespaces[${i}]`, n));
    this.mesh._register(this);
    this.node.addValidation({
      validate: () => {
        // A workload PeerAuthentication is named after its service; `default` is the namespace-wide one.
        const clash = this.mesh.membersOf(TracedService.isTracedService)
          .filter((s) => s.name === 'default' && s.security.mtls && this._namespaces.get(s.namespace)?.options.mtls);
        return clash.map((s) => validationMessage('requireMtls.service', s.node.path, `service "default" and namespace ${s.namespace} would both render PeerAuthentication ${s.namespace}/default`, 'rename the service'));
      },
    });
  }

  /** Secures one more namespace: its default deny and, optionally, its namespace-wide mTLS mode. */
  public addNamespace(options: NamespaceSecurityOptions): void {
    this.secureNamespace('addNamespace.options', options);
  }

  /**
   * Sets a workload's own mTLS mode: a PeerAuthentication named after the service, selecting its
   * pods (`app: <service>`) in its namespace, optionally with per-port overrides.
   *
   * @example zt.requireMtls(payment, MtlsMode.STRICT)
   */
  public requireMtls(service: TracedService, mode: MtlsMode, options: RequireMtlsOptions = {}): void {
    if (!(service instanceof TracedService)) fail(this, 'requireMtls.service', service, 'must be a TracedService');
    if (service.mesh !== this.mesh) fail(this, 'requireMtls.service', service.node.path, 'the service belongs to another mesh');
    if (!MtlsMode.isMtlsMode(mode)) fail(this, 'requireMtls.mode', mode, 'must be an MtlsMode (MtlsMode.STRICT, ...)');
    const portLevel: Array<{ port: number; mode: MtlsMode }> = [];
    if (options.portLevel !== undefined) {
      const entries = Object.entries(options.portLevel ?? {});
      // portLevelMtls needs at least one entry; the selector is always set on a workload.
      if (entries.length === 0) fail(this, 'requireMtls.options.portLevel', options.portLevel, 'port-level mTLS needs at least one port entry', 'omit portLevel instead');
      for (const [key, m] of entries) {
        const port = Number(key);
        if (!/^\d+$/.test(key) || port < 1 || port > 65535) fail(this, 'requireMtls.options.portLevel', key, 'port-level mTLS keys are container ports, integers in 1..65535');
        if (!MtlsMode.isMtlsMode(m)) fail(this, `requireMtls.options.portLevel.${key}`, m, 'must be an MtlsMode');
        portLevel.push({ port, mode: m });
      }
    }
    service.security._setMtls(this, mode, portLevel);
  }

  /**
   * The namespace-wide mode of `namespace`, else the mesh-wide mode (read by ServiceSecurity, which
   * finds mTLS defaults among the mesh members by this method).
   * @internal
   */
  public _mtlsModeOf(namespace: string): MtlsMode | undefined {
    const ns = this._namespaces.get(namespace)?.options.mtls;
    return ns && ns !== MtlsMode.UNSET ? ns : this.meshMtls;
  }

  /** The names of the secured namespaces, in the order they were added. */
  public get namespaces(): string[] {
    return [...this._namespaces.keys()];
  }

  /** Whether `namespace` has a default deny. */
  public hasDefaultDeny(namespace: MeshNamespace | string): boolean {
    const name = typeof namespace === 'string' ? namespace : namespace.name;
    return this._namespaces.get(name)?.options.defaultDeny ?? false;
  }

  /**
   * The mesh's call graph: every caller → service edge, with its allow rule, from every
   * TracedService of the mesh (services in declaration order, edges in the order they were added).
   */
  public get edges(): CallEdge[] {
    return callGraphOf(this.mesh);
  }

  private secureNamespace(property: string, options: NamespaceSecurityOptions): void {
    if (!options || !MeshNamespace.isMeshNamespace(options.namespace)) fail(this, `${property}.namespace`, options?.namespace, 'must be a MeshNamespace');
    const ns = options.namespace;
    if (ns.mesh !== this.mesh) fail(this, `${property}.namespace`, ns.name, 'the namespace belongs to another mesh');
    if (ns.name === this.mesh.rootNamespace) {
      fail(this, `${property}.namespace`, ns.name, 'policies in the root namespace apply mesh-wide', 'use meshMtls for the mesh-wide mode');
    }
    if (this._namespaces.has(ns.name)) fail(this, `${property}.namespace`, ns.name, 'the namespace is already secured by this policy');
    if (options.mtls !== undefined && !MtlsMode.isMtlsMode(options.mtls)) fail(this, `${property}.mtls`, options.mtls, 'must be an MtlsMode');
    if (options.defaultDeny !== undefined && typeof options.defaultDeny !== 'boolean') fail(this, `${property}.defaultDeny`, options.defaultDeny, 'must be a boolean');
    const defaultDeny = options.defaultDeny ?? true;
    if (!defaultDeny && options.mtls === undefined) {
      fail(this, property, ns.name, 'the entry sets neither a default deny nor an mTLS mode, so it does nothing', 'remove it, or set defaultDeny or mtls');
    }
    const objects: ApiObject[] = [];
    if (options.mtls !== undefined) {
      objects.push(renderedObject(this, `PeerAuthentication-${ns.name}`, security.PeerAuthentication.GVK, { name: 'default', namespace: ns.name }, renderPeerAuthenticationSpec({ mode: options.mtls.value, portLevel: [] })));
    }
    if (defaultDeny) {
      objects.push(renderedObject(this, `DefaultDeny-${ns.name}`, security.AuthorizationPolicy.GVK, { name: 'default-deny', namespace: ns.name }, renderDefaultDenySpec()));
    }
    if (defaultDeny && this.mesh.isAmbient) {
      // Ambient: the ALLOW-nothing above is enforced by ztunnel (L4). Requests through the waypoint
      // arrive with the waypoint's identity, so ztunnel must let the waypoint through, and the
      // waypoint itself must deny what no allow rule of the destination Service allows.
      ns._whenWaypoint((w) => {
        objects.push(renderedObject(this, `AllowFromWaypoint-${ns.name}`, security.AuthorizationPolicy.GVK, { name: 'allow-from-waypoint', namespace: ns.name }, renderAllowFromWaypointSpec(w, this.mesh.trustDomain)));
        objects.push(renderedObject(this, `WaypointDefaultDeny-${ns.name}`, security.AuthorizationPolicy.GVK, { name: `${w.name}-default-deny`, namespace: ns.name }, renderWaypointDefaultDenySpec(w.name)));
      });
    }
    this._namespaces.set(ns.name, { options: { ...options, defaultDeny }, objects });
  }
}

/**
 * The call graph of a mesh: every caller → service edge with its allow rule, from every
 * TracedService (services in declaration order, edges in the order they were added).
 */
export function callGraphOf(mesh: Mesh): CallEdge[] {
  return mesh.membersOf(TracedService.isTracedService).flatMap((s) => s.security.edges);
}
