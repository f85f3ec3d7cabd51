/**
 * What one HTTP route does with a request: forward it (`route`), answer with a redirect, or answer
 * with a direct response, and which other effects each action excludes, as istiod's webhook checks
 * it (`validateHTTPRouteConflict`, pkg/config/validation/virtualservice.go, Istio 1.30.3). A mirror
 * copies forwarded requests, so it is refused with an answering action too (Envoy has no upstream
 * to mirror beside a redirect or direct response; pilot writes no mirror policy without a route).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/virtualservice.go
 */

/** The fields an answering action (`redirect`, `directResponse`) excludes, in the webhook's order. */
export const ANSWER_EXCLUDES: { readonly [action in 'redirect' | 'directResponse']: readonly string[] } = {
  redirect: ['route', 'fault', 'rewrite', 'directResponse', 'mirror'],
  directResponse: ['route', 'fault', 'rewrite', 'redirect', 'mirror'],
};

/**
 * The first conflict among the set fields of one route, as `a cannot be combined with b`, or
 * undefined. `set` lists the fields the route sets (`route`, `redirect`, `directResponse`, `fault`,
 * `rewrite`, `mirror`, ...); a route must also do something: forward, redirect or answer.
 */
export function routeActionConflict(set: readonly string[]): string | undefined {
  for (const action of ['redirect', 'directResponse'] as const) {
    if (!set.includes(action)) continue;
    for (const other of ANSWER_EXCLUDES[action]) {
      if (set.includes(other)) return `${other} cannot be combined with ${action} (istiod's validateHTTPRouteConflict${other === 'mirror' ? '; a mirror copies forwarded requests only' : ''})`;
    }
  }
  if (!set.includes('route') && !set.includes('redirect') && !set.includes('directResponse')) {
    return 'a route needs a destination, a redirect or a direct response';
  }
  return undefined;
}
