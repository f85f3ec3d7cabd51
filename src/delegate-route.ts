import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRuleIntent, sourceOwner } from './model';
import { fail } from './private/errors';
import { nameHint } from './private/hints';
import { warnPrefixRewriteSeams } from './rewrite-seam';
import { CanaryRule, RouteEffects, routeEffectsIntent, routeMatchIntent } from './canary-route';
import type { IMeshNamespace } from './adopted-namespace';
import { requireMeshNamespace } from './mesh-namespace-handle';
import { routeActionConflict } from './rules/route-action';
import { dns1123Subdomain } from './rules/names';
import { IMeshService, requireMeshService } from './mesh-service';
import { Destination } from './values/destination';
import { DirectResponse, Redirect } from './values/redirect';

/** Properties of a {@link DelegateRoute}. */
export interface DelegateRouteProps {
  /** The shared host: the service whose {@link CanaryRoute} lists this delegate in `delegates`. */
  readonly service: IMeshService;
  /** The delegate's name: the `name` of the root route's delegation entry (its VirtualService name). */
  readonly name: string;
  /**
   * The delegate's namespace: the `namespace` of the root route's delegation entry. A
   * `MeshNamespace`, an adopted one (`MeshNamespace.fromName`) or any other
   * {@link IMeshNamespace} of the service's mesh.
   */
  readonly namespace: IMeshNamespace;
  /**
   * Ordered rules; each match must stay within the root entry's match (istiod silently drops a
   * delegate rule whose matches ask for requests the root never hands over).
   * @default - none: every request handed over takes `defaultDestination`
   */
  readonly rules?: CanaryRule[];
  /**
   * The delegate's catch-all (every request the root hands over that no rule matches).
   * @default - none: requests no rule matches get no route (404)
   */
  readonly defaultDestination?: Destination;
  /**
   * Effects of the catch-all rule.
   * @default - none
   */
  readonly defaultEffects?: RouteEffects;
}

/**
 * One team's part of a host shared by VirtualService delegation: the root {@link CanaryRoute} of
 * the host hands the requests of one `delegates` entry to this route, which decides versions and
 * effects for them. It renders a VirtualService without hosts or gateways (istiod merges it into the
 * root's routes, each match ANDed with the root entry's), in its own namespace, owned by this
 * construct (child `VirtualService`).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate
 * @example
 * new DelegateRoute(chart, 'CartRoute', {
 *   service: shop, name: 'shop-cart', namespace: cartTeam,
 *   rules: [{ match: [{ uri: StringMatch.prefix('/cart/v2/') }], destination: Destination.version('v2') }],
 *   defaultDestination: Destination.version('v1'),
 * });
 */
export class DelegateRoute extends Construct {
  /** The shared service. */
  public readonly service: IMeshService;
  /** The delegate's name. */
  public readonly routeName: string;

  constructor(scope: Construct, id: string, props: DelegateRouteProps) {
    super(scope, id);
    if (!props) fail(this, 'props', props, 'props are required', "pass props with the service, the name and the rules, e.g. { service: order, name: 'orders-api', rules: [...] }");
    requireMeshService(this, 'props.service', props.service);
    this.service = props.service;
    const bad = dns1123Subdomain(props.name);
    if (bad) fail(this, 'props.name', props.name, bad, nameHint(props.name, dns1123Subdomain, 'orders-api'));
    this.routeName = props.name;
    const namespace = requireMeshNamespace(this, 'props.namespace', props.namespace, this.service.mesh);
    const versions = this.service.versions;
    const rules = props.rules ?? [];
    if (!Array.isArray(rules)) fail(this, 'props.rules', rules, 'must be an array of rules', "e.g. rules: [{ match: [{ uri: StringMatch.prefix('/api') }], destination: Destination.version('v1') }]");
    const intents: HttpRuleIntent[] = rules.map((rule, i) => {
      const at = `props.rules[${i}]`;
      if (!Array.isArray(rule?.match) || rule.match.length === 0) {
        fail(this, `${at}.match`, rule?.match, 'a rule without a match takes every request handed over, so every later rule would be unreachable (IST0130)', 'put the catch-all into defaultDestination');
      }
      const set = [
        ...(rule.destination !== undefined ? ['route'] : []),
        ...(['redirect', 'directResponse', 'fault', 'rewrite', 'mirror'] as const).filter((k) => rule[k] !== undefined),
      ];
      const conflict = routeActionConflict(set);
      if (conflict) fail(this, at, set.join(','), conflict, 'a rule either forwards (destination, with fault/rewrite/mirror) or answers (redirect or directResponse)');
      if (rule.destination !== undefined) checkDestination(this, `${at}.destination`, rule.destination, versions);
      if (rule.redirect !== undefined && !(rule.redirect instanceof Redirect)) fail(this, `${at}.redirect`, rule.redirect, 'must be a Redirect', "e.g. Redirect.to({ uri: '/v2' })");
      if (rule.directResponse !== undefined && !(rule.directResponse instanceof DirectResponse)) fail(this, `${at}.directResponse`, rule.directResponse, 'must be a DirectResponse', "e.g. DirectResponse.of({ status: 503 })");
      const matches = rule.match.map((m, j) => routeMatchIntent(this, `${at}.match[${j}]`, m));
      const destinations = rule.destination?.toIntent() ?? [];
      const timeout = rule.timeout?.toMilliseconds();
      const retries = rule.retries?.toIntent();
      const redirect = rule.redirect?.toIntent();
      const directResponse = rule.directResponse?.toIntent();
      const effects = routeEffectsIntent(this, at, rule, versions);
      // blocks without a uri condition take the root entry's prefix: lint judges those on the merged rules
      warnPrefixRewriteSeams(this, at, matches, effects.rewrite, 'unknown');
      return compact({
        name: rule.name,
        matches,
        destinations,
        timeout,
        retries,
        redirect,
        directResponse,
        ...effects,
      });
    });
    if (props.defaultDestination !== undefined) {
      checkDestination(this, 'props.defaultDestination', props.defaultDestination, versions);
      intents.push(compact({ matches: [], destinations: props.defaultDestination.toIntent(), ...routeEffectsIntent(this, 'props.defaultEffects', props.defaultEffects ?? {}, versions) }));
    } else if (props.defaultEffects !== undefined) {
      fail(this, 'props.defaultEffects', 'set', 'effects of the catch-all need a catch-all', 'set defaultDestination');
    }
    if (intents.length === 0) fail(this, 'props', 'no rules', 'a delegate route needs rules or a defaultDestination (istiod rejects a VirtualService without routes)', "e.g. defaultDestination: Destination.version('v1'), or rules with a destination");
    this.service.mesh.registerOwner(sourceOwner(this.node.path), this);
    this.service.mesh.model.addDelegateRoute(this.service.ref, { name: props.name, namespace: namespace.name, rules: intents, source: this.node.path });
  }

  /** The delegate VirtualService, as an escape hatch. */
  public get virtualService(): ApiObject | undefined {
    return this.service.mesh.objectOf(sourceOwner(this.node.path), 'VirtualService');
  }
}

function checkDestination(scope: Construct, at: string, d: Destination, versions: readonly string[]): void {
  if (!(d instanceof Destination)) fail(scope, at, d, 'must be a Destination', "e.g. Destination.version('v2')");
  for (const v of d.versions) {
    if (!versions.includes(v)) fail(scope, at, v, `version "${v}" is not a version of the service (it runs ${versions.join(', ')})`, 'route only to versions the service runs');
  }
}

function compact(r: HttpRuleIntent): HttpRuleIntent {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as HttpRuleIntent;
}
