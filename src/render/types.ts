/**
 * What renderers produce: manifests (plain JSON Kubernetes objects), each tagged with the owner key
 * of the intent it comes from and a construct id that is stable for that owner, so the object keeps
 * its place (and construct path) in the construct tree whatever else is added.
 */
import type { GatewayWorkloadIntent, IIntentPolicy, IngressWorkloadRequest, IntentProblem, MeshIntentModel, MeshSettings, ServiceRef } from '../model';
import type { RenderedManifest as Manifest } from '../private/rendered-object';

// A Kubernetes object as plain JSON: stated once, in the lowest layer that needs it (the rendered ApiObject).
export type { Manifest };

/**
 * A manifest whose `spec` is computed on first read and then kept. Rendering a whole mesh then only
 * builds the object heads; each spec is built when the object is serialized (at synth, while the
 * validation worker checks the objects already serialized). Still a pure function of the model.
 */
export function lazyManifest(apiVersion: string, kind: string, metadata: Manifest['metadata'], spec: () => { readonly [key: string]: unknown }): Manifest {
  let memo: { readonly [key: string]: unknown } | undefined;
  return {
    apiVersion,
    kind,
    metadata,
    get spec() {
      memo ??= spec();
      return memo;
    },
  };
}

/** One rendered object. */
export interface RenderedObject {
  /** The owner key (model/owners.ts): which construct the object goes under. */
  readonly owner: string;
  /** The construct id under the owner, stable for as long as the object exists. */
  readonly id: string;
  /** The manifest. */
  readonly manifest: Manifest;
  /**
   * What the object is, for messages, e.g. `per-version Service`.
   * @default - its kind
   */
  readonly role?: string;
}

/** A warning a renderer reports about intent it renders (e.g. an alpha feature in this mode). */
export interface RenderNotice {
  /** The owner key of the intent the notice is about. */
  readonly owner: string;
  /** The finding code, e.g. `CI1090`. */
  readonly code: string;
  /** The message. */
  readonly message: string;
}

/** The output of one render pass. */
export interface RenderResult {
  /** Every object, owners in model order, each owner's objects in a fixed order. */
  readonly objects: readonly RenderedObject[];
  /** Warnings about the rendered intent. */
  readonly notices: readonly RenderNotice[];
}

/** What a renderer can and cannot do, for construct-time refusals that depend on the mode. */
export interface RendererCapabilities {
  /**
   * Why workloads have no sidecar proxy in this mode (so no EnvoyFilter or Sidecar applies to
   * them); undefined when they have one.
   */
  readonly noSidecars?: string;
  /** Why a host cannot be delivered progressively (Flagger) in this mode; undefined when it can. */
  readonly progressiveDelivery?: IntentProblem;
  /**
   * Node agents the data plane needs installed besides istiod (ambient: the ztunnel DaemonSet and
   * the istio-cni node agent); empty when it needs none.
   */
  readonly nodeAgents: readonly string[];
}

/**
 * A renderer: a pure function of the model (same model, same manifests, key order included), plus
 * the refusals constructs ask before writing intent it could not express.
 */
export interface MeshRenderer extends IIntentPolicy {
  /** `<data plane>+<routing API>`, e.g. `sidecar+istio`; progressive hosts render with Flagger. */
  readonly name: string;
  /** The settings the renderer was selected for. */
  readonly settings: MeshSettings;
  /** Mode limits. */
  readonly capabilities: RendererCapabilities;
  /** Renders the whole model. */
  render(model: MeshIntentModel): RenderResult;
  /** Renders the objects of one owner only (what a write to that owner's intent can change). */
  renderOwner(model: MeshIntentModel, owner: string): readonly RenderedObject[];
  /** Whether a namespace gets a waypoint (ambient mode, L7 intent in the namespace). */
  needsWaypoint(model: MeshIntentModel, namespace: string): boolean;
  /**
   * The mesh labels of a namespace (membership, revision, waypoint): what a Namespace the app writes
   * carries, and what the owner of an adopted namespace must set.
   */
  namespaceLabels(model: MeshIntentModel, namespace: string): { [key: string]: string };
  /** The labels the data plane puts on a service's Service object (ambient: `istio.io/ingress-use-waypoint`). */
  serviceLabels(model: MeshIntentModel, service: ServiceRef): { [key: string]: string };
  /**
   * The pods an ingress gateway runs on in this mode (Istio API: the shared or a dedicated gateway;
   * Gateway API: the gateway Istio provisions for the Gateway), with the identity they run as.
   */
  ingressWorkload(request: IngressWorkloadRequest, gateway: { readonly name: string; readonly namespace: string }): GatewayWorkloadIntent;
  /** The egress gateway's pods: the shared `istio-egressgateway` of the root namespace. */
  egressGatewayWorkload(): GatewayWorkloadIntent;
}
