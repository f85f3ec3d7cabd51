import type { HostTraffic } from '../host-traffic';
import { HttpMatchIntent, MetricCheckIntent, ProgressiveIntent, AnalysisWebhookIntent } from '../intent/traffic';
import { renderDuration } from '../rules/duration';
import { renderFlaggerDuration } from '../rules/duration';
import { renderRetries, renderStringMatch, renderTrafficPolicy } from './istio-traffic';

/**
 * Renders a progressively delivered host as a Flagger `Canary` spec (flagger.app/v1beta1, Istio
 * provider). A pure function of the host's intent: same intent, same spec, key order included.
 * Flagger then creates the primary Deployment, the apex/primary/canary Services, the VirtualService
 * and the two DestinationRules from it.
 */
export function renderCanarySpec(host: HostTraffic): Record<string, unknown> {
  const svc = host.service;
  const p = host.progressive!;
  const spec: Record<string, unknown> = {
    provider: 'istio',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: svc.name },
  };
  if (p.progressDeadline) spec.progressDeadlineSeconds = p.progressDeadline.toSeconds();

  const service: Record<string, unknown> = {
    name: svc.name,
    port: svc.port,
    targetPort: svc.port,
    portName: svc.portName,
  };
  const defaults = host.defaults;
  if (defaults.timeout) service.timeout = renderDuration(defaults.timeout);
  if (defaults.retries) service.retries = renderRetries(defaults.retries);
  const tp = renderTrafficPolicy(host.hostPolicy);
  if (tp) service.trafficPolicy = tp;
  spec.service = service;
  spec.analysis = renderAnalysis(p);
  return spec;
}

/** The `analysis` block. */
export function renderAnalysis(p: ProgressiveIntent): Record<string, unknown> {
  const a: Record<string, unknown> = { interval: renderFlaggerDuration(p.interval), threshold: p.threshold };
  if (p.iterations !== undefined) {
    a.iterations = p.iterations;
    a.match = p.matches.map(renderAnalysisMatch);
  } else if (p.stepWeights !== undefined) {
    a.stepWeights = [...p.stepWeights];
  } else {
    a.maxWeight = p.maxWeight;
    a.stepWeight = p.stepWeight;
  }
  if (p.metrics.length > 0) a.metrics = p.metrics.map(renderMetric);
  if (p.webhooks.length > 0) a.webhooks = p.webhooks.map(renderWebhook);
  return a;
}

/** One A/B match block: header conditions only (the only request attributes `analysis.match` carries). */
function renderAnalysisMatch(m: HttpMatchIntent): Record<string, unknown> {
  return { headers: Object.fromEntries(m.headers.map((h) => [h.name, renderStringMatch(h.match)])) };
}

function renderMetric(m: MetricCheckIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name };
  if (m.templateRef) out.templateRef = { ...m.templateRef };
  const range: Record<string, number> = {};
  if (m.min !== undefined) range.min = m.min;
  if (m.max !== undefined) range.max = m.max;
  out.thresholdRange = range;
  out.interval = renderFlaggerDuration(m.interval);
  return out;
}

function renderWebhook(w: AnalysisWebhookIntent): Record<string, unknown> {
  const out: Record<string, unknown> = { name: w.name, type: w.type, url: w.url };
  if (w.timeout) out.timeout = renderFlaggerDuration(w.timeout);
  if (w.metadata) out.metadata = { ...w.metadata };
  return out;
}

