/**
 * The Envoy API descriptors split per package (imports/schemas/envoy/, scripts/envoy-split.js) hold
 * exactly what imports/schemas/envoy-api.json (scripts/envoy-descriptors.js) holds, and the EnvoyFilter
 * check reads only the packages a patch value reaches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkEnvoyPatchValue, envoyPackage } from '../../src/validation/envoy';

const ROOT = path.join(__dirname, '..', '..');
const DIR = path.join(ROOT, 'imports', 'schemas', 'envoy');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { splitEnvoyApi } = require(path.join(ROOT, 'scripts', 'envoy-split.js'));
const WHOLE = JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'schemas', 'envoy-api.json'), 'utf8'));

describe('Envoy API descriptors split per package', () => {
  test('GIVEN envoy-api.json WHEN split again THEN the committed files are identical, none more, none fewer (rerun scripts/envoy-split.js if not)', () => {
    // the package function under test, not a possibly stale lib/
    const fresh: Record<string, string> = splitEnvoyApi(WHOLE, envoyPackage);
    expect(fs.readdirSync(DIR).sort()).toEqual(Object.keys(fresh).sort());
    for (const [name, text] of Object.entries(fresh)) expect([name, fs.readFileSync(path.join(DIR, name), 'utf8')]).toEqual([name, text]);
  });

  test('GIVEN the split files WHEN read back THEN they hold every message and enum of the whole file, each in its package file, with the same fields', () => {
    const files = fs.readdirSync(DIR).filter((f) => f !== 'index.json');
    const messages = new Map<string, [string, unknown]>();
    const enums = new Map<string, [string, unknown]>();
    for (const f of files) {
      const pkg = JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));
      for (const [n, entry] of Object.entries(pkg.m)) messages.set(n, [f, entry]);
      for (const [n, values] of Object.entries(pkg.e)) enums.set(n, [f, values]);
    }
    expect(messages.size).toBe(WHOLE.names.length);
    expect(messages.size).toBeGreaterThan(1000);
    WHOLE.names.forEach((name: string, i: number) => {
      const [file, entry] = messages.get(name)!;
      expect(file).toBe(`${envoyPackage(name)}.json`);
      const [fields, ...rest] = WHOLE.m[i];
      // the whole file refers to messages by index, the split files by name
      const byName = fields.map((f: any[]) => (f[2] === 11 && typeof f[3] === 'number' ? [...f.slice(0, 3), WHOLE.names[f[3]], ...f.slice(4)] : f));
      expect(entry).toEqual([byName, ...rest]);
    });
    expect([...enums.keys()].sort()).toEqual(Object.keys(WHOLE.e).sort());
    for (const [name, values] of Object.entries(WHOLE.e)) expect(enums.get(name)).toEqual([`${envoyPackage(name)}.json`, values]);
    expect(JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'))).toEqual({ source: WHOLE.source, applyTo: WHOLE.applyTo });
  });

  test('GIVEN type names WHEN their package is asked THEN it is the leading lowercase segments, and nothing for other forms', () => {
    expect(envoyPackage('envoy.config.core.v3.Address')).toBe('envoy.config.core.v3');
    expect(envoyPackage('envoy.config.core.v3.SocketAddress.Protocol')).toBe('envoy.config.core.v3');
    expect(envoyPackage('udpa.type.v1.TypedStruct')).toBe('udpa.type.v1');
    for (const bad of ['Address', 'envoy.config.core.v3', '../../etc/passwd.X', 'envoy/../x.Y', 'Envoy.config.X', 'envoy..core.X', '']) expect(envoyPackage(bad)).toBeUndefined();
  });

  test('GIVEN an @type naming no carried type, also a path-like one, WHEN decoded THEN istiod cannot resolve it (CI2954), and nothing outside the data folder is read', () => {
    for (const url of ['type.googleapis.com/../../../package.X', 'type.googleapis.com/envoy.nothing.v3.Nope', 'type.googleapis.com/envoy.config.core.v3.Nope']) {
      const out = checkEnvoyPatchValue('HTTP_FILTER', { name: 'x', typed_config: { '@type': url } });
      expect(out).toMatchObject([{ code: 'CI2954', path: 'typed_config.@type' }]);
    }
  });
});
