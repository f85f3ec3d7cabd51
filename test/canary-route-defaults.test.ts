import { Duration } from 'cdk8s';
import { CanaryRoute, Destination, RetryPolicy } from '../src';
import { meshChart, one, service, synth } from './helpers';

/** GIVEN catalog routed by a wrapper whose route sets a 10s timeout and 3 retries. */
function wrapped(overridableDefaults: boolean | undefined) {
  const { chart, ns } = meshChart();
  const catalog = service(chart, ns, 'catalog', { versions: [{ name: 'v1' }] });
  const route = new CanaryRoute(chart, 'Route', {
    service: catalog,
    defaultDestination: Destination.version('v1'),
    timeout: Duration.seconds(10),
    retries: RetryPolicy.of({ attempts: 3 }),
    ...(overridableDefaults === undefined ? {} : { overridableDefaults }),
  });
  return { chart, route };
}

describe('CanaryRoute route defaults a wrapper sets and the app overrides', () => {
  test('GIVEN overridableDefaults WHEN the app sets a timeout THEN the app\'s timeout wins and the wrapper\'s retries stay', () => {
    const { chart, route } = wrapped(true);
    route.setDefaults({ timeout: Duration.seconds(5) });
    const http = one(synth(chart), 'VirtualService', 'catalog').spec.http;
    expect(http[0]).toMatchObject({ timeout: '5s', retries: { attempts: 3 } });
  });

  test('GIVEN overridableDefaults WHEN the app sets both THEN both are the app\'s', () => {
    const { chart, route } = wrapped(true);
    route.setDefaults({ timeout: Duration.millis(2500), retries: RetryPolicy.of({ attempts: 1 }) });
    expect(one(synth(chart), 'VirtualService', 'catalog').spec.http[0]).toMatchObject({ timeout: '2500ms', retries: { attempts: 1 } });
  });

  test('GIVEN no overridableDefaults WHEN the app sets the timeout again THEN it is refused, naming both writers', () => {
    const { route } = wrapped(undefined);
    // the error names the property, the refused value (not the host) and the value already set (issue 16)
    expect(() => route.setDefaults({ timeout: Duration.seconds(5) }))
      .toThrow(/^\[test\/Route\] timeout: "5s" is invalid: the route timeout of host "catalog" is already set by test\/Route \(to "10s"\)\. Hint: .*mark the wrapper's default overridable$/);
    expect(() => route.setDefaults({ retries: RetryPolicy.of({ attempts: 1 }) }))
      .toThrow(/^\[test\/Route\] retries: \{"attempts":1[^]*\} is invalid: the route retries of host "catalog" is already set by test\/Route \(to \{"attempts":3[^]*\}\)\./);
  });

  test('GIVEN an overridden timeout WHEN the app sets it a second time THEN that is refused (one explicit writer per field)', () => {
    const { route } = wrapped(true);
    route.setDefaults({ timeout: Duration.seconds(5) });
    expect(() => route.setDefaults({ timeout: Duration.seconds(6) })).toThrow(/already set by/);
  });

  test('GIVEN bad input WHEN setDefaults is called THEN it names the property', () => {
    const { route } = wrapped(true);
    expect(() => route.setDefaults({})).toThrow(/setDefaults\.defaults.*give a timeout, retries or both/);
    expect(() => route.setDefaults({ timeout: Duration.millis(0) })).toThrow(/setDefaults\.timeout/);
    expect(() => new CanaryRoute(meshChart().chart, 'R', { service: undefined as any, defaultDestination: Destination.version('v1') })).toThrow(/props\.service/);
  });
});
