import { MeshIntentModel, serviceFqdn, ServiceRef, serviceKey, collectorEgressHost } from '../model';
import { configHostFqdn, hostSubsetOf } from '../rules/hosts';
import { quantity, quantityValue } from '../rules/quantity';
import { selectRenderer } from './index';
import { codeUnitOrder } from '../private/order';

/**
 * The mesh cost report, computed from the model: per workload and in total, replicas × sidecar
 * CPU/memory requests and limits, how many services each proxy is configured for with and without
 * Sidecar egress scoping, and an estimated daily trace volume. docs/sidecar-scoping-and-report.md
 * explains every figure. Pure and deterministic (no date).
 */

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

/** Inputs of {@link computeMeshReport} beyond the model. */
export interface MeshReportInputs {
  /** Declared request rates (requests per second over all replicas), by service. */
  readonly requestRates: ReadonlyArray<{ readonly service: ServiceRef; readonly requestsPerSecond: number }>;
  /** Bytes per stored span. */
  readonly averageSpanBytes: number;
  /** Names of the Services in the root namespace. */
  readonly rootNamespaceServices: readonly string[];
  /** The ControlPlane's sidecar proxy resources, when a ControlPlane sets them. */
  readonly controlPlaneProxyResources?: {
    readonly requests?: { readonly cpu?: string; readonly memory?: string };
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
  };
}

