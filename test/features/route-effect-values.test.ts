import { Duration } from 'cdk8s';
import { Cors, DirectResponse, Fault, HeaderMutation, HttpMethod, Mirror, Redirect, Rewrite, StringMatch } from '../../src';

// Ranges follow istiod's webhook (pkg/config/validation/virtualservice.go, Istio 1.30.3):
// validateHTTPFaultInjection, validateHTTPRedirect, validateHTTPDirectResponse, validateCORSPolicy.

describe('Fault', () => {
  test('GIVEN an abort and a delay WHEN built THEN the intent carries both with their percentages', () => {
    const f = Fault.of({ abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: Duration.seconds(1), percent: 100 } });
    expect(f.toIntent()).toEqual({ abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: 1000, percent: 100 } });
    expect(f instanceof Fault).toBe(true);
    expect({} instanceof Fault).toBe(false);
  });

  test.each([[0], [0.0001], [100]])('GIVEN percent %p (in range) THEN accepted', (percent) => {
    expect(Fault.abort({ httpStatus: 503, percent }).toIntent().abort?.percent).toBe(percent);
  });

  test.each([[-1], [100.0001], [Number.NaN]])('GIVEN percent %p (out of range) THEN refused naming the property', (percent) => {
    expect(() => Fault.abort({ httpStatus: 503, percent })).toThrow(/abort\.percent/);
  });

  test.each([[199], [601]])('GIVEN abort status %p (one past 200..600) THEN refused', (httpStatus) => {
    expect(() => Fault.abort({ httpStatus, percent: 1 })).toThrow(/abort\.httpStatus.*200\.\.600/);
  });

  test.each([[200], [600]])('GIVEN abort status %p (bound) THEN accepted', (httpStatus) => {
    expect(Fault.abort({ httpStatus, percent: 1 }).toIntent().abort?.httpStatus).toBe(httpStatus);
  });

  test('GIVEN an abort with both or neither status THEN refused', () => {
    expect(() => Fault.abort({ httpStatus: 503, grpcStatus: 'UNAVAILABLE', percent: 1 })).toThrow(/exactly one of httpStatus or grpcStatus/);
    expect(() => Fault.abort({ percent: 1 })).toThrow(/exactly one of httpStatus or grpcStatus/);
  });

  test('GIVEN a gRPC status name THEN only the names istiod knows are accepted', () => {
    expect(Fault.abort({ grpcStatus: 'UNAVAILABLE', percent: 1 }).toIntent().abort).toEqual({ grpcStatus: 'UNAVAILABLE', percent: 1 });
    expect(() => Fault.abort({ grpcStatus: 'NOPE', percent: 1 })).toThrow(/gRPC status name/);
  });

  test('GIVEN no abort and no delay THEN refused', () => {
    expect(() => Fault.of({})).toThrow(/needs an abort and\/or a delay/);
  });

  test('GIVEN a delay below 1ms THEN refused', () => {
    expect(() => Fault.delay({ fixedDelay: Duration.millis(0), percent: 1 })).toThrow(/delay\.fixedDelay/);
  });
});

describe('Mirror', () => {
  test('GIVEN a version and a fraction THEN the intent keeps both; the default is 100%', () => {
    expect(Mirror.toVersion('v2', { percent: 10 }).toIntent()).toEqual({ version: 'v2', percent: 10 });
    expect(Mirror.toService().toIntent()).toEqual({ percent: 100 });
  });

  test.each([[-0.1], [100.1]])('GIVEN percent %p THEN refused', (percent) => {
    expect(() => Mirror.toVersion('v2', { percent })).toThrow(/percent/);
  });

  test('GIVEN an empty version THEN refused', () => {
    expect(() => Mirror.toVersion('')).toThrow(/non-empty/);
  });
});

