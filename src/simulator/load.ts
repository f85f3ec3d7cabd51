import type { InputProblem } from '../io/files';
import { MANIFEST_EXTENSIONS, parseDocuments, readInputs } from '../io/manifests';
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
 * or with `recursive` its subfolders' too; entries sorted so the result is deterministic) through
 * the package's one reader (src/io: symbolic links, FIFOs, devices, size, UTF-8 and YAML alias
 * limits). Every unreadable or unparsable file is named in one {@link SimulatorError}.
 */
export function loadManifestFiles(paths: readonly string[], options: { readonly recursive?: boolean } = {}): ManifestObject[] {
  const { objects, problems } = readManifestInputs(paths, options);
  const errors = problems.filter((p) => p.level === 'error');
  if (errors.length > 0) throw new SimulatorError(errors.map((p) => `${p.file}: ${p.message}`).join('\n'));
  return objects;
}

/** The objects of the given files and folders, and every per-file problem (read and parse failures). */
export function readManifestInputs(paths: readonly string[], options: { readonly recursive?: boolean } = {}): { objects: ManifestObject[]; problems: InputProblem[] } {
  const { files, problems } = readInputs(paths, { extensions: MANIFEST_EXTENSIONS, recursive: options.recursive ?? false });
  const all: InputProblem[] = [...problems];
  const objects: ManifestObject[] = [];
  for (const f of files) {
    if (f.outcome.ok) {
      const flat = flattenManifests(f.outcome.docs);
      for (const o of flat) objects.push(o);
    } else if (f.outcome.failure === 'content') all.push({ file: f.input.name, message: `cannot parse: ${f.outcome.message}`, level: 'error' });
  }
  return { objects, problems: all };
}

/** Parses one file's text: JSON (object, array or List) or multi-document YAML, under the reader's limits. */
export function parseManifestText(text: string, file = '<input>'): ManifestObject[] {
  const r = parseDocuments(text, file);
  if (!r.ok) throw new SimulatorError(`${file}: cannot parse: ${r.message}`);
  return flattenManifests(r.docs);
}
