import { authorizeRequest } from './authorize';
import { versionSplit } from './destination';
import { GraphFormat, MeshGraph, meshGraph, renderGraph } from './graph';
import { deployedElsewhereObjects, flaggerObjects, installedGatewayObjects, ManifestIndex, ManifestObject } from '../manifests';
import { loadManifestFiles, MeshSimulatorOptions, parseManifestText } from './load';
import { routeRequest } from './route';
import { AuthzRequest, AuthzResult, RouteRequest, RouteResult } from './types';

/**
 * The offline mesh simulator: answers "where does this request go?" and "is this call allowed?"
 * from manifests alone, synthesized by cdk8s-istio or written by hand, with Istio 1.30 semantics
 * (istio-rules.md §3–4). See docs/simulator.md for the documented differences from Envoy.
 *
 * @example
 * const sim = MeshSimulator.fromFiles(['dist/']);
 * sim.route({ host: 'order-service.production', headers: { 'x-canary': 'true' } }).destinations;
 * sim.authorize({ to: 'payment-service.production', fromPrincipal: 'cluster.local/ns/production/sa/order-service', method: 'POST', path: '/api/payments/42' }).decision;
 */
export class MeshSimulator {
  /** A simulator over manifest objects, e.g. `Testing.synth(chart)` or parsed YAML. */
  public static fromManifests(objects: readonly ManifestObject[], options: MeshSimulatorOptions = {}): MeshSimulator {
    // the installed gateways the objects declare they rely on (the shared egress gateway) are there too
    const installed = installedGatewayObjects(objects, options.rootNamespace ?? 'istio-system');
    // and what Flagger creates for each Canary (its primary, Services, DestinationRules, VirtualService at rest)
    const flagger = flaggerObjects(objects);
    // and the services deployed elsewhere (MeshService.fromAttributes) the objects declare they rely on
    const implied = [...installed, ...flagger, ...deployedElsewhereObjects(objects)];
    return new MeshSimulator(new ManifestIndex(implied.length > 0 ? [...objects, ...implied] : objects, options));
  }

  /** A simulator over YAML/JSON files and folders (a folder's own files; its subfolders too with `recursive`). */
  public static fromFiles(paths: readonly string[], options: MeshSimulatorOptions = {}): MeshSimulator {
    return MeshSimulator.fromManifests(loadManifestFiles(paths, { recursive: options.recursive }), options);
  }

  /** A simulator over YAML text (multi-document) or JSON text. */
  public static fromYaml(text: string, options: MeshSimulatorOptions = {}): MeshSimulator {
    return MeshSimulator.fromManifests(parseManifestText(text), options);
  }

  private constructor(
    /** The indexed manifests. */
    public readonly index: ManifestIndex,
  ) {}

  /**
   * The indexed manifests.
   * @deprecated use {@link index}
   */
  public get model(): ManifestIndex {
    return this.index;
  }

  /** Where does this request go? First matching rule, weighted destinations, timeout, retries. */
  public route(request: RouteRequest): RouteResult {
    return routeRequest(this.index, request);
  }

  /**
   * Where does this request's traffic land, per `version` pod label? E.g. `{ v1: 90, v2: 10 }`, whether
   * the route names DestinationRule subsets or per-version Services. `{}` when no rule matches.
   */
  public versionSplit(request: RouteRequest): Record<string, number> {
    return versionSplit(this.index, this.route(request).destinations);
  }

  /** Is this call allowed? ALLOW or DENY with the deciding policy, rule and reason. */
  public authorize(request: AuthzRequest): AuthzResult {
    return authorizeRequest(this.index, request);
  }

  /** Who may call whom, and how each host's traffic splits. */
  public graph(): MeshGraph {
    return meshGraph(this.index);
  }

  /** {@link graph} rendered as mermaid, Graphviz dot or JSON text. */
  public renderGraph(format: GraphFormat = 'mermaid'): string {
    return renderGraph(this.graph(), format);
  }
}
