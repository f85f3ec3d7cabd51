import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AllowOptions, CanaryAnalysis, CanaryRoute, CircuitBreaker, ConnectionPool, Destination, HostTraffic, HttpMethod, IMeshService, IWorkloadIdentity, LocalRateLimit,
  Mesh, MeshNamespace, MeshService, MtlsMode, OutlierDetection, serviceOwner, ServiceSecurity, SidecarScope, TokenBucket, TracedService, ZeroTrustPolicy,
} from '../src';
import { meshChart, one, service, synth } from './helpers';

/** GIVEN `production` holding a Service and two Deployments written with cdk8s-plus. */
function plusWorkloads(chart: Construct, options: { version2Label?: boolean; serviceAccount?: boolean; portName?: string } = {}) {
  const sa = options.serviceAccount === false ? undefined : new kplus.ServiceAccount(chart, 'ReviewsSa', { metadata: { name: 'reviews', namespace: 'production' } });
  const deployment = (version: string, labelled: boolean) => {
    const d = new kplus.Deployment(chart, `Reviews${version}`, {
      metadata: { name: `reviews-${version}`, namespace: 'production' },
      replicas: 2,
      serviceAccount: sa,
      containers: [{ image: `registry.example.com/reviews:${version}`, portNumber: 9080, securityContext: { ensureNonRoot: false } }],
    });
    d.podMetadata.addLabel('app', 'reviews');
    if (labelled) d.podMetadata.addLabel('version', version);
    return d;
  };
  const v1 = deployment('v1', true);
  const v2 = deployment('v2', options.version2Label !== false);
  const svc = new kplus.Service(chart, 'ReviewsService', {
    metadata: { name: 'reviews', namespace: 'production' },
    ports: [{ port: 9080, targetPort: 9080, name: options.portName ?? 'http' }],
  });
  svc.selectLabel('app', 'reviews');
  return { v1, v2, svc };
}

describe('MeshService.fromWorkloads (cdk8s-plus)', () => {
  test('adopts labels, port, ServiceAccount and replicas, and emits only mesh objects', () => {
    // GIVEN a cdk8s-plus Service and two Deployments
    const { chart, ns } = meshChart();
    const { v1, v2, svc } = plusWorkloads(chart);
    // WHEN they are adopted, routed and protected
    const reviews = MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [v1, v2] });
    const caller = service(chart, ns, 'productpage');
    new CanaryRoute(chart, 'Route', { service: reviews, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
    new CircuitBreaker(chart, 'Breaker', { service: reviews, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }) });
    reviews.allowFrom(caller, { methods: [HttpMethod.GET] });
    // THEN the mesh knows the service as the objects say
    expect(reviews).toMatchObject({ name: 'reviews', namespace: 'production', port: 9080, portName: 'http', serviceAccountName: 'reviews', versions: ['v1', 'v2'] });
    expect(reviews.replicasOf('v2')).toBe(2);
    const objects = synth(chart);
    expect(one(objects, 'VirtualService', 'reviews').spec.http[0].route).toMatchObject([{ destination: { subset: 'v1' }, weight: 90 }, { destination: { subset: 'v2' }, weight: 10 }]);
    expect(one(objects, 'DestinationRule', 'reviews').spec).toMatchObject({ subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
    expect(one(objects, 'AuthorizationPolicy', 'reviews-allow').spec).toMatchObject({
      selector: { matchLabels: { app: 'reviews' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/productpage'] } }] }],
    });
    // AND the app's own objects are the only Service and Deployments of reviews
    expect(objects.filter((o) => o.kind === 'Service' && o.metadata.name === 'reviews')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('reviews')).map((o) => o.metadata.name)).toEqual(['reviews-v1', 'reviews-v2']);
  });

  test('a Deployment without a version label is refused, naming it', () => {
    const { chart, ns } = meshChart();
    const { v1, v2, svc } = plusWorkloads(chart, { version2Label: false });
    expect(() => MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [v1, v2] }))
      .toThrow(/\[test\/Reviews\] props\.deployments\[1\]: "?Deployment reviews-v2 \(test\/Reviewsv2.*\)"? is invalid: its pod template has no version label.*Hint: label the pod template/);
  });

  test('pods on the namespace default ServiceAccount are refused', () => {
    const { chart, ns } = meshChart();
    const { v1, svc } = plusWorkloads(chart, { serviceAccount: false });
    expect(() => MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [v1] }))
      .toThrow(/props\.deployments\[0\].*default ServiceAccount/);
  });

  test('a port without an HTTP protocol name is refused', () => {
    const { chart, ns } = meshChart();
    const { v1, svc } = plusWorkloads(chart, { portName: 'web' });
    expect(() => MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [v1] }))
      .toThrow(/props\.service: "web" is invalid: Istio picks a port's protocol/);
  });
});

