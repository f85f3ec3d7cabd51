import { Construct } from 'constructs';
import { ControlPlane } from './control-plane';
import { IMeshMember, Mesh } from './mesh';
import { Artifact } from './mesh-app';
import { fail, validationMessage } from './private/errors';
import { dns1123Label } from './rules/names';
import { quantity, quantityValue } from './rules/quantity';
import { formatReportMarkdown, formatReportSummary } from './render/mesh-report';
import { SidecarScope, tracingCollectorHost } from './sidecar-scope';
import { TracedService } from './traced-service';

/** A declared request rate of one service, for the trace volume estimate. */
export interface RequestRate {
  /** The service. */
  readonly service: TracedService;
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

/** Resource figures as plain numbers: CPU in millicores, memory in bytes. */
export interface ResourceFigures {
  /** CPU in millicores (`1` = 1000). */
  readonly cpuMillicores: number;
  /** Memory in bytes (`128Mi` = 134217728). */
  readonly memoryBytes: number;
}

/** Where a per-pod proxy figure comes from. */
export type ProxyFigureSource = 'annotation' | 'control-plane' | 'istio-default' | 'none';

/** One per-pod proxy figure: the quantity string, its value and its source. */
export interface ProxyQuantity {
  /** The Kubernetes quantity, e.g. `100m`. */
  readonly quantity: string;
  /** The parsed value: millicores for CPU, bytes for memory. */
  readonly value: number;
  /** Where the value comes from. */
  readonly source: ProxyFigureSource;
}

/** The report's line for one workload (one TracedService, all its versions). */
export interface WorkloadReport {
  /** The workload's namespace. */
  readonly namespace: string;
  /** The service name. */
  readonly service: string;
  /** Pods: the replicas of every version. */
  readonly replicas: number;
  /** Whether the pods run a sidecar (false in ambient mode). */
  readonly sidecar: boolean;
  /** Resources of one proxy. */
  readonly proxyPerPod: {
    /** `sidecar.istio.io/proxyCPU`, else the ControlPlane request, else Istio's default. */
    readonly cpuRequest: ProxyQuantity;
    /** `sidecar.istio.io/proxyMemory`, else the ControlPlane request, else Istio's default. */
    readonly memoryRequest: ProxyQuantity;
    /** `sidecar.istio.io/proxyCPULimit`, else the ControlPlane limit, else Istio's default. */
    readonly cpuLimit: ProxyQuantity;
    /** `sidecar.istio.io/proxyMemoryLimit`, else the ControlPlane limit, else Istio's default. */
    readonly memoryLimit: ProxyQuantity;
  };
  /** replicas × proxy requests. */
  readonly proxyRequests: ResourceFigures;
  /** replicas × proxy limits. */
  readonly proxyLimits: ResourceFigures;
  /** Services one proxy of this workload is configured for. */
  readonly configuredServices: {
    /** Every known service: what a proxy without Sidecar is configured for. */
    readonly unscoped: number;
    /** Equal to unscoped when the workload is not scoped. */
    readonly scoped: number;
    /** The Sidecar egress hosts, when scoped. */
    readonly egressHosts: readonly string[] | null;
  };
  /** The trace estimate; null figures when no request rate is declared. */
  readonly traces: {
    /** The declared rate. */
    readonly requestsPerSecond: number | null;
    /** rate × 86400 × sampling / 100, rounded. */
    readonly sampledRequestsPerDay: number | null;
    /** rate × 86400 × spansPerRequest × sampling / 100, rounded. */
    readonly spansPerDay: number | null;
    /** spansPerDay × averageSpanBytes. */
    readonly bytesPerDay: number | null;
  };
}

/** The whole report, as written to `mesh-report.json`. */
export interface MeshReportData {
  /** The mesh settings the figures depend on. */
  readonly mesh: {
    /** `sidecar` or `ambient`. */
    readonly dataPlane: string;
    /** The root namespace (`istio-system/*` in the Sidecars). */
    readonly rootNamespace: string;
    /** Every service the report knows of, `namespace/host`, sorted. */
    readonly knownServices: readonly string[];
  };
  /** The model's inputs, documented in docs/sidecar-scoping-and-report.md. */
  readonly assumptions: {
    /** The mesh tracing sampling percentage (0 without mesh tracing). */
    readonly samplingPercentage: number;
    /** Bytes per stored span. */
    readonly averageSpanBytes: number;
    /** Proxies on one hop: the caller's and the callee's. */
    readonly spansPerRequest: number;
    /** 86400. */
    readonly secondsPerDay: number;
    /** Proxy resources used when neither an annotation nor the ControlPlane sets them. */
    readonly defaultProxyResources: { readonly requests: { readonly cpu: string; readonly memory: string }; readonly limits: { readonly cpu: string; readonly memory: string } };
  };
  /** One line per TracedService, sorted by namespace and name. */
  readonly workloads: readonly WorkloadReport[];
  /** Sums over the workloads. */
  readonly total: {
    /** Every pod of every workload. */
    readonly replicas: number;
    /** Σ replicas × proxy requests. */
    readonly proxyRequests: ResourceFigures;
    /** Σ replicas × proxy limits. */
    readonly proxyLimits: ResourceFigures;
    /** Σ replicas × configured services: the service configurations istiod pushes to proxies. */
    readonly configuredServices: { readonly unscoped: number; readonly scoped: number };
    /** Sums over the workloads with a declared request rate. */
    readonly traces: { readonly sampledRequestsPerDay: number; readonly spansPerDay: number; readonly bytesPerDay: number };
  };
}

/** Proxy resources used when neither an annotation nor the ControlPlane sets them: Istio's default profile. */
export const ISTIO_DEFAULT_PROXY_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '2000m', memory: '1024Mi' },
} as const;

