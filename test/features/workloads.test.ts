import { Duration } from 'cdk8s';
import { CanaryAnalysis, CanaryRoute, Destination, DisruptionBudget, EnvKeyRef, Probe, Volume } from '../../src';
import { podSecurityRestrictedViolations } from '../../src/rules/pod-security';
import { validateManifests } from '../../src/validation';
import { meshChart, one, service, synth } from '../helpers';

/** Issue 18 item 3: probes, volumes, key-sourced env, command/args, HPA, PDB, zone spread. */

function podOf(d: any) {
  return { metadata: d.spec.template.metadata, spec: d.spec.template.spec };
}

describe('probes', () => {
  test('GIVEN liveness and startup probes of each handler THEN rendered on the container, portless handlers on the primary port', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', {
      livenessProbe: Probe.httpGet('/healthz', { period: Duration.seconds(15), failureThreshold: 4 }),
      startupProbe: Probe.tcp({ period: Duration.seconds(2), failureThreshold: 30 }),
    });
    service(chart, ns, 'b', { port: 9090, portName: 'grpc', livenessProbe: Probe.grpc({ service: 'catalog.v1' }), startupProbe: Probe.exec(['/bin/check', '--ready']) });
    const objects = synth(chart);
    expect(one(objects, 'Deployment', 'a-v1').spec.template.spec.containers[0]).toMatchObject({
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 15, failureThreshold: 4 },
      startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2, failureThreshold: 30 },
    });
    expect(one(objects, 'Deployment', 'b-v1').spec.template.spec.containers[0]).toMatchObject({
      livenessProbe: { grpc: { port: 9090, service: 'catalog.v1' } },
      startupProbe: { exec: { command: ['/bin/check', '--ready'] } },
    });
  });

  test('GIVEN a version with its own liveness probe THEN it overrides the service one for that version only; a bad one is refused', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { livenessProbe: Probe.httpGet('/healthz'), versions: [{ name: 'v1' }, { name: 'v2', livenessProbe: Probe.httpGet('/livez') }] });
    const objects = synth(chart);
    expect(one(objects, 'Deployment', 'a-v1').spec.template.spec.containers[0].livenessProbe.httpGet.path).toBe('/healthz');
    expect(one(objects, 'Deployment', 'a-v2').spec.template.spec.containers[0].livenessProbe.httpGet.path).toBe('/livez');
    expect(() => service(chart, ns, 'b', { versions: [{ name: 'v1', startupProbe: Probe.tcp({ successThreshold: 3 }) }] })).toThrow(/props\.versions\[0\]\.startupProbe\.successThreshold: 3/);
  });

  test.each([
    ['period 0s', () => Probe.tcp({ period: Duration.seconds(0) }), /Probe\.tcp\] options\.period: 0 is invalid: periodSeconds must be an integer in 1\.\.2147483647/],
    ['timeout 0s', () => Probe.tcp({ timeout: Duration.seconds(0) }), /timeoutSeconds must be an integer in 1\.\./],
    ['failureThreshold 0', () => Probe.tcp({ failureThreshold: 0 }), /failureThreshold must be an integer in 1\.\./],
    ['failureThreshold past int32', () => Probe.tcp({ failureThreshold: 2147483648 }), /failureThreshold must be an integer in 1\.\.2147483647/],
    ['a sub-second period', () => Probe.tcp({ period: Duration.millis(1500) }), /whole seconds/],
    ['port 0', () => Probe.httpGet('/h', { port: 0 }), /options\.port: 0 .*1\.\.65535/],
    ['port 65536', () => Probe.grpc({ port: 65536 }), /options\.port: 65536/],
    ['a relative path', () => Probe.httpGet('healthz'), /path: "healthz" .*start with '\/'/],
    ['an empty command', () => Probe.exec([]), /command.*non-empty list/],
  ])('GIVEN a probe with %s THEN refused where written', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('GIVEN the bounds (period 1s, failureThreshold 2147483647, initialDelay 0s, ports 1 and 65535) THEN accepted', () => {
    expect(() => Probe.tcp({ period: Duration.seconds(1), failureThreshold: 2147483647, initialDelay: Duration.seconds(0), port: 1 })).not.toThrow();
    expect(() => Probe.grpc({ port: 65535 })).not.toThrow();
  });

  test('GIVEN successThreshold 2 on a liveness or startup probe THEN refused (the API server requires 1); 1 is accepted', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { livenessProbe: Probe.httpGet('/h', { successThreshold: 2 }) })).toThrow(/\[test\/a\] props\.livenessProbe\.successThreshold: 2 is invalid: successThreshold must be 1 for a liveness probe/);
    expect(() => service(chart, ns, 'b', { startupProbe: Probe.tcp({ successThreshold: 2 }) })).toThrow(/props\.startupProbe\.successThreshold: 2 .*startup probe/);
    service(chart, ns, 'c', { livenessProbe: Probe.httpGet('/h', { successThreshold: 1 }) });
    expect(one(synth(chart), 'Deployment', 'c-v1').spec.template.spec.containers[0].livenessProbe.successThreshold).toBe(1);
  });
});

