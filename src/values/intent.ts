/**
 * The one conversion protocol of value objects: each value object the library takes (`HeaderMatch`,
 * `RetryPolicy`, `ConnectionPool`, ...) turns itself into plain mesh-model data with `toIntent()`.
 * A construct that contributes intent validates its props, calls `toIntent()` on the value objects
 * and writes the result through `mesh.model` (see docs/extending.md). The data returned is plain,
 * serializable and never changed afterwards; values are checked when the value object is created,
 * so `toIntent()` never fails.
 *
 * @example
 * mesh.model.addTrafficPolicy(service.ref, { outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }).toIntent() }, this.node.path);
 */
export interface IIntentConvertible<T> {
  /** The value as plain mesh-model data. */
  toIntent(): T;
}
