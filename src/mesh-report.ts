import { Construct } from 'constructs';
import { ControlPlane } from './control-plane';
import { IMeshMember, Mesh } from './mesh';
import { Artifact } from './mesh-app';
import { ServiceRef, serviceKey } from './model';
import { fail, validationMessage } from './private/errors';
import { MESH_HINT, nameHint, onceHint, SAME_MESH_HINT } from './private/hints';
import { dns1123Label } from './rules/names';
import { computeMeshReport, formatReportMarkdown, formatReportSummary, MeshReportData } from './render/mesh-report';
import { IMeshService, requireMeshService } from './mesh-service';
import { addBrand, brandSymbol, hasBrand } from './private/brand';

/** A declared request rate of one service, for the trace volume estimate. */
export interface RequestRate {
  /** The service. */
  readonly service: IMeshService;
  /** Requests per second the service serves (over all its replicas), at least 0. */
  readonly requestsPerSecond: number;
}

/** Properties of a {@link MeshReport}. */
export interface MeshReportProps {
  /** The mesh to report on. */
  readonly mesh: Mesh;
  /**
   * Requests per second each service serves. A service without a rate counts as unknown (not 0)
   * in the trace estimate.
   * @default - none (add them with setRequestRate)
   */
  readonly requestRates?: RequestRate[];
  /**
   * Average size of one span as stored by the tracing backend, in bytes (an integer of at least 1).
   * An Envoy span carries about 20 attributes (URL, method, status, peer, node, custom tags), which
   * OTLP encodes in 500-1,500 bytes.
   * @default 1024
   */
  readonly averageSpanBytes?: number;
  /**
   * Names of the Services in the root namespace, counted for its `istio-system/*` egress entry and
   * for the unscoped configuration.
   * @default ['istio-ingressgateway', 'istiod'] (what the default profile installs)
   */
  readonly rootNamespaceServices?: string[];
  /**
   * Folder, relative to the app outdir, the report files are written to.
   * @default 'report'
   */
  readonly directory?: string;
}

export type { MeshReportData, ProxyFigureSource, ProxyQuantity, ResourceFigures, WorkloadReport } from './render/mesh-report';
export { ISTIO_DEFAULT_PROXY_RESOURCES, SPANS_PER_REQUEST } from './render/mesh-report';

const MESH_REPORT_BRAND = brandSymbol('MeshReport');

/**
 * A cost report of the mesh, written at synth by {@link MeshApp} to `<outdir>/report/mesh-report.json`
 * and `mesh-report.md`, and summarized in one short table on the console. Per workload and in total:
 * replicas × sidecar CPU/memory requests and limits, how many services each proxy is configured for
 * with and without {@link SidecarScope}, and an estimated daily trace volume from declared request
 * rates, the mesh sampling percentage and an average span size. docs/sidecar-scoping-and-report.md
 * explains every figure and its assumptions. The report carries no date, so it is deterministic.
 *
 * @example
 * new MeshReport(chart, 'Report', { mesh, requestRates: [{ service: order, requestsPerSecond: 50 }] });
 */
export class MeshReport extends Construct implements IMeshMember {
  /** Whether `x` is a MeshReport (works across copies of this package). */
  public static isMeshReport(x: unknown): x is MeshReport {
    return hasBrand(x, MESH_REPORT_BRAND);
  }

  /** `x instanceof MeshReport`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MeshReport {
    return hasBrand(x, MESH_REPORT_BRAND);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The JSON file. */
  public readonly json: Artifact;
  /** The Markdown file. */
  public readonly markdown: Artifact;
  /** The average span size, in bytes. */
  public readonly averageSpanBytes: number;

  private readonly _rates = new Map<string, number>();
  private readonly _refs = new Map<string, ServiceRef>();
  private readonly _rootServices: string[];

