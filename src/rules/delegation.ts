/**
 * VirtualService delegation as istiod merges it (`mergeVirtualServices`, `MergeHTTPRoutes`,
 * `mergeHTTPRoute`, `mergeHTTPMatchRequests`, `hasConflict`, `stringMatchConflict` in
 * pilot/pkg/model/virtualservice.go and virtualservice_controller.go, Istio 1.30.3): a root route's
 * `delegate` entry is replaced by the delegate's rules, each match merged with the root's (AND). A
 * delegate match that conflicts with every root match (it asks for requests the root never hands
 * over) drops the whole delegate rule, silently (only a log line). The model refuses such intent,
 * and the simulator follows the same merge, through these functions, over manifest JSON.
 * @see https://github.com/istio/istio/blob/1.30.3/pilot/pkg/model/virtualservice.go
 */

/** An Istio `StringMatch` as manifests write it. */
export interface StringMatchJson {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

/** The fields of an `HTTPMatchRequest` the merge reads (manifest JSON). */
export type HttpMatchJson = { readonly [field: string]: any };

/** A VirtualService HTTP route as manifests write it. */
export type HttpRouteJson = { readonly [field: string]: any };

function value(m: StringMatchJson | undefined, k: keyof StringMatchJson): string {
  const v = m?.[k];
  return typeof v === 'string' ? v : '';
}

/**
 * `stringMatchConflict`: whether a delegate condition asks for values its root condition never
 * lets through. No condition on either side never conflicts; a regex on either side conflicts with
 * any condition on the other; under an exact root only the same exact value; under a prefix root
 * only a prefix or exact value that starts with it.
 */
export function stringMatchConflict(root: StringMatchJson | undefined | null, leaf: StringMatchJson | undefined | null): boolean {
  if (!root || !leaf) return false;
  const r = root;
  const l = leaf;
  if (value(r, 'regex') !== '' && (value(l, 'regex') !== '' || value(l, 'prefix') !== '' || value(l, 'exact') !== '')) return true;
  if (value(l, 'regex') !== '' && (value(r, 'regex') !== '' || value(r, 'prefix') !== '' || value(r, 'exact') !== '')) return true;
  const exact = value(r, 'exact');
  if (exact !== '') {
    if (value(l, 'prefix') !== '') return true;
    return value(l, 'exact') !== exact;
  }
  const prefix = value(r, 'prefix');
  if (prefix !== '') {
    if (value(l, 'prefix') !== '') return !value(l, 'prefix').startsWith(prefix);
    if (value(l, 'exact') !== '') return !value(l, 'exact').startsWith(prefix);
  }
  return true;
}

function map(v: unknown): Record<string, any> {
  return v && typeof v === 'object' ? (v as Record<string, any>) : {};
}

/** `hasConflict`: whether a delegate match asks for requests outside one root match. */
export function matchConflict(root: HttpMatchJson, leaf: HttpMatchJson): boolean {
  for (const f of ['uri', 'scheme', 'method', 'authority']) if (stringMatchConflict(root[f], leaf[f])) return true;
  for (const f of ['headers', 'withoutHeaders', 'queryParams']) {
    const r = map(root[f]);
    for (const [k, v] of Object.entries(map(leaf[f]))) if (stringMatchConflict(r[k], v)) return true;
  }
  if ((root.ignoreUriCase === true) !== (leaf.ignoreUriCase === true)) return true;
  if (root.port > 0 && leaf.port > 0 && root.port !== leaf.port) return true;
  if (root.sourceNamespace && leaf.sourceNamespace !== root.sourceNamespace) return true;
  const rl = map(root.sourceLabels);
  for (const [k, v] of Object.entries(map(leaf.sourceLabels))) if (k in rl && rl[k] !== v) return true;
  const rg: string[] = Array.isArray(root.gateways) ? root.gateways : [];
  const lg: string[] = Array.isArray(leaf.gateways) ? leaf.gateways : [];
  if (rg.length > 0 && lg.length > 0 && (rg.length < lg.length || lg.some((g) => !rg.includes(g)))) return true;
  return false;
}

/** `mergeHTTPMatchRequest`: the delegate match with the root's conditions it does not set itself. */
export function mergeMatch(root: HttpMatchJson, leaf: HttpMatchJson): HttpMatchJson {
  const out: Record<string, any> = { ...leaf };
  if (!out.name) out.name = root.name;
  else if (root.name) out.name = `${root.name}-${out.name}`;
  for (const f of ['uri', 'scheme', 'method', 'authority']) if (out[f] == null && root[f] != null) out[f] = root[f];
  for (const f of ['headers', 'withoutHeaders', 'queryParams', 'sourceLabels']) {
    const merged = { ...map(root[f]), ...map(leaf[f]) };
    if (Object.keys(merged).length > 0) out[f] = merged;
  }
  if (!(out.port > 0) && root.port > 0) out.port = root.port;
  if (!out.sourceNamespace && root.sourceNamespace) out.sourceNamespace = root.sourceNamespace;
  if (!(Array.isArray(out.gateways) && out.gateways.length > 0) && Array.isArray(root.gateways) && root.gateways.length > 0) out.gateways = root.gateways;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Where one merged match comes from: the index of the root entry's match and of the delegate rule's match (absent when that side has none). */
export interface MergedMatchOrigin {
  readonly root?: number;
  readonly leaf?: number;
}

/**
 * `mergeHTTPMatchRequests`: every delegate match merged with every root match it does not conflict
 * with; `conflict` when one delegate match conflicts with all of them (the delegate rule is dropped).
 * `origins[k]` says which root and delegate matches `merged[k]` joins.
 */
export function mergeMatches(root: readonly HttpMatchJson[], leaf: readonly HttpMatchJson[]): { readonly merged: HttpMatchJson[]; readonly conflict: boolean; readonly origins: MergedMatchOrigin[] } {
  if (root.length === 0) return { merged: [...leaf], conflict: false, origins: leaf.map((_, k) => ({ leaf: k })) };
  if (leaf.length === 0) return { merged: [...root], conflict: false, origins: root.map((_, k) => ({ root: k })) };
  const merged: HttpMatchJson[] = [];
  const origins: MergedMatchOrigin[] = [];
  for (let li = 0; li < leaf.length; li++) {
    let found = false;
    for (let ri = 0; ri < root.length; ri++) {
      if (matchConflict(root[ri], leaf[li])) continue;
      merged.push(mergeMatch(root[ri], leaf[li]));
      origins.push({ root: ri, leaf: li });
      found = true;
    }
    if (!found) return { merged: [], conflict: true, origins: [] };
  }
  return { merged, conflict: merged.length === 0, origins };
}

/** Route fields a delegate rule inherits from its root entry when it does not set them (`mergeHTTPRoute`). */
export const DELEGATE_INHERITED_FIELDS: readonly string[] = [
  'rewrite', 'directResponse', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercent', 'mirrorPercentage', 'corsPolicy', 'mirrors', 'headers',
];

/** `mergeHTTPRoute`: one delegate rule under its root entry, or undefined when their matches conflict. */
export function mergeDelegateRoute(root: HttpRouteJson, leaf: HttpRouteJson): HttpRouteJson | undefined {
  const { merged, conflict } = mergeMatches(Array.isArray(root.match) ? root.match : [], Array.isArray(leaf.match) ? leaf.match : []);
  if (conflict) return undefined;
  const out: Record<string, any> = { ...leaf };
  if (merged.length > 0) out.match = merged;
  if (!out.name) {
    if (root.name) out.name = root.name;
  } else if (root.name) out.name = `${root.name}-${out.name}`;
  for (const f of DELEGATE_INHERITED_FIELDS) if (out[f] == null && root[f] != null) out[f] = root[f];
  return out;
}

/**
 * The rule a delegate match breaks against its root entry's matches, or undefined: it must not
 * conflict with at least one of them (empty root matches take every request).
 */
export function delegateMatchWithin(rootMatches: readonly HttpMatchJson[], leaf: HttpMatchJson): string | undefined {
  if (rootMatches.length === 0) return undefined;
  return rootMatches.some((r) => !matchConflict(r, leaf))
    ? undefined
    : 'a delegate match must stay within its root entry\'s match (same or longer prefix, same exact value, no regex on either side when the other has a condition, same port): istiod drops the delegate rule otherwise';
}
