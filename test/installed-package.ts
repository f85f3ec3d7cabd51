import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * A fresh app folder (in the temporary folder, named `<prefix>…`) with this checkout's package
 * installed as links: its package.json, compiled `lib/`, the schema data it ships (package.json files /
 * .npmignore: `imports/schemas/{validators,kinds,envoy}`) and its dependencies, except those `skip`
 * names (the caller provides them). A child process started in it with `NODE_PRESERVE_SYMLINKS=1`
 * loads the package from `<app>/node_modules/cdk8s-istio`, with its own code-cache folder, as a
 * consumer's app would. The caller removes the folder.
 */
export function linkInstalledPackage(prefix: string, skip: (dependency: string) => boolean = () => false): string {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const modules = path.join(app, 'node_modules');
  const pkg = path.join(modules, 'cdk8s-istio');
  fs.mkdirSync(path.join(pkg, 'imports', 'schemas'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'lib'), path.join(pkg, 'lib'));
  for (const d of ['validators', 'kinds', 'envoy']) fs.symlinkSync(path.join(ROOT, 'imports', 'schemas', d), path.join(pkg, 'imports', 'schemas', d));
  for (const dep of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (!dep.startsWith('.') && !skip(dep)) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(modules, dep));
  }
  return app;
}
