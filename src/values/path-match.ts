import { PathMatchIntent } from '../model';
import { fail } from '../private/errors';
import { containsPathTemplate, pathTemplate } from '../rules/authz';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

const LITERAL_CHARS = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@/]|%[0-9A-Fa-f]{2})+$/;
const CHAR_RULE = "a path may contain only RFC 3986 path characters; '*', '{', '}', '?', '#' and spaces are not allowed here";

const PATH_MATCH_BRAND = brandSymbol('PathMatch');

/**
 * A request path an authorization rule allows, in one of Istio's forms. Paths are matched
 * case-sensitively against the path without the query string.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 */
export class PathMatch implements IIntentConvertible<PathMatchIntent> {
  /** Whether `x` is a PathMatch (works across copies of this package). */
  public static isPathMatch(x: unknown): x is PathMatch {
    return hasBrand(x, PATH_MATCH_BRAND);
  }

  /** `x instanceof PathMatch`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is PathMatch {
    return hasBrand(x, PATH_MATCH_BRAND);
  }

  /** Exactly this path, e.g. `PathMatch.exact('/api/orders')`. */
  public static exact(path: string): PathMatch {
    checkAbsolute('PathMatch.exact', path);
    return new PathMatch({ kind: 'exact', value: path });
  }

  /**
   * Every path that starts with `prefix`, rendered `<prefix>*`. `PathMatch.prefix('/api/orders/')`
   * matches `/api/orders/42` but not `/api/orders`: add `PathMatch.exact('/api/orders')` for that.
   * @example PathMatch.prefix('/api/payments/')
   */
  public static prefix(prefix: string): PathMatch {
    checkAbsolute('PathMatch.prefix', prefix);
    return new PathMatch({ kind: 'prefix', value: prefix });
  }

  /** Every path that ends with `suffix`, rendered `*<suffix>`, e.g. `PathMatch.suffix('.json')`. */
  public static suffix(suffix: string): PathMatch {
    const where = 'PathMatch.suffix';
    if (typeof suffix !== 'string' || suffix.length === 0) fail(where, 'suffix', suffix, 'a path suffix must be a non-empty string', "e.g. PathMatch.suffix('.json')");
    if (!LITERAL_CHARS.test(suffix)) fail(where, 'suffix', suffix, CHAR_RULE, "e.g. PathMatch.suffix('.json'); for patterns use PathMatch.template('/items/{*}')");
    return new PathMatch({ kind: 'suffix', value: suffix });
  }

  /** Any (non-empty) path, rendered `*`. */
  public static any(): PathMatch {
    return new PathMatch({ kind: 'present', value: '*' });
  }

  /**
   * A path template: `{*}` matches exactly one segment and `{**}` one or more segments; `{**}` must
   * be the last operator (literal segments may follow it: `/a/{**}/b`), and each operator fills a
   * whole segment. Checked with Istio's own rule (`CheckValidPathTemplate`).
   * @example PathMatch.template('/api/orders/{*}/items/{**}')
   */
  public static template(template: string): PathMatch {
    const where = 'PathMatch.template';
    if (typeof template !== 'string' || !template.startsWith('/')) {
      fail(where, 'template', template, "a path template must be a string starting with '/'", "e.g. '/api/orders/{*}'");
    }
    const bad = pathTemplate(template);
    if (bad) fail(where, 'template', template, bad, bad.includes("'{'") ? "write '/a/{*}/b', not '/a/x{*}/b'" : "e.g. '/api/orders/{*}' or '/files/{**}'");
    if (!containsPathTemplate(template)) {
      fail(where, 'template', template, 'a path template needs at least one {*} or {**} operator', 'use PathMatch.exact for a literal path');
    }
    return new PathMatch({ kind: 'template', value: template });
  }

  /** @param intent the renderer-neutral match */
  private constructor(private readonly intent: PathMatchIntent) {
    addBrand(this, PATH_MATCH_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): PathMatchIntent {
    return this.intent;
  }

  /** The path as Istio writes it, e.g. `/api/payments/*`. */
  public toString(): string {
    switch (this.intent.kind) {
      case 'prefix': return `${this.intent.value}*`;
      case 'suffix': return `*${this.intent.value}`;
      default: return this.intent.value;
    }
  }
}

function checkAbsolute(where: string, path: string): void {
  if (typeof path !== 'string' || path.length === 0) fail(where, 'path', path, 'a path must be a non-empty string', "e.g. '/api/orders'");
  if (!path.startsWith('/')) fail(where, 'path', path, "a path must start with '/'", `did you mean "/${path}"?`);
  if (!LITERAL_CHARS.test(path)) {
    const hint = path.includes('{') || path.includes('}') ? 'use PathMatch.template for {*} and {**}'
      : path.includes('*') ? 'use PathMatch.prefix, PathMatch.suffix or PathMatch.template for wildcards'
        : path.includes('?') ? 'paths are matched without the query string' : 'percent-encode the character, e.g. a space as %20';
    fail(where, 'path', path, CHAR_RULE, hint);
  }
}
