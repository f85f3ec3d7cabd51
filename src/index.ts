// The public API, by name. Everything not listed here is internal and may change without notice
// (`test/public-api.test.ts` pins this list; docs/extending.md explains the extension points).

// First: the library's own modules load from a V8 code cache when there is one (private/compile-cache.ts).
import './private/compile-cache-install';

// ---- Constructs -------------------------------------------------------------------------------
export { Mesh } from './mesh';
export type { IMeshMember, MeshProps, MeshTracingOptions, RenderedObjectFactory } from './mesh';
export { MeshNamespace } from './mesh-namespace';
export type { MeshNamespaceProps, PodSecurityAdmission } from './mesh-namespace';
export { AdoptedMeshNamespace } from './adopted-namespace';
export type { AdoptedNamespaceOptions, IMeshNamespace } from './adopted-namespace';
export { MeshService, WARN_OPEN_SERVICE_ELSEWHERE } from './mesh-service';
export type { IMeshService, MeshServiceAttributes, MeshServiceWorkloadsProps } from './mesh-service';
export { TracedService } from './traced-service';
export type { ContainerResources, OpenTelemetryOptions, ReadinessProbeOptions, ServiceVersion, SidecarResources, TracedServiceProps } from './traced-service';
export { meshServicePorts } from './service-port';
export type { MeshServicePort, ServicePort } from './service-port';
export { HostTraffic } from './host-traffic';
export { ServiceSecurity } from './service-security';
export type {
  AllowAllExceptOptions, AllowAnyCallerOptions, AllowOptions, DenyAllOptions, DenyOptions, ISecuredWorkload, OperationOptions, WorkloadAuthorizationIntent,
} from './service-security';
export { ZeroTrustPolicy, callGraphOf } from './zero-trust-policy';
export type { NamespaceSecurityOptions, RequireMtlsOptions, ZeroTrustPolicyProps } from './zero-trust-policy';
export { CanaryRoute, WARN_ANALYSIS_WITHOUT_METRICS, WARN_RETRIES_EXCEED_TIMEOUT } from './canary-route';
export { WARN_PREFIX_REWRITE_SEAM } from './rewrite-seam';
export type { AddRuleOptions, CanaryRouteProps, CanaryRule, RouteDelegation, RouteEffects, RouteMatch } from './canary-route';
export { DelegateRoute } from './delegate-route';
export type { DelegateRouteProps } from './delegate-route';
export { CircuitBreaker } from './circuit-breaker';
export type { CircuitBreakerProps } from './circuit-breaker';
export { LocalRateLimit } from './local-rate-limit';
export type { LocalRateLimitProps, RateLimitResponseHeader } from './local-rate-limit';
export { SidecarScope } from './sidecar-scope';
export type { SidecarScopeProps } from './sidecar-scope';
export { ControlPlane } from './control-plane';
export type { AccessLogOptions, ControlPlaneProps, DefaultProvidersOptions } from './control-plane';
export { Waypoint, HBONE_PORT, WAYPOINT_GATEWAY_CLASS } from './waypoint';
export type { WaypointProps } from './waypoint';
export { MeshReport, ISTIO_DEFAULT_PROXY_RESOURCES, SPANS_PER_REQUEST } from './mesh-report';
export type { MeshReportData, MeshReportProps, ProxyFigureSource, ProxyQuantity, RequestRate, ResourceFigures, WorkloadReport } from './mesh-report';
export { IngressGateway, IngressWorkload } from './ingress-gateway';
export type { DedicatedGatewayProps, DeployedGatewayProps, ExposeOptions, IExposableService, IngressGatewayProps } from './ingress-gateway';
export { ExternalService } from './external-service';
export type { ExternalServiceProps } from './external-service';
export { RequestAuthentication, WARN_TOKEN_NOT_REQUIRED } from './request-authentication';
export type { IJwtProtectedService, RequestAuthenticationProps } from './request-authentication';

