/**
 * Issue 18 item 3: a PodDisruptionBudget (policy/v1, `maxUnavailable: 1`) by default for every
 * Deployment the library writes with 2 or more pods. The eviction API refuses to evict a pod that
 * more than one budget covers (Kubernetes pkg/registry/core/pod/storage/eviction.go: "This pod has more
 * than one PodDisruptionBudget, which the eviction subresource does not support"), so budgets must
 * never overlap: one per Deployment, selecting exactly its pods.
 *
 * Flagger (v1.44.0, pkg/canary/deployment_controller.go): the serving pods of a progressive service
 * run in the primary `<name>-primary` (selector `app: <name>-primary`, replicas copied from the
 * target at creation), and the target we write is scaled to zero between analyses (ScaleToZero).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { CanaryAnalysis, CanaryRoute, Destination, DisruptionBudget, IngressGateway, IngressWorkload } from '../../src';
import { flaggerObjects } from '../../src/manifests';
import { labelSelectorMatches } from '../../src/rules/labels';
import { loadManifestFiles } from '../../src/simulator/load';
import { validateManifests } from '../../src/validation';
import { main } from '../../examples/main';
import { meshChart, one, service, synth } from '../helpers';

/** The folders of an output directory that hold manifests (each one deployable set). */
function manifestFolders(dir: string): string[] {
  const here = fs.readdirSync(dir, { withFileTypes: true });
  const sub = here.filter((e) => e.isDirectory()).flatMap((e) => manifestFolders(path.join(dir, e.name)));
  return here.some((e) => e.isFile() && e.name.endsWith('.k8s.yaml')) ? [dir, ...sub] : sub;
}

/**
 * A set as it runs: the objects written, plus what Flagger creates for each Canary (its primary),
 * with Flagger's target scaled to zero as Flagger leaves it after initialization.
 */
function asRunning(objects: any[]): any[] {
  const targets = new Set(objects.filter((o) => o.kind === 'Canary').map((c) => `${c.metadata.namespace}/${c.spec.targetRef.name}`));
  const written = objects.map((o) => (o.kind === 'Deployment' && targets.has(`${o.metadata.namespace}/${o.metadata.name}`) ? { ...o, spec: { ...o.spec, replicas: 0 } } : o));
  return [...written, ...flaggerObjects(objects)];
}

/** The pods a Deployment runs at least: its replicas, or its HorizontalPodAutoscaler's minReplicas. */
function minPods(d: any, objects: any[]): number {
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.namespace === d.metadata.namespace && o.spec.scaleTargetRef.name === d.metadata.name);
  return hpa ? hpa.spec.minReplicas ?? 1 : d.spec.replicas ?? 1;
}

/** For each Deployment with 2+ pods, the budgets covering its pods; for each budget, the Deployments whose pods it selects. */
function coverage(objects: any[]) {
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const selects = (pdb: any, d: any) => pdb.metadata.namespace === d.metadata.namespace && labelSelectorMatches(pdb.spec.selector, d.spec.template.metadata.labels ?? {});
  const id = (o: any) => `${o.metadata.namespace}/${o.metadata.name}`;
  return {
    deployments: deployments.filter((d) => minPods(d, objects) >= 2).map((d) => ({ deployment: id(d), budgets: pdbs.filter((p) => selects(p, d)).map(id) })),
    budgets: pdbs.map((p) => ({ budget: id(p), deployments: deployments.filter((d) => selects(p, d)).map(id) })),
  };
}