/** Computes the report from the model. */
export function computeMeshReport(model: MeshIntentModel, inputs: MeshReportInputs): MeshReportData {
  const settings = model.settings;
  const services = [...model.services].sort((a, b) => codeUnitOrder(a.namespace, b.namespace) || codeUnitOrder(a.name, b.name));
  const known = knownServices(model, inputs.rootNamespaceServices);
  const sampling = settings.tracing ? settings.tracing.samplingPercentage : 0;
  const cp = inputs.controlPlaneProxyResources;
  const rates = new Map(inputs.requestRates.map((r) => [serviceKey(r.service), r.requestsPerSecond]));
  // Proxies per pod only where the data plane has sidecars (the renderer the settings select says).
  const sidecar = selectRenderer(settings).capabilities.noSidecars === undefined;

  const workloads = services.map((s): WorkloadReport => {
    const replicas = s.versions.reduce((sum, v) => sum + v.replicas, 0);
    const own = s.workload?.proxyResources ?? {};
    const pick = (annotation: string | undefined, fromCp: string | undefined, fallback: string, cpu: boolean): ProxyQuantity => {
      if (!sidecar) return { quantity: '0', value: 0, source: 'none' };
      const [q, source]: [string, ProxyFigureSource] = annotation !== undefined
        ? [annotation, 'annotation']
        : fromCp !== undefined ? [fromCp, 'control-plane'] : [fallback, 'istio-default'];
      return { quantity: q, value: quantity(q) ? NaN : cpu ? millicores(q) : quantityValue(q), source };
    };
    const d = ISTIO_DEFAULT_PROXY_RESOURCES;
    const perPod = {
      cpuRequest: pick(own.cpuRequest, cp?.requests?.cpu, d.requests.cpu, true),
      memoryRequest: pick(own.memoryRequest, cp?.requests?.memory, d.requests.memory, false),
      cpuLimit: pick(own.cpuLimit, cp?.limits?.cpu, d.limits.cpu, true),
      memoryLimit: pick(own.memoryLimit, cp?.limits?.memory, d.limits.memory, false),
    };
    const egress = model.egressOf(s)?.hosts;
    const unscoped = sidecar ? known.length : 0;
    const scoped = !sidecar ? 0 : egress ? countMatched(egress, known) : unscoped;
    const rps = rates.get(serviceKey(s));
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
        bytesPerDay: spansPerDay === null ? null : spansPerDay * inputs.averageSpanBytes,
      },
    };
  });

  const sum = (f: (w: WorkloadReport) => number | null) => workloads.reduce((acc, w) => acc + (f(w) ?? 0), 0);
  return {
    mesh: { dataPlane: settings.dataPlane, rootNamespace: settings.rootNamespace, knownServices: known.map((k) => `${k.namespace}/${k.host}`) },
    assumptions: {
      samplingPercentage: sampling,
      averageSpanBytes: inputs.averageSpanBytes,
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
 * The services the report knows of: every service of the model, the root namespace's services, the
 * tracing collector and every concrete egress host declared for a scoped workload.
 */
function knownServices(model: MeshIntentModel, rootServices: readonly string[]): Array<{ namespace: string; host: string }> {
  const out = new Map<string, { namespace: string; host: string }>();
  const add = (namespace: string, host: string) => out.set(`${namespace}/${host}`, { namespace, host });
  const settings = model.settings;
  for (const s of model.services) add(s.namespace, serviceFqdn(s));
  const root = settings.rootNamespace;
  for (const n of rootServices) add(root, configHostFqdn(n, root));
  const collector = collectorEgressHost(settings);
  if (collector) {
    const [ns, host] = splitHost(collector);
    add(ns, host);
  }
  for (const scope of model.egressScopes) {
    for (const h of model.egressOf(scope.service)?.hosts ?? []) {
      const [ns, host] = splitHost(h);
      if (!host.includes('*')) add(ns, host);
    }
  }
  return [...out.values()].sort((a, b) => codeUnitOrder(`${a.namespace}/${a.host}`, `${b.namespace}/${b.host}`));
}

/** How many known services the egress hosts make visible to a proxy. */
function countMatched(hosts: readonly string[], known: ReadonlyArray<{ namespace: string; host: string }>): number {
  const patterns = hosts.map(splitHost);
  return known.filter((k) => patterns.some(([ns, host]) => (ns === '*' || ns === k.namespace) && hostSubsetOf(k.host, host))).length;
}

function splitHost(h: string): [string, string] {
  const slash = h.indexOf('/');
  return [h.slice(0, slash), h.slice(slash + 1)];
}

/** Millicores of a CPU quantity, rounded to 1/1000 of a millicore so that 0.1 × 1000 stays 100. */
function millicores(q: string): number {
  return Math.round(quantityValue(q) * 1e6) / 1e3;
}

/** The report as Markdown: assumptions, one table per topic, totals last. Pure and deterministic. */
export function formatReportMarkdown(r: MeshReportData): string {
  const a = r.assumptions;
  const lines: string[] = [];
  lines.push('# Mesh report', '');
  lines.push(`Data plane: ${r.mesh.dataPlane}. Root namespace: ${r.mesh.rootNamespace}. Known services: ${r.mesh.knownServices.length}.`);
  lines.push('See docs/sidecar-scoping-and-report.md for how each figure is computed.', '');

  lines.push('## Sidecar proxy resources', '');
  lines.push('| workload | pods | proxy per pod (cpu req/lim, mem req/lim) | cpu requests | cpu limits | memory requests | memory limits |');
  lines.push('|---|---:|---|---:|---:|---:|---:|');
  for (const w of r.workloads) {
    const p = w.proxyPerPod;
    const perPod = w.sidecar
      ? `${p.cpuRequest.quantity} (${p.cpuRequest.source}) / ${p.cpuLimit.quantity} (${p.cpuLimit.source}), ${p.memoryRequest.quantity} (${p.memoryRequest.source}) / ${p.memoryLimit.quantity} (${p.memoryLimit.source})`
      : 'no sidecar (ambient)';
    lines.push(`| ${name(w)} | ${w.replicas} | ${perPod} | ${cpu(w.proxyRequests.cpuMillicores)} | ${cpu(w.proxyLimits.cpuMillicores)} | ${mem(w.proxyRequests.memoryBytes)} | ${mem(w.proxyLimits.memoryBytes)} |`);
  }
  const t = r.total;
  lines.push(`| **total** | ${t.replicas} | | ${cpu(t.proxyRequests.cpuMillicores)} | ${cpu(t.proxyLimits.cpuMillicores)} | ${mem(t.proxyRequests.memoryBytes)} | ${mem(t.proxyLimits.memoryBytes)} |`, '');

  lines.push('## Services each proxy is configured for', '');
  lines.push('| workload | pods | unscoped | scoped | Sidecar egress hosts |');
  lines.push('|---|---:|---:|---:|---|');
  for (const w of r.workloads) {
    const hosts = w.configuredServices.egressHosts ? w.configuredServices.egressHosts.map((h) => `\`${h}\``).join(', ') : 'not scoped';
    lines.push(`| ${name(w)} | ${w.replicas} | ${w.configuredServices.unscoped} | ${w.configuredServices.scoped} | ${hosts} |`);
  }
  lines.push(`| **total (pods × services)** | ${t.replicas} | ${t.configuredServices.unscoped} | ${t.configuredServices.scoped} | ${shrink(t.configuredServices.unscoped, t.configuredServices.scoped)} |`, '');

  lines.push('## Estimated daily trace volume', '');
  lines.push(`Sampling ${a.samplingPercentage}%, ${a.spansPerRequest} spans per request (caller proxy + callee sidecar), ${a.averageSpanBytes} bytes per span, ${a.secondsPerDay} s per day.`, '');
  lines.push('| workload | requests/s | sampled requests/day | spans/day | volume/day |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const w of r.workloads) {
    const tr = w.traces;
    lines.push(`| ${name(w)} | ${tr.requestsPerSecond ?? 'not declared'} | ${num(tr.sampledRequestsPerDay)} | ${num(tr.spansPerDay)} | ${bytes(tr.bytesPerDay)} |`);
  }
  lines.push(`| **total** | | ${num(t.traces.sampledRequestsPerDay)} | ${num(t.traces.spansPerDay)} | ${bytes(t.traces.bytesPerDay)} |`, '');
  return lines.join('\n');
}

/** One short console table: a line per workload and the total. */
export function formatReportSummary(r: MeshReportData, file: string): string {
  const rows: string[][] = [['workload', 'pods', 'proxy cpu req/lim', 'proxy mem req/lim', 'services unscoped→scoped', 'traces/day']];
  for (const w of r.workloads) {
    rows.push([name(w), String(w.replicas), `${cpu(w.proxyRequests.cpuMillicores)}/${cpu(w.proxyLimits.cpuMillicores)}`,
      `${mem(w.proxyRequests.memoryBytes)}/${mem(w.proxyLimits.memoryBytes)}`,
      `${w.configuredServices.unscoped}→${w.configuredServices.scoped}`, bytes(w.traces.bytesPerDay)]);
  }
  const t = r.total;
  rows.push(['total', String(t.replicas), `${cpu(t.proxyRequests.cpuMillicores)}/${cpu(t.proxyLimits.cpuMillicores)}`,
    `${mem(t.proxyRequests.memoryBytes)}/${mem(t.proxyLimits.memoryBytes)}`,
    `${t.configuredServices.unscoped}→${t.configuredServices.scoped}`, bytes(t.traces.bytesPerDay)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  const table = rows.map((row) => row.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd());
  return [`Mesh report (${file}):`, ...table].join('\n');
}

function name(w: WorkloadReport): string {
  return `${w.namespace}/${w.service}`;
}

function cpu(millicores: number): string {
  return `${trim(millicores)}m`;
}

function mem(b: number): string {
  return `${trim(b / 2 ** 20)}Mi`;
}

function bytes(b: number | null): string {
  if (b === null) return 'n/a';
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(2)} MiB`;
  return `${b} B`;
}

function num(n: number | null): string {
  return n === null ? 'n/a' : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/\.?0+$/, '');
}

function shrink(before: number, after: number): string {
  if (before === 0 || before === after) return 'no change';
  return `${Math.round(((before - after) / before) * 100)}% less`;
}