describe('MeshService.fromWorkloads (raw ApiObjects)', () => {
  /** A raw Service and Deployment, as `Include` or a rendered Helm chart gives them. */
  function raw(chart: Construct, podLabels: Record<string, string>, serviceNamespace = 'production') {
    const svc = new ApiObject(chart, 'RatingsSvc', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'ratings', namespace: serviceNamespace },
      spec: { selector: { app: 'ratings' }, ports: [{ name: 'http-api', port: 80, targetPort: 9080 }] },
    });
    const dep = new ApiObject(chart, 'RatingsV1', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ratings-v1', namespace: 'production' },
      spec: { selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec: { serviceAccountName: 'ratings', containers: [{ name: 'ratings', image: 'r/ratings:1.0' }] } } },
    });
    return { svc, dep };
  }

  test('a Service on port 80 with a named http port maps to targetPort 9080', () => {
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart, { app: 'ratings', version: 'v1' });
    const ratings = MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] });
    const intent = ratings.mesh.model.service(ratings.ref)!;
    expect(intent).toMatchObject({ ports: [{ name: 'http-api', port: 80, targetPort: 9080 }], selector: { app: 'ratings' }, serviceAccount: 'ratings' });
    expect(intent.workload).toBeUndefined();
    expect(ratings.replicasOf('v1')).toBe(1);
  });

  test('pods the Service does not select are refused', () => {
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart, { app: 'rating', version: 'v1' });
    expect(() => MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] }))
      .toThrow(/lack the Service selector label\(s\) app=ratings/);
  });

  test('a Service in another namespace is refused', () => {
    const { chart, ns } = meshChart();
    const { svc, dep } = raw(chart, { app: 'ratings', version: 'v1' }, 'staging');
    expect(() => MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: svc, deployments: [dep] }))
      .toThrow(/the Service is in namespace staging, not in production/);
  });

  test('something that is not a Service is refused', () => {
    const { chart, ns } = meshChart();
    const { dep } = raw(chart, { app: 'ratings', version: 'v1' });
    expect(() => MeshService.fromWorkloads(chart, 'Ratings', { namespace: ns, service: dep, deployments: [dep] }))
      .toThrow(/props\.service: .* is invalid: must be a Service/);
  });
});

