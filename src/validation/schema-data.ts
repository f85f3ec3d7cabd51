/**
 * Access to the CRD schemas generated into `imports/schemas/*.json` by `scripts/import.js`. Files are
 * read lazily, the first time a kind from them is asked for, so importing the library stays cheap.
 */

/** One served CRD version: its scope and openAPIV3Schema (descriptions stripped). */
export interface CrdSchemaEntry {
  readonly scope: 'Namespaced' | 'Cluster';
  readonly schema: any;
}

const SOURCES = ['istio', 'gateway-api', 'flagger', 'cert-manager'] as const;
let table: Map<string, CrdSchemaEntry> | undefined;

function load(): Map<string, CrdSchemaEntry> {
  if (table) return table;
  table = new Map();
  for (const s of SOURCES) {
    // Relative to src/validation (ts-node/jest) and lib/src/validation (compiled) alike.
    const data = require(`../../imports/schemas/${s}.json`) as Record<string, CrdSchemaEntry>;
    for (const [k, v] of Object.entries(data)) table.set(k, v);
  }
  return table;
}

/** The CRD schema for `apiVersion` + `kind` (e.g. `networking.istio.io/v1` + `VirtualService`), if pinned. */
export function crdSchema(apiVersion: string, kind: string): CrdSchemaEntry | undefined {
  return load().get(`${apiVersion}/${kind}`);
}

/** Every pinned `<group>/<version>/<Kind>` key. */
export function crdKinds(): string[] {
  return [...load().keys()];
}

/** Whether any pinned CRD defines this API group (so an unknown version of it can be reported). */
export function isCrdGroup(apiVersion: string): boolean {
  const group = apiVersion.split('/')[0];
  for (const k of load().keys()) if (k.startsWith(group + '/')) return true;
  return false;
}
