/**
 * Checks over the edge intent that depend on several writers (authorization rules, RequestAuthentications,
 * exposures), run at synth by the constructs' validations: what Istio would accept but never make work.
 */
import type { AuthorizationRuleIntent } from './security';
import type { ServiceRef } from './identity';
import type { MeshIntentModel } from './model';
import type { IntentProblem } from './model';
import { serviceKey } from './identity';

/** The issuer of a `requestPrincipals` value (`<iss>/<sub>`, split at the last `/` as Istio does), or `*`. */
export function requestPrincipalIssuer(value: string): string {
  if (value === '*') return '*';
  const i = value.lastIndexOf('/');
  return i < 0 ? value : value.slice(0, i);
}

/** Whether a rule reads the end-user token: request principals or `request.auth.*` conditions. */
export function readsJwt(rule: AuthorizationRuleIntent): boolean {
  return (rule.source?.requestPrincipals?.length ?? 0) > 0 || rule.when.some((c) => c.key.startsWith('request.auth.'));
}

/**
 * Rules of a workload that need a token nobody validates there: without a RequestAuthentication for
 * the issuer on the workload, Envoy never sets the request principal or the claims, so an ALLOW rule
 * that requires them never matches (and a DENY never denies). And a service exposed on a gateway that
 * validates the same issuer without `forwardOriginalToken`: the gateway removes the token, so the
 * service never sees one.
 */
export function jwtRuleProblems(model: MeshIntentModel, ref: ServiceRef): IntentProblem[] {
  const w = model.workload(ref);
  const issuers = new Set(model.requestAuthenticationsOf({ kind: 'service', service: ref }).flatMap((r) => r.jwtRules.map((j) => j.issuer)));
  const out: IntentProblem[] = [];
  const rules = [...w.allow.map((r) => ['ALLOW', r] as const), ...w.deny.map((r) => ['DENY', r] as const)];
  for (const [action, rule] of rules) {
    if (!readsJwt(rule)) continue;
    if (issuers.size === 0) {
      out.push({
        property: action === 'ALLOW' ? 'allowFrom' : 'denyFrom', value: describe(rule),
        rule: `the rule reads the end-user token, but no RequestAuthentication validates tokens on ${serviceKey(ref)}: Istio then sets no request principal and no claims, so the rule never ${action === 'ALLOW' ? 'matches' : 'denies'}`,
        hint: `add a RequestAuthentication with target ${ref.name} for the issuer`,
        at: rule.addedBy,
      });
      continue;
    }
    for (const p of rule.source?.requestPrincipals ?? []) {
      const iss = requestPrincipalIssuer(p);
      if (iss !== '*' && !issuers.has(iss)) {
        out.push({
          property: 'requestPrincipals', value: p,
          rule: `issuer ${iss} is not validated on ${serviceKey(ref)} (its RequestAuthentications accept ${[...issuers].join(', ')}), so no request carries this principal`,
          hint: 'add a JwtRule for the issuer to the RequestAuthentication of the service',
          at: rule.addedBy,
        });
      }
    }
  }
  if (!rules.some(([, r]) => readsJwt(r))) return out;
  for (const e of model.exposuresOf(ref)) {
    for (const ra of model.requestAuthenticationsOf({ kind: 'gateway', gateway: e.gateway })) {
      for (const j of ra.jwtRules) {
        if (!issuers.has(j.issuer) || j.forwardOriginalToken) continue;
        out.push({
          property: 'jwtRules', value: j.issuer,
          rule: `gateway ${e.gateway} validates this issuer and removes the token (forwardOriginalToken is false), so ${serviceKey(ref)}, whose rules require the token, never receives one`,
          hint: 'set forwardOriginalToken: true in the gateway\'s JwtRule',
          at: ra.source,
        });
      }
    }
  }
  return out;
}

function describe(rule: AuthorizationRuleIntent): string {
  const parts: string[] = [];
  if (rule.source?.requestPrincipals?.length) parts.push(`requestPrincipals ${rule.source.requestPrincipals.join(', ')}`);
  for (const c of rule.when) if (c.key.startsWith('request.auth.')) parts.push(c.key);
  return parts.join('; ');
}
