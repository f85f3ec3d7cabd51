/**
 * How a workload accepts connections from its peers.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
export class MtlsMode {
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

  /** Whether `x` is one of the four modes. */
  public static isMtlsMode(x: unknown): x is MtlsMode {
    return MtlsMode.values().includes(x as MtlsMode);
  }

  /** @param value the Istio enum name */
  private constructor(public readonly value: string) {}

  /** The Istio enum name, e.g. `STRICT`. */
  public toString(): string {
    return this.value;
  }
}
