/**
 * Reading YAML files into manifests for validation (the lint command and the cdk8s plugin), through
 * the package's one hardened reader (src/io).
 */
import type { InputFile, InputProblem } from '../io/files';
import { DocumentsOutcome, readDocuments } from '../io/manifests';
import type { Finding, SourcedManifest } from './types';

/** Manifests read from files, with what could not be read. */
export interface ReadManifests {
  readonly manifests: SourcedManifest[];
  /** CI1006 for a file that does not parse (YAML, JSON, UTF-8, alias and depth limits), CI1008 for a non-object document. */
  readonly parseErrors: Finding[];
  /** Files that could not be read at all (missing, not a regular file, unreadable, too large). */
  readonly problems: InputProblem[];
}

/**
 * Reads files (multi-document, empty documents skipped) as sourced manifests. A `List` is expanded
 * item by item, as kubectl does. One bad file never stops the others from being read.
 */
export function readManifests(files: readonly (string | InputFile)[]): ReadManifests {
  const out: ReadManifests = { manifests: [], parseErrors: [], problems: [] };
  for (const f of files) {
    const input: InputFile = typeof f === 'string' ? { name: f, path: f } : f;
    addDocuments(input.name, readDocuments(input), out);
  }
  return out;
}

/** Adds one file's read outcome to `out` (used by lint, which reads files through src/io itself). */
export function addDocuments(file: string, outcome: DocumentsOutcome, out: ReadManifests): void {
  if (!outcome.ok) {
    if (outcome.failure === 'read') out.problems.push({ file, message: outcome.message, level: 'error' });
    else out.parseErrors.push({ code: 'CI1006', level: 'error', message: file.toLowerCase().endsWith('.json') ? outcome.message : `cannot parse YAML: ${outcome.message}`, file });
    return;
  }
  (outcome.docs as any[]).forEach((doc, document) => {
    if (doc === null || doc === undefined) return;
    // A mapping with neither apiVersion nor kind is no Kubernetes object (a Helm values file, say):
    // kubectl would refuse it, and linting it as one would only report noise.
    if (typeof doc === 'object' && !Array.isArray(doc) && doc.apiVersion === undefined && doc.kind === undefined) {
      out.parseErrors.push({ code: 'CI1008', level: 'info', message: 'neither apiVersion nor kind: not a Kubernetes object, skipped', file, document });
      return;
    }
    // A List is applied item by item, as kubectl does.
    if (doc && typeof doc === 'object' && typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      (doc.items as unknown[]).forEach((item, i) => out.manifests.push({ manifest: item, file, document, item: i }));
    } else out.manifests.push({ manifest: doc, file, document });
  });
}
