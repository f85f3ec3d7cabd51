import { MESH_OWNER, TracingIntent } from '../model';
import { RenderedObject } from './types';

/** The mesh-wide tracing Telemetry (`telemetry.istio.io/v1`) in the root namespace, owned by the Mesh. */
export function renderTracingTelemetry(rootNamespace: string, t: TracingIntent): RenderedObject {
  const tags = Object.keys(t.customTags).sort();
  const tracing: Record<string, unknown> = {
    providers: [{ name: t.provider.name }],
    randomSamplingPercentage: t.samplingPercentage,
  };
  if (tags.length > 0) tracing.customTags = Object.fromEntries(tags.map((k) => [k, JSON.parse(JSON.stringify(t.customTags[k]))]));
  return {
    owner: MESH_OWNER,
    id: 'Telemetry',
    manifest: { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: t.resourceName, namespace: rootNamespace }, spec: { tracing: [tracing] } },
  };
}