  constructor(scope: Construct, id: string, props: MeshReportProps) {
    super(scope, id);
    addBrand(this, MESH_REPORT_BRAND);
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'a Mesh is required', MESH_HINT);
    this.mesh = props.mesh;
    this.averageSpanBytes = props.averageSpanBytes ?? 1024;
    if (!Number.isInteger(this.averageSpanBytes) || this.averageSpanBytes < 1) {
      fail(this, 'props.averageSpanBytes', this.averageSpanBytes, 'an average span size is a whole number of bytes, at least 1', 'OTLP spans from Envoy are typically 500-1500 bytes');
    }
    this._rootServices = [...(props.rootNamespaceServices ?? ['istio-ingressgateway', 'istiod'])];
    this._rootServices.forEach((n, i) => {
      const bad = dns1123Label(n);
      if (bad) fail(this, `props.rootNamespaceServices[${i}]`, n, `a Service name ${bad}`, nameHint(n, dns1123Label, 'istiod'));
      if (this._rootServices.indexOf(n) !== i) fail(this, `props.rootNamespaceServices[${i}]`, n, 'names must be unique', onceHint('Service name'));
    });
    const dir = (props.directory ?? 'report').replace(/[\\/]+$/, '');
    (props.requestRates ?? []).forEach((r, i) => this.addRate(`props.requestRates[${i}]`, r?.service, r?.requestsPerSecond));

    this.mesh.addMember(this);
    this.json = new Artifact(this, 'Json', {
      path: dir ? `${dir}/mesh-report.json` : 'mesh-report.json',
      content: () => JSON.stringify(this.compute(), undefined, 2) + '\n',
    });
    this.markdown = new Artifact(this, 'Markdown', {
      path: dir ? `${dir}/mesh-report.md` : 'mesh-report.md',
      content: () => formatReportMarkdown(this.compute()),
      summary: () => formatReportSummary(this.compute(), this.markdown.path),
    });
    this.node.addValidation({ validate: () => this.validateQuantities() });
    this.node.addValidation({ validate: () => this.validatePaths() });
  }

  /**
   * Declares how many requests per second `service` serves (over all its replicas).
   * @example report.setRequestRate(payment, 20)
   */
  public setRequestRate(service: IMeshService, requestsPerSecond: number): void {
    this.addRate('setRequestRate', service, requestsPerSecond);
  }

  /** Computes the report from the current intent (the mesh model). */
  public compute(): MeshReportData {
    return computeMeshReport(this.mesh.model, {
      requestRates: [...this._rates].map(([key, requestsPerSecond]) => ({ service: this._refs.get(key)!, requestsPerSecond })),
      averageSpanBytes: this.averageSpanBytes,
      rootNamespaceServices: this._rootServices,
      controlPlaneProxyResources: this.mesh.membersOf(ControlPlane.isControlPlane)[0]?.proxyResources,
    });
  }

  private addRate(property: string, service: IMeshService, rps: number | undefined): void {
    requireMeshService(this, `${property}.service`, service);
    if (service.mesh !== this.mesh) fail(this, `${property}.service`, service.node.path, 'the service belongs to another mesh', SAME_MESH_HINT);
    if (typeof rps !== 'number' || !Number.isFinite(rps) || rps < 0) {
      fail(this, `${property}.requestsPerSecond`, rps, 'a request rate is a finite number of requests per second, at least 0', 'e.g. requestsPerSecond: 50');
    }
    const key = serviceKey(service.ref);
    if (this._rates.has(key)) fail(this, `${property}.service`, service.name, 'the request rate of this service is already declared', 'declare one request rate per service: drop the second declaration');
    this._rates.set(key, rps);
    this._refs.set(key, service.ref);
  }

  private validatePaths(): string[] {
    const mine = [this.json, this.markdown];
    const clashes = this.node.root.node.findAll()
      .filter((c): c is Artifact => Artifact.isArtifact(c) && !mine.includes(c) && mine.some((m) => m.path === c.path));
    return clashes.map((c) => validationMessage('directory', c.path, `${c.node.path} writes the same file`, 'give each report its own props.directory'));
  }

  private validateQuantities(): string[] {
    const errors: string[] = [];
    for (const w of this.compute().workloads) {
      for (const [key, q] of Object.entries(w.proxyPerPod)) {
        if (Number.isNaN(q.value)) {
          errors.push(validationMessage(`${w.namespace}/${w.service}.proxy.${key}`, q.quantity, `the ${q.source} value is not a Kubernetes quantity, so the report cannot count it`, 'e.g. "100m" or "128Mi"'));
        }
      }
    }
    return errors;
  }
}