// ---- App, output and errors -------------------------------------------------------------------
export { MeshApp, MeshChart, Artifact } from './mesh-app';
export type { ArtifactProps, MeshAppProps, MeshChartProps, SynthesizedFile } from './mesh-app';
export { MeshSynthError } from './mesh-synth-error';
export { MeshTesting } from './testing';
export type { MeshSynthResult } from './testing';
export { MeshConfigError } from './private/errors';
export { addWarning, addInfo } from './warnings';
export { toYaml, toYamlDocuments } from './synth/yaml';

// ---- Value objects (each converts itself with toIntent(), see IIntentConvertible) ------------
export type { IIntentConvertible } from './values/intent';
export { DataPlaneMode, RoutingApi } from './values/data-plane';
export { CustomTag } from './values/custom-tag';
export { ExtensionProvider } from './values/extension-provider';
export type { OpenTelemetryProviderOptions } from './values/extension-provider';
export { IstioProfile } from './values/istio-profile';
export { AccessLogEncoding } from './values/access-log';
export type { ProxyResources, ResourceQuantities } from './values/proxy-resources';
export { MtlsMode } from './values/mtls-mode';
export { AppProtocol } from './values/app-protocol';
export { HttpMethod } from './values/http-method';
export { PathMatch } from './values/path-match';
export { Condition, ConditionKey } from './values/condition';
export type { ConditionMatchOptions } from './values/condition';
export { ExternalIdentity } from './values/external-identity';
export type { ExternalServiceAccountProps } from './values/external-identity';
export { Risk } from './values/risk';
export { StringMatch, HeaderMatch } from './values/string-match';
export { RetryOn, RetryPolicy } from './values/retry-policy';
export type { RetryPolicyOptions } from './values/retry-policy';
export { Destination } from './values/destination';
export type { VersionWeight } from './values/destination';
export { ConnectionPool, H2UpgradePolicy } from './values/connection-pool';
export type { ConnectionPoolOptions, HttpPoolOptions, TcpPoolOptions } from './values/connection-pool';
export { OutlierDetection } from './values/outlier-detection';
export type { OutlierDetectionOptions } from './values/outlier-detection';
export { RateLimitDescriptor, TokenBucket, MIN_FILL_INTERVAL_MS } from './values/rate-limit';
export type { RateLimitDescriptorOptions, TokenBucketOptions } from './values/rate-limit';
export { EgressHost } from './values/egress-host';
export type { IEgressService } from './values/egress-host';
export { CanaryAnalysis } from './values/canary-analysis';
export type { AbTestingAnalysisOptions, AnalysisOptions, AnalysisSettings, WeightedAnalysisOptions } from './values/canary-analysis';
export { MetricCheck } from './values/metric-check';
export type { RequestDurationOptions, RequestSuccessRateOptions, TemplateMetricOptions } from './values/metric-check';
export { AnalysisWebhook, WebhookType } from './values/analysis-webhook';
export type { AnalysisWebhookOptions } from './values/analysis-webhook';
export { Fault } from './values/fault';
export type { FaultAbortOptions, FaultDelayOptions, FaultOptions } from './values/fault';
export { Mirror } from './values/mirror';
export type { MirrorOptions } from './values/mirror';
export { HeaderMutation } from './values/header-mutation';
export type { HeaderMutationOptions, HeaderOperations } from './values/header-mutation';
export { Rewrite } from './values/rewrite';
export type { RewriteOptions } from './values/rewrite';
export { DirectResponse, Redirect } from './values/redirect';
export type { DirectResponseOptions, RedirectOptions } from './values/redirect';
export { Cors } from './values/cors';
export type { CorsOptions } from './values/cors';
export { CertificateIssuer, GatewayTls } from './values/gateway-tls';
export type { GatewayCertificateOptions, MutualTlsOptions } from './values/gateway-tls';
export { JwtRule, RequestPrincipal } from './values/jwt';
export type { ClaimToHeader, JwtLocation, JwtRuleProps } from './values/jwt';
export { EgressGatewayMode, ExternalPort, PROXY_SYSTEM_CA_BUNDLE, Resolution, TlsOrigination } from './values/external-service-options';
export type { TlsOriginationOptions } from './values/external-service-options';
export { OutboundTrafficPolicy } from './values/outbound-traffic-policy';
export { RoutePath } from './values/route-path';
export type { PodSecurityOptions } from './values/pod-security';
export { DisruptionBudget, EnvKeyRef, Probe, Volume } from './values/workload';
export type {
  AutoscalingOptions, DisruptionBudgetEvictionOptions, DisruptionBudgetOptions, EmptyDirOptions, EnvKeyRefOptions, GrpcProbeOptions, HttpProbeOptions, KeyVolumeOptions, ProbeTimingOptions,
  TcpProbeOptions, TopologySpreadOptions, VersionWorkloadOptions, VolumeMountOptions, WorkloadOptions,
} from './values/workload';
export { LoadBalancer, RetryBudget, UpstreamTls } from './values/load-balancer';
export type { ConsistentHashOptions, LocalityDistribution, LocalityFailover, LocalityOptions, RetryBudgetOptions, UpstreamTlsOptions } from './values/load-balancer';

