import { addBrand, brandSymbol, hasBrand } from '../private/brand';

const MTLS_MODE_BRAND = brandSymbol('MtlsMode');

/**
 * How a workload accepts connections from its peers.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
export class MtlsMode {
  /** Whether `x` is a MtlsMode (works across copies of this package). */
  public static isMtlsMode(x: unknown): x is MtlsMode {
    return hasBrand(x, MTLS_MODE_BRAND);
  }

  /** `x instanceof MtlsMode`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MtlsMode {
    return hasBrand(x, MTLS_MODE_BRAND);
  }

  /** Inherit the mode of the parent scope (workload → namespace → mesh); PERMISSIVE when nothing is set. */
  public static readonly UNSET = new MtlsMode('UNSET');
  /** Plaintext only: the workload does not accept mutual TLS. */
  public static readonly DISABLE = new MtlsMode('DISABLE');
  /** Both plaintext and mutual TLS are accepted: the setting for a migration. */
  public static readonly PERMISSIVE = new MtlsMode('PERMISSIVE');
  /** Mutual TLS only: plaintext connections are rejected before authorization runs. */
  public static readonly STRICT = new MtlsMode('STRICT');

  /** Every mode, in Istio's enum order. */
  public static values(): MtlsMode[] {
    return [MtlsMode.UNSET, MtlsMode.DISABLE, MtlsMode.PERMISSIVE, MtlsMode.STRICT];
  }

  /** @param value the Istio enum name */
  private constructor(public readonly value: string) {
    addBrand(this, MTLS_MODE_BRAND);
  }

  /** The Istio enum name, e.g. `STRICT`. */
  public toString(): string {
    return this.value;
  }
}