describe('volumes', () => {
  test('GIVEN a Secret, a ConfigMap and an emptyDir THEN pod volumes and mounts; Secret/ConfigMap read-only; the pod stays "restricted"', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', {
      podSecurity: { readOnlyRootFilesystem: true },
      volumes: [
        { volume: Volume.fromSecret('tls', 'a-tls', { items: { 'tls.crt': 'cert.pem' } }), mountPath: '/etc/tls' },
        { volume: Volume.fromConfigMap('config', 'a-config'), mountPath: '/etc/a' },
        { volume: Volume.emptyDir('tmp', { memory: true, sizeLimit: '64Mi' }), mountPath: '/tmp' },
      ],
    });
    const d = one(synth(chart), 'Deployment', 'a-v1');
    expect(d.spec.template.spec.volumes).toEqual([
      { name: 'tls', secret: { secretName: 'a-tls', items: [{ key: 'tls.crt', path: 'cert.pem' }] } },
      { name: 'config', configMap: { name: 'a-config' } },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    ]);
    expect(d.spec.template.spec.containers[0].volumeMounts).toEqual([
      { name: 'tls', mountPath: '/etc/tls', readOnly: true },
      { name: 'config', mountPath: '/etc/a', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(podSecurityRestrictedViolations(podOf(d))).toEqual([]);
  });

  test.each([
    ['a writable Secret mount', [{ volume: Volume.fromSecret('s', 'x'), mountPath: '/s', readOnly: false }], /props\.volumes\[0\]\.readOnly: false .*always mounted read-only/],
    ['a relative mount path', [{ volume: Volume.emptyDir('t'), mountPath: 'tmp' }], /props\.volumes\[0\]\.mountPath: "tmp" .*absolute path/],
    ["a '..' mount path", [{ volume: Volume.emptyDir('t'), mountPath: '/a/../etc' }], /mountPath: "\/a\/\.\.\/etc"/],
    ['the root as mount path', [{ volume: Volume.emptyDir('t'), mountPath: '/' }], /mountPath: "\/"/],
    ['two volumes of one name', [{ volume: Volume.emptyDir('t'), mountPath: '/a' }, { volume: Volume.emptyDir('t'), mountPath: '/b' }], /props\.volumes\[1\]\.volume: "t" .*unique/],
    ['two mounts at one path', [{ volume: Volume.emptyDir('t'), mountPath: '/a' }, { volume: Volume.emptyDir('u'), mountPath: '/a' }], /props\.volumes\[1\]\.mountPath: "\/a" .*unique/],
  ])('GIVEN %s THEN refused', (_what, volumes, message) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { volumes: volumes as any })).toThrow(message);
  });

  test.each([
    ['a volume Istio injects', () => Volume.emptyDir('istio-envoy'), /name: "istio-envoy" .*Istio sidecar injector adds/],
    ['a name that is no DNS-1123 label', () => Volume.emptyDir('Tmp'), /name: "Tmp" .*volume name/],
    ['a bad Secret name', () => Volume.fromSecret('s', 'Bad_Name'), /secretName: "Bad_Name"/],
    ['a bad key', () => Volume.fromConfigMap('c', 'cm', { items: { 'a b': 'x' } }), /options\.items: "a b"/],
    ['an absolute item path', () => Volume.fromConfigMap('c', 'cm', { items: { k: '/etc/k' } }), /options\.items\.k: "\/etc\/k" .*relative/],
    ['a bad size limit', () => Volume.emptyDir('t', { sizeLimit: '64 Mi' }), /options\.sizeLimit/],
  ])('GIVEN %s THEN the Volume factory refuses it', (_what, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('env from Secret/ConfigMap keys, command and args', () => {
  test('GIVEN envFromKeys THEN valueFrom refs after the literal env, sorted; no value in the manifest', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { env: { LOG_LEVEL: 'info' }, envFromKeys: { DB_PASSWORD: EnvKeyRef.secret('a-db', 'password'), FEATURE_FLAGS: EnvKeyRef.configMap('a-flags', 'flags.json', { optional: true }) } });
    const env = one(synth(chart), 'Deployment', 'a-v1').spec.template.spec.containers[0].env;
    expect(env.slice(-3)).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'a-db', key: 'password' } } },
      { name: 'FEATURE_FLAGS', valueFrom: { configMapKeyRef: { name: 'a-flags', key: 'flags.json', optional: true } } },
    ]);
  });

  test('GIVEN a key-sourced variable that env or TracedService already sets, or a bad key THEN refused', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { env: { X: '1' }, envFromKeys: { X: EnvKeyRef.secret('s', 'k') } })).toThrow(/props\.envFromKeys: "X" .*already set/);
    expect(() => service(chart, ns, 'b', { envFromKeys: { SERVICE_PORT: EnvKeyRef.secret('s', 'k') } })).toThrow(/"SERVICE_PORT" .*already set/);
    expect(() => service(chart, ns, 'c', { envFromKeys: { 'A=B': EnvKeyRef.secret('s', 'k') } })).toThrow(/props\.envFromKeys: "A=B"/);
    expect(() => EnvKeyRef.secret('s', '..')).toThrow(/key: "\.\." .*must not be/);
  });

  test('GIVEN command/args on the service and a version override THEN each Deployment has its own', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { command: ['/app/server'], args: ['--port=8080'], versions: [{ name: 'v1' }, { name: 'v2', args: ['--port=8080', '--new-cache'] }] });
    const objects = synth(chart);
    expect(one(objects, 'Deployment', 'a-v1').spec.template.spec.containers[0]).toMatchObject({ command: ['/app/server'], args: ['--port=8080'] });
    expect(one(objects, 'Deployment', 'a-v2').spec.template.spec.containers[0]).toMatchObject({ command: ['/app/server'], args: ['--port=8080', '--new-cache'] });
  });

  test('GIVEN an empty command THEN refused (it would silently mean the image default)', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { command: [] })).toThrow(/props\.command: \[\] is invalid: must be a non-empty list/);
    expect(() => service(chart, ns, 'b', { versions: [{ name: 'v1', args: [] }] })).toThrow(/props\.versions\[0\]\.args/);
  });
});

