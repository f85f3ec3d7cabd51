/**
 * Istio's own code on our synthesized output: every deployable set the reference app writes
 * (`cdk8s synth`: dist/, dist/ambient/, dist/progressive/, dist/control-plane/, and whatever folders
 * new examples add: they are discovered, not listed) passes istiod's validating webhook and the CRD
 * schemas, and `istioctl analyze`'s analyzers report no Warning or Error on it.
 *
 * The app is synthesized into a temp folder with examples/main.ts's `main(outdir)`, the function
 * `cdk8s synth` runs (cdk8s.yaml: node lib/examples/main.js), from the current sources.
 * CONFORMANCE_DIST=<folder> checks an existing folder instead (e.g. `dist` after `npx cdk8s synth`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clusterContext } from './cluster';
import { AnalyzeOutput, crdFiles, describeConformance, runBatch, SKIP, ValidateOutput, writeYaml } from './harness';
import { ACCEPTED_DIST_FINDINGS } from './known-differences';
import { deployableSets, isManifestFile } from './sets';
import { readManifests } from '../../src/validation/read';

function outputFolder(): string {
  if (process.env.CONFORMANCE_DIST) return path.resolve(process.env.CONFORMANCE_DIST);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-dist-'));
  if (!SKIP) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { main } = require('../../examples/main') as typeof import('../../examples/main');
    main(dir);
  }
  return dir;
}

/** The mesh config the control plane installs (IstioOperator spec.meshConfig), for the analyzers. */
function meshConfigFile(dir: string): string | undefined {
  const yaml = require('yaml') as typeof import('yaml');
  for (const set of deployableSets(dir)) {
    for (const f of set.files) {
      for (const doc of yaml.parseAllDocuments(fs.readFileSync(f, 'utf8'))) {
        const o = doc.toJS();
        if (o?.kind === 'IstioOperator' && o.spec?.meshConfig) {
          const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-mesh-')), 'mesh.yaml');
          fs.writeFileSync(out, yaml.stringify(o.spec.meshConfig));
          return out;
        }
      }
    }
  }
  return undefined;
}

describeConformance('Istio conformance: the synthesized deployable sets', () => {
  const dir = outputFolder();
  const sets = SKIP ? [] : deployableSets(dir).map((s) => ({ ...s, files: s.files.filter(isManifestFile) })).filter((s) => s.files.length > 0);
  let validated: ValidateOutput[] = [];
  let analyzed: AnalyzeOutput[] = [];
  let meshConfig: string | undefined;

  beforeAll(() => {
    meshConfig = meshConfigFile(dir);
    const crds = crdFiles().flatMap((f) => ['--crds', f]);
    const jobs = sets.flatMap((s) => {
      // The cluster the set is applied to: istio-system and the workloads' Pods (cluster.ts).
      const context = writeYaml(clusterContext(readManifests(s.files).manifests.map((m) => m.manifest)), undefined, 'cluster-context.yaml');
      return [
        { args: ['validate', ...crds, ...s.files] },
        { args: ['analyze', ...(meshConfig ? ['--mesh-config', meshConfig] : []), ...s.files, context] },
      ];
    });
    const res = runBatch(jobs);
    const failed = res.filter((r) => r.error !== undefined);
    if (failed.length > 0) throw new Error(`istio-conformance failed:\n${failed.map((r) => r.error).join('\n')}`);
    validated = res.filter((_, i) => i % 2 === 0).map((r) => r.result);
    analyzed = res.filter((_, i) => i % 2 === 1).map((r) => r.result);
  }, 45 * 60_000);

  test('GIVEN the reference app WHEN synthesized THEN it writes the sidecar, ambient, progressive and control-plane sets', () => {
    const folders = sets.map((s) => s.folder);
    expect(folders).toEqual(expect.arrayContaining(['.', 'ambient', 'progressive', 'control-plane', 'edge', 'edge/control-plane']));
    expect(meshConfig).toBeDefined();
  });

  test('GIVEN every set WHEN checked by istiod\'s webhook and the CRD schemas THEN no object is rejected', () => {
    const problems: string[] = [];
    sets.forEach((s, i) => {
      for (const o of validated[i].objects) {
        for (const e of o.errors) problems.push(`${s.folder}: ${o.kind} ${o.namespace ?? ''}/${o.name} [${e.source}] ${e.message}`);
      }
    });
    expect(problems).toEqual([]);
  });

  test('GIVEN every set WHEN validated THEN every Istio object was seen by the webhook and every custom resource by its CRD schema', () => {
    // Guards against a vacuous pass: the checks above ran on the objects that matter.
    sets.forEach((s, i) => {
      const objects = validated[i].objects;
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) {
        const group = (o.apiVersion ?? '').includes('/') ? o.apiVersion!.split('/')[0] : '';
        if (/\.istio\.io$/.test(group) && group !== 'install.istio.io') expect({ set: s.folder, kind: o.kind, name: o.name, webhook: o.webhook }).toMatchObject({ webhook: true });
        if (/(\.istio\.io|gateway\.networking\.k8s\.io|flagger\.app)$/.test(group) && group !== 'install.istio.io') {
          expect({ set: s.folder, kind: o.kind, name: o.name, crdSchema: o.crdSchema }).toMatchObject({ crdSchema: true });
        }
      }
    });
    const webhookChecked = validated.flatMap((v) => v.objects).filter((o) => o.webhook).map((o) => o.kind);
    expect(webhookChecked).toEqual(expect.arrayContaining(['VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'Telemetry']));
  });

  test('GIVEN every set WHEN Istio\'s analyzers run THEN they report nothing of level Warning or Error beyond the accepted, documented findings', () => {
    const problems: string[] = [];
    sets.forEach((s, i) => {
      const a = analyzed[i];
      expect(a.executed.length).toBeGreaterThan(20);
      for (const e of a.readErrors) problems.push(`${s.folder}: read error: ${e}`);
      for (const m of a.messages) {
        if (m.level === 'Error' || m.level === 'Warning') problems.push(`${s.folder}: ${m.code} ${m.resource ?? ''}`);
      }
    });
    // The accepted list is asserted equal, so a finding that goes away must leave the list too.
    expect(problems.sort()).toEqual(Object.keys(ACCEPTED_DIST_FINDINGS).sort());
  });

  test('GIVEN the accepted findings THEN each gives its reason', () => {
    for (const [finding, reason] of Object.entries(ACCEPTED_DIST_FINDINGS)) expect({ finding, documented: reason.length > 20 }).toEqual({ finding, documented: true });
  });
});
