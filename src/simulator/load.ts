import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { flattenManifests, ManifestIndexOptions, ManifestObject } from '../manifests';
import { SimulatorError } from './match';

/** Options shared by every simulator entry point: the manifest index's, plus how files are read. */
export interface MeshSimulatorOptions extends ManifestIndexOptions {
  /**
   * Read folders recursively. Off by default: like `kubectl apply -f <folder>`, a folder means the
   * files directly in it, so `dist/` does not mix in the variants in `dist/ambient/` and friends.
   * @default false
   */
  readonly recursive?: boolean;
}

/**
 * Reads every `.yaml`, `.yml` and `.json` file of the given files and folders (a folder's own files,
 * or with `recursive` its subfolders' too; entries sorted so the result is deterministic).
 */
export function loadManifestFiles(paths: readonly string[], options: { readonly recursive?: boolean } = {}): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new SimulatorError(`no such file or folder: ${p}`);
    for (const file of listFiles(p, options.recursive ?? false)) out.push(...parseManifestText(fs.readFileSync(file, 'utf8'), file));
  }
  return out;
}

/** Parses one file's text: JSON (object, array or List) or multi-document YAML. */
export function parseManifestText(text: string, file = '<input>'): ManifestObject[] {
  try {
    if (file.endsWith('.json')) return flattenManifests([JSON.parse(text)]);
    return flattenManifests(jsyaml.loadAll(text) as any[]);
  } catch (e) {
    throw new SimulatorError(`${file}: cannot parse: ${(e as Error).message}`);
  }
}

function listFiles(p: string, recursive: boolean): string[] {
  const st = fs.statSync(p);
  if (st.isFile()) return [p];
  const out: string[] = [];
  for (const entry of fs.readdirSync(p).sort()) {
    const full = path.join(p, entry);
    const s = fs.statSync(full);
    if (s.isDirectory()) {
      if (recursive) out.push(...listFiles(full, true));
    }
    else if (/\.(ya?ml|json)$/i.test(entry)) out.push(full);
  }
  return out;
}