describe('HorizontalPodAutoscaler', () => {
  test('GIVEN autoscaling THEN one autoscaling/v2 HPA per version, the Deployment has no replicas, and the version counts minReplicas', () => {
    const { chart, ns } = meshChart();
    const a = service(chart, ns, 'a', { autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70, memoryUtilization: 85 } });
    const objects = synth(chart);
    expect(one(objects, 'HorizontalPodAutoscaler', 'a-v1')).toMatchObject({
      apiVersion: 'autoscaling/v2',
      metadata: { namespace: 'production' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a-v1' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 85 } } },
        ],
      },
    });
    expect(one(objects, 'Deployment', 'a-v1').spec.replicas).toBeUndefined();
    expect(a.replicasOf('v1')).toBe(2);
  });

  test('GIVEN an autoscaled version and a fixed one THEN autoscalerOf/disruptionBudgetOf hand out the objects that exist, undefined for the others', () => {
    const { chart, ns } = meshChart();
    const a = service(chart, ns, 'a', { replicas: 1, autoscaling: { maxReplicas: 4 }, disruptionBudget: {}, versions: [{ name: 'v1' }, { name: 'v2', autoscaling: false }] });
    a.autoscalerOf('v1')!.metadata.addLabel('team', 'catalog');
    expect(a.autoscalerOf('v2')).toBeUndefined();
    expect(a.disruptionBudgetOf('v1')?.kind).toBe('PodDisruptionBudget');
    expect(a.disruptionBudgetOf('v2')).toBeUndefined();
    expect(one(synth(chart), 'HorizontalPodAutoscaler', 'a-v1').metadata.labels).toMatchObject({ app: 'a', version: 'v1', team: 'catalog' });
  });

  test('GIVEN autoscaling with no target THEN CPU at 80%, the Kubernetes default, stated explicitly', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { autoscaling: { maxReplicas: 4 } });
    expect(one(synth(chart), 'HorizontalPodAutoscaler', 'a-v1').spec).toMatchObject({ minReplicas: 2, metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 80 } } }] });
  });

  test.each([
    [{ minReplicas: 0, maxReplicas: 3 }, /autoscaling\.minReplicas: 0 .*1\.\.2147483647/],
    [{ minReplicas: 3, maxReplicas: 2 }, /autoscaling\.maxReplicas: 2 .*at least minReplicas \(3\)/],
    [{ maxReplicas: 3, cpuUtilization: 0 }, /autoscaling\.cpuUtilization: 0 .*at least 1/],
    [{ maxReplicas: 3, memoryUtilization: 1.5 }, /autoscaling\.memoryUtilization: 1\.5/],
  ])('GIVEN autoscaling %p THEN refused', (autoscaling, message) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { autoscaling })).toThrow(message);
  });

  test('GIVEN the bounds (minReplicas 1, maxReplicas = minReplicas, utilization 1) THEN accepted', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { autoscaling: { minReplicas: 1, maxReplicas: 1, cpuUtilization: 1 } });
    expect(one(synth(chart), 'HorizontalPodAutoscaler', 'a-v1').spec).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
  });

  test('GIVEN fixed replicas on an autoscaled version, or service replicas no version uses THEN refused; autoscaling: false keeps a version fixed', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { autoscaling: { maxReplicas: 5 }, versions: [{ name: 'v1', replicas: 3 }] })).toThrow(/props\.versions\[0\]\.replicas: 3 .*belong to its HorizontalPodAutoscaler/);
    expect(() => service(chart, ns, 'b', { replicas: 3, autoscaling: { maxReplicas: 5 } })).toThrow(/props\.replicas: 3 .*every version is autoscaled/);
    const c = service(chart, ns, 'c', { replicas: 1, autoscaling: { maxReplicas: 5 }, versions: [{ name: 'v1' }, { name: 'v2', autoscaling: false }] });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.metadata.name)).toEqual(['c-v1']);
    expect(one(objects, 'Deployment', 'c-v2').spec.replicas).toBe(1);
    expect([c.replicasOf('v1'), c.replicasOf('v2')]).toEqual([2, 1]);
  });

  test('GIVEN a split onto an autoscaled version THEN accepted: it always runs minReplicas >= 1 pods', () => {
    const { chart, ns } = meshChart();
    const a = service(chart, ns, 'a', { versions: [{ name: 'v1' }, { name: 'v2', replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas: 3 } }] });
    new CanaryRoute(chart, 'Route', { service: a, defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]) });
    expect(one(synth(chart), 'VirtualService', 'a')).toBeDefined();
  });

  test('GIVEN a progressive route for an autoscaled service THEN refused (Flagger must drive the HPA)', () => {
    const { chart, ns } = meshChart();
    const a = service(chart, ns, 'a', { versions: [{ name: 'v1' }, { name: 'v2' }], autoscaling: { maxReplicas: 5 } });
    expect(() => new CanaryRoute(chart, 'Route', {
      service: a,
      defaultDestination: Destination.version('v1'),
      progressive: CanaryAnalysis.weighted({ interval: Duration.minutes(1), threshold: 5, stepWeight: 10, maxWeight: 50 }),
    })).toThrow(/progressive: "autoscaling" .*Flagger must drive itself/);
  });
});

