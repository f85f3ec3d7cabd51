import * as fc from 'fast-check';
import { validateManifests } from '../../src/validation';
import { MUTATIONS, validMeshSet } from './generators';

const asSet = (objects: any[]) => objects.map((manifest) => ({ manifest }));

describe('property: valid manifests pass every check', () => {
  test('any generated valid mesh set has zero findings', () => {
    fc.assert(
      fc.property(validMeshSet(), (objects) => {
        const findings = validateManifests(asSet(objects));
        expect(findings.map((f) => `${f.code} ${f.kind}/${f.name} ${f.message}`)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('property: one invalid field is always rejected, naming the field', () => {
  test.each(MUTATIONS.map((m) => [m.name, m] as const))('%s', (_name, mutation) => {
    fc.assert(
      fc.property(validMeshSet(), (objects) => {
        const where = mutation.apply(objects);
        fc.pre(where !== undefined);
        const findings = validateManifests(asSet(objects));
        const hit = findings.find((f) => f.level === 'error' && f.kind === where!.kind && f.message.startsWith(`${where!.field}:`));
        expect(hit).toBeDefined();
      }),
      { numRuns: 25 },
    );
  });
});
