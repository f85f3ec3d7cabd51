import { Duration } from 'cdk8s';
import { OutlierDetectionIntent } from '../model';
import { fail } from '../private/errors';
import { compact } from '../private/compact';
import { checkOptional } from '../rules/check';
import { istioDurationOf } from '../rules/duration';
import { percentInt, uint32 } from '../rules/numbers';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

/**
 * Options of {@link OutlierDetection.of}. Omitted fields take Istio's defaults.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export interface OutlierDetectionOptions {
  /**
   * Consecutive 5xx responses (or connect failures) that eject a host, 0..4294967295; 0 disables this check.
   * @default 5 (Istio's default)
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive 502/503/504 (or connect failures) that eject a host, 0..4294967295; 0 disables this check.
   * @default 0 (disabled)
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Time between ejection sweeps, at least 1ms with millisecond precision.
   * @default Duration.seconds(10) (Istio's default)
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time; a host ejected n times stays out n × baseEjectionTime. At least 1ms.
   * @default Duration.seconds(30) (Istio's default)
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Maximum percent of hosts that may be ejected, 0..100.
   * @default 10 (Istio's default)
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection is on only while at least this percent of hosts are healthy, 0..100.
   * @default 0 (Istio's default: always on)
   */
  readonly minHealthPercent?: number;
}

const OUTLIER_DETECTION_BRAND = brandSymbol('OutlierDetection');

/**
 * Passive health checking: hosts that keep failing are ejected from the load-balancing pool for a while.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export class OutlierDetection implements IIntentConvertible<OutlierDetectionIntent> {
  /** Whether `x` is an OutlierDetection (works across copies of this package). */
  public static isOutlierDetection(x: unknown): x is OutlierDetection {
    return hasBrand(x, OUTLIER_DETECTION_BRAND);
  }

  /** `x instanceof OutlierDetection`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is OutlierDetection {
    return hasBrand(x, OUTLIER_DETECTION_BRAND);
  }

  /**
   * Outlier detection. At least one field must be set.
   * @example OutlierDetection.of({ consecutive5xxErrors: 3, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(60) })
   */
  public static of(options: OutlierDetectionOptions): OutlierDetection {
    const where = 'OutlierDetection.of';
    const o = options ?? {};
    checkOptional(where, 'consecutive5xxErrors', o.consecutive5xxErrors, uint32, 'e.g. consecutive5xxErrors: 5');
    checkOptional(where, 'consecutiveGatewayErrors', o.consecutiveGatewayErrors, uint32, 'e.g. consecutiveGatewayErrors: 5');
    checkOptional(where, 'interval', o.interval, istioDurationOf, 'e.g. interval: Duration.seconds(10)');
    checkOptional(where, 'baseEjectionTime', o.baseEjectionTime, istioDurationOf, 'e.g. baseEjectionTime: Duration.seconds(30)');
    checkOptional(where, 'maxEjectionPercent', o.maxEjectionPercent, percentInt, 'e.g. maxEjectionPercent: 50');
    checkOptional(where, 'minHealthPercent', o.minHealthPercent, percentInt, 'e.g. minHealthPercent: 50');
    const intent = compact<OutlierDetectionIntent>({
      consecutive5xxErrors: o.consecutive5xxErrors,
      consecutiveGatewayErrors: o.consecutiveGatewayErrors,
      interval: o.interval?.toMilliseconds(),
      baseEjectionTime: o.baseEjectionTime?.toMilliseconds(),
      maxEjectionPercent: o.maxEjectionPercent,
      minHealthPercent: o.minHealthPercent,
    });
    if (!intent) {
      fail(where, 'options', options, 'outlier detection needs at least one setting', 'e.g. { consecutive5xxErrors: 5 }');
    }
    return new OutlierDetection(intent);
  }

  private constructor(private readonly _intent: OutlierDetectionIntent) {
    addBrand(this, OUTLIER_DETECTION_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): OutlierDetectionIntent {
    return this._intent;
  }
}
