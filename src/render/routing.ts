import { HostTrafficIntent, IntentProblem, RoutingApiName, ServiceIntent } from '../model';
import { CanaryExposure, flaggerHostProblems, flaggerPortDiscoveryProblems, renderFlaggerDelivery } from './flagger';
import { gatewayApiHostProblems, renderGatewayApiRouting } from './gateway-api';
import { renderFlaggerRoot, renderIstioRouting } from './istio-traffic';
import { RenderedObject } from './types';

/**
 * How a host's traffic intent becomes objects, one renderer per routing API and delivery mode.
 * render/index.ts picks one per host: Flagger for a progressive host, else the mesh's routing API.
 */
export interface RoutingRenderer {
  /** `istio`, `gateway-api` or `flagger`. */
  readonly name: RoutingApiName | 'flagger';
  /**
   * Whether the library renders the host's Service and per-version Deployments. Flagger creates the
   * Services and its primary Deployment itself, and takes one target Deployment from us.
   */
  readonly rendersWorkload: boolean;
  /** Why a host cannot be delivered progressively with this routing API; undefined when it can. */
  readonly progressiveDelivery?: IntentProblem;
  /**
   * The host's routing objects. `exposures`: the ingress gateways whose traffic the host's own routes
   * carry (Flagger's Canary `service.gateways`/`hosts`); other renderers leave gateway routes to render/ingress.ts.
   */
  hostObjects(svc: ServiceIntent, host: HostTrafficIntent, podAnnotations: { readonly [key: string]: string }, exposures?: readonly CanaryExposure[]): RenderedObject[];
  /** What the renderer cannot express in the host's intent. */
  hostProblems(svc: ServiceIntent, host: HostTrafficIntent): IntentProblem[];
}

/** Istio's routing API: VirtualService and DestinationRule with subsets. */
export const ISTIO_ROUTING: RoutingRenderer = {
  name: 'istio',
  rendersWorkload: true,
  hostObjects: (svc, host) => renderIstioRouting(svc, host),
  hostProblems: () => [],
};

/** Kubernetes Gateway API (GAMMA): HTTPRoute, per-version Services, DestinationRules without subsets. */
export const GATEWAY_API_ROUTING: RoutingRenderer = {
  name: 'gateway-api',
  rendersWorkload: true,
  progressiveDelivery: {
    property: 'progressive',
    value: 'Gateway API routing',
    rule: "Flagger's Istio provider creates VirtualServices, and this mesh renders routes as Gateway API HTTPRoutes",
    hint: 'use RoutingApi.ISTIO on the Mesh for progressive hosts',
  },
  hostObjects: (svc, host) => renderGatewayApiRouting(svc, host),
  hostProblems: (svc, host) => gatewayApiHostProblems(svc, host),
};

/** Progressive delivery with Flagger (Istio provider): a Canary and Flagger's target Deployment. */
export const FLAGGER_DELIVERY: RoutingRenderer = {
  name: 'flagger',
  rendersWorkload: false,
  hostObjects: (svc, host, podAnnotations, exposures) => [...renderFlaggerDelivery(svc, host, podAnnotations, exposures), ...renderFlaggerRoot(svc, host)],
  hostProblems: (svc, host) => [...flaggerHostProblems(host, svc), ...flaggerPortDiscoveryProblems(svc, host)],
};
