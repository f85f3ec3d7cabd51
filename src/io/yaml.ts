/**
 * YAML parsing for every input the package reads (CLI files, stdin, the cdk8s validation plugin,
 * mesh config embedded in a ConfigMap), with limits that make hostile input cheap to refuse.
 *
 * js-yaml resolves an alias to the anchored node itself, so parsing a "billion laughs" document is
 * fast; the cost comes later, when a consumer walks or serializes the tree and visits every alias
 * expansion. So after parsing, each document is measured once as a graph (every node visited once,
 * iteratively): the size it would have with every alias expanded, its depth, and whether an alias
 * points at one of its own ancestors (a cycle). A file whose aliases would expand it beyond
 * {@link YAML_LIMITS} is refused before anything walks it.
 */

/** Limits applied to every parsed YAML file. */
export interface YamlLimits {
  /**
   * Nodes that aliases may add to a file when expanded, as a multiple of the nodes written in it.
   * @default 10
   */
  readonly aliasExpansionRatio?: number;
  /**
   * Nodes that aliases may always add to a file, whatever its size.
   * @default 100_000
   */
  readonly aliasExpansionFloor?: number;
  /**
   * Deepest nesting of mappings and sequences in a document (js-yaml's own default; the pinned
   * CRDs, the deepest documents we know of, nest 38 levels).
   * @default 100
   */
  readonly maxDepth?: number;
}

/** The limits used when none are given. */
export const YAML_LIMITS: Required<YamlLimits> = {
  aliasExpansionRatio: 10,
  aliasExpansionFloor: 100_000,
  maxDepth: 100,
};

/** YAML text that cannot be read as data: a syntax error, or a document beyond the limits. */
export class YamlInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlInputError';
  }
}

/**
 * Parses a multi-document YAML text (empty documents are kept as `null`/`undefined`, as js-yaml gives
 * them). Throws {@link YamlInputError} with a one-line message for a syntax error, an alias that
 * would expand the file beyond the limits, a cyclic alias, or nesting deeper than `maxDepth`.
 */
export function parseYamlDocuments(text: string, limits: YamlLimits = {}): unknown[] {
  const jsyaml = require('js-yaml') as typeof import('js-yaml');
  const maxDepth = limits.maxDepth ?? YAML_LIMITS.maxDepth;
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, undefined, parserOptions(maxDepth, text, limits.aliasExpansionFloor ?? YAML_LIMITS.aliasExpansionFloor));
  } catch (e) {
    throw new YamlInputError(yamlErrorMessage(e, maxDepth));
  }
  // an alias needs an anchor (`&name`): text without `&` has no shared or cyclic node
  checkYamlStructure(docs, limits, text.includes('&'));
  return docs;
}

/** Parses a single YAML document (e.g. the `mesh` key of the `istio` ConfigMap) under the same limits. */
export function parseYaml(text: string, limits: YamlLimits = {}): unknown {
  const jsyaml = require('js-yaml') as typeof import('js-yaml');
  const maxDepth = limits.maxDepth ?? YAML_LIMITS.maxDepth;
  let doc: unknown;
  try {
    doc = jsyaml.load(text, parserOptions(maxDepth, text, limits.aliasExpansionFloor ?? YAML_LIMITS.aliasExpansionFloor));
  } catch (e) {
    throw new YamlInputError(yamlErrorMessage(e, maxDepth));
  }
  checkYamlStructure([doc], limits, text.includes('&'));
  return doc;
}

/**
 * js-yaml counts every node on the path, the leaf scalar included; we count containers. So js-yaml
 * gets one more, and whichever check trips first reports the same limit.
 */
function parserOptions(maxDepth: number, text: string, floor: number): import('js-yaml').LoadOptions {
  // Merge keys (`<<: *a`) copy the anchored mapping's keys while parsing (they are not shared like
  // aliases), so js-yaml's own budget for copied keys applies: as many keys as the file has bytes,
  // at least the alias floor. Both options need js-yaml >= 4.3.
  return { maxDepth: maxDepth + 1, maxTotalMergeKeys: Math.max(floor, text.length) } as import('js-yaml').LoadOptions;
}

