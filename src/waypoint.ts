import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as gateway from '../imports/gateway.networking.k8s.io';
import { IWorkloadIdentity } from './model';
import { dns1123Label } from './rules/names';
import { fail } from './private/errors';
import { renderedObject } from './private/rendered-object';
import { HBONE_PORT as HBONE, renderWaypointGateway, WAYPOINT_GATEWAY_CLASS as WAYPOINT_CLASS } from './render/ambient-security';

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
  /** The Gateway name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The Gateway object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: WaypointProps) {
    super(scope, id);
    this.name = props.name ?? 'waypoint';
    this.namespace = props.namespace;
    const bad = dns1123Label(this.name);
    if (bad) fail(this, 'props.name', this.name, `a waypoint name ${bad}`);
    const g = renderWaypointGateway(this.name, this.namespace);
    this.resource = renderedObject(this, 'Resource', gateway.Gateway.GVK, g.metadata, g.spec);
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
