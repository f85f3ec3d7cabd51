/**
 * Reading YAML files into manifests for validation (the lint command and the cdk8s plugin).
 */
import * as fs from 'fs';
import type { Finding, SourcedManifest } from './types';

/** Reads YAML files (multi-document, empty documents skipped) as sourced manifests. */
export function readManifests(files: readonly string[]): { manifests: SourcedManifest[]; parseErrors: Finding[] } {
  const jsyaml = require('js-yaml');
  const manifests: SourcedManifest[] = [];
  const parseErrors: Finding[] = [];
  for (const file of files) {
    try {
      for (const doc of jsyaml.loadAll(fs.readFileSync(file, 'utf8'))) {
        if (doc === null || doc === undefined) continue;
        // A List is applied item by item, as kubectl does.
        if (doc && typeof doc === 'object' && typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
          for (const item of doc.items) manifests.push({ manifest: item, file });
        } else manifests.push({ manifest: doc, file });
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      parseErrors.push({ code: 'CI1006', level: 'error', message: `cannot parse YAML: ${msg}`, file });
    }
  }
  return { manifests, parseErrors };
}