function yamlErrorMessage(e: unknown, maxDepth: number): string {
  if (e instanceof RangeError) return 'nesting too deep to parse';
  const err = e as { reason?: string; mark?: { line: number; column: number } } & Error;
  if (err && typeof err.reason === 'string' && err.mark) {
    const reason = /nesting exceeded maxDepth/.test(err.reason)
      ? `nested deeper than ${maxDepth} levels`
      : /merge keys exceeded maxTotalMergeKeys|abnormal merge sequence/.test(err.reason)
        ? 'merge keys (<<) would copy more keys than the file has bytes: refused as a likely merge-key bomb'
        : err.reason;
    return `${reason} (line ${err.mark.line + 1}, column ${err.mark.column + 1})`;
  }
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** A node with children (a mapping or a sequence); dates and binary data are leaves. */
function containerOf(v: unknown): readonly unknown[] | Record<string, unknown> | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  return v as Record<string, unknown>;
}

function childrenOf(c: readonly unknown[] | Record<string, unknown>): unknown[] {
  return Array.isArray(c) ? (c as unknown[]) : Object.values(c);
}

/**
 * Measures parsed documents as a graph, each container visited once: throws {@link YamlInputError}
 * when the tree with every alias expanded would exceed the limits, when an alias is its own ancestor,
 * or when nesting is deeper than `maxDepth`. Runs in time linear in the parsed (unexpanded) size.
 */
export function checkYamlStructure(docs: readonly unknown[], limits: YamlLimits = {}, mayHaveAliases = true): void {
  if (!mayHaveAliases) return checkDepth(docs, limits.maxDepth ?? YAML_LIMITS.maxDepth);
  const ratio = limits.aliasExpansionRatio ?? YAML_LIMITS.aliasExpansionRatio;
  const floor = limits.aliasExpansionFloor ?? YAML_LIMITS.aliasExpansionFloor;
  const maxDepth = limits.maxDepth ?? YAML_LIMITS.maxDepth;
  // expanded size of each finished container; OPEN marks a container on the current path
  const expanded = new Map<object, number>();
  let written = 0; // distinct nodes
  let total = 0; // nodes with every alias expanded
  // iterative post-order walk: a frame is a container and its children still to visit
  const stack: Array<{ node: object; kids: unknown[]; i: number; size: number }> = [];
  for (let d = 0; d < docs.length; d++) {
    const root = containerOf(docs[d]);
    if (!root) {
      written++;
      total++;
      continue;
    }
    const seen = expanded.get(root);
    if (seen !== undefined) {
      total += seen;
      continue;
    }
    expanded.set(root, OPEN);
    written++;
    stack.push({ node: root, kids: childrenOf(root), i: 0, size: 1 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i < top.kids.length) {
        const c = containerOf(top.kids[top.i++]);
        if (!c) {
          written++;
          top.size++;
          continue;
        }
        const size = expanded.get(c);
        if (size === OPEN) {
          throw new YamlInputError(`document ${d + 1} has an alias to a node that contains it (a cycle), which has no JSON form`);
        }
        if (size !== undefined) {
          top.size += size;
          continue;
        }
        if (stack.length >= maxDepth) {
          throw new YamlInputError(`document ${d + 1} is nested deeper than ${maxDepth} levels`);
        }
        expanded.set(c, OPEN);
        written++;
        stack.push({ node: c, kids: childrenOf(c), i: 0, size: 1 });
        continue;
      }
      stack.pop();
      expanded.set(top.node, top.size);
      if (stack.length > 0) stack[stack.length - 1].size += top.size;
      else total += top.size;
    }
    const budget = Math.max(floor, ratio * written);
    if (total - written > budget) {
      throw new YamlInputError(
        `aliases would expand document ${d + 1} to ${total} nodes from the ${written} written in the input so far ` +
          `(the limit is ${ratio}x the written nodes, or ${floor} more, whichever is larger): refused as a likely alias bomb`,
      );
    }
  }
}

/** Without aliases no node is shared: only the depth needs checking, with no bookkeeping per node. */
function checkDepth(docs: readonly unknown[], maxDepth: number): void {
  const stack: Array<{ kids: unknown[]; i: number }> = [];
  for (let d = 0; d < docs.length; d++) {
    const root = containerOf(docs[d]);
    if (!root) continue;
    stack.push({ kids: childrenOf(root), i: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i >= top.kids.length) {
        stack.pop();
        continue;
      }
      const c = containerOf(top.kids[top.i++]);
      if (!c) continue;
      if (stack.length >= maxDepth) throw new YamlInputError(`document ${d + 1} is nested deeper than ${maxDepth} levels`);
      stack.push({ kids: childrenOf(c), i: 0 });
    }
  }
}

/** Marks a container whose walk has begun and not finished (an ancestor of the current node). */
const OPEN = -1;