/** Spans per request in the model: the caller's proxy (client span) and the callee's sidecar (server span). */
export const SPANS_PER_REQUEST = 2;

const SECONDS_PER_DAY = 86400;

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
  /** Whether `x` is a MeshReport. */
  public static isMeshReport(x: unknown): x is MeshReport {
    return x instanceof MeshReport;
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The JSON file. */
  public readonly json: Artifact;
  /** The Markdown file. */
  public readonly markdown: Artifact;
  /** The average span size, in bytes. */
  public readonly averageSpanBytes: number;

  private readonly _rates = new Map<TracedService, number>();
  private readonly _rootServices: string[];

  constructor(scope: Construct, id: string, props: MeshReportProps) {
    super(scope, id);
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'a Mesh is required');
    this.mesh = props.mesh;
    this.averageSpanBytes = props.averageSpanBytes ?? 1024;
    if (!Number.isInteger(this.averageSpanBytes) || this.averageSpanBytes < 1) {
      fail(this, 'props.averageSpanBytes', this.averageSpanBytes, 'an average span size is a whole number of bytes, at least 1', 'OTLP spans from Envoy are typically 500-1500 bytes');
    }
    this._rootServices = [...(props.rootNamespaceServices ?? ['istio-ingressgateway', 'istiod'])];
    this._rootServices.forEach((n, i) => {
      const bad = dns1123Label(n);
      if (bad) fail(this, `props.rootNamespaceServices[${i}]`, n, `a Service name ${bad}`);
      if (this._rootServices.indexOf(n) !== i) fail(this, `props.rootNamespaceServices[${i}]`, n, 'names must be unique');
    });
    const dir = (props.directory ?? 'report').replace(/[\\/]+$/, '');
    (props.requestRates ?? []).forEach((r, i) => this.addRate(`props.requestRates[${i}]`, r?.service, r?.requestsPerSecond));

    this.mesh._register(this);
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
  public setRequestRate(service: TracedService, requestsPerSecond: number): void {
    this.addRate('setRequestRate', service, requestsPerSecond);
  }

  /** Computes the report from the current intent. */
  public compute(): MeshReportData {
    const mesh = this.mesh;
    const services = mesh.membersOf(TracedService.isTracedService)
      .slice()
      .sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
    const scopes = mesh.membersOf(SidecarScope.isSidecarScope);
    const known = this.knownServices(services, scopes);
    const sampling = mesh.tracing ? mesh.tracing.samplingPercentage ?? 1 : 0;
    const cp = mesh.membersOf(ControlPlane.isControlPlane)[0]?.proxyResources;

    const workloads = services.map((s): WorkloadReport => {
      const replicas = s.versions.reduce((sum, v) => sum + (s.replicasOf(v) ?? 0), 0);
      const sidecar = !mesh.isAmbient;
      const annotations = podAnnotations(s);
      const pick = (annotation: string, fromCp: string | undefined, fallback: string, cpu: boolean): ProxyQuantity => {
        if (!sidecar) return { quantity: '0', value: 0, source: 'none' };
        const [q, source]: [string, ProxyFigureSource] = annotations[annotation] !== undefined
          ? [annotations[annotation], 'annotation']
          : fromCp !== undefined ? [fromCp, 'control-plane'] : [fallback, 'istio-default'];
        return { quantity: q, value: quantity(q) ? NaN : cpu ? millicores(q) : quantityValue(q), source };
      };
      const d = ISTIO_DEFAULT_PROXY_RESOURCES;
      const perPod = {
        cpuRequest: pick('sidecar.istio.io/proxyCPU', cp?.requests?.cpu, d.requests.cpu, true),
        memoryRequest: pick('sidecar.istio.io/proxyMemory', cp?.requests?.memory, d.requests.memory, false),
        cpuLimit: pick('sidecar.istio.io/proxyCPULimit', cp?.limits?.cpu, d.limits.cpu, true),
        memoryLimit: pick('sidecar.istio.io/proxyMemoryLimit', cp?.limits?.memory, d.limits.memory, false),
      };
      const scope = scopes.find((x) => x.scopes(s));
      const egress = scope?.egressOf(s)?.hosts;
      const unscoped = sidecar ? known.length : 0;
      const scoped = !sidecar ? 0 : egress ? countMatched(egress, known) : unscoped;
      const rps = this._rates.get(s);
      const sampledRequestsPerDay = rps === undefined ? null : Math.round((rps * SECONDS_PER_DAY * sampling) / 100);
      const spansPerDay = rps === undefined ? null : Math.round((rps * SECONDS_PER_DAY * SPANS_PER_REQUEST * sampling) / 100);
      return {
        namespace: s.namespace,
        service: s.name,
        replicas,
        sidecar,
        proxyPerPod: perPod,
        proxyRequests: { cpuMillicores: replicas * perPod.cpuRequest.value, memoryBytes: replicas * perPod.memoryRequest.value },
        proxyLimits: { cpuMillicores: replicas * perPod.cpuLimit.value, memoryBytes: replicas * perPod.memoryLimit.value },
        configuredServices: { unscoped, scoped, egressHosts: egress ? [...egress] : null },
        traces: {
          requestsPerSecond: rps ?? null,
          sampledRequestsPerDay,
          spansPerDay,
          bytesPerDay: spansPerDay === null ? null : spansPerDay * this.averageSpanBytes,
        },
      };
    });

    const sum = (f: (w: WorkloadReport) => number | null) => workloads.reduce((acc, w) => acc + (f(w) ?? 0), 0);
    return {
      mesh: { dataPlane: mesh.dataPlane.value, rootNamespace: mesh.rootNamespace, knownServices: known.map((k) => `${k.namespace}/${k.host}`) },
      assumptions: {
        samplingPercentage: sampling,
        averageSpanBytes: this.averageSpanBytes,
        spansPerRequest: SPANS_PER_REQUEST,
        secondsPerDay: SECONDS_PER_DAY,
        defaultProxyResources: {
          requests: { ...ISTIO_DEFAULT_PROXY_RESOURCES.requests },
          limits: { ...ISTIO_DEFAULT_PROXY_RESOURCES.limits },
        },
      },
      workloads,
      total: {
        replicas: sum((w) => w.replicas),
        proxyRequests: { cpuMillicores: sum((w) => w.proxyRequests.cpuMillicores), memoryBytes: sum((w) => w.proxyRequests.memoryBytes) },
        proxyLimits: { cpuMillicores: sum((w) => w.proxyLimits.cpuMillicores), memoryBytes: sum((w) => w.proxyLimits.memoryBytes) },
        configuredServices: {
          unscoped: sum((w) => w.replicas * w.configuredServices.unscoped),
          scoped: sum((w) => w.replicas * w.configuredServices.scoped),
        },
        traces: {
          sampledRequestsPerDay: sum((w) => w.traces.sampledRequestsPerDay),
          spansPerDay: sum((w) => w.traces.spansPerDay),
          bytesPerDay: sum((w) => w.traces.bytesPerDay),
        },
      },
    };
  }

  /**
   * The services the report knows of: every TracedService, the root namespace's services, the
   * tracing collector and every concrete egress host declared on a SidecarScope.
   */
  private knownServices(services: TracedService[], scopes: SidecarScope[]): Array<{ namespace: string; host: string }> {
    const out = new Map<string, { namespace: string; host: string }>();
    const add = (namespace: string, host: string) => out.set(`${namespace}/${host}`, { namespace, host });
    for (const s of services) add(s.namespace, s.fqdn);
    const root = this.mesh.rootNamespace;
    for (const n of this._rootServices) add(root, `${n}.${root}.svc.cluster.local`);
    const collector = tracingCollectorHost(this.mesh);
    if (collector) add(collector.namespace, collector.host);
    for (const scope of scopes) {
      for (const s of scope.services) {
        for (const h of scope.egressOf(s)?.hosts ?? []) {
          const [ns, host] = splitHost(h);
          if (!host.includes('*')) add(ns, host);
        }
      }
    }
    return [...out.values()].sort((a, b) => cmp(`${a.namespace}/${a.host}`, `${b.namespace}/${b.host}`));
  }

  private addRate(property: string, service: TracedService | undefined, rps: number | undefined): void {
    if (!TracedService.isTracedService(service)) fail(this, `${property}.service`, service, 'must be a TracedService');
    if (service.mesh !== this.mesh) fail(this, `${property}.service`, service.node.path, 'the service belongs to another mesh');
    if (typeof rps !== 'number' || !Number.isFinite(rps) || rps < 0) {
      fail(this, `${property}.requestsPerSecond`, rps, 'a request rate is a finite number of requests per second, at least 0');
    }
    if (this._rates.has(service)) fail(this, `${property}.service`, service.name, 'the request rate of this service is already declared');
    this._rates.set(service, rps);
  }

  private validatePaths(): string[] {
    const mine = [this.json, this.markdown];
    const clashes = this.node.root.node.findAll()
      .filter((c): c is Artifact => c instanceof Artifact && !mine.includes(c) && mine.some((m) => m.path === c.path));
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

/** How many known services the egress hosts make visible to a proxy. */
function countMatched(hosts: readonly string[], known: ReadonlyArray<{ namespace: string; host: string }>): number {
  const patterns = hosts.map(splitHost);
  return known.filter((k) => patterns.some(([ns, host]) => (ns === '*' || ns === k.namespace) && hostMatches(host, k.host))).length;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

function splitHost(h: string): [string, string] {
  const slash = h.indexOf('/');
  return [h.slice(0, slash), h.slice(slash + 1)];
}

/** The pod template annotations of the service's first version (every version carries the same). */
function podAnnotations(s: TracedService): Record<string, string> {
  const first = s.versions[0];
  const json = first ? s.deploymentOf(first)?.toJson() : undefined;
  return json?.spec?.template?.metadata?.annotations ?? {};
}

/** Millicores of a CPU quantity, rounded to 1/1000 of a millicore so that 0.1 × 1000 stays 100. */
function millicores(q: string): number {
  return Math.round(quantityValue(q) * 1e6) / 1e3;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
