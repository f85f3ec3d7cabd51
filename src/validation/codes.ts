/**
 * Every check of the validation layer: its code, level, what it checks and where the rule comes from.
 * docs/validation.md lists the same table (a test keeps them in step).
 */
import { FindingLevel } from './types';

/** One check. */
export interface CheckInfo {
  /** `CIxxxx` (ours) or `ISTxxxx` (Istio's analyzer code). */
  readonly code: string;
  /** The level findings of this check have. */
  readonly level: FindingLevel;
  /** What it checks, in one line. */
  readonly title: string;
  /** Where the rule comes from: istio-rules.md section, Istio code path, CRD schema, CEL, or ours. */
  readonly source: string;
}

const V = 'istio-rules.md §1, pkg/config/validation/validation.go';
const VSV = 'istio-rules.md §1, pkg/config/validation/virtualservice.go';
const AZ = 'istio-rules.md §2, pkg/config/analysis/analyzers/';

/** The checks, in code order. */
export const CHECKS: readonly CheckInfo[] = [
  { code: 'CI1000', level: 'info', title: 'apiVersion/kind not in the pinned schemas: only metadata checked', source: 'ours' },
  { code: 'CI1001', level: 'error', title: 'value breaks the CRD structural schema (type, enum, range, required, oneOf)', source: 'CRD openAPIV3Schema (ajv)' },
  { code: 'CI1002', level: 'error', title: 'unknown field (kubectl strict field validation)', source: 'CRD openAPIV3Schema, kubectl --validate=strict' },
  { code: 'CI1003', level: 'error', title: 'metadata: name required and a DNS subdomain (Service: DNS-1035 label, Namespace: DNS-1123 label), namespace a DNS label, valid label keys/values', source: 'API server object meta validation' },
  { code: 'CI1004', level: 'error', title: 'manifest without apiVersion or kind', source: 'API server' },
  { code: 'CI1005', level: 'error', title: 'a pinned API group that does not serve this kind at this version', source: 'CRD served versions' },
  { code: 'CI1006', level: 'error', title: 'YAML file does not parse (lint only)', source: 'ours' },
  { code: 'CI1007', level: 'error', title: 'two objects with the same group, kind, namespace and name in one set', source: 'ours (kubectl apply would let the later one overwrite the first)' },
  { code: 'CI1101', level: 'error', title: 'an x-kubernetes-validations CEL rule returned false (or errored on a missing field)', source: 'CRD x-kubernetes-validations (CEL), istio-rules.md §6' },
  { code: 'CI1102', level: 'warning', title: 'a CEL rule could not be evaluated (non-boolean result): never counted as a pass', source: 'istio-rules.md §6' },
  { code: 'CI1201', level: 'error', title: 'core kind breaks Kubernetes\' schema (Deployment, Service, ServiceAccount, Namespace, HPA v2, PDB v1, ConfigMap)', source: 'kubernetes-models (Kubernetes OpenAPI)' },
  { code: 'CI1202', level: 'warning', title: 'core kind not checked: the kubernetes-models validator could not be loaded', source: 'ours' },
  { code: 'CI2101', level: 'error', title: 'VirtualService: negative weight', source: VSV },
  { code: 'CI2102', level: 'error', title: 'VirtualService: several destinations whose weights total 0', source: VSV },
  { code: 'CI2103', level: 'error', title: 'VirtualService: route without destination (and no redirect/directResponse/delegate)', source: VSV },
  { code: 'CI2104', level: 'error', title: 'VirtualService: destination host `*` or not a valid host', source: VSV },
  { code: 'CI2105', level: 'error', title: 'VirtualService: host invalid (wildcard only in first label, DNS-1123, ≤255) or `*` bound to the mesh', source: VSV },
  { code: 'CI2106', level: 'error', title: 'VirtualService: duplicate host', source: VSV },
  { code: 'CI2107', level: 'error', title: 'VirtualService: none of http, tcp, tls', source: VSV },
  { code: 'CI2108', level: 'error', title: 'VirtualService: route combined with redirect or directResponse', source: VSV },
  { code: 'CI2109', level: 'error', title: 'VirtualService: mirrorPercentage outside 0..100', source: VSV },
  { code: 'CI2110', level: 'error', title: 'VirtualService: empty prefix match', source: VSV },
  { code: 'CI2111', level: 'error', title: 'VirtualService: regex empty, over 1024 characters, or not valid RE2 (re2js)', source: VSV },
  { code: 'CI2112', level: 'error', title: 'VirtualService: header name not an RFC 7230 token', source: VSV },
  { code: 'CI2113', level: 'error', title: 'VirtualService: duration (timeout, perTryTimeout, backoff, fixedDelay) under 1ms or finer than 1ms', source: V },
  { code: 'CI2114', level: 'info', title: 'VirtualService: header name not lowercase (lowercase is recommended)', source: VSV },
  { code: 'CI2115', level: 'error', title: 'VirtualService: subset name not a DNS-1123 label', source: VSV },
  { code: 'CI2116', level: 'error', title: 'port outside 1..65535 (destination, match, portLevelSettings)', source: V },
  { code: 'CI2117', level: 'error', title: 'VirtualService: retries attempts < 0, or attempts 0 with perTryTimeout/retryOn', source: VSV },
  { code: 'CI2118', level: 'error', title: 'VirtualService: retryOn has spaces, an unknown policy, or an unknown HTTP status', source: 'istio-rules.md §1, pilot/pkg/.../agent validation.go 940-998' },
  { code: 'CI2201', level: 'error', title: 'DestinationRule: host fails the wildcard-domain check', source: V },
  { code: 'CI2202', level: 'error', title: 'DestinationRule: subset name invalid or duplicated', source: V },
  { code: 'CI2203', level: 'error', title: 'DestinationRule: empty trafficPolicy or connectionPool', source: V },
  { code: 'CI2204', level: 'error', title: 'DestinationRule: negative connection-pool counter', source: V },
  { code: 'CI2205', level: 'error', title: 'DestinationRule: h2UpgradePolicy UPGRADE with useClientProtocol', source: V },
  { code: 'CI2206', level: 'error', title: 'DestinationRule: duration under 1ms or finer than 1ms', source: V },
  { code: 'CI2207', level: 'error', title: 'DestinationRule: maxEjectionPercent/minHealthPercent outside 0..100', source: 'istio-rules.md §1, validation.go 1086-1110' },
  { code: 'CI2208', level: 'error', title: 'DestinationRule: consecutive* counter not a uint32', source: 'istio-rules.md §1, validation.go 1086-1110' },
  { code: 'CI2209', level: 'error', title: 'DestinationRule: consecutiveLocalOriginFailures without splitExternalLocalOriginErrors', source: 'istio-rules.md §1, validation.go 1086-1110' },
  { code: 'CI2210', level: 'error', title: 'DestinationRule: subset label key or value invalid (syntax only; empty labels select every pod)', source: V },
  { code: 'CI2301', level: 'error', title: 'PeerAuthentication: mode not UNSET/DISABLE/PERMISSIVE/STRICT', source: V },
  { code: 'CI2302', level: 'error', title: 'PeerAuthentication: portLevelMtls without selector, or empty', source: V },
  { code: 'CI2303', level: 'error', title: 'PeerAuthentication: portLevelMtls key not a port 1..65535', source: V },
  { code: 'CI2401', level: 'error', title: 'AuthorizationPolicy: action not ALLOW/DENY/AUDIT/CUSTOM', source: 'istio-rules.md §1, validation.go 1404-1595' },
  { code: 'CI2402', level: 'error', title: 'AuthorizationPolicy: DENY or CUSTOM without rules', source: 'istio-rules.md §1, validation.go 1404-1595' },
  { code: 'CI2403', level: 'error', title: 'AuthorizationPolicy: CUSTOM without provider.name', source: 'istio-rules.md §1, validation.go 1404-1595' },
  { code: 'CI2404', level: 'error', title: 'AuthorizationPolicy: more than one of selector, targetRef, targetRefs', source: 'istio-rules.md §1, validation.go 1404-1595' },
  { code: 'CI2405', level: 'error', title: 'AuthorizationPolicy: present but empty from/to, or empty source/operation', source: 'istio-rules.md §1, validation.go 1404-1595' },
  { code: 'CI2406', level: 'error', title: 'AuthorizationPolicy: serviceAccounts with principals or namespaces', source: 'istio-rules.md §1, validation.go 1404-1595' },
  { code: 'CI2407', level: 'error', title: 'AuthorizationPolicy: empty string value', source: 'istio-rules.md §1, pkg/config/security/security.go' },
  { code: 'CI2408', level: 'error', title: 'AuthorizationPolicy: port not numeric or over 65535 (e.g. "*")', source: 'istio-rules.md §1, pkg/config/security/security.go' },
  { code: 'CI2409', level: 'error', title: 'AuthorizationPolicy: path template other than {*}/{**}, or {**} not last', source: 'istio-rules.md §1, pkg/config/security/security.go' },
  { code: 'CI2410', level: 'warning', title: 'AuthorizationPolicy: DENY rule with only HTTP attributes also denies TCP traffic', source: 'istio-rules.md §1' },
  { code: 'CI2411', level: 'error', title: 'AuthorizationPolicy: when key unknown or malformed (a[b])', source: 'istio-rules.md §1, pkg/config/security/security.go' },
  { code: 'CI2412', level: 'error', title: 'AuthorizationPolicy: when condition without values or notValues', source: 'istio-rules.md §1, pkg/config/security/security.go' },
  { code: 'CI2501', level: 'error', title: 'Telemetry: randomSamplingPercentage outside 0..100', source: V },
  { code: 'CI2502', level: 'error', title: 'Telemetry: customTag name empty, not exactly one of literal/header/environment, or empty value', source: V },
  { code: 'CI2503', level: 'error', title: 'Telemetry: empty provider name', source: V },
  { code: 'CI2601', level: 'error', title: 'IstioOperator: profile is not an Istio 1.30 profile (there is no `production`)', source: 'istio-rules.md §5' },
  { code: 'CI2602', level: 'error', title: 'mesh config: extension provider without a unique name, service not an FQDN or ns/host, or port outside 1..65535', source: 'istio-rules.md §5' },
  { code: 'CI2603', level: 'error', title: 'ConfigMap istio: key mesh is not valid YAML', source: 'istio-rules.md §5' },
  { code: 'IST0101', level: 'error', title: 'ReferencedResourceNotFound: destination host, host+subset, or AuthorizationPolicy namespace not in the set', source: AZ },
  { code: 'IST0102', level: 'info', title: 'NamespaceNotInjected: workload namespace has neither istio-injection=enabled nor istio.io/rev (nor ambient)', source: AZ },
  { code: 'IST0109', level: 'error', title: 'ConflictingMeshGatewayVirtualServiceHosts: two mesh VirtualServices share a host', source: AZ },
  { code: 'IST0110', level: 'error', title: 'ConflictingSidecarWorkloadSelectors: several Sidecars select one workload', source: AZ },
  { code: 'IST0111', level: 'error', title: 'MultipleSidecarsWithoutWorkloadSelectors: several selector-less Sidecars in a namespace', source: AZ },
  { code: 'IST0112', level: 'error', title: 'VirtualServiceDestinationPortSelectorRequired: no port and the Service has several', source: AZ },
  { code: 'IST0116', level: 'warning', title: 'DeploymentAssociatedToMultipleServices: conflicting protocols on one target port', source: AZ },
  { code: 'IST0118', level: 'info', title: 'PortNameIsNotUnderNamingConvention: Service port without appProtocol or protocol name prefix', source: AZ },
  { code: 'IST0127', level: 'warning', title: 'NoMatchingWorkloadsFound: AuthorizationPolicy selector matches no workload', source: AZ },
  { code: 'IST0130', level: 'warning', title: 'VirtualServiceUnreachableRule: rule after a match-less rule', source: AZ },
  { code: 'IST0131', level: 'info', title: 'VirtualServiceIneffectiveMatch: match duplicated or covered by an earlier one', source: AZ },
  { code: 'IST0137', level: 'warning', title: 'DeploymentConflictingPorts: one target port exposed on different Service ports', source: AZ },
  { code: 'IST0159', level: 'error', title: 'ConflictingTelemetryWorkloadSelectors: several Telemetry resources select one workload', source: AZ },
  { code: 'IST0160', level: 'error', title: 'MultipleTelemetriesWithoutWorkloadSelectors: several selector-less Telemetry resources in a namespace', source: AZ },
  { code: 'IST0173', level: 'error', title: 'DestinationRuleSubsetNotSelectPods: subset labels match no pod template of the Service', source: AZ },
  { code: 'IST0174', level: 'warning', title: 'UnknownDestinationRuleHost: DestinationRule host matches no Service or ServiceEntry', source: AZ },
  { code: 'CI3001', level: 'warning', title: 'workload pod template without `app` and `version` labels', source: 'istio-rules.md §2 (ours)' },
  { code: 'CI3002', level: 'error', title: 'AuthorizationPolicy principal/serviceAccount belongs to no ServiceAccount in the set and is not declared external', source: 'istio-rules.md §2 (ours)' },
  { code: 'CI3003', level: 'error', title: 'a route sends traffic to a subset with no pods (0 replicas or no matching Deployment)', source: 'istio-rules.md §2 (ours)' },
  { code: 'CI3004', level: 'error', title: 'Telemetry provider not an extensionProvider of the mesh config in the set (IstioOperator or ConfigMap istio)', source: 'istio-rules.md §1 Telemetry, §5 (ours: checkTelemetryProvidersInManifests)' },
  { code: 'CI9001', level: 'error', title: 'a suppression without a reason', source: 'ours' },
];

/** The check with this code, if any. */
export function checkInfo(code: string): CheckInfo | undefined {
  return CHECKS.find((c) => c.code === code);
}
