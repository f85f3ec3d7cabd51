/**
 * Consumer trial F7 (rest): lint names the document of a non-mapping YAML document (a list, a scalar, a
 * `List` item that is no object) so such findings can be told apart, and a check that reads a field
 * the schema already found mistyped does not repeat the problem in other words; findings about other
 * fields of the same object stay.
 */
import * as path from 'path';
import { run } from '../../src/cli/lint';
import { validateManifests } from '../../src/validation';
import { withoutFollowOnFindings } from '../../src/validation/follow-on';
import { readManifests } from '../../src/validation/read';

const FIXTURE = path.join(__dirname, 'fixtures', 'follow-on.yaml');

function lintLines(file: string): string[] {
  let out = '';
  run([file], { out: (t) => (out += t), err: () => undefined });
  return out.split('\n').filter((l) => l !== '').map((l) => l.slice(l.indexOf(' ') + 1));
}

describe('documents that are no mapping', () => {
  test('GIVEN a multi-document file WHEN linted THEN each nameless document\'s finding names its document (and List item), in file order, and says what it is', () => {
    const lines = lintLines(FIXTURE).filter((l) => l.startsWith('-/-/-'));
    expect(lines).toEqual([
      '-/-/- CI1004 error documents[1]: apiVersion: 7 is invalid: must be a string',
      '-/-/- CI1004 error documents[4]: a manifest must be a mapping with apiVersion, kind and metadata, not a list',
      '-/-/- CI1004 error documents[5]: a manifest must be a mapping with apiVersion, kind and metadata, not a string',
      // documents[6] is empty: skipped, but counted
      '-/-/- CI1004 error documents[7]: a manifest must be a mapping with apiVersion, kind and metadata, not a number',
      '-/-/- CI1004 error documents[8].items[1]: a manifest must be a mapping with apiVersion, kind and metadata, not a number',
    ]);
  });

  test('GIVEN the findings as data THEN document and item are fields of the finding', () => {
    const findings = validateManifests(readManifests([FIXTURE]).manifests);
    expect(findings.filter((f) => f.code === 'CI1004').map((f) => [f.document, f.item])).toEqual([[1, undefined], [4, undefined], [5, undefined], [7, undefined], [8, 1]]);
    // a named object carries its document too
    expect(findings.find((f) => f.name === 'vs')).toMatchObject({ document: 9 });
  });
});

describe('no follow-on findings on a mistyped field', () => {
  const lines = lintLines(FIXTURE).filter((l) => !l.startsWith('-/-/-'));

  test('GIVEN the trial\'s wrong types WHEN linted THEN the type errors only, plus the findings about other fields', () => {
    expect(lines).toEqual([
      'AuthorizationPolicy/shop/ap CI1001 error spec.action: Invalid value: must be string',
      'AuthorizationPolicy/shop/ap CI1001 error spec.selector.matchLabels: Invalid value: must be object',
      'Deployment/shop/d CI1201 error spec.template.metadata.labels.app: Invalid value: must be string',
      // its own field: the label set has no version label whatever app is
      'Deployment/shop/d CI3001 warning spec.template.metadata.labels: missing "version"; Istio uses app and version labels for telemetry, tracing and subsets',
      'DestinationRule/shop/dr CI1001 error spec: Invalid value: must be object',
      'Service/shop/s CI1201 error spec.ports[0].port: Invalid value: must be integer',
      'VirtualService/shop/vs CI1001 error spec.http[0].route[0].destination.subset: Invalid value: must be string',
      'VirtualService/shop/vs CI1001 error spec.http[0].timeout: Invalid value: must be string',
      // another field (the destination host): a real finding
      'VirtualService/shop/vs IST0101 error spec.http[0].route[0].destination.host: "web" names no Service or ServiceEntry visible to namespace "shop"',
    ]);
  });

  test('GIVEN the same fields with values of the right type but bad THEN the later checks do report them (the filter keys on the type error)', () => {
    const objects = [
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ap', namespace: 'shop' }, spec: { selector: { matchLabels: {} }, action: 'NOPE' } },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ap2', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'none' } } } },
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'shop' }, spec: { host: 'nowhere' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'shop' }, spec: { selector: { app: 's' }, ports: [{ port: 80, targetPort: 8080 }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs', namespace: 'shop' }, spec: { hosts: ['s'], http: [{ route: [{ destination: { host: 's', subset: 'Bad_Subset' } }], timeout: '0.5ms' }] } },
    ];
    const codes = validateManifests(objects.map((manifest) => ({ manifest }))).map((f) => `${f.name} ${f.code}`);
    expect(codes).toEqual(expect.arrayContaining(['ap CI2401', 'ap CI2012', 'ap2 IST0127', 'dr IST0174', 's IST0118', 'vs CI2113', 'vs CI2115']));
  });

  test('withoutFollowOnFindings: drops the same field and fields inside it, of the same object; keeps parents, siblings and other objects', () => {
    const f = (name: string, code: string, message: string) => ({ code, level: 'error' as const, message, kind: 'X', namespace: 'n', name });
    const input = [
      f('a', 'CI1001', 'spec.x: Invalid value: must be object'),
      f('a', 'CI1001', 'spec.x: Unsupported value: 1: supported values: "A"'),
      f('a', 'CI2001', 'spec.x.y: bad'),
      f('a', 'CI2001', 'spec.x[0]: bad'),
      f('a', 'IST0001', 'spec: parent finding'),
      f('a', 'IST0002', 'spec.xy: a sibling whose name starts alike'),
      f('b', 'CI2001', 'spec.x: another object'),
      f('a', 'CI1001', 'spec.z: Invalid value: must be >= 0'),
      f('a', 'CI2002', 'spec.z: not a type error, so kept'),
    ];
    expect(withoutFollowOnFindings(input).map((x) => `${x.name} ${x.message}`)).toEqual([
      'a spec.x: Invalid value: must be object',
      'a spec: parent finding',
      'a spec.xy: a sibling whose name starts alike',
      'b spec.x: another object',
      'a spec.z: Invalid value: must be >= 0',
      'a spec.z: not a type error, so kept',
    ]);
  });
});
