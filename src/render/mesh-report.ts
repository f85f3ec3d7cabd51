import type { MeshReportData, WorkloadReport } from '../mesh-report';

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
