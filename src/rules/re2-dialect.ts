/**
 * JavaScript equivalents of the RE2 patterns the CEL rules of the emitted kinds use with `matches`
 * (`^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$`, Gateway API's path and hostname patterns), so the
 * small evaluator (cel-eval.ts) answers them without compiling RE2: re2js builds its case-folding
 * tables and compiles cold on first use, several milliseconds per fresh process.
 *
 * Only a small dialect is translated, one in which RE2 and JavaScript's `RegExp` accept exactly the
 * same strings; every other pattern returns undefined and is matched with RE2 as before:
 * - literals and character classes of printable ASCII only (no `.`, no negated class, no `\d`-style
 *   classes, no flags), so a character outside ASCII matches nothing in either engine, whether it is
 *   one UTF-16 unit or two, and a lone surrogate changes nothing;
 * - `^` only first and `$` only last (RE2 without `m`: start and end of text; JavaScript without `m`:
 *   the same), groups `(...)`/`(?:...)` with alternation inside, quantifiers `*`, `+`, `?`, and
 *   `{n}`, `{n,}`, `{n,m}` (n, m ≤ 1000, RE2's limit) on a single character or class;
 * - whatever is repeated without bound is a single character or class, or a group whose alternatives
 *   start with different characters and either each have one fixed length (`[%][0-9a-fA-F]{2}`) or
 *   never hold a starting character after their first (the `.` of a hostname's labels): no string
 *   can be split into iterations in two ways, so JavaScript's backtracking stays
 *   polynomial in the length of the string; at most three unbounded repetitions (the degree), and the
 *   caller matches long strings with RE2 anyway.
 * Membership in a regular language does not depend on the engine, so `RegExp.test` (an unanchored
 * search, like RE2's `find`) gives RE2's answer on every string. The emitted source spells every
 * character as `\xHH`, so no JavaScript-only syntax can creep in.
 */

/** A set of ASCII characters, as a 128-bit mask in four 32-bit words. */
type CharSet = [number, number, number, number];

type Node =
  | { readonly t: 'set'; readonly chars: CharSet }
  | { readonly t: 'group'; readonly alts: Node[][] }
  | { readonly t: 'repeat'; readonly node: Node; readonly min: number; readonly max: number | undefined };

class NotTranslated extends Error {}

function no(): never {
  throw new NotTranslated();
}

const emptySet = (): CharSet => [0, 0, 0, 0];
const add = (s: CharSet, c: number): void => {
  s[c >> 5] |= 1 << (c & 31);
};
const union = (a: CharSet, b: CharSet): CharSet => [a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]];
const disjoint = (a: CharSet, b: CharSet): boolean => (a[0] & b[0]) === 0 && (a[1] & b[1]) === 0 && (a[2] & b[2]) === 0 && (a[3] & b[3]) === 0;

