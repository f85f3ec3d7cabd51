import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import { namespaceOwner } from './model';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { fail, validationMessage } from './private/errors';
import { BOOLEAN_HINT, MESH_HINT, namespaceHint } from './private/hints';
import { dns1123Label } from './rules/names';
import { meshMemberNamespace } from './rules/workload';
import { namespaceWaypoint, Waypoint } from './waypoint';

/**
 * A namespace of the mesh, as the constructs that place objects in a namespace take it: a
 * {@link MeshNamespace} the app writes, one adopted with `MeshNamespace.fromName` (it exists
 * already: a Helm chart or another repository creates it), or a class of your own. Every construct
 * reads only `mesh` and `name`, and requires the mesh's model to declare or adopt `name`: a class of
 * your own either delegates to a MeshNamespace or an adopted one, or declares the namespace itself
 * (`mesh.model.addNamespace`, `mesh.registerOwner(namespaceOwner(name), this)` for the objects the
 * mesh renders there, and `mesh.addMember(this)` so `MeshService.fromAttributes` finds it by name).
 */
export interface IMeshNamespace extends IMeshMember {
  /** The namespace name. */
  readonly name: string;
  /** Whether the namespace may get a waypoint (ambient mode). */
  readonly waypointAllowed: boolean;
  /**
   * The namespace's labels as the mesh needs them. For a MeshNamespace, the labels its Namespace
   * object carries; for an adopted namespace, the mesh labels its owner must set (membership, and in
   * ambient mode the waypoint), since the app writes no Namespace object there.
   */
  readonly labels: { readonly [key: string]: string };
  /** The namespace's waypoint (ambient mode), once something needs L7; undefined otherwise. */
  readonly waypoint: Waypoint | undefined;
  /** The Namespace object; undefined for an adopted namespace (the app does not write it). */
  readonly resource: ApiObject | undefined;
}

/** Options of `MeshNamespace.fromName`: a namespace that exists, adopted into the mesh. */
export interface AdoptedNamespaceOptions {
  /** The mesh the namespace's workloads belong to. */
  readonly mesh: Mesh;
  /**
   * Ambient mode only: whether the namespace has a waypoint. The mesh writes the waypoint Gateway
   * when a service of the namespace needs L7 (routes, connection policies, L7 authorization), but it
   * cannot label a namespace it does not write: the namespace's owner must set
   * `istio.io/use-waypoint: waypoint` (listed in the adopted namespace's `labels`). With `false`,
   * L7 intent for its services is refused, as for a MeshNamespace with `waypoint: false`.
   * @default false
   */
  readonly waypoint?: boolean;
}

const ADOPTED_NAMESPACE_BRAND = brandSymbol('AdoptedMeshNamespace');

/**
 * A namespace the app does not write, adopted into the mesh (see `MeshNamespace.fromName`): the mesh
 * writes its namespace-wide objects there (a ZeroTrustPolicy's PeerAuthentication and default deny,
 * SidecarScope Sidecars, the waypoint Gateway in ambient mode) and the objects of the services in it,
 * but never a Namespace object, so neither mesh labels nor Pod Security labels: its owner sets them
 * (`labels` lists the mesh labels it needs).
 */
export class AdoptedMeshNamespace extends Construct implements IMeshNamespace {
  /** Whether `x` is an adopted namespace (works across copies of this package). */
  public static isAdoptedMeshNamespace(x: unknown): x is AdoptedMeshNamespace {
    return hasBrand(x, ADOPTED_NAMESPACE_BRAND);
  }

  /** `x instanceof AdoptedMeshNamespace`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is AdoptedMeshNamespace {
    return hasBrand(x, ADOPTED_NAMESPACE_BRAND);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The namespace name. */
  public readonly name: string;
  /** Whether the namespace may get a waypoint (ambient mode). */
  public readonly waypointAllowed: boolean;
  /** Always undefined: the app writes no Namespace object for an adopted namespace. */
  public readonly resource: undefined = undefined;

  /** Use `MeshNamespace.fromName(scope, id, name, options)`. */
  constructor(scope: Construct, id: string, name: string, options: AdoptedNamespaceOptions) {
    super(scope, id);
    addBrand(this, ADOPTED_NAMESPACE_BRAND);
    if (!options || !Mesh.isMesh(options.mesh)) fail(this, 'options.mesh', options?.mesh, 'a Mesh is required', MESH_HINT);
    this.mesh = options.mesh;
    const bad = typeof name === 'string' ? dns1123Label(name) : 'must be a string';
    if (bad) fail(this, 'name', name, `a namespace name ${bad}`, namespaceHint(name, dns1123Label));
    this.name = name;
    const notMember = meshMemberNamespace(name, this.mesh.rootNamespace);
    if (notMember) fail(this, 'name', name, notMember, 'adopt the namespace the workloads run in');
    if (options.waypoint !== undefined && typeof options.waypoint !== 'boolean') fail(this, 'options.waypoint', options.waypoint, 'must be a boolean', BOOLEAN_HINT);
    this.waypointAllowed = options.waypoint ?? false;

    // The model first: a namespace declared twice is refused before this construct owns anything.
    this.mesh.model.addNamespace({ name, labels: {}, waypoint: this.waypointAllowed, adoption: 'adopted', source: this.node.path });
    this.mesh.registerOwner(namespaceOwner(name), this, (childId, manifest) => (childId === 'Waypoint' ? namespaceWaypoint(this, this.mesh, name, manifest).resource : undefined));
    this.mesh.addMember(this);
    this.node.addValidation({ validate: () => waypointNameProblems(this) });
  }

  /**
   * The mesh labels the namespace's owner must set, since the app writes no Namespace object:
   * `istio-injection: enabled` (sidecar; `istio.io/rev` with a revisioned control plane) or
   * `istio.io/dataplane-mode: ambient`, plus `istio.io/use-waypoint` (and, for services deployed
   * elsewhere, `istio.io/ingress-use-waypoint`) once the namespace has a waypoint. Read it at synth
   * time, after every construct has written its intent.
   */
  public get labels(): { readonly [key: string]: string } {
    return this.mesh.renderer.namespaceLabels(this.mesh.model, this.name);
  }

  /** The namespace's waypoint (ambient mode), once something needs L7. Undefined otherwise. */
  public get waypoint(): Waypoint | undefined {
    if (!this.mesh.objectOf(namespaceOwner(this.name), 'Waypoint')) return undefined;
    return this.node.findChild('Waypoint') as Waypoint;
  }
}

/**
 * Istio names the waypoint's Deployment, Service and ServiceAccount after the Gateway: no service of
 * the namespace may take that name (a cdk8s validation of every namespace with a waypoint).
 */
export function waypointNameProblems(ns: IMeshNamespace): string[] {
  const w = ns.waypoint;
  if (!w) return [];
  return ns.mesh.model.services
    .filter((s) => s.namespace === ns.name && (s.name === w.name || s.serviceAccount === w.name))
    .map((s) => validationMessage('waypoint', w.name, `Istio deploys the waypoint of namespace ${ns.name} as Deployment, Service and ServiceAccount "${w.name}", which ${s.source} also uses`, 'rename the service or its ServiceAccount'));
}
