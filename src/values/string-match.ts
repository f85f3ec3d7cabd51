import { StringMatchIntent, HeaderMatchIntent } from '../model';
import { fail } from '../private/errors';
import { check } from '../rules/check';
import { headerMatchName, IGNORED_HEADER_MATCH_KEYS } from '../rules/http';
import { matchRegex } from '../rules/regex';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

const STRING_MATCH_BRAND = brandSymbol('StringMatch');

/**
 * How a request string (URI, method, header value) is compared.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
 */
export class StringMatch implements IIntentConvertible<StringMatchIntent> {
  /** Whether `x` is a StringMatch (works across copies of this package). */
  public static isStringMatch(x: unknown): x is StringMatch {
    return hasBrand(x, STRING_MATCH_BRAND);
  }

  /** `x instanceof StringMatch`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is StringMatch {
    return hasBrand(x, STRING_MATCH_BRAND);
  }

  /** The value must equal `value` exactly (case-sensitive). */
  public static exact(value: string): StringMatch {
    checkNonEmpty('StringMatch.exact', value, 'an exact match');
    return new StringMatch({ kind: 'exact', value });
  }

  /** The value must start with `value`. An empty prefix is rejected by Istio. */
  public static prefix(value: string): StringMatch {
    checkNonEmpty('StringMatch.prefix', value, 'a prefix match (`prefix: ""` is rejected by Istio)');
    return new StringMatch({ kind: 'prefix', value });
  }

  /**
   * The whole value must match the RE2 regular expression `pattern`. Checked with an RE2 engine:
   * JavaScript accepts lookaheads and backreferences, Envoy does not.
   * @example StringMatch.regex('^/api/v[12]/.*')
   */
  public static regex(pattern: string): StringMatch {
    checkRegex('StringMatch.regex', pattern);
    return new StringMatch({ kind: 'regex', value: pattern });
  }

  private constructor(private readonly _intent: StringMatchIntent) {
    addBrand(this, STRING_MATCH_BRAND);
  }

  /** `exact`, `prefix` or `regex`. */
  public get kind(): string {
    return this._intent.kind;
  }

  /** The compared value or pattern. */
  public get value(): string {
    return this._intent.value;
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): StringMatchIntent {
    return this._intent;
  }
}

const HEADER_MATCH_BRAND = brandSymbol('HeaderMatch');

/**
 * A condition on one request header. Names are RFC 7230 tokens (lowercase recommended: HTTP/2
 * lowercases them); values are compared case-sensitively, and a missing header matches nothing.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export class HeaderMatch implements IIntentConvertible<HeaderMatchIntent> {
  /** Whether `x` is a HeaderMatch (works across copies of this package). */
  public static isHeaderMatch(x: unknown): x is HeaderMatch {
    return hasBrand(x, HEADER_MATCH_BRAND);
  }

  /** `x instanceof HeaderMatch`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is HeaderMatch {
    return hasBrand(x, HEADER_MATCH_BRAND);
  }

  /**
   * The header equals `value` exactly.
   * @example HeaderMatch.exact('x-canary', 'true') // `x-canary: TRUE` does not match
   */
  public static exact(name: string, value: string): HeaderMatch {
    checkHeaderName('HeaderMatch.exact', name);
    checkNonEmpty('HeaderMatch.exact', value, 'an exact header match');
    return new HeaderMatch(name, { kind: 'exact', value });
  }

  /** The header starts with `value`. */
  public static prefix(name: string, value: string): HeaderMatch {
    checkHeaderName('HeaderMatch.prefix', name);
    checkNonEmpty('HeaderMatch.prefix', value, 'a prefix match (`prefix: ""` is rejected by Istio)');
    return new HeaderMatch(name, { kind: 'prefix', value });
  }

  /**
   * The whole header value matches the RE2 expression `pattern`.
   * @example HeaderMatch.regex('x-user-id', '^[0-9]*[02468]$') // even user ids; "" does not match
   */
  public static regex(name: string, pattern: string): HeaderMatch {
    checkHeaderName('HeaderMatch.regex', name);
    checkRegex('HeaderMatch.regex', pattern);
    return new HeaderMatch(name, { kind: 'regex', value: pattern });
  }

  private constructor(
    /** The header name. */
    public readonly name: string,
    private readonly _match: StringMatchIntent,
  ) {
    addBrand(this, HEADER_MATCH_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): HeaderMatchIntent {
    return { name: this.name, match: this._match };
  }
}

function checkNonEmpty(where: string, value: string, what: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    fail(where, 'value', value, `${what} needs a non-empty string`, "e.g. StringMatch.prefix('/api')");
  }
}

function checkHeaderName(where: string, name: string): void {
  check(where, 'name', name, headerMatchName, 'e.g. "x-canary"', 'a header name');
  if (IGNORED_HEADER_MATCH_KEYS.includes(name.toLowerCase())) {
    fail(where, 'name', name, `Istio ignores the header keys ${IGNORED_HEADER_MATCH_KEYS.join(', ')} in a match, so the condition would silently match everything`,
      'use the uri or method field of the match block');
  }
}

/** Istio's regex match rule (non-empty, at most 1024 characters, RE2), with the hint for lookarounds. */
function checkRegex(where: string, pattern: string): void {
  const bad = matchRegex(pattern);
  if (!bad) return;
  const shown = typeof pattern === 'string' && pattern.length > 60 ? `${pattern.slice(0, 40)}... (${pattern.length} characters)` : pattern;
  fail(where, 'pattern', shown, bad, bad.includes('RE2') ? 'rewrite the pattern without lookarounds or backreferences' : "e.g. '^/api/v[0-9]+/' (RE2 syntax)");
}