/** Printable ASCII that stands for itself outside a class in both dialects. */
const PLAIN = /^[A-Za-z0-9 !"#%&',\-/:;<=>@_`~]$/;
/** Punctuation both dialects accept escaped (`\.`), inside and outside a class. */
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;

class Parser {
  private i = 0;
  constructor(private readonly p: string) {}

  public pattern(): { readonly start: boolean; readonly end: boolean; readonly body: Node[] } {
    const start = this.eat('^');
    let end = false;
    const body = this.sequence();
    if (this.eat('$')) end = true;
    if (this.i !== this.p.length) no();
    return { start, end, body };
  }

  private peek(): string | undefined {
    return this.p[this.i];
  }

  private eat(c: string): boolean {
    if (this.p[this.i] !== c) return false;
    this.i++;
    return true;
  }

  private sequence(): Node[] {
    const out: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')' || c === '$') break;
      out.push(this.quantified(this.atom()));
    }
    if (out.length === 0) no();
    return out;
  }

  private atom(): Node {
    const c = this.p[this.i++];
    if (c === '(') {
      if (this.eat('?')) {
        if (!this.eat(':')) no();
      }
      const alts = [this.sequence()];
      while (this.eat('|')) alts.push(this.sequence());
      if (!this.eat(')')) no();
      return { t: 'group', alts };
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return { t: 'set', chars: single(this.escaped()) };
    if (c !== undefined && PLAIN.test(c)) return { t: 'set', chars: single(c.charCodeAt(0)) };
    return no();
  }

  private escaped(): number {
    const c = this.p[this.i++];
    if (c === undefined || !ESCAPABLE.test(c)) no();
    return c.charCodeAt(0);
  }

  /** `[...]`: members are plain characters, escaped punctuation and ranges; `-` first or last. */
  private charClass(): Node {
    const chars = emptySet();
    if (this.peek() === '^' || this.peek() === ']') no();
    let first = true;
    for (;;) {
      const c = this.p[this.i++];
      if (c === undefined) no();
      if (c === ']') break;
      let lo: number;
      if (c === '\\') lo = this.escaped();
      else if (c === '-') {
        if (!first && this.peek() !== ']') no();
        lo = 45;
      } else if (c !== '[' && c !== '^' && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f) lo = c.charCodeAt(0);
      else no();
      let hi = lo;
      if (c !== '-' && this.peek() === '-' && this.p[this.i + 1] !== ']') {
        this.i++;
        const d = this.p[this.i++];
        if (d === undefined || d === '[' || d === ']' || d === '^' || d === '-') no();
        hi = d === '\\' ? this.escaped() : d.charCodeAt(0);
        if (hi < 0x20 || hi >= 0x7f || hi < lo) no();
      }
      for (let x = lo; x <= hi; x++) add(chars, x);
      first = false;
    }
    return { t: 'set', chars };
  }

  private quantified(node: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number | undefined;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      [min, max] = c === '*' ? [0, undefined] : c === '+' ? [1, undefined] : [0, 1];
    } else if (c === '{') {
      const m = /^\{([0-9]{1,4})(,([0-9]{0,4}))?\}/.exec(this.p.slice(this.i));
      if (!m) no();
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      if (min > 1000 || (max !== undefined && (max > 1000 || max < min))) no();
      // counted repetition of a group is left to RE2
      if (node.t !== 'set') no();
    } else {
      return node;
    }
    // no lazy, possessive or stacked quantifiers
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || next === '{') no();
    return { t: 'repeat', node, min, max };
  }
}

function single(c: number): CharSet {
  const s = emptySet();
  add(s, c);
  return s;
}

/** The characters a match of `nodes` can start with, and whether it can be empty. */
function first(nodes: Node[]): { chars: CharSet; empty: boolean } {
  let chars = emptySet();
  for (const n of nodes) {
    const f = firstOf(n);
    chars = union(chars, f.chars);
    if (!f.empty) return { chars, empty: false };
  }
  return { chars, empty: true };
}

function firstOf(n: Node): { chars: CharSet; empty: boolean } {
  if (n.t === 'set') return { chars: n.chars, empty: false };
  if (n.t === 'repeat') {
    const f = firstOf(n.node);
    return { chars: f.chars, empty: n.min === 0 || f.empty };
  }
  let chars = emptySet();
  let empty = false;
  for (const alt of n.alts) {
    const f = first(alt);
    chars = union(chars, f.chars);
    empty ||= f.empty;
  }
  return { chars, empty };
}

/** Every character a match of `n` can hold at any position. */
function allChars(n: Node): CharSet {
  if (n.t === 'set') return n.chars;
  if (n.t === 'repeat') return allChars(n.node);
  return n.alts.flat().reduce((s, x) => union(s, allChars(x)), emptySet());
}

/** Every character a match of `nodes` can hold after its first one. */
function laterChars(nodes: Node[]): CharSet {
  let out = emptySet();
  nodes.forEach((n, i) => {
    // the first node's own later characters, and every character of the nodes after it
    out = union(out, i === 0 ? laterOf(n) : allChars(n));
  });
  return out;
}

function laterOf(n: Node): CharSet {
  if (n.t === 'set') return emptySet();
  if (n.t === 'repeat') return n.max === 1 ? laterOf(n.node) : allChars(n.node);
  return n.alts.reduce((s, alt) => union(s, laterChars(alt)), emptySet());
}

