/**
 * Deployable sets of a synthesized output folder, and our lint over a set, for the conformance tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readMeshConfigFile, readMeshNetworksFile } from '../../src/cli/lint';
import { CHECKS } from '../../src/validation/codes';
import { friendlyName } from '../validation/istio-cases';
import { validateManifests, ValidationOptions } from '../../src/validation';
import { readManifests } from '../../src/validation/read';
import type { Finding } from '../../src/validation/types';

/**
 * The deployable sets under `dir`, as `cdk8s-istio lint` and `kubectl apply -f <folder>` take them:
 * each folder (the root and every subfolder) that holds YAML files is one set of its own.
 */
export function deployableSets(dir: string): Array<{ folder: string; files: string[] }> {
  const out: Array<{ folder: string; files: string[] }> = [];
  const walk = (d: string) => {
    const entries = fs.readdirSync(d).sort();
    const files = entries.filter((e) => /\.ya?ml$/i.test(e) && fs.statSync(path.join(d, e)).isFile()).map((e) => path.join(d, e));
    if (files.length > 0) out.push({ folder: path.relative(dir, d) || '.', files });
    for (const e of entries) if (fs.statSync(path.join(d, e)).isDirectory()) walk(path.join(d, e));
  };
  walk(dir);
  return out;
}

/** True when every YAML document of the file is a Kubernetes object (has apiVersion and kind). */
export function isManifestFile(file: string): boolean {
  const { manifests, parseErrors } = readManifests([file]);
  return parseErrors.length === 0 && manifests.length > 0;
}

/** The Istio analyzer codes our lint implements (the ISTxxxx entries of the check table). */
export function implementedIstioCodes(): Set<string> {
  return new Set(CHECKS.map((c) => c.code).filter((c) => c.startsWith('IST')));
}

/** Our lint (every check, as `cdk8s-istio lint` runs them) over one set of manifests. */
export function lintObjects(objects: readonly any[], options: ValidationOptions = {}): Finding[] {
  return validateManifests(objects.map((manifest) => ({ manifest })), options);
}

/**
 * Our lint over files (one set), read as `cdk8s-istio lint` reads them; `meshConfigFile` and
 * `meshNetworksFile` are read as its `--mesh-config` and `--mesh-networks` read them.
 */
export function lintFiles(
  files: readonly string[],
  options: { readonly meshConfigFile?: string; readonly meshNetworksFile?: string; readonly defaultNamespace?: string } = {},
): Finding[] {
  const { manifests } = readManifests(files);
  const read = <T>(file: string | undefined, reader: (f: string) => T | string): T | undefined => {
    if (file === undefined) return undefined;
    const r = reader(file);
    if (typeof r === 'string') throw new Error(r);
    return r;
  };
  return lintObjects(manifests.map((m) => m.manifest), {
    meshConfig: read(options.meshConfigFile, readMeshConfigFile),
    meshNetworks: read(options.meshNetworksFile, readMeshNetworksFile),
    defaultNamespace: options.defaultNamespace,
  });
}

/** `CODE Kind ns/name` of our findings with the given codes, sorted, duplicates removed. */
export function ourPairs(findings: readonly Finding[], codes: ReadonlySet<string>): string[] {
  return [...new Set(findings.filter((f) => codes.has(f.code)).map((f) => `${f.code} ${friendlyName(f.kind, f.namespace, f.name)}`))].sort();
}

/** `CODE Kind ns/name` of Istio's messages with the given codes, sorted, duplicates removed. */
export function istioPairs(messages: ReadonlyArray<{ code: string; resource?: string }>, codes: ReadonlySet<string>): string[] {
  return [...new Set(messages.filter((m) => codes.has(m.code)).map((m) => `${m.code} ${m.resource ?? '-'}`))].sort();
}

/** What only one side reports. */
export interface PairDifference {
  readonly onlyIstio: string[];
  readonly onlyOurs: string[];
}

export function diffPairs(istio: readonly string[], ours: readonly string[]): PairDifference {
  const i = new Set(istio);
  const o = new Set(ours);
  return { onlyIstio: istio.filter((p) => !o.has(p)), onlyOurs: ours.filter((p) => !i.has(p)) };
}
