import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Mesh } from './mesh';
import { IWorkloadIdentity, namespaceOwner } from './model';
import { dns1123Label } from './rules/names';
import { fail } from './private/errors';
import { nameHint } from './private/hints';
import { RenderedApiObject, RenderedManifest, renderedObject } from './private/rendered-object';
import { HBONE_PORT as HBONE, renderWaypointGateway, WAYPOINT_GATEWAY_CLASS as WAYPOINT_CLASS } from './render/ambient-security';
import { addBrand, brandSymbol, hasBrand } from './private/brand';

/** The GatewayClass Istio installs for waypoint proxies. */
export const WAYPOINT_GATEWAY_CLASS = WAYPOINT_CLASS;
/** The HBONE port every waypoint listens on. */
export const HBONE_PORT = HBONE;

/** Properties of a {@link Waypoint}. */
export interface WaypointProps {
  /** The namespace the waypoint serves. */
  readonly namespace: string;
  /**
   * The Gateway name. Istio deploys the waypoint with a ServiceAccount of the same name, which is
   * the identity ztunnel sees as the source of every request the waypoint forwards.
   * @default 'waypoint'
   */
  readonly name?: string;
}

const WAYPOINT_BRAND = brandSymbol('Waypoint');

/** The render source of a namespace's waypoint, keyed by the props object {@link namespaceWaypoint} passes. */
const RENDER_SOURCES = new WeakMap<WaypointProps, { readonly manifest: RenderedManifest; readonly current: () => RenderedManifest | undefined }>();

/**
 * The waypoint of a namespace of `mesh`, as the namespace constructs create it when the mesh first
 * renders it (`manifest`): its Gateway is a rendered object, so what the renderer adds after the
 * handle was read (e.g. `istio.io/rev` once a ControlPlane declares a revision) is merged in at
 * synth, whatever the order in which the app declared things. Not for app code: a namespace creates
 * its waypoint itself.
 */
export function namespaceWaypoint(scope: Construct, mesh: Mesh, namespace: string, manifest: RenderedManifest): Waypoint {
  const owner = namespaceOwner(namespace);
  const props: WaypointProps = { namespace, name: manifest.metadata.name };
  RENDER_SOURCES.set(props, { manifest, current: () => mesh.render().objects.find((o) => o.owner === owner && o.id === 'Waypoint')?.manifest });
  return new Waypoint(scope, 'Waypoint', props);
}

/**
 * An ambient-mode waypoint proxy: a Kubernetes Gateway of class `istio-waypoint` with one HBONE
 * listener on 15008, labelled `istio.io/waypoint-for: service`. Istio deploys an Envoy for it that
 * applies L7 routing (HTTPRoute), DestinationRules and L7 authorization for the services that use it
 * (`istio.io/use-waypoint` on the namespace).
 *
 * {@link MeshNamespace} creates one when its services need L7 in ambient mode; there is no need to
 * create it by hand.
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 */
export class Waypoint extends Construct implements IWorkloadIdentity {
  /** Whether `x` is a Waypoint (works across copies of this package). */
  public static isWaypoint(x: unknown): x is Waypoint {
    return hasBrand(x, WAYPOINT_BRAND);
  }

  /** `x instanceof Waypoint`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is Waypoint {
    return hasBrand(x, WAYPOINT_BRAND);
  }

  /** The Gateway name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The Gateway object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: WaypointProps) {
    super(scope, id);
    addBrand(this, WAYPOINT_BRAND);
    this.name = props.name ?? 'waypoint';
    this.namespace = props.namespace;
    const bad = dns1123Label(this.name);
    if (bad) fail(this, 'props.name', this.name, `a waypoint name ${bad}`, nameHint(this.name, dns1123Label, 'waypoint'));
    const rendered = RENDER_SOURCES.get(props);
    if (rendered) {
      this.resource = new RenderedApiObject(this, 'Resource', rendered.manifest, rendered.current);
    } else {
      const g = renderWaypointGateway(this.name, this.namespace);
      this.resource = renderedObject(this, 'Resource', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' }, g.metadata, g.spec);
    }
  }

  /** The waypoint's ServiceAccount (Istio names it after the Gateway). */
  public get serviceAccountName(): string {
    return this.name;
  }

  /** The waypoint's namespace (for {@link IWorkloadIdentity}). */
  public get identityNamespace(): string {
    return this.namespace;
  }
}
