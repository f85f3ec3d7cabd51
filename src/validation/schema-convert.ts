/**
 * The conversion of a Kubernetes structural schema into the JSON schema ajv validates against, stated
 * once for both users: `toJsonSchema` (whole tree, for ajv) and the fast path of schema-fast.ts,
 * which converts one node at a time, the first time a value reaches it.
 */

/**
 * Converts one structural-schema node, with `child` applied to each sub-schema (without `child`,
 * sub-schemas are left as they are: the caller converts them when it needs them):
 * `additionalProperties: false` wherever `properties` is given and nothing says otherwise,
 * `x-kubernetes-int-or-string` as integer-or-string, `nullable` as an extra `null` type.
 * (The two schemas added for int-or-string are already in converted form; converting them again
 * changes nothing, so `child` may be applied to them.)
 */
export function convertNode(node: any, child?: (n: any) => any): any {
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-kubernetes-') || k === 'nullable') continue;
    if (!child) {
      // sub-schemas stay as they are (the fast path converts each when a value reaches it)
      out[k] = v;
    } else if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, child(pv)]));
    } else if (k === 'additionalProperties' && typeof v === 'object') {
      out.additionalProperties = child(v);
    } else if (k === 'items' || k === 'not') {
      out[k] = child(v);
    } else if (k === 'oneOf' || k === 'anyOf' || k === 'allOf') {
      out[k] = (v as any[]).map(child);
    } else {
      out[k] = v;
    }
  }
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [...(out.anyOf ?? []), { type: 'integer' }, { type: 'string' }];
  }
  if (node.properties && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  if (node.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  // A format that does not fit the type (e.g. int32 on a string) is ignored by the API server.
  if (out.format && ['int32', 'int64', 'uint32', 'double', 'float'].includes(out.format) && out.type !== 'integer' && out.type !== 'number') {
    delete out.format;
  }
  return out;
}

/**
 * Converts one Kubernetes structural-schema tree into a JSON schema ajv understands (see
 * {@link convertNode}).
 */
export function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  return convertNode(node, toJsonSchema);
}

/**
 * The root of a custom resource's JSON schema: apiVersion and kind are strings, and metadata is only
 * required to be an object (checkMetadata checks it, loosely, as the API server does). Mutates and
 * returns `root`.
 */
export function withEnvelope(root: any): any {
  root.properties = { ...root.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  return root;
}
