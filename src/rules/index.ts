/**
 * Every Istio and Kubernetes rule, stated once. Value-object factories and constructs (at construct
 * time, through `check`), the validation layer (over manifests) and the simulator call these same
 * functions; `test/rules/agreement.test.ts` feeds factories and validators the same inputs and
 * asserts they agree.
 *
 * A rule is a function from a value to the rule text it breaks, or undefined when the value is
 * fine. Each file names the Istio (1.30.3) or Kubernetes source it follows.
 */
export * from './annotations';
export * from './authz';
export * from './authz-match';
export * from './duration';
export * from './hosts';
export * from './http';
export * from './ip';
export * from './kinds';
export * from './labels';
export * from './mesh-config';
export * from './names';
export * from './numbers';
export * from './ports';
export * from './quantity';
export * from './regex';
export * from './spiffe';
export * from './protocol';
export * from './envoy';
export * from './route';
export * from './tls';
export * from './traffic-policy';
export * from './workload';
export * from './pod-security';
export * from './delegation';
export * from './route-action';
export * from './workload-spec';