// ---- The mesh model: plain intent every construct writes (docs/architecture.md, docs/extending.md)
export { MeshIntentModel } from './model/model';
export type { AuthorizationRuleOptions, IIntentPolicy, IntentProblem, MeshModelData, MeshModelHooks, RouteOptions, TrafficPolicyWriteOptions } from './model/model';
export { identityRef, principalOf, serviceFqdn } from './model/identity';
export type { IdentityRef, IWorkloadIdentity, ServiceRef } from './model/identity';
export { MESH_OWNER, namespaceOwner, serviceOwner, sourceOwner } from './model/owners';
export type { DataPlaneName, ExtensionProviderIntent, MeshSettings, RoutingApiName, TracingIntent } from './model/settings';
export type {
  EnvVarIntent, NamespaceIntent, PodSecurityIntent, ProxyResourcesIntent, ResourceRequirementsIntent, ServiceIntent, ServicePortIntent, VersionIntent, WorkloadIntent,
} from './model/service';
export type { AutoscalingIntent, DisruptionBudgetIntent, EnvKeyRefIntent, ProbeIntent, TopologySpreadIntent, VolumeIntent } from './model/service';
export type {
  AnalysisWebhookIntent, HeaderMatchIntent, HostTrafficIntent, HostTrafficSources, HttpMatchIntent, HttpPoolIntent, HttpRuleIntent, LocalRateLimitIntent,
  MetricCheckIntent, Milliseconds, OutlierDetectionIntent, PolicyContribution, ProgressiveIntent, RateLimitDescriptorIntent, RetryIntent,
  RouteDefaultsIntent, RouteDestinationIntent, FaultIntent, MirrorIntent, HeaderOperationsIntent, HeaderMutationIntent, RewriteIntent,
  RedirectIntent, DirectResponseIntent, CorsIntent, DelegationEntryIntent, DelegateRouteIntent, ConsistentHashIntent, LocalityLbIntent, LoadBalancerIntent,
  UpstreamTlsIntent, RetryBudgetIntent, PortPolicyIntent, PortRouteIntent, StringMatchIntent, StringMatchKind, SubsetPolicyIntent, TcpPoolIntent, TokenBucketIntent, TrafficPolicyIntent,
} from './model/traffic';
export type {
  AuthorizationAction, AuthorizationRuleIntent, CallEdge, ConditionIntent, ConditionValue, MeshSecurityIntent, MtlsIntent, NamespaceSecurityIntent,
  OperationIntent, PathMatchIntent, PathMatchKind, SourceIntent, WorkloadSecurityIntent,
} from './model/security';
export type { EgressScopeIntent, WorkloadEgressIntent } from './model/egress';
export type {
  CertificateIntent, EdgeIntentData, EgressGatewayIntent, ExposedPathIntent, ExternalCallIntent, ExternalPortIntent, ExternalProtocol, ExternalServiceIntent,
  GatewayDeploymentIntent, GatewayExposureIntent, GatewayTlsIntent, GatewayWorkloadIntent, GatewayWorkloadKind, IngressGatewayIntent, IngressWorkloadRequest, JwtHeaderIntent,
  JwtRuleIntent, RequestAuthenticationIntent, RequestAuthenticationTarget, TlsOriginationIntent,
} from './model/edge';