describe('PodDisruptionBudget (by default with 2 or more pods)', () => {
  test('GIVEN no disruptionBudget THEN maxUnavailable 1 over exactly the pods of each version with 2 or more pods, none for 1 or 0 pods', () => {
    // GIVEN versions of 3, 2, 1 and 0 pods
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { replicas: 3, versions: [{ name: 'v1' }, { name: 'v2', replicas: 2 }, { name: 'v3', replicas: 1 }, { name: 'v4', replicas: 0 }] });
    // WHEN synthesized
    const pdbs = synth(chart).filter((o) => o.kind === 'PodDisruptionBudget');
    // THEN one budget per version with >= 2 pods, selecting that Deployment's pod labels
    expect(pdbs.map((p) => p.metadata.name)).toEqual(['a-v1', 'a-v2']);
    expect(pdbs[1]).toMatchObject({
      apiVersion: 'policy/v1',
      metadata: { name: 'a-v2', namespace: 'production' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'a', version: 'v2' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
  });

  test('GIVEN autoscaled versions THEN the default budget follows minReplicas: 2 gets one, 1 none', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { autoscaling: { maxReplicas: 4 }, versions: [{ name: 'v1' }, { name: 'v2', autoscaling: { minReplicas: 1, maxReplicas: 4 } }] });
    expect(synth(chart).filter((o) => o.kind === 'PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['a-v1']);
  });

  test('GIVEN DisruptionBudget.none() THEN no budget is written and the handle is undefined', () => {
    const { chart, ns } = meshChart();
    const a = service(chart, ns, 'a', { replicas: 3, disruptionBudget: DisruptionBudget.none() });
    expect(a.disruptionBudgetOf('v1')).toBeUndefined();
    expect(synth(chart).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('GIVEN no version with 2 pods THEN the default writes nothing and is no error; DisruptionBudget.none() neither', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { replicas: 1 });
    service(chart, ns, 'b', { replicas: 1, disruptionBudget: DisruptionBudget.none() });
    expect(synth(chart).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('GIVEN DisruptionBudget.maxUnavailable / minAvailable THEN rendered as the equivalent options object', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { replicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(2, { evictUnhealthyPods: false }) });
    service(chart, ns, 'b', { replicas: 3, disruptionBudget: { maxUnavailable: 2, evictUnhealthyPods: false } });
    service(chart, ns, 'c', { replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(2) });
    const objects = synth(chart);
    expect(one(objects, 'PodDisruptionBudget', 'a-v1').spec).toEqual({ ...one(objects, 'PodDisruptionBudget', 'b-v1').spec, selector: { matchLabels: { app: 'a', version: 'v1' } } });
    expect(one(objects, 'PodDisruptionBudget', 'a-v1').spec).toMatchObject({ maxUnavailable: 2, unhealthyPodEvictionPolicy: 'IfHealthyBudget' });
    expect(one(objects, 'PodDisruptionBudget', 'c-v1').spec).toMatchObject({ minAvailable: 2, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(one(objects, 'PodDisruptionBudget', 'c-v1').spec.maxUnavailable).toBeUndefined();
  });

  test.each([
    ['maxUnavailable', 0, /\[DisruptionBudget\.maxUnavailable\] count: 0 is invalid: maxUnavailable must be an integer of at least 1 \(0 blocks every eviction/],
    ['minAvailable', 0, /\[DisruptionBudget\.minAvailable\] count: 0 is invalid: minAvailable must be an integer of at least 1 \(0 protects nothing/],
    ['maxUnavailable', 1.5, /count: 1\.5 is invalid/],
    ['minAvailable', 2147483648, /count: 2147483648 is invalid/],
  ] as const)('GIVEN DisruptionBudget.%s(%p) THEN refused where written', (factory, count, message) => {
    expect(() => DisruptionBudget[factory](count)).toThrow(message);
  });

  test.each([[1], [2147483647]])('GIVEN DisruptionBudget.maxUnavailable(%p) (bounds of the factory) THEN accepted by the factory', (count) => {
    expect(DisruptionBudget.maxUnavailable(count)).toBeInstanceOf(DisruptionBudget);
  });

  test('GIVEN a factory count above the pods of a version THEN refused at the service, naming the version', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { replicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(3) })).toThrow(/\[test\/a\] props\.disruptionBudget\.maxUnavailable: 3 .*1\.\.2 for 3 pods .*\(version v1\)/);
  });

  test('GIVEN a disruptionBudget that is neither a DisruptionBudget nor an object THEN refused with a hint', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { disruptionBudget: 'none' as any })).toThrow(/props\.disruptionBudget: "none" is invalid: must be a DisruptionBudget.*Hint: .*DisruptionBudget\.none\(\)/);
  });

  test('GIVEN an autoscaled version THEN its budget is checked against minReplicas', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { autoscaling: { minReplicas: 3, maxReplicas: 9 }, disruptionBudget: { maxUnavailable: 2, evictUnhealthyPods: false } });
    expect(one(synth(chart), 'PodDisruptionBudget', 'a-v1').spec).toMatchObject({ maxUnavailable: 2, unhealthyPodEvictionPolicy: 'IfHealthyBudget' });
    expect(() => service(chart, ns, 'b', { autoscaling: { minReplicas: 3, maxReplicas: 9 }, disruptionBudget: { maxUnavailable: 3 } })).toThrow(/maxUnavailable: 3 .*1\.\.2 for 3 pods/);
  });

  test.each([
    [{ maxUnavailable: 0 }, /disruptionBudget\.maxUnavailable: 0 .*1\.\.2 for 3 pods.*drains hang/],
    [{ maxUnavailable: 3 }, /maxUnavailable: 3 .*protects nothing/],
    [{ minAvailable: 3 }, /minAvailable: 3 .*1\.\.2 for 3 pods.*blocks every eviction/],
    [{ minAvailable: 0 }, /minAvailable: 0 .*1\.\.2 for 3 pods \(0 protects nothing\)/],
    [{ minAvailable: 1, maxUnavailable: 1 }, /not both/],
  ])('GIVEN %p over 3 pods THEN refused', (disruptionBudget, message) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { replicas: 3, disruptionBudget })).toThrow(message);
  });

  test.each([[{ maxUnavailable: 1 }], [{ maxUnavailable: 2 }], [{ minAvailable: 1 }], [{ minAvailable: 2 }]])('GIVEN %p over 3 pods (bounds) THEN accepted', (disruptionBudget) => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { replicas: 3, disruptionBudget });
    expect(one(synth(chart), 'PodDisruptionBudget', 'a-v1').spec).toMatchObject(disruptionBudget);
  });

  test('GIVEN explicit bounds but no version with 2 pods THEN refused rather than silently writing nothing', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { replicas: 1, disruptionBudget: {} })).toThrow(/props\.disruptionBudget.*no version runs at least 2 pods/);
    expect(() => service(chart, ns, 'b', { replicas: 1, disruptionBudget: DisruptionBudget.maxUnavailable(1) })).toThrow(/props\.disruptionBudget.*no version runs at least 2 pods/);
  });
});