describe('HeaderMutation', () => {
  test('GIVEN set/add/remove on both sides THEN the intent sorts set and add by name', () => {
    const h = HeaderMutation.of({ request: { set: { 'x-b': '2', 'x-a': '1' }, remove: ['x-debug'] }, response: { add: { 'x-served-by': 'mesh' } } });
    expect(h.toIntent()).toEqual({
      request: { set: { 'x-a': '1', 'x-b': '2' }, add: {}, remove: ['x-debug'] },
      response: { set: {}, add: { 'x-served-by': 'mesh' }, remove: [] },
    });
    expect(Object.keys(h.toIntent().request!.set)).toEqual(['x-a', 'x-b']);
  });

  test('GIVEN the same header twice (case-insensitive) THEN refused', () => {
    expect(() => HeaderMutation.request({ set: { 'X-Env': 'a' }, remove: ['x-env'] })).toThrow(/already in request\.set/);
  });

  test('GIVEN the Host header removed THEN refused as istiod refuses it', () => {
    expect(() => HeaderMutation.request({ remove: ['host'] })).toThrow(/request\.remove\[0\]/);
  });

  test('GIVEN nothing to change THEN refused', () => {
    expect(() => HeaderMutation.of({ request: {} })).toThrow(/at least one header/);
  });
});

describe('Rewrite, Redirect, DirectResponse', () => {
  test('GIVEN a path rewrite THEN it must start with "/"', () => {
    expect(Rewrite.uri('/').toIntent()).toEqual({ uri: '/' });
    expect(() => Rewrite.uri('v1')).toThrow(/starts with '\/'/);
    expect(() => Rewrite.of({})).toThrow(/uri or authority/);
  });

  test('GIVEN an authority rewrite with a port THEN accepted; an invalid host THEN refused', () => {
    expect(Rewrite.authority('api.example.com:8080').toIntent()).toEqual({ authority: 'api.example.com:8080' });
    expect(() => Rewrite.authority('bad host')).toThrow(/authority/);
  });

  test('GIVEN a redirect without a code THEN 301 (Istio default) is kept explicit', () => {
    expect(Redirect.to({ uri: '/v2' }).toIntent()).toEqual({ uri: '/v2', code: 301 });
  });

  test.each([[301], [302], [303], [307], [308]])('GIVEN redirect code %p THEN accepted', (code) => {
    expect(Redirect.to({ uri: '/x', code }).toIntent().code).toBe(code);
  });

  test.each([[300], [304], [399], [400]])('GIVEN redirect code %p THEN refused (pilot drops it or the webhook does)', (code) => {
    expect(() => Redirect.to({ uri: '/x', code })).toThrow(/code/);
  });

  test('GIVEN an empty redirect or a bad scheme THEN refused', () => {
    expect(() => Redirect.to({})).toThrow(/uri, authority, scheme or port/);
    expect(() => Redirect.to({ scheme: 'ftp' })).toThrow(/scheme/);
  });

  test('GIVEN a direct response THEN status 200..600 and a body under 1MB', () => {
    expect(DirectResponse.of({ status: 410, body: 'gone' }).toIntent()).toEqual({ status: 410, body: 'gone' });
    expect(() => DirectResponse.of({ status: 199 })).toThrow(/status/);
    expect(() => DirectResponse.of({ status: 601 })).toThrow(/status/);
    expect(() => DirectResponse.of({ status: 200, body: 'x'.repeat(1024 * 1024 + 1) })).toThrow(/1MB/);
  });
});

describe('Cors', () => {
  test('GIVEN origins, methods and maxAge THEN the intent keeps them', () => {
    const c = Cors.of({ allowOrigins: [StringMatch.exact('https://shop.example.com')], allowMethods: [HttpMethod.GET, HttpMethod.POST], maxAge: Duration.hours(24), allowCredentials: true });
    expect(c.toIntent()).toMatchObject({ allowOrigins: [{ kind: 'exact', value: 'https://shop.example.com' }], allowMethods: ['GET', 'POST'], maxAge: 86400000, allowCredentials: true });
  });

  test('GIVEN no origin THEN refused', () => {
    expect(() => Cors.of({ allowOrigins: [] })).toThrow(/at least one allowed origin/);
  });

  test('GIVEN a maxAge with a fraction of a second THEN refused (Envoy sends whole seconds)', () => {
    expect(() => Cors.of({ allowOrigins: [StringMatch.exact('https://a.example')], maxAge: Duration.millis(1500) })).toThrow(/whole seconds/);
  });

  test('GIVEN an invalid header name THEN refused', () => {
    expect(() => Cors.of({ allowOrigins: [StringMatch.exact('https://a.example')], allowHeaders: ['bad header'] })).toThrow(/allowHeaders\[0\]/);
  });
});
