import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import { fail, validationMessage } from './private/errors';
import { dns1123Label } from './rules/names';
import { labelKey, labelValue } from './rules/labels';
import { Waypoint } from './waypoint';

/** Properties of a {@link MeshNamespace}. */
export interface MeshNamespaceProps {
  /** The mesh the namespace joins. */
  readonly mesh: Mesh;
  /**
   * The namespace name.
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * Extra labels. The mesh labels (`istio-injection` or `istio.io/dataplane-mode`) cannot be overridden here.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Ambient mode only: whether the namespace may get a waypoint. The library creates one (Gateway
   * `waypoint`, and `istio.io/use-waypoint: waypoint` on the namespace) as soon as a service of the
   * namespace is routed, has a connection policy or an authorization rule: ztunnel enforces only L4,
   * and an L7 policy with a selector and no waypoint fails closed. With `false`, such intent is an
   * error, and authorization rules must be L4-only (they are then enforced by ztunnel with `selector`).
   * @default true
   */
  readonly waypoint?: boolean;
}

/**
 * A namespace that joins the mesh. With sidecars it carries `istio-injection: enabled`; in ambient
 * mode `istio.io/dataplane-mode: ambient`. Label only namespaces that need the mesh (the article's
 * pitfall 1): unrelated namespaces stay as they are.
 */
export class MeshNamespace extends Construct implements IMeshMember {
  /** Whether `x` is a MeshNamespace. */
  public static isMeshNamespace(x: unknown): x is MeshNamespace {
    return x instanceof MeshNamespace;
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object. */
  public readonly resource: ApiObject;
  /** Whether the namespace may get a waypoint (ambient mode). */
  public readonly waypointAllowed: boolean;
  private readonly _labels: Record<string, string>;
  private _waypoint?: Waypoint;
  private readonly _onWaypoint: Array<(w: Waypoint) => void> = [];

  constructor(scope: Construct, id: string, props: MeshNamespaceProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.name = props.name ?? id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    const bad = dns1123Label(this.name);
    if (bad) fail(this, 'props.name', this.name, `a namespace name ${bad}`);
    const meshLabels: Record<string, string> = this.mesh.isAmbient
      ? { 'istio.io/dataplane-mode': 'ambient' }
      : { 'istio-injection': 'enabled' };
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      const badKey = labelKey(k);
      if (badKey) fail(this, `props.labels`, k, badKey);
      const badValue = labelValue(v);
      if (badValue) fail(this, `props.labels.${k}`, v, badValue);
      if (k in meshLabels || ['istio-injection', 'istio.io/dataplane-mode', 'istio.io/rev', 'istio.io/use-waypoint'].includes(k)) {
        fail(this, 'props.labels', k, 'mesh membership labels are set by the mesh data plane mode, not by hand');
      }
    }
    if (props.waypoint !== undefined && typeof props.waypoint !== 'boolean') fail(this, 'props.waypoint', props.waypoint, 'must be a boolean');
    this.waypointAllowed = props.waypoint ?? true;
    this._labels = { ...(props.labels ?? {}), ...meshLabels };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.name, labels: this._labels },
    });
    this.mesh._register(this);
  }

  /** The namespace labels, including the mesh label. */
  public get labels(): { readonly [key: string]: string } {
    return { ...this._labels };
  }

  /** The namespace's waypoint (ambient mode), once something needs L7. */
  public get waypoint(): Waypoint | undefined {
    return this._waypoint;
  }

  /**
   * Makes sure the namespace has a waypoint (ambient mode): creates the `waypoint` Gateway and labels
   * the namespace `istio.io/use-waypoint`. Fails for `who` when the namespace has `waypoint: false`.
   * @internal
   */
  public _requireWaypoint(who: Construct, why: string): Waypoint {
    if (this._waypoint) return this._waypoint;
    if (!this.mesh.isAmbient) fail(who, 'namespace', this.name, 'waypoints exist only on an ambient data plane');
    if (!this.waypointAllowed) {
      fail(who, 'namespace', this.name, `${why}, but namespace ${this.name} has waypoint: false`,
        'allow the waypoint (MeshNamespace waypoint: true), or use DataPlaneMode.SIDECAR for this mesh');
    }
    this._waypoint = new Waypoint(this, 'Waypoint', { namespace: this.name });
    this._addLabel('istio.io/use-waypoint', this._waypoint.name);
    this.node.addValidation({ validate: () => this.checkWaypointName() });
    for (const cb of this._onWaypoint) cb(this._waypoint);
    return this._waypoint;
  }

  /** Istio names the waypoint's Deployment, Service and ServiceAccount after the Gateway: no service may take that name. */
  private checkWaypointName(): string[] {
    const w = this._waypoint!;
    const clash = this.mesh.membersOf((m): m is IMeshMember & { name: string; namespace: string; serviceAccountName: string } =>
      typeof (m as any).serviceAccountName === 'string' && (m as any).namespace === this.name && m !== (this as IMeshMember));
    return clash
      .filter((m) => m.name === w.name || m.serviceAccountName === w.name)
      .map((m) => validationMessage('waypoint', w.name, `Istio deploys the waypoint of namespace ${this.name} as Deployment, Service and ServiceAccount "${w.name}", which ${m.node.path} also uses`, 'rename the service or its ServiceAccount'));
  }

  /** Runs `cb` once the namespace has a waypoint (now, if it already has one). @internal */
  public _whenWaypoint(cb: (w: Waypoint) => void): void {
    if (this._waypoint) cb(this._waypoint);
    else this._onWaypoint.push(cb);
  }

  /** Adds a label to the Namespace object (e.g. `istio.io/use-waypoint`). @internal */
  public _addLabel(key: string, value: string): void {
    this._labels[key] = value;
    this.resource.metadata.addLabel(key, value);
  }
}
