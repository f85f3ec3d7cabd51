import { CustomTag, ExtensionProvider, Mesh, MeshConfigError, MeshNamespace } from '../src';
import { meshChart, one, OTEL, synth } from './helpers';
import { Testing } from 'cdk8s';

describe('Mesh tracing Telemetry', () => {
  test('mesh-wide Telemetry in istio-system: provider, sampling and custom tag (telemetry.istio.io/v1)', () => {
    const { chart } = meshChart();
    const t = one(synth(chart), 'Telemetry');
    expect(t.apiVersion).toBe('telemetry.istio.io/v1');
    expect(t.metadata).toEqual({ name: 'mesh-default', namespace: 'istio-system' });
    expect(t.spec).toEqual({
      tracing: [{ providers: [{ name: 'otel' }], randomSamplingPercentage: 10, customTags: { user_id: { header: { name: 'x-user-id' } } } }],
    });
    expect(t.spec.selector).toBeUndefined();
  });

  test('sampling defaults to Istio default of 1 percent', () => {
    const chart = Testing.chart();
    new Mesh(chart, 'Mesh', { tracing: { provider: OTEL } });
    expect(one(synth(chart), 'Telemetry').spec.tracing[0].randomSamplingPercentage).toBe(1);
  });

  test.each([0, 100, 0.5])('sampling %p is accepted', (pct) => {
    const chart = Testing.chart();
    new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: pct } });
    expect(one(synth(chart), 'Telemetry').spec.tracing[0].randomSamplingPercentage).toBe(pct);
  });

  test.each([-0.1, 100.1, NaN])('sampling %p is rejected with path, property and rule', (pct) => {
    const chart = Testing.chart();
    expect(() => new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: pct } })).toThrow(
      /\[test\/Mesh\] props\.tracing\.samplingPercentage: .* is invalid: a sampling percentage must be within 0\.\.100/,
    );
  });

  test('an empty custom-tag header name is rejected', () => {
    expect(() => CustomTag.header('')).toThrow(MeshConfigError);
    expect(() => CustomTag.header('')).toThrow(/\[CustomTag\.header\] name: "" is invalid: a custom tag header name must be a non-empty string/);
  });

  test('an empty custom-tag name is rejected', () => {
    const chart = Testing.chart();
    expect(() => new Mesh(chart, 'Mesh', { tracing: { provider: OTEL, customTags: { '': CustomTag.literal('x') } } })).toThrow(
      /props\.tracing\.customTags: "" is invalid: a custom tag name must be non-empty/,
    );
  });

  test('the tracing provider becomes an extension provider', () => {
    const { mesh } = meshChart();
    expect(mesh.extensionProviders.map((p) => p.name)).toEqual(['otel']);
  });

  test('provider validation: port and service', () => {
    expect(() => ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel.observability.svc.cluster.local', port: 0 })).toThrow(/port: 0 is invalid/);
    expect(() => ExtensionProvider.openTelemetry({ name: 'otel', service: 'not a host' })).toThrow(/service: "not a host" is invalid/);
    expect(ExtensionProvider.openTelemetry({ name: 'otel', service: 'observability/otel-collector.observability.svc.cluster.local' }).namespace).toBe('observability');
  });
});

describe('MeshNamespace', () => {
  test('ambient namespaces carry the dataplane label instead of injection', () => {
    const chart = Testing.chart();
    const mesh = new Mesh(chart, 'Mesh', { dataPlane: (require('../src').DataPlaneMode).AMBIENT });
    new MeshNamespace(chart, 'Prod', { mesh, name: 'production' });
    expect(one(synth(chart), 'Namespace').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
  });

  test('mesh labels cannot be set by hand', () => {
    const { chart, mesh } = meshChart();
    expect(() => new MeshNamespace(chart, 'X', { mesh, name: 'x', labels: { 'istio-injection': 'disabled' } })).toThrow(/props\.labels: "istio-injection" is invalid/);
  });

  test('a bad namespace name is rejected', () => {
    const { chart, mesh } = meshChart();
    expect(() => new MeshNamespace(chart, 'X', { mesh, name: 'Prod' })).toThrow(/\[test\/X\] props\.name: "Prod" is invalid: a namespace name must be a DNS-1123 label/);
  });
});