describe('PodDisruptionBudgets in every dist/ folder', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdb-'));
  main(outdir);
  const folders = manifestFolders(outdir);

  test('the examples write the sets the test reads (reference, ambient, progressive, edge, features)', () => {
    const names = folders.map((f) => path.relative(outdir, f) || '.');
    expect(names).toEqual(expect.arrayContaining(['.', 'ambient', 'progressive', 'edge', 'features']));
  });

  test.each(['.', 'ambient', 'progressive', 'edge', 'features', 'control-plane', 'edge/control-plane'])('%s: each Deployment with 2+ pods is covered by exactly one budget, and no budget selects pods of two Deployments', (folder) => {
    // GIVEN the set as it runs in a cluster (Flagger's primary included)
    const dir = path.join(outdir, folder);
    if (!fs.existsSync(dir)) return expect(folders.map((f) => path.relative(outdir, f))).not.toContain(folder);
    const objects = asRunning(loadManifestFiles([dir]));
    const { deployments, budgets } = coverage(objects);
    // THEN every Deployment with 2+ pods has one budget, and every budget covers one Deployment
    expect(deployments.filter((d) => d.budgets.length !== 1)).toEqual([]);
    expect(budgets.filter((b) => b.deployments.length !== 1)).toEqual([]);
    // and a set with 2+ pod Deployments has budgets at all (the check above is not vacuous there)
    if (deployments.length > 0) expect(budgets.length).toBeGreaterThan(0);
    return undefined;
  });

  test('the reference app: order-service v1, v2 and payment-service v1 (3 replicas each) have maxUnavailable 1', () => {
    const objects = loadManifestFiles([outdir]);
    const pdbs = objects.filter((o: any) => o.kind === 'PodDisruptionBudget');
    expect(pdbs.map((p: any) => `${p.metadata.name} ${p.spec.maxUnavailable}`)).toEqual(['order-service-v1 1', 'order-service-v2 1', 'payment-service-v1 1']);
  });

  test('the progressive set: the budget covers Flagger\'s primary pods, not the scaled-to-zero target', () => {
    const objects = asRunning(loadManifestFiles([path.join(outdir, 'progressive')]));
    const { deployments } = coverage(objects);
    expect(deployments).toContainEqual({ deployment: 'production/order-service-primary', budgets: ['production/order-service-primary'] });
    expect(deployments.map((d) => d.deployment)).not.toContain('production/order-service');
  });
});