describe('topology spread across zones (opt-in)', () => {
  test('GIVEN topologySpread THEN one constraint on topology.kubernetes.io/zone selecting the version\'s pods', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { topologySpread: { whenUnsatisfiable: 'DoNotSchedule' } });
    service(chart, ns, 'b');
    const objects = synth(chart);
    expect(one(objects, 'Deployment', 'a-v1').spec.template.spec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'a', version: 'v1' } } },
    ]);
    expect(one(objects, 'Deployment', 'b-v1').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test.each([[0], [1.5]])('GIVEN maxSkew %p THEN refused', (maxSkew) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { topologySpread: { maxSkew } })).toThrow(/props\.topologySpread\.maxSkew/);
  });
});

describe('every feature at once', () => {
  test('GIVEN a service with every workload feature THEN the output passes the API-server checks and "restricted"', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', {
      versions: [{ name: 'v1' }, { name: 'v2' }],
      livenessProbe: Probe.httpGet('/healthz'),
      startupProbe: Probe.tcp({ failureThreshold: 30, period: Duration.seconds(2) }),
      volumes: [{ volume: Volume.fromSecret('creds', 'a-creds'), mountPath: '/var/run/creds' }, { volume: Volume.emptyDir('tmp'), mountPath: '/tmp' }],
      envFromKeys: { API_KEY: EnvKeyRef.secret('a-creds', 'api-key') },
      command: ['/app'],
      args: ['serve'],
      autoscaling: { minReplicas: 2, maxReplicas: 6 },
      disruptionBudget: {},
      topologySpread: {},
    });
    const objects = synth(chart);
    const findings = validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level === 'error');
    expect(findings.map((f) => `${f.code} ${f.kind}/${f.name} ${f.message}`)).toEqual([]);
    for (const d of objects.filter((o) => o.kind === 'Deployment')) expect(podSecurityRestrictedViolations(podOf(d))).toEqual([]);
    expect(objects.filter((o) => ['HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`).sort())
      .toEqual(['HorizontalPodAutoscaler/a-v1', 'HorizontalPodAutoscaler/a-v2', 'PodDisruptionBudget/a-v1', 'PodDisruptionBudget/a-v2']);
  });
});
