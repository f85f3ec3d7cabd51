import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { collectInputs, decodeUtf8, InputEncodingError, readInputText } from '../../src/io/files';
import { readInputs } from '../../src/io/manifests';
import { buildLib } from '../validation/helpers';
import { laughs } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'lib', 'src', 'cli', 'main.js');
const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`;
const YAML = { extensions: ['.yaml', '.yml'], recursive: true };

/** GIVEN a fresh temporary folder. */
function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-io-'));
}

/** Runs the compiled CLI with a hard timeout, so a regression that hangs fails instead of blocking jest. */
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, timeout: 20_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('finding files', () => {
  test('inside a folder: a link to a file is read, a link to a folder is not followed, dangling links and loops are reported', () => {
    // GIVEN a folder with a good file, a link to a file outside it, a link to /, a dangling link and a loop
    const outside = tmp();
    fs.writeFileSync(path.join(outside, 'shared.yaml'), CM('shared'));
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.yaml'), CM('a'));
    fs.symlinkSync(path.join(outside, 'shared.yaml'), path.join(dir, 'shared.yaml'));
    fs.symlinkSync('/', path.join(dir, 'root'));
    fs.symlinkSync(path.join(dir, 'nowhere.yaml'), path.join(dir, 'dangling.yaml'));
    fs.symlinkSync(path.join(dir, 'l2.yaml'), path.join(dir, 'l1.yaml'));
    fs.symlinkSync(path.join(dir, 'l1.yaml'), path.join(dir, 'l2.yaml'));
    // WHEN collected recursively
    const c = collectInputs([dir], YAML);
    // THEN only the folder itself is walked (not /), the file link is taken, the others are reported
    expect(c.folders.map((f) => f.dir)).toEqual([dir]);
    expect(c.folders[0].files.map((f) => path.basename(f.name))).toEqual(['a.yaml', 'shared.yaml']);
    expect(c.problems).toEqual([
      { file: path.join(dir, 'dangling.yaml'), message: 'dangling symbolic link: skipped', level: 'error' },
      { file: path.join(dir, 'l1.yaml'), message: 'symbolic link loop: skipped', level: 'error' },
      { file: path.join(dir, 'l2.yaml'), message: 'symbolic link loop: skipped', level: 'error' },
      { file: path.join(dir, 'root'), message: expect.stringMatching(/symbolic link to a folder: not followed/), level: 'notice' },
    ]);
  });

  test('a folder named on the command line is walked even through a link; subfolders in name order, each once', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'b'));
    fs.mkdirSync(path.join(dir, 'a'));
    fs.mkdirSync(path.join(dir, 'a', 'z'));
    for (const f of ['x.yaml', 'a/x.yaml', 'a/z/x.yml', 'b/x.yaml', 'b/skip.txt']) fs.writeFileSync(path.join(dir, f), CM('x'));
    const link = path.join(tmp(), 'link');
    fs.symlinkSync(dir, link);
    // WHEN the link and the folder itself are both named
    const c = collectInputs([link, dir], YAML);
    // THEN the tree is walked once, depth-first in name order; other extensions are ignored
    expect(c.folders.map((f) => path.relative(link, f.dir))).toEqual(['', 'a', path.join('a', 'z'), 'b']);
    expect(c.folders.flatMap((f) => f.files).map((f) => path.relative(link, f.name))).toEqual(['x.yaml', 'a/x.yaml', 'a/z/x.yml', 'b/x.yaml']);
    expect(c.problems).toEqual([]);
  });

  test('FIFOs, devices and a file that cannot be read are reported and skipped; the rest is read', () => {
    // GIVEN a FIFO named *.yaml, /dev/zero, an unreadable regular file (/proc/self/mem reads EIO) and a good file
    const dir = tmp();
    spawnSync('mkfifo', [path.join(dir, 'fifo.yaml')]);
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.yaml'));
    fs.writeFileSync(path.join(dir, 'good.yaml'), CM('good'));
    // WHEN read (all in this process: a blocking open would hang the test)
    const r = readInputs([dir, '/dev/zero', '/proc/self/mem', path.join(dir, 'fifo.yaml')], YAML);
    // THEN each is one problem naming the file, and the good file was read
    expect(r.problems).toEqual([
      { file: path.join(dir, 'fifo.yaml'), message: 'a FIFO, not a regular file: skipped', level: 'error' },
      { file: path.join(dir, 'zero.yaml'), message: 'symbolic link to a character device, not a regular file: skipped', level: 'error' },
      { file: '/dev/zero', message: 'a character device, not a regular file: skipped', level: 'error' },
      { file: path.join(dir, 'fifo.yaml'), message: 'a FIFO, not a regular file: skipped', level: 'error' },
      { file: '/proc/self/mem', message: expect.stringMatching(/^cannot read \(E\w+\)$/), level: 'error' },
    ]);
    expect(r.files.filter((f) => f.outcome.ok).map((f) => path.basename(f.input.name))).toEqual(['good.yaml']);
  });

  test('a missing path is reported; the other paths are still read', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.yaml'), CM('a'));
    const r = readInputs(['/no/such/thing', dir], YAML);
    expect(r.problems).toEqual([{ file: '/no/such/thing', message: 'no such file or folder', level: 'error' }]);
    expect(r.files).toHaveLength(1);
  });

  test('size limit: at the limit read, one byte past refused', () => {
    const file = path.join(tmp(), 'x.yaml');
    fs.writeFileSync(file, 'a: 1\n');
    expect(readInputText({ name: file, path: file }, { maxBytes: 5 })).toBe('a: 1\n');
    expect(() => readInputText({ name: file, path: file }, { maxBytes: 4 })).toThrow(/larger than 4 bytes/);
  });

  test('invalid UTF-8 is reported with its byte offset and line; a byte-order mark is dropped', () => {
    expect(() => decodeUtf8(Buffer.from([0x61, 0x0a, 0x62, 0xff]))).toThrow(InputEncodingError);
    expect(() => decodeUtf8(Buffer.from([0x61, 0x0a, 0x62, 0xff]))).toThrow('not valid UTF-8: invalid byte sequence at byte 3 (line 2)');
    // an overlong encoding and a UTF-16 surrogate are invalid too
    expect(() => decodeUtf8(Buffer.from([0xc0, 0xaf]))).toThrow(/at byte 0/);
    expect(() => decodeUtf8(Buffer.from([0x20, 0xed, 0xa0, 0x80]))).toThrow(/at byte 1/);
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9]))).toBe('aé');
  });
});

describe('the CLI on hostile files (compiled bin, hard timeout)', () => {
  beforeAll(() => buildLib(), 120_000);

  test('lint /dev/zero and a FIFO named x.yaml return at once with exit 2, naming each', () => {
    const dir = tmp();
    spawnSync('mkfifo', [path.join(dir, 'x.yaml')]);
    for (const args of [['lint', '/dev/zero'], ['lint', dir], ['lint', path.join(dir, 'x.yaml')], ['graph', dir], ['route', dir, '--host', 'a.b'], ['authz', dir, '--to', 'a.b', '--plaintext', '--method', 'GET', '--path', '/']]) {
      const r = cli(args);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/(\/dev\/zero: a character device|x\.yaml: a FIFO), not a regular file: skipped/);
    }
  });

  test('one bad file never aborts the others: the good file is linted, the bad ones named, exit 2', () => {
    // GIVEN a folder with an alias bomb, invalid UTF-8, a dangling link and a file with a real error
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'bomb.yaml'), `${CM('bomb')}data:\n${laughs(9, '  ')}`);
    fs.writeFileSync(path.join(dir, 'latin1.yaml'), Buffer.concat([Buffer.from(CM('latin1')), Buffer.from('data:\n  k: caf\xe9\n', 'latin1')]));
    fs.symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'gone-link.yaml'));
    fs.writeFileSync(path.join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name, namespace: default}\nspec: {ports: [{port: 80}]}\n');
    // WHEN linted
    const r = cli(['lint', dir]);
    // THEN every file is named on its own line, the good file's finding is there, and the exit code says "incomplete"
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`^${dir}/bomb.yaml -/-/- CI1006 error cannot parse YAML: aliases would expand .* likely alias bomb$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${dir}/latin1.yaml -/-/- CI1006 error cannot parse YAML: not valid UTF-8: invalid byte sequence at byte \\d+ \\(line 7\\)$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${dir}/svc.yaml Service/default/Bad_Name CI1003 error`, 'm'));
    expect(r.stderr).toContain(`cdk8s-istio lint: ${dir}/gone-link.yaml: dangling symbolic link: skipped`);
    expect(r.stderr).toMatch(/in 1 object\(s\) from 3 file\(s\) in 1 set\(s\); 1 input\(s\) could not be read/);
  });

  test('an EnvoyFilter whose patch value is a billion-laughs bomb is refused, naming the file', () => {
    const file = path.join(tmp(), 'ef.yaml');
    const bomb = laughs(9, '          ');
    fs.writeFileSync(file, `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: ef, namespace: default}\nspec:\n  configPatches:\n    - applyTo: HTTP_FILTER\n      patch:\n        operation: INSERT_BEFORE\n        value:\n${bomb}`);
    for (const args of [['lint', file], ['graph', file]]) {
      const r = cli(args);
      expect(r.signal).toBeNull();
      expect(`${r.stdout}${r.stderr}`).toMatch(new RegExp(`${file}.*aliases would expand document 1 .*likely alias bomb`));
      expect(r.code).toBe(args[0] === 'lint' ? 1 : 2);
    }
  });

  test('"-" and /dev/stdin read stdin; exit codes 0 clean, 1 findings', () => {
    const clean = cli(['lint', '-'], CM('from-stdin'));
    expect(clean).toMatchObject({ code: 0, stdout: '' });
    expect(clean.stderr).toMatch(/in 1 object\(s\) from 1 file\(s\)/);
    const bad = cli(['lint', '/dev/stdin'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: UPPER}\n');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^\/dev\/stdin ConfigMap\/-\/UPPER CI1003 error/m);
    const graph = cli(['graph', '-'], CM('x'));
    expect(graph.code).toBe(0);
    expect(JSON.parse(graph.stdout)).toMatchObject({ services: [] });
  });
});