describe('with Flagger', () => {
  function progressive(props: Parameters<typeof service>[3] = {}) {
    const { chart, ns } = meshChart();
    const svc = service(chart, ns, 'cart', { versions: [{ name: 'v1' }, { name: 'v2' }], ...props });
    new CanaryRoute(chart, 'Route', {
      service: svc,
      defaultDestination: Destination.version('v1'),
      progressive: CanaryAnalysis.weighted({ interval: Duration.minutes(1), threshold: 5, stepWeight: 10, maxWeight: 50 }),
    });
    return { chart, svc };
  }

  test('GIVEN a progressive service with 3 replicas THEN one budget over the primary pods, none per version', () => {
    // GIVEN / WHEN
    const { chart, svc } = progressive();
    const objects = synth(chart);
    // THEN one budget named after Flagger's primary, selecting exactly the primary Deployment's selector
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(pdbs).toHaveLength(1);
    const primary = one(flaggerObjects(objects), 'Deployment', 'cart-primary');
    expect(pdbs[0]).toMatchObject({ metadata: { name: 'cart-primary', namespace: 'production' }, spec: { maxUnavailable: 1, selector: primary.spec.selector } });
    // it selects the primary's pods, not the target's (the canary pods)
    expect(labelSelectorMatches(pdbs[0].spec.selector, primary.spec.template.metadata.labels)).toBe(true);
    expect(labelSelectorMatches(pdbs[0].spec.selector, one(objects, 'Deployment', 'cart').spec.template.metadata.labels)).toBe(false);
    // and the handle of the canary version (Flagger's target, whose replicas the primary copies) is that object
    expect(svc.disruptionBudgetOf('v2')?.name).toBe('cart-primary');
    expect(svc.disruptionBudgetOf('v1')).toBeUndefined();
  });

  test('GIVEN explicit bounds or DisruptionBudget.none() THEN the primary\'s budget follows them (the bounds checked against the canary version\'s pods)', () => {
    const a = progressive({ disruptionBudget: DisruptionBudget.minAvailable(2) });
    expect(one(synth(a.chart), 'PodDisruptionBudget', 'cart-primary').spec).toMatchObject({ minAvailable: 2 });
    const b = progressive({ disruptionBudget: DisruptionBudget.none() });
    expect(synth(b.chart).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('GIVEN a progressive service of one replica THEN no budget (Flagger\'s primary runs 1 pod)', () => {
    const { chart } = progressive({ replicas: 1 });
    expect(synth(chart).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('a deployed ingress gateway', () => {
  function gateway(workload: Parameters<typeof IngressWorkload.deployed>[0]) {
    const { chart, mesh } = meshChart();
    new IngressGateway(chart, 'Gw', { mesh, name: 'shop-gateway', hosts: ['shop.example.com'], workload: IngressWorkload.deployed(workload) });
    return synth(chart);
  }

  test('GIVEN the default 2 replicas THEN maxUnavailable 1 over exactly the gateway Deployment\'s pods', () => {
    const objects = gateway({ namespace: 'production', name: 'shop-ingress' });
    const pdb = one(objects, 'PodDisruptionBudget', 'shop-ingress');
    const d = one(objects, 'Deployment', 'shop-ingress');
    expect(pdb).toMatchObject({ metadata: { namespace: 'production' }, spec: { maxUnavailable: 1, selector: d.spec.selector, unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
    expect(labelSelectorMatches(pdb.spec.selector, d.spec.template.metadata.labels)).toBe(true);
    const errors = validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level === 'error' && f.kind === 'PodDisruptionBudget');
    expect(errors).toEqual([]);
  });

  test('GIVEN 1 replica, or DisruptionBudget.none() THEN no budget', () => {
    expect(gateway({ namespace: 'production', name: 'shop-ingress', replicas: 1 }).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(gateway({ namespace: 'production', name: 'shop-ingress', replicas: 3, disruptionBudget: DisruptionBudget.none() }).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('GIVEN explicit bounds THEN checked against the replicas where written', () => {
    expect(one(gateway({ namespace: 'production', name: 'shop-ingress', replicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(2) }), 'PodDisruptionBudget').spec.maxUnavailable).toBe(2);
    expect(() => IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress', replicas: 2, disruptionBudget: DisruptionBudget.maxUnavailable(2) }))
      .toThrow(/\[IngressWorkload\.deployed\] props\.disruptionBudget\.maxUnavailable: 2 is invalid: maxUnavailable must be an integer in 1\.\.1 for 2 pods/);
    expect(() => IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress', replicas: 1, disruptionBudget: DisruptionBudget.maxUnavailable(1) }))
      .toThrow(/props\.disruptionBudget.*1 pod cannot have a disruption budget/);
    expect(() => IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress', disruptionBudget: { maxUnavailable: 1 } as any }))
      .toThrow(/props\.disruptionBudget.*must be a DisruptionBudget/);
  });
});

describe('DisruptionBudget from another copy of the package', () => {
  test('GIVEN DisruptionBudget.none() / maxUnavailable(2) of a second copy THEN this copy honours them (symbol brand, not instanceof)', () => {
    let B: typeof import('../../src') | undefined;
    jest.isolateModules(() => {
      B = require('../../src');
    });
    expect(B!.DisruptionBudget).not.toBe(DisruptionBudget);
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { replicas: 3, disruptionBudget: B!.DisruptionBudget.none() });
    service(chart, ns, 'b', { replicas: 3, disruptionBudget: B!.DisruptionBudget.maxUnavailable(2) });
    const pdbs = synth(chart).filter((o) => o.kind === 'PodDisruptionBudget');
    expect(pdbs.map((p) => `${p.metadata.name} ${p.spec.maxUnavailable}`)).toEqual(['b-v1 2']);
    expect(B!.DisruptionBudget.none()).toBeInstanceOf(DisruptionBudget);
  });
});
