import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import { requireMeshNamespace } from './mesh-namespace-handle';
import type { IMeshNamespace } from './adopted-namespace';
import { CallEdge, ServiceRef, sourceOwner } from './model';
import { fail, validationMessage } from './private/errors';
import { BOOLEAN_HINT, MESH_HINT, SAME_MESH_HINT } from './private/hints';
import { IMeshService, requireMeshService } from './mesh-service';
import { MtlsMode } from './values/mtls-mode';
import { addBrand, brandSymbol, hasBrand } from './private/brand';

/** Security settings of one namespace. */
export interface NamespaceSecurityOptions {
  /**
   * The namespace: a MeshNamespace, an adopted one (`MeshNamespace.fromName`) or any other
   * {@link IMeshNamespace} whose mesh's model declares or adopts it.
   */
  readonly namespace: IMeshNamespace;
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

const ZTP_SYMBOL = brandSymbol('ZeroTrustPolicy');

/**
 * Zero-trust security for a mesh: mTLS modes (mesh-wide, per namespace, per workload, per port) and
 * a real default deny per namespace. Allow rules are declared on the services themselves
 * (`payment.allowFrom(order, {...})`), from typed identities, and together they form the call graph
 * ({@link ZeroTrustPolicy.edges}). It writes into the mesh model; the mesh-wide and namespace-wide
 * objects are rendered as its children.
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
    return hasBrand(x, ZTP_SYMBOL);
  }

  /** `x instanceof ZeroTrustPolicy`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is ZeroTrustPolicy {
    return hasBrand(x, ZTP_SYMBOL);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The mesh-wide mode, when set. */
  public readonly meshMtls?: MtlsMode;

  private readonly _namespaces = new Map<string, NamespaceSecurityOptions>();