/** Whether unbounded repetition stays unambiguous (see the module comment). */
function safe(nodes: Node[]): boolean {
  return nodes.every((n) => {
    if (n.t === 'set') return true;
    if (n.t === 'group') return n.alts.every(safe);
    if (n.node.t === 'set') return true;
    if (n.max !== undefined && n.max <= 1) return safeNode(n.node);
    // a group repeated without bound: each iteration starts with a character that marks it
    const g = n.node;
    if (g.t !== 'group') return false;
    const starts = g.alts.map((alt) => first(alt));
    if (starts.some((s) => s.empty)) return false;
    for (let i = 0; i < starts.length; i++) for (let j = i + 1; j < starts.length; j++) if (!disjoint(starts[i].chars, starts[j].chars)) return false;
    // alternatives of one fixed length each, told apart by their first character: the iterations
    // are read left to right without a choice (`(?:[-a-z...]|[%][0-9a-fA-F]{2})+`)
    if (g.alts.every((alt) => alt.every((x) => x.t === 'set' || (x.t === 'repeat' && x.node.t === 'set' && x.min === x.max)))) return true;
    // otherwise no character that starts an iteration may occur later in one
    const marks = starts.reduce((s, x) => union(s, x.chars), emptySet());
    if (!g.alts.every((alt) => disjoint(marks, laterChars(alt)))) return false;
    return g.alts.every(safe);
  });
}

function safeNode(n: Node): boolean {
  return safe([n]);
}

function hex(c: number): string {
  return `\\x${c.toString(16).padStart(2, '0')}`;
}

function emitSet(s: CharSet): string {
  const members: string[] = [];
  for (let c = 0; c < 128; c++) {
    if (!(s[c >> 5] & (1 << (c & 31)))) continue;
    let d = c;
    while (d + 1 < 128 && s[(d + 1) >> 5] & (1 << ((d + 1) & 31))) d++;
    members.push(d === c ? hex(c) : `${hex(c)}-${hex(d)}`);
    c = d;
  }
  return `[${members.join('')}]`;
}

function emit(nodes: Node[]): string {
  return nodes.map(emitNode).join('');
}

function emitNode(n: Node): string {
  if (n.t === 'set') return emitSet(n.chars);
  if (n.t === 'group') return `(?:${n.alts.map(emit).join('|')})`;
  const q = n.max === undefined ? (n.min === 0 ? '*' : n.min === 1 ? '+' : `{${n.min},}`) : n.min === 0 && n.max === 1 ? '?' : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
  return `${emitNode(n.node)}${q}`;
}

/** How many unbounded repetitions a translated pattern may hold (the degree of the polynomial). */
const MAX_UNBOUNDED = 3;

function unbounded(nodes: Node[]): number {
  return nodes.reduce((k, n) => k + (n.t === 'set' ? 0 : n.t === 'group' ? n.alts.reduce((a, alt) => a + unbounded(alt), 0) : (n.max === undefined ? 1 : 0) + unbounded([n.node])), 0);
}

/** Longest pattern either answer below looks at. */
const MAX_DIALECT_LENGTH = 512;

/**
 * Whether `pattern` is written in the dialect's syntax above (at most 512 characters), repetition
 * aside: then RE2 compiles it, since the dialect is a subset of RE2's syntax whose size and nesting stay
 * far below RE2's limits (counted repetition only of a single character or class, at most 1000; a
 * 512-character pattern nests at most ~256 deep). rules/regex.ts answers "compiles" from this without
 * loading RE2; test/rules/re2-dialect.test.ts compiles every such pattern it generates with re2js.
 */
export function inRe2Dialect(pattern: string): boolean {
  if (pattern.length > MAX_DIALECT_LENGTH) return false;
  try {
    new Parser(pattern).pattern();
    return true;
  } catch (e) {
    if (e instanceof NotTranslated) return false;
    throw e;
  }
}

/**
 * A `RegExp` that finds a match in exactly the strings RE2 finds one in for `pattern`, or undefined
 * when the pattern is outside the dialect above (match it with RE2 then).
 */
export function re2AsJs(pattern: string): RegExp | undefined {
  if (pattern.length > MAX_DIALECT_LENGTH) return undefined;
  try {
    const { start, end, body } = new Parser(pattern).pattern();
    if (!safe(body) || unbounded(body) > MAX_UNBOUNDED) return undefined;
    return new RegExp(`${start ? '^' : ''}${emit(body)}${end ? '$' : ''}`);
  } catch (e) {
    if (e instanceof NotTranslated) return undefined;
    throw e;
  }
}
