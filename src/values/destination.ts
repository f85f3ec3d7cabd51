import { RouteDestinationIntent } from '../model';
import { fail } from '../private/errors';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

/** One version's share of a {@link Destination.split}. */
export interface VersionWeight {
  /** A version the TracedService runs (its DestinationRule subset). */
  readonly version: string;
  /** Percent of the rule's traffic, an integer in 0..100. All shares of a split sum to 100. */
  readonly percent: number;
}

const DESTINATION_BRAND = brandSymbol('Destination');

/**
 * Where a rule sends traffic: one version, a percent split across versions, or the whole host.
 * Versions are checked against the versions the service really runs when the route is built.
 */
export class Destination implements IIntentConvertible<readonly RouteDestinationIntent[]> {
  /** Whether `x` is a Destination (works across copies of this package). */
  public static isDestination(x: unknown): x is Destination {
    return hasBrand(x, DESTINATION_BRAND);
  }

  /** `x instanceof Destination`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is Destination {
    return hasBrand(x, DESTINATION_BRAND);
  }

  /** Every request to one version (subset). */
  public static version(version: string): Destination {
    checkVersion('Destination.version', 'version', version);
    return new Destination([{ version, weight: 100 }]);
  }

  /**
   * A percent split across versions. Percents are integers in 0..100 summing to 100.
   * @example Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }])
   */
  public static split(shares: VersionWeight[]): Destination {
    const where = 'Destination.split';
    if (!Array.isArray(shares) || shares.length === 0) {
      fail(where, 'shares', shares, 'a split needs at least one version', "e.g. [{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]");
    }
    const seen = new Set<string>();
    let sum = 0;
    shares.forEach((s, i) => {
      checkVersion(where, `shares[${i}].version`, s?.version);
      if (seen.has(s.version)) fail(where, `shares[${i}].version`, s.version, 'each version may appear once in a split', 'merge the shares of this version into one');
      seen.add(s.version);
      if (!Number.isInteger(s.percent) || s.percent < 0 || s.percent > 100) {
        fail(where, `shares[${i}].percent`, s.percent, 'a percent must be an integer in 0..100 (Istio rejects negative weights)', 'e.g. percent: 10');
      }
      sum += s.percent;
    });
    if (sum !== 100) {
      fail(where, 'shares', shares.map((s) => `${s.version}=${s.percent}`).join(','), `percents must sum to 100, they sum to ${sum}`, "adjust the percents to add up to 100, e.g. [{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]");
    }
    return new Destination(shares.map((s) => ({ version: s.version, weight: s.percent })));
  }

  /** The whole host, no subset: the Kubernetes Service balances across every version. */
  public static service(): Destination {
    return new Destination([{ weight: 100 }]);
  }

  private constructor(private readonly _targets: readonly RouteDestinationIntent[]) {
    addBrand(this, DESTINATION_BRAND);
  }

  /** The versions this destination names (empty for the whole host). */
  public get versions(): string[] {
    return this._targets.filter((t) => t.version !== undefined).map((t) => t.version!);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): readonly RouteDestinationIntent[] {
    return this._targets;
  }
}

function checkVersion(where: string, property: string, v: string): void {
  if (typeof v !== 'string' || v.length === 0) fail(where, property, v, 'a version must be a non-empty string', "e.g. 'v2'");
}
