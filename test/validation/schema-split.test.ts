/**
 * The CRD schemas split per distinct schema (imports/schemas/kinds/, scripts/schema-split.js) hold
 * exactly what the source files imports/schemas/<source>.json (scripts/import.js) hold, and validation
 * reads only the kinds it checks (src/validation/schema-data.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { crdKinds, crdSchema, isCrdGroup } from '../../src/validation/schema-data';

const ROOT = path.join(__dirname, '..', '..');
const SCHEMAS = path.join(ROOT, 'imports', 'schemas');
const DIR = path.join(SCHEMAS, 'kinds');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { splitSchemas } = require(path.join(ROOT, 'scripts', 'schema-split.js'));
const INDEX = JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'index.json'), 'utf8'));
const read = (s: string) => JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${s}.json`), 'utf8'));

describe('CRD schemas split per kind', () => {
  test('GIVEN the source files WHEN split again THEN the committed files are identical, none more, none fewer (rerun scripts/schema-split.js if not)', () => {
    const fresh: Record<string, string> = splitSchemas(INDEX, read);
    expect(fs.readdirSync(DIR).sort()).toEqual(Object.keys(fresh).sort());
    for (const [name, text] of Object.entries(fresh)) expect([name, fs.readFileSync(path.join(DIR, name), 'utf8')]).toEqual([name, text]);
  });

  test('GIVEN every pinned kind WHEN read through schema-data THEN it is the source file\'s entry, and the kinds are the source files\' kinds', () => {
    const whole = new Map<string, unknown>();
    for (const s of Object.keys(INDEX)) for (const [k, v] of Object.entries(read(s))) whole.set(k, v);
    expect(whole.size).toBeGreaterThan(40);
    expect([...crdKinds()].sort()).toEqual([...whole.keys()].sort());
    for (const [key, entry] of whole) {
      const [group, version, kind] = key.split('/');
      expect([key, crdSchema(`${group}/${version}`, kind)]).toEqual([key, entry]);
    }
    expect(crdSchema('networking.istio.io/v1', 'NoSuchKind')).toBeUndefined();
    expect(crdSchema('example.com/v1', 'VirtualService')).toBeUndefined();
    expect(isCrdGroup('gateway.networking.k8s.io/v9')).toBe(true);
    expect(isCrdGroup('example.com/v1')).toBe(false);
  });

  test('GIVEN versions with one schema WHEN split THEN they share a file, and a kind reads only its own file', () => {
    const index = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));
    expect(index['networking.istio.io/v1alpha3/VirtualService']).toBe(index['networking.istio.io/v1/VirtualService']);
    expect(new Set(Object.values(index)).size).toBeLessThan(Object.keys(index).length);
    // the VirtualService file holds a VirtualService schema only
    const vs = JSON.parse(fs.readFileSync(path.join(DIR, index['networking.istio.io/v1/VirtualService']), 'utf8'));
    expect(Object.keys(vs).sort()).toEqual(['schema', 'scope']);
    expect(vs.schema.properties.spec.properties.http).toBeDefined();
  });
});
