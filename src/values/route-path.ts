import { ExposedPathIntent } from '../model';
import { fail } from '../private/errors';
import { PathMatch } from './path-match';

const BRAND = Symbol.for('cdk8s-istio.RoutePath');
/** RFC 3986 path characters (what a Gateway API path may hold), without authorization wildcards (`*`, `{`, `}`). */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()+,;=:@]|%[0-9a-fA-F]{2})+$/;

/**
 * A path exposed on a gateway, matched by whole path segments as the Gateway API's `PathPrefix`
 * does: `RoutePath.prefix('/api/orders')` matches `/api/orders` and `/api/orders/42`, never
 * `/api/ordersX`. It renders the same way everywhere it is used: Istio routes (`exact` plus
 * `prefix '/api/orders/'`), Gateway API routes, and the gateway's allow rule on the service
 * (`/api/orders`, `/api/orders/*`).
 *
 * @example RoutePath.prefix('/api/orders')
 */
export class RoutePath {
  /** Whether `x` is a RoutePath (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && BRAND in x;
  }

  /** Exactly this path (the query string is ignored). */
  public static exact(path: string): RoutePath {
    check('RoutePath.exact', path);
    return new RoutePath({ kind: 'exact', value: path });
  }

  /** This path and every path below it, by whole segments; `/` is every path. No trailing `/`. */
  public static prefix(path: string): RoutePath {
    check('RoutePath.prefix', path);
    if (path !== '/' && path.endsWith('/')) {
      fail('RoutePath.prefix', 'path', path, 'a prefix is matched by whole segments, so it has no trailing "/"', `write "${path.replace(/\/+$/, '') || '/'}"`);
    }
    return new RoutePath({ kind: 'prefix', value: path });
  }

  private constructor(private readonly intent: ExposedPathIntent) {
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The model record. @internal */
  public _intent(): ExposedPathIntent {
    return this.intent;
  }

  /** The authorization path matches of the same requests: `/a`, or `/a` and `/a/*`. */
  public toPathMatches(): PathMatch[] {
    if (this.intent.kind === 'exact') return [PathMatch.exact(this.intent.value)];
    if (this.intent.value === '/') return [PathMatch.prefix('/')];
    return [PathMatch.exact(this.intent.value), PathMatch.prefix(`${this.intent.value}/`)];
  }

  /** `exact /a` or `prefix /a`. */
  public toString(): string {
    return `${this.intent.kind} ${this.intent.value}`;
  }
}

function check(where: string, path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/')) fail(where, 'path', path, "a path must start with '/'", "e.g. RoutePath.prefix('/api')");
  if (path.length > 1024) fail(where, 'path', path, 'a path is at most 1024 characters', 'shorten the path, e.g. match its first segments with RoutePath.prefix');
  if (/[?#]/.test(path)) fail(where, 'path', path, 'a path never includes the query string or fragment', 'leave out what follows "?" or "#"');
  if (!PATH_CHARS.test(path)) {
    fail(where, 'path', path, "a path holds RFC 3986 path characters only (no spaces, no '*', '{' or '}': wildcards are not matched literally)", 'percent-encode the character');
  }
  if (/\/\/|\/\.\.?\/|\/\.\.?$|%2f/i.test(path)) {
    fail(where, 'path', path, "a path must be normalized: no '//', '/./', '/../' or encoded '/' (proxies normalize the request path first)", 'write the normalized path');
  }
}
