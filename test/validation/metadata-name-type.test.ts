import { checkMetadata } from '../../src/validation/schema';

// Consumer trial F7: `metadata.name: 5` was reported as "required field is missing" although present;
// the API server's decoder rejects it as a type error (a string is expected), not as a missing name.
describe('metadata.name of the wrong type', () => {
  test.each([[5, 'metadata.name: 5 is invalid: must be a string'], [[1, 2], 'metadata.name: [1,2] is invalid: must be a string']])('GIVEN name %p THEN "must be a string"', (name, message) => {
    expect(checkMetadata({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })).toEqual([{ code: 'CI1003', level: 'error', message }]);
  });

  test.each([[undefined], [null], ['']])('GIVEN name %p THEN still "required field is missing"', (name) => {
    expect(checkMetadata({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })).toEqual([{ code: 'CI1003', level: 'error', message: 'metadata.name: required field is missing' }]);
  });
});
