import { Duration } from 'cdk8s';
import { FaultIntent } from '../model';
import { fail } from '../private/errors';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { istioDurationOf } from '../rules/duration';
import { faultPercentage } from '../rules/numbers';
import { grpcStatusName, responseStatus } from '../rules/route';

const FAULT = Symbol.for('cdk8s-istio.Fault');

/** Options of {@link Fault.abort}. Exactly one of `httpStatus` and `grpcStatus`. */
export interface FaultAbortOptions {
  /**
   * The HTTP status answered, 200..600.
   * @default - none: set `grpcStatus`
   */
  readonly httpStatus?: number;
  /**
   * The gRPC status answered, e.g. `UNAVAILABLE`.
   * @default - none: set `httpStatus`
   */
  readonly grpcStatus?: string;
  /** Percent of the matching requests aborted: 0, or 0.0001..100. */
  readonly percent: number;
}

/** Options of {@link Fault.delay}. */
export interface FaultDelayOptions {
  /** How long each delayed request waits before it is forwarded (at least 1ms, millisecond precision). */
  readonly fixedDelay: Duration;
  /** Percent of the matching requests delayed: 0, or 0.0001..100. */
  readonly percent: number;
}

/** Options of {@link Fault.of}: an abort, a delay, or both. */
export interface FaultOptions {
  /** @default - no abort */
  readonly abort?: FaultAbortOptions;
  /** @default - no delay */
  readonly delay?: FaultDelayOptions;
}

/**
 * Fault injection on a route rule (chaos testing): abort a share of the requests with a status,
 * delay a share, or both. Aborted requests never reach the destination; retries do not apply to
 * injected aborts. Percentages are checked as istiod checks them (`validateHTTPFaultInjection`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 * @example Fault.of({ abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: Duration.seconds(1), percent: 100 } })
 */
export class Fault {
  /** True for a Fault from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, FAULT);
  }

  /**
   * Abort `percent` of the requests with an HTTP or gRPC status.
   * @example Fault.abort({ httpStatus: 503, percent: 5 })
   */
  public static abort(options: FaultAbortOptions): Fault {
    return Fault.of({ abort: options });
  }

  /**
   * Delay `percent` of the requests by `fixedDelay`.
   * @example Fault.delay({ fixedDelay: Duration.seconds(1), percent: 10 })
   */
  public static delay(options: FaultDelayOptions): Fault {
    return Fault.of({ delay: options });
  }

  /** An abort and/or a delay. At least one. */
  public static of(options: FaultOptions): Fault {
    const where = 'Fault.of';
    if (!options || (options.abort === undefined && options.delay === undefined)) {
      fail(where, 'options', options, 'fault injection needs an abort and/or a delay (istiod rejects an empty fault)', 'e.g. Fault.abort({ httpStatus: 503, percent: 5 })');
    }
    const out: { abort?: FaultIntent['abort']; delay?: FaultIntent['delay'] } = {};
    const a = options.abort;
    if (a !== undefined) {
      if ((a.httpStatus === undefined) === (a.grpcStatus === undefined)) {
        fail(where, 'abort', a, 'an abort answers exactly one of httpStatus or grpcStatus (istiod ignores an abort with neither)', 'e.g. { httpStatus: 503, percent: 5 }');
      }
      if (a.httpStatus !== undefined) check(where, 'abort.httpStatus', a.httpStatus, responseStatus, 'an HTTP status, e.g. 503');
      if (a.grpcStatus !== undefined) check(where, 'abort.grpcStatus', a.grpcStatus, grpcStatusName, "e.g. grpcStatus: 'UNAVAILABLE'");
      check(where, 'abort.percent', a.percent, faultPercentage, 'e.g. percent: 5');
      out.abort = { ...(a.httpStatus !== undefined ? { httpStatus: a.httpStatus } : {}), ...(a.grpcStatus !== undefined ? { grpcStatus: a.grpcStatus } : {}), percent: a.percent };
    }
    const d = options.delay;
    if (d !== undefined) {
      if (!(d.fixedDelay instanceof Duration)) fail(where, 'delay.fixedDelay', d.fixedDelay, 'must be a cdk8s Duration', 'e.g. Duration.seconds(1)');
      check(where, 'delay.fixedDelay', d.fixedDelay, istioDurationOf, 'e.g. Duration.seconds(1)');
      check(where, 'delay.percent', d.percent, faultPercentage, 'e.g. percent: 5');
      out.delay = { fixedDelay: d.fixedDelay.toMilliseconds(), percent: d.percent };
    }
    return new Fault(out);
  }

  private constructor(private readonly _intent: FaultIntent) {
    brand(this, FAULT);
  }

  /** @internal */
  public toIntent(): FaultIntent {
    return this._intent;
  }
}