// ---- Renderers: the types of `mesh.renderer` and `mesh.render()` ------------------------------
export { renderModel, WARN_AMBIENT_VIRTUAL_SERVICE } from './render';
export type { Manifest, MeshRenderer, RenderedObject, RenderNotice, RenderResult, RendererCapabilities } from './render';

// ---- Validation layer (docs/validation.md) ----------------------------------------------------
export { validateManifests, MeshValidator, celCoverage, Suppressions, Validation, SUPPRESS_ANNOTATION } from './validation';
export type { AnalyzerOptions, CelCoverage, CelRuntimeCounters, IstioMeshConfig, Suppression, ValidationChecks, ValidationOptions } from './validation';
export type { MeshExtensionProvider } from './rules/mesh-config';
export type { Finding, FindingLevel, IManifestValidator, SourcedManifest } from './validation/types';
export { checkTelemetryProviders, meshConfigProviderNames } from './validation/mesh-config';
export { CHECKS, checkInfo } from './validation/codes';
export type { CheckInfo } from './validation/codes';
export { MeshValidationPlugin } from './validation/plugin';
export type { MeshValidationPluginContext, MeshValidationPluginProps } from './validation/plugin';

// ---- Offline simulator (docs/simulator.md) ----------------------------------------------------
export { MeshSimulator } from './simulator/simulator';
export type { AuthzRequest, AuthzResult, DelegationResult, FaultEffect, HeaderChanges, MirrorEffect, RetryResult, RouteDestination, RouteRequest, RouteResult, ShadowDecision } from './simulator/types';
export { ManifestIndex } from './manifests';
export type { IndexedObject, ManifestIndexOptions, ManifestObject, Workload } from './manifests';
/** The typed views of manifest specs that `ManifestIndex` returns (VirtualServiceSpec, DestinationRuleSpec, …). */
export type * as ManifestTypes from './manifests/types';
export { loadManifestFiles, parseManifestText } from './simulator/load';
export type { MeshSimulatorOptions } from './simulator/load';
export { SimulatorError } from './simulator/match';
export { ISTIO_DEFAULT_RETRIES } from './simulator/destination';
export { GRAPH_FORMATS, meshGraph, renderGraph } from './simulator/graph';
export type { GraphCall, GraphDeny, GraphFormat, GraphService, GraphSplit, MeshGraph } from './simulator/graph';
export { installMeshMatchers, meshMatchers } from './simulator/jest';
export type { AuthzExpectation, MatcherAuthzRequest, MatcherDuration, MatcherIdentity, MatcherRouteRequest, MatcherService, MeshMatchers, RouteExpectation } from './simulator/jest';

// ---- Escape hatches: the classes `cdk8s import` generated from the pinned CRDs ------------------
// Istio 1.30.3
export * as networking from '../imports/networking.istio.io';
export * as security from '../imports/security.istio.io';
export * as telemetry from '../imports/telemetry.istio.io';
export * as extensions from '../imports/extensions.istio.io';
// Gateway API v1.5.1 (HTTPRoute, Gateway)
export * as gatewayApi from '../imports/gateway.networking.k8s.io';
// Flagger v1.44.0 (progressive delivery): the Canary the library emits
export * as flagger from '../imports/flagger.app';
// cert-manager v1.21.1: the Certificate an IngressGateway can write, for escape hatches.
export * as certManager from '../imports/cert-manager.io';
