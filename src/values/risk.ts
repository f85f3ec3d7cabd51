import { addBrand, brandSymbol, hasBrand } from '../private/brand';

const RISK_BRAND = brandSymbol('Risk');

/**
 * A dangerous authorization shape the caller accepts by name. ZeroTrust constructs refuse these
 * shapes unless the matching risk is passed as `acceptRisk`, so that a reviewer sees the risk spelled
 * out in code.
 */
export class Risk {
  /** Whether `x` is a Risk (works across copies of this package). */
  public static isRisk(x: unknown): x is Risk {
    return hasBrand(x, RISK_BRAND);
  }

  /** `x instanceof Risk`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is Risk {
    return hasBrand(x, RISK_BRAND);
  }

  /**
   * An ALLOW rule without a source: any caller, including plaintext callers and callers from outside
   * the mesh, is allowed. With no operation and no condition either, the rule is `{}` and allows everything.
   */
  public static readonly ALLOW_ALL = new Risk('allow-all');
  /**
   * An ALLOW rule with `notPrincipals` or `notNamespaces`. A plaintext request has no principal and
   * no namespace, so it matches every `notX`: the rule fails open for plaintext callers.
   */
  public static readonly FAIL_OPEN_FOR_PLAINTEXT = new Risk('fail-open-for-plaintext');
  /**
   * A DENY policy without a source or operation. Istio rejects a DENY policy without rules, so the
   * "deny everything" intent is rendered as one empty rule `{}`: every request to the workload is denied.
   */
  public static readonly DENY_ALL = new Risk('deny-all');

  /** @param name the risk name shown in errors */
  private constructor(public readonly name: string) {
    addBrand(this, RISK_BRAND);
  }

  /** The risk name. */
  public toString(): string {
    return this.name;
  }
}
