import { MirrorIntent } from '../model';
import { fail } from '../private/errors';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { percentage } from '../rules/numbers';

const MIRROR = Symbol.for('cdk8s-istio.Mirror');

/** Options of {@link Mirror.toVersion} and {@link Mirror.toService}. */
export interface MirrorOptions {
  /**
   * Percent of the matching requests copied, 0..100 (fractions allowed, e.g. 0.5).
   * @default 100
   */
  readonly percent?: number;
}

/**
 * Request mirroring (shadowing) on a route rule: a copy of a share of the requests goes to another
 * version of the same host, fire-and-forget (its responses are discarded; the `Host` of the copy
 * gets a `-shadow` suffix). The version is checked against the versions the service runs when the
 * route is built, and its subset is derived like any routed version's.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 * @example Mirror.toVersion('v2', { percent: 10 })
 */
export class Mirror {
  /** True for a Mirror from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, MIRROR);
  }

  /** Copies `percent` of the requests to one version (subset) of the host. */
  public static toVersion(version: string, options: MirrorOptions = {}): Mirror {
    if (typeof version !== 'string' || version.length === 0) fail('Mirror.toVersion', 'version', version, 'a version must be a non-empty string', "e.g. 'v2'");
    return new Mirror({ version, percent: checkPercent('Mirror.toVersion', options) });
  }

  /** Copies `percent` of the requests to the whole host (every version), e.g. to warm caches. */
  public static toService(options: MirrorOptions = {}): Mirror {
    return new Mirror({ percent: checkPercent('Mirror.toService', options) });
  }

  private constructor(private readonly _intent: MirrorIntent) {
    brand(this, MIRROR);
  }

  /** The mirrored version, or undefined for the whole host. */
  public get version(): string | undefined {
    return this._intent.version;
  }

  /** @internal */
  public toIntent(): MirrorIntent {
    return this._intent;
  }
}

function checkPercent(where: string, options: MirrorOptions): number {
  const p = options?.percent ?? 100;
  check(where, 'percent', p, percentage, "e.g. Mirror.toVersion('v2', { percent: 10 })", 'a mirror percentage');
  return p;
}
