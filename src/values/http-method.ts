import { fail } from '../private/errors';
import { httpToken } from '../rules/http';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';

const HTTP_METHOD_BRAND = brandSymbol('HttpMethod');

/**
 * An HTTP method an authorization rule allows. Methods are matched case-sensitively, so they are
 * upper case; use {@link HttpMethod.of} for an extension method.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 */
export class HttpMethod {
  /** Whether `x` is a HttpMethod (works across copies of this package). */
  public static isHttpMethod(x: unknown): x is HttpMethod {
    return hasBrand(x, HTTP_METHOD_BRAND);
  }

  /** `x instanceof HttpMethod`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is HttpMethod {
    return hasBrand(x, HTTP_METHOD_BRAND);
  }

  /** GET */
  public static readonly GET = new HttpMethod('GET');
  /** HEAD */
  public static readonly HEAD = new HttpMethod('HEAD');
  /** POST */
  public static readonly POST = new HttpMethod('POST');
  /** PUT */
  public static readonly PUT = new HttpMethod('PUT');
  /** PATCH */
  public static readonly PATCH = new HttpMethod('PATCH');
  /** DELETE */
  public static readonly DELETE = new HttpMethod('DELETE');
  /** OPTIONS */
  public static readonly OPTIONS = new HttpMethod('OPTIONS');
  /** CONNECT */
  public static readonly CONNECT = new HttpMethod('CONNECT');
  /** TRACE */
  public static readonly TRACE = new HttpMethod('TRACE');

  /**
   * An extension method (an RFC 7230 token in upper case), e.g. `HttpMethod.of('PURGE')`.
   * For gRPC, the method is always POST.
   */
  public static of(name: string): HttpMethod {
    if (typeof name !== 'string' || name.length === 0) {
      fail('HttpMethod.of', 'name', name, 'an HTTP method must be a non-empty string', "e.g. HttpMethod.of('PURGE')");
    }
    const bad = httpToken(name);
    if (bad) fail('HttpMethod.of', 'name', name, `an HTTP method ${bad}`, "use an HttpMethod constant such as HttpMethod.GET, or e.g. HttpMethod.of('PURGE')");
    if (name !== name.toUpperCase()) {
      fail('HttpMethod.of', 'name', name, 'methods are matched case-sensitively and are upper case', `did you mean "${name.toUpperCase()}"?`);
    }
    return new HttpMethod(name);
  }

  /** @param value the method name */
  private constructor(public readonly value: string) {
    addBrand(this, HTTP_METHOD_BRAND);
  }

  /** The method name. */
  public toString(): string {
    return this.value;
  }
}
