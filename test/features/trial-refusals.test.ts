import { DataPlaneMode, Fault, MeshNamespace, PodSecurityAdmission, Redirect, RetryBudget } from '../../src';
import { meshChart, service } from '../helpers';

// Findings of the consumer trial (/work/trial/report.md F5, F11, F12): values the library would drop or
// override are refused, never ignored, and every refusal names the property written, with a hint.

describe('TracedService: refused instead of dropped', () => {
  // OTel SDK environment variable spec: OTEL_SERVICE_NAME takes precedence over service.name in
  // OTEL_RESOURCE_ATTRIBUTES; the library sets service.version to each Deployment's version.
  test.each([['service.name', /set the service name with props\.name/], ['service.version', /name the version in props\.versions/]])(
    'GIVEN resourceAttributes[%p] THEN refused naming the key, with a hint', (key, hint) => {
      const { chart, ns } = meshChart();
      expect(() => service(chart, ns, 'a', { openTelemetry: { resourceAttributes: { [key]: 'x' } } })).toThrow(
        new RegExp(`\\[test/a\\] props\\.openTelemetry\\.resourceAttributes\\['${key.replace('.', '\\.')}'\\]: "x" is invalid: ${key.replace('.', '\\.')} is set by TracedService.*cannot be overridden\\. Hint: ${hint.source}`),
      );
    });

  // W3C Baggage (the OTEL_RESOURCE_ATTRIBUTES format): a key is an RFC 7230 token, not percent-decoded
  // by the SDKs (the OTel Go SDK's env detector unescapes values only), so it is written as is.
  test.each([['a=b'], ['c,d'], ['e f'], ['ü'], ['cost%']])('GIVEN resource attribute key %p (not a token) THEN refused', (key) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { openTelemetry: { resourceAttributes: { [key]: '1' } } })).toThrow(/props\.openTelemetry\.resourceAttributes: .* is invalid: a resource attribute key (is a W3C Baggage key|must not contain '%')/);
  });

  test('GIVEN other resource attributes THEN still accepted', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { openTelemetry: { resourceAttributes: { 'service.namespace': 'shop', 'team': 'a' } } });
  });

  // Ambient pods get no sidecar; the sidecar.istio.io/proxy* annotations would be dropped (as
  // LocalRateLimit is refused on ambient for the same reason: render/data-planes.ts noSidecars).
  test('GIVEN sidecarResources on an ambient mesh THEN refused with a hint', () => {
    const { chart, ns } = meshChart({ dataPlane: DataPlaneMode.AMBIENT });
    expect(() => service(chart, ns, 'a', { sidecarResources: { cpuRequest: '200m' } })).toThrow(
      /\[test\/a\] props\.sidecarResources: \{"cpuRequest":"200m"\} is invalid: sidecar resources are annotations for the sidecar injector, and ambient workloads have no sidecar.*Hint: remove sidecarResources/,
    );
    service(chart, ns, 'b');
  });

  test('GIVEN a sidecar request above a limit the user set THEN the message names the request and hints both ways', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { sidecarResources: { cpuRequest: '500m', cpuLimit: '200m' } })).toThrow(/props\.sidecarResources\.cpuRequest: "500m" is invalid: .*Hint: lower cpuRequest to at most 200m, or raise cpuLimit/);
  });

  test.each([
    ['OTEL_SERVICE_NAME', /Hint: set the service name with props\.name/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', /Hint: set props\.openTelemetry\.endpoint/],
    ['OTEL_RESOURCE_ATTRIBUTES', /Hint: set props\.openTelemetry\.resourceAttributes/],
    ['SERVICE_PORT', /Hint: set the port with props\.port or props\.ports/],
  ])('GIVEN env %p THEN refused with the property to use instead', (name, hint) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { env: { [name]: 'x' } })).toThrow(new RegExp(`props\\.env: "${name}" is invalid: ${name} is set by TracedService.*${hint.source}`));
  });

  test('GIVEN an env name with "=" THEN the refusal has a hint', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { env: { 'A=B': 'x' } })).toThrow(/props\.env: "A=B" is invalid: .*environment variable name.*Hint: use the variable name as the key/);
  });
});

describe('value objects and namespaces: refusals carry a hint (trial F12)', () => {
  test.each([
    ['RetryBudget.of percent 150', () => RetryBudget.of({ percent: 150 }), /\[RetryBudget\.of\] percent: 150 is invalid: a retry budget percentage must be within 0\.\.100\. Hint: a percentage of active requests from 0 to 100/],
    ['Redirect.to scheme ftp', () => Redirect.to({ scheme: 'ftp' }), /\[Redirect\.to\] scheme: "ftp" is invalid: must be "http" or "https"\. Hint: use "http" or "https"/],
    ['Fault.of abort.httpStatus 700', () => Fault.of({ abort: { httpStatus: 700, percent: 5 } }), /\[Fault\.of\] abort\.httpStatus: 700 is invalid: .*Hint: an HTTP status, e.g\. 503/],
  ])('GIVEN %s THEN refused with a hint', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('GIVEN a MeshNamespace label istio-injection THEN refused with a hint', () => {
    const { chart, mesh } = meshChart();
    expect(() => new MeshNamespace(chart, 'K', { mesh, name: 'k', labels: { 'istio-injection': 'enabled' } })).toThrow(/props\.labels: "istio-injection" is invalid: mesh membership labels .*Hint: remove the label/);
  });

  test('GIVEN podSecurity.version "1.33" (typed with the exported PodSecurityAdmission, trial F16) THEN the hint says "v1.33"', () => {
    const { chart, mesh } = meshChart();
    const podSecurity: PodSecurityAdmission = { warn: 'restricted', version: '1.33' };
    expect(() => new MeshNamespace(chart, 'K', { mesh, name: 'k', podSecurity })).toThrow(/props\.podSecurity\.version: "1\.33" is invalid: .*Hint: try "v1\.33"/);
  });
});