  constructor(scope: Construct, id: string, props: ZeroTrustPolicyProps) {
    super(scope, id);
    addBrand(this, ZTP_SYMBOL);
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'a Mesh is required', MESH_HINT);
    this.mesh = props.mesh;
    const other = this.mesh.membersOf(ZeroTrustPolicy.isZeroTrustPolicy)[0];
    if (other) {
      fail(this, 'props.mesh', this.mesh.node.path, `the mesh already has a ZeroTrustPolicy (${other.node.path}); a mesh has one`, 'add namespaces to the existing one with addNamespace');
    }
    this.mesh.registerOwner(sourceOwner(this.node.path), this);
    if (props.meshMtls !== undefined) {
      if (!MtlsMode.isMtlsMode(props.meshMtls)) fail(this, 'props.meshMtls', props.meshMtls, 'must be an MtlsMode (MtlsMode.PERMISSIVE, MtlsMode.STRICT, ...)', 'e.g. meshMtls: MtlsMode.STRICT');
      this.meshMtls = props.meshMtls;
      this.mesh.model.setMeshMtls(props.meshMtls.value, this.node.path);
    }
    (props.namespaces ?? []).forEach((n, i) => this.secureNamespace(`props.namespaces[${i}]`, n));
    this.mesh.addMember(this);
    this.node.addValidation({
      validate: () => {
        // A workload PeerAuthentication is named after its service; `default` is the namespace-wide one.
        const model = this.mesh.model;
        const clash = model.services.filter((s) => s.name === 'default' && model.workload(s).mtls && this._namespaces.get(s.namespace)?.mtls);
        return clash.map((s) => validationMessage('requireMtls.service', s.source, `service "default" and namespace ${s.namespace} would both render PeerAuthentication ${s.namespace}/default`, 'rename the service'));
      },
    });
  }

  /** The mesh-wide PeerAuthentication, when `meshMtls` is set (an escape hatch). */
  public get meshPeerAuthentication(): ApiObject | undefined {
    return this.mesh.objectOf(sourceOwner(this.node.path), 'MeshPeerAuthentication');
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
  public requireMtls(service: IMeshService, mode: MtlsMode, options: RequireMtlsOptions = {}): void {
    requireMeshService(this, 'requireMtls.service', service);
    if (service.mesh !== this.mesh) fail(this, 'requireMtls.service', service.node.path, 'the service belongs to another mesh', SAME_MESH_HINT);
    if (!MtlsMode.isMtlsMode(mode)) fail(this, 'requireMtls.mode', mode, 'must be an MtlsMode (MtlsMode.STRICT, ...)', 'e.g. MtlsMode.STRICT or MtlsMode.PERMISSIVE');
    const portLevel: Array<{ port: number; mode: string }> = [];
    if (options.portLevel !== undefined) {
      const entries = Object.entries(options.portLevel ?? {});
      // portLevelMtls needs at least one entry; the selector is always set on a workload.
      if (entries.length === 0) fail(this, 'requireMtls.options.portLevel', options.portLevel, 'port-level mTLS needs at least one port entry', 'omit portLevel instead');
      for (const [key, m] of entries) {
        const port = Number(key);
        if (!/^\d+$/.test(key) || port < 1 || port > 65535) fail(this, 'requireMtls.options.portLevel', key, 'port-level mTLS keys are container ports, integers in 1..65535', "e.g. portLevel: { 8080: MtlsMode.PERMISSIVE }");
        if (!MtlsMode.isMtlsMode(m)) fail(this, `requireMtls.options.portLevel.${key}`, m, 'must be an MtlsMode', 'e.g. MtlsMode.PERMISSIVE');
        portLevel.push({ port, mode: m.value });
      }
    }
    const ref: ServiceRef = { namespace: service.namespace, name: service.name };
    this.mesh.model.setWorkloadMtls(ref, { mode: mode.value, portLevel: portLevel.sort((a, b) => a.port - b.port) }, this.node.path);
  }

  /** The names of the secured namespaces, in the order they were added. */
  public get namespaces(): string[] {
    return [...this._namespaces.keys()];
  }

  /** Whether `namespace` has a default deny. */
  public hasDefaultDeny(namespace: IMeshNamespace | string): boolean {
    const name = typeof namespace === 'string' ? namespace : namespace.name;
    return this.mesh.model.namespaceSecurity(name)?.defaultDeny ?? false;
  }

  /**
   * The mesh's call graph: every caller → service edge, with its allow rule, from every service of
   * the mesh (services in declaration order, edges in the order they were added).
   */
  public get edges(): CallEdge[] {
    return this.mesh.model.edges();
  }

  private secureNamespace(property: string, options: NamespaceSecurityOptions): void {
    requireMeshNamespace(this, `${property}.namespace`, options?.namespace);
    const ns = options.namespace;
    if (ns.mesh !== this.mesh) fail(this, `${property}.namespace`, ns.name, 'the namespace belongs to another mesh', SAME_MESH_HINT);
    if (ns.name === this.mesh.rootNamespace) {
      fail(this, `${property}.namespace`, ns.name, 'policies in the root namespace apply mesh-wide', 'use meshMtls for the mesh-wide mode');
    }
    if (this._namespaces.has(ns.name)) fail(this, `${property}.namespace`, ns.name, 'the namespace is already secured by this policy', 'drop the repeated namespace');
    if (options.mtls !== undefined && !MtlsMode.isMtlsMode(options.mtls)) fail(this, `${property}.mtls`, options.mtls, 'must be an MtlsMode', 'e.g. mtls: MtlsMode.STRICT');
    if (options.defaultDeny !== undefined && typeof options.defaultDeny !== 'boolean') fail(this, `${property}.defaultDeny`, options.defaultDeny, 'must be a boolean', BOOLEAN_HINT);
    const defaultDeny = options.defaultDeny ?? true;
    if (!defaultDeny && options.mtls === undefined) {
      fail(this, property, ns.name, 'the entry sets neither a default deny nor an mTLS mode, so it does nothing', 'remove it, or set defaultDeny or mtls');
    }
    this.mesh.model.secureNamespace({ namespace: ns.name, defaultDeny, ...(options.mtls !== undefined ? { mtls: options.mtls.value } : {}), source: this.node.path });
    this._namespaces.set(ns.name, { ...options, defaultDeny });
  }
}

/**
 * The call graph of a mesh: every caller → service edge with its allow rule, from every service
 * (services in declaration order, edges in the order they were added).
 */
export function callGraphOf(mesh: Mesh): CallEdge[] {
  return mesh.model.edges();
}
