/**
 * F17 (consumer trial): OTEL_RESOURCE_ATTRIBUTES keys are W3C Baggage keys, RFC 7230 tokens written
 * as they are; only values are percent-encoded (OTel spec "Specifying resource information via an
 * environment variable" -> W3C Baggage, w3.org/TR/baggage `key = token`; the Go SDK's resource env
 * detector unescapes values only, so an encoded key would become an attribute named `a%3Db`).
 */
import { otelAttributeKey } from '../../src/rules';
import { meshChart, one, service, synth } from '../helpers';

describe('OTEL_RESOURCE_ATTRIBUTES keys are tokens', () => {
  test.each([['a=b'], ['c,d'], ['e f'], ['ü'], ['a;b'], ['cost%'], ['"q"']])('GIVEN the key %p THEN the TracedService refuses it, naming the key, with a hint', (key) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { openTelemetry: { resourceAttributes: { [key]: '1' } } }))
      .toThrow(/props\.openTelemetry\.resourceAttributes: .* is invalid: a resource attribute key (is a W3C Baggage key|must not contain '%').*Hint: use letters, digits/);
  });

  test('GIVEN token keys (dots, dashes, underscores) and values with separators and non-ASCII THEN the keys are written as they are and only the values are encoded', () => {
    expect(otelAttributeKey('deployment.environment')).toBeUndefined();
    expect(otelAttributeKey('k8s_pod-name')).toBeUndefined();
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { openTelemetry: { resourceAttributes: { 'deployment.environment': 'prod,eu=1', 'k': 'ü' } } });
    const env = one(synth(chart), 'Deployment', 'a-v1').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'OTEL_RESOURCE_ATTRIBUTES')).toMatchObject({ value: 'deployment.environment=prod%2Ceu%3D1,k=%C3%BC,service.version=v1' });
  });
});