describe('MeshService.fromAttributes (deployed by Helm or another repository)', () => {
  test('only mesh objects are emitted: route, breaker, policy, mTLS, rate limit and Sidecar', () => {
    // GIVEN a Helm-deployed payments service known by its attributes
    const { chart, mesh, ns } = meshChart();
    const payments = MeshService.fromAttributes(chart, 'Payments', { namespace: 'production', mesh, name: 'payments', serviceAccount: 'payments-sa', port: 8443, portName: 'http2-api', versions: ['v1', 'v2'] });
    const order = service(chart, ns, 'order-service');
    // WHEN every traffic and security construct takes it
    new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.version('v1') });
    new CircuitBreaker(chart, 'Breaker', { service: payments, version: 'v2', connectionPool: ConnectionPool.of({ tcp: { maxConnections: 10 } }) });
    new LocalRateLimit(chart, 'Limit', { service: payments, tokenBucket: TokenBucket.of({ maxTokens: 10, tokensPerFill: 10, fillInterval: Duration.seconds(1) }) });
    payments.allowFrom(order);
    order.allowFrom(payments);
    new ZeroTrustPolicy(chart, 'Zt', { mesh }).requireMtls(payments, MtlsMode.STRICT);
    new SidecarScope(chart, 'Scope', { mesh, services: [payments] });
    const objects = synth(chart);
    // THEN the mesh objects name its host, identity and pods
    expect(one(objects, 'VirtualService', 'payments').spec.hosts).toEqual(['payments']);
    expect(one(objects, 'DestinationRule', 'payments').spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }]);
    expect(one(objects, 'PeerAuthentication', 'payments').spec).toMatchObject({ selector: { matchLabels: { app: 'payments' } }, mtls: { mode: 'STRICT' } });
    expect(one(objects, 'AuthorizationPolicy', 'order-service-allow').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/production/sa/payments-sa']);
    expect(one(objects, 'EnvoyFilter').spec.workloadSelector.labels).toEqual({ app: 'payments' });
    expect(one(objects, 'Sidecar').spec.workloadSelector.labels).toEqual({ app: 'payments' });
    // AND never its Deployment, Service or ServiceAccount
    expect(objects.filter((o) => ['Deployment', 'Service', 'ServiceAccount'].includes(o.kind) && /payments/.test(o.metadata.name))).toEqual([]);
  });

  test('a namespace given by name needs the mesh, and must be a namespace name workloads may use', () => {
    const { chart } = meshChart();
    expect(() => MeshService.fromAttributes(chart, 'Payments2', { namespace: 'production', name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1'] }))
      .toThrow(/attrs\.mesh: .* is invalid: a namespace given by name needs the mesh/);
  });

  test.each([
    [{ port: 0 }, /attrs\.port: 0/],
    [{ port: 65536 }, /attrs\.port: 65536/],
    [{ versions: [] }, /attrs\.versions/],
    [{ versions: ['v1', 'v1'] }, /attrs\.versions\[1\]: "v1" is invalid: versions must be unique/],
    [{ versions: ['V1'] }, /attrs\.versions\[0\]/],
    [{ serviceAccount: 'Bad_SA' }, /attrs\.serviceAccount/],
    [{ portName: 'tcp' }, /attrs\.portName: "tcp" is invalid: Istio picks a port's protocol/],
  ])('bad attributes %p are refused', (bad, message) => {
    const { chart, ns } = meshChart();
    expect(() => MeshService.fromAttributes(chart, 'Payments', { namespace: ns, name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1'], ...bad } as any)).toThrow(message);
  });

  test('ports 1 and 65535 are accepted', () => {
    const { chart, ns } = meshChart();
    expect(MeshService.fromAttributes(chart, 'A', { namespace: ns, name: 'a', serviceAccount: 'a', port: 1, versions: ['v1'] }).port).toBe(1);
    expect(MeshService.fromAttributes(chart, 'B', { namespace: ns, name: 'b', serviceAccount: 'b', port: 65535, versions: ['v1'] }).port).toBe(65535);
  });

  test('progressive delivery of a service deployed elsewhere is refused (Flagger needs its Deployment)', () => {
    const { chart, ns } = meshChart();
    const payments = MeshService.fromAttributes(chart, 'Payments', { namespace: ns, name: 'payments', serviceAccount: 'payments', port: 8080, versions: ['v1', 'v2'] });
    expect(() => new CanaryRoute(chart, 'Route', { service: payments, defaultDestination: Destination.version('v1'), progressive: CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50 }) }))
      .toThrow(/props\.progressive: .* is invalid: Flagger takes over the Deployment of the canary version/);
  });
});

describe('constructs take any IMeshService', () => {
  test('a service of your own that declares itself in mesh.model is routed', () => {
    // GIVEN a consumer's own IMeshService implementation (the model is the contract)
    class LegacyService extends Construct implements IMeshService {
      public readonly mesh: Mesh;
      public readonly name = 'legacy';
      public readonly namespace: string;
      public readonly serviceAccountName = 'legacy';
      public readonly versions = ['v1'];
      public readonly traffic: HostTraffic;
      public readonly security: ServiceSecurity;
      constructor(scope: Construct, id: string, ns: MeshNamespace) {
        super(scope, id);
        this.mesh = ns.mesh;
        this.namespace = ns.name;
        this.mesh.model.addService({
          name: this.name, namespace: this.namespace, serviceAccount: this.serviceAccountName, source: this.node.path,
          ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'legacy' },
          versions: [{ name: 'v1', replicas: 1, podLabels: { app: 'legacy', version: 'v1' } }],
        });
        this.mesh.registerOwner(serviceOwner(this.ref), this);
        this.mesh.addMember(this);
        this.traffic = new HostTraffic(this.mesh, this.ref);
        this.security = new ServiceSecurity(this);
      }
      public get identityNamespace() { return this.namespace; }
      public get ref() { return { namespace: this.namespace, name: this.name }; }
      public allowFrom(caller: IWorkloadIdentity, options?: AllowOptions) { this.security.allowFrom(caller, options); }
    }
    const { chart, ns } = meshChart();
    const legacy = new LegacyService(chart, 'Legacy', ns);
    // WHEN a route takes it
    new CanaryRoute(chart, 'Route', { service: legacy, defaultDestination: Destination.version('v1') });
    // THEN its VirtualService is emitted
    expect(one(synth(chart), 'VirtualService', 'legacy').spec.http[0].route[0].destination).toEqual({ host: 'legacy', subset: 'v1' });
  });

  test('an object that is not declared in the mesh model is refused, naming the property', () => {
    const { chart } = meshChart();
    expect(() => new CircuitBreaker(chart, 'Breaker', { service: { name: 'x', namespace: 'production' } as any, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }) }))
      .toThrow(/\[test\/Breaker\] props\.service: .* is invalid: must be a service of the mesh.*Hint: adopt a service deployed another way with MeshService\.fromWorkloads/);
  });
});

describe('composition: a wrapper with a TracedService', () => {
  /** A platform team's wrapper: one TracedService with id `Default`. */
  class StandardService extends Construct {
    public readonly service: TracedService;
    constructor(scope: Construct, id: string, ns: MeshNamespace, name?: string) {
      super(scope, id);
      this.service = new TracedService(this, 'Default', { namespace: ns, name, imageRepository: 'registry.example.com/app', versions: [{ name: 'v1' }] });
    }
  }

  test('id Default takes its name from the wrapper, so the wrapper can be used twice', () => {
    const { chart, ns } = meshChart();
    const catalog = new StandardService(chart, 'Catalog', ns);
    const reviews = new StandardService(chart, 'Reviews', ns);
    expect([catalog.service.name, reviews.service.name]).toEqual(['catalog', 'reviews']);
    const deployments = synth(chart).filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments).toEqual(['catalog-v1', 'reviews-v1']);
  });

  test('a name clash is reported where the second service is created, naming both paths', () => {
    const { chart, ns } = meshChart();
    new StandardService(chart, 'Catalog', ns, 'shop');
    expect(() => new StandardService(chart, 'Reviews', ns, 'shop'))
      .toThrow(/\[test\/Reviews\/Default\] name: "shop" is invalid: service production\/shop is already declared by test\/Catalog\/Default/);
  });

});
