/**
 * The one reader of manifest files for every command (`lint`, `route`, `authz`, `graph`) and the
 * cdk8s validation plugin: finds the files ({@link collectInputs}), reads them safely
 * ({@link readInputText}) and parses them under the YAML limits ({@link parseYamlDocuments}).
 * Every failure is reported per file; one bad file never stops the others from being read.
 */
import * as path from 'path';
import { CollectOptions, collectInputs, InputEncodingError, InputFile, InputProblem, InputReadError, readInputText, ReadOptions } from './files';
import { checkYamlStructure, parseYamlDocuments, YamlInputError, YamlLimits } from './yaml';

/** Extensions every command reads from a folder, as `kubectl apply -f <folder>` does. */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

/** Options of {@link readDocuments}. */
export interface ReadDocumentsOptions extends ReadOptions, YamlLimits {}

/** What reading one input gave. */
export type DocumentsOutcome =
  /** The documents of the file, in order (empty YAML documents included as null). */
  | { readonly ok: true; readonly docs: unknown[] }
  /**
   * `read`: the file could not be read (missing, not a regular file, unreadable, too large);
   * `content`: it was read but is not valid UTF-8, YAML or JSON, or is beyond the YAML limits.
   */
  | { readonly ok: false; readonly failure: 'read' | 'content'; readonly message: string };

/**
 * Reads one input and parses it: JSON when its name ends in `.json`, multi-document YAML otherwise.
 * Never throws for bad input.
 */
export function readDocuments(input: InputFile, options: ReadDocumentsOptions = {}): DocumentsOutcome {
  let text: string;
  try {
    text = readInputText(input, options);
  } catch (e) {
    if (e instanceof InputEncodingError) return { ok: false, failure: 'content', message: e.message };
    if (e instanceof InputReadError) return { ok: false, failure: 'read', message: e.message };
    throw e;
  }
  return parseDocuments(text, input.name, options);
}

/** Parses text as {@link readDocuments} does. Never throws for bad input. */
export function parseDocuments(text: string, name: string, limits: YamlLimits = {}): DocumentsOutcome {
  try {
    if (path.extname(name).toLowerCase() === '.json') {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new YamlInputError(`cannot parse JSON: ${e instanceof RangeError ? 'nesting too deep to parse' : (e as Error).message}`);
      }
      checkYamlStructure([doc], limits, false); // JSON has no aliases
      return { ok: true, docs: [doc] };
    }
    return { ok: true, docs: parseYamlDocuments(text, limits) };
  } catch (e) {
    if (e instanceof YamlInputError) return { ok: false, failure: 'content', message: e.message };
    throw e;
  }
}

/** One file's outcome, with the folder it was found in ('' for a file named on the command line). */
export interface ReadFile {
  readonly input: InputFile;
  /** The folder the file was found in, or undefined for a file named on the command line. */
  readonly folder?: string;
  readonly outcome: DocumentsOutcome;
}

/** Everything read from the paths of a command line. */
export interface ReadInputs {
  /** Files named on the command line, then each folder's files, in walk order. */
  readonly files: ReadFile[];
  /** Paths that could not be read, plus read failures of files (`failure: 'read'`). */
  readonly problems: InputProblem[];
}

/**
 * Collects the files the paths name ({@link collectInputs}) and reads each one. A file that cannot
 * be read is a problem; a file that does not parse is returned with its `content` failure.
 */
export function readInputs(paths: readonly string[], collect: CollectOptions, options: ReadDocumentsOptions = {}): ReadInputs {
  const collected = collectInputs(paths, collect);
  const problems: InputProblem[] = [...collected.problems];
  const files: ReadFile[] = [];
  const take = (input: InputFile, folder: string | undefined) => {
    const outcome = readDocuments(input, options);
    if (!outcome.ok && outcome.failure === 'read') problems.push({ file: input.name, message: outcome.message, level: 'error' });
    files.push({ input, folder, outcome });
  };
  for (const f of collected.named) take(f, undefined);
  for (const folder of collected.folders) for (const f of folder.files) take(f, folder.dir);
  return { files, problems };
}
