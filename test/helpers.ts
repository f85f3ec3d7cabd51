import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { CustomTag, ExtensionProvider, IMeshNamespace, Mesh, MeshNamespace, MeshProps, TracedService, TracedServiceProps } from '../src';

export const OTEL = ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local', port: 4317 });

/** GIVEN a chart with a mesh (tracing on) and the `production` namespace. */
export function meshChart(meshProps: MeshProps = {}) {
  const chart = Testing.chart();
  const mesh = new Mesh(chart, 'Mesh', {
    tracing: { provider: OTEL, samplingPercentage: 10, customTags: { user_id: CustomTag.header('x-user-id') } },
    ...meshProps,
  });
  const ns = new MeshNamespace(chart, 'Production', { mesh, name: 'production' });
  return { chart, mesh, ns };
}

/** A TracedService with the reference defaults and the given overrides. */
export function service(scope: Construct, ns: IMeshNamespace, id: string, props: Partial<TracedServiceProps> = {}): TracedService {
  const name = props.name ?? id;
  return new TracedService(scope, id, {
    namespace: ns,
    name,
    imageRepository: `registry.example.com/${name}`,
    versions: [{ name: 'v1' }],
    ...props,
  });
}

/** The synthesized objects of a chart. */
export function synth(chart: Construct): any[] {
  return Testing.synth(chart as any);
}

/** The one object of `kind` named `name`; fails when there is not exactly one. */
export function one(objects: any[], kind: string, name?: string): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  }
  return found[0];
}
