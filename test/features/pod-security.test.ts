import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { podSecurityBaselineViolations, podSecurityRestrictedViolations } from '../../src/rules/pod-security';
import { loadManifestFiles } from '../../src/simulator/load';
import { main } from '../../examples/main';
import { meshChart, one, service, synth } from '../helpers';

/** A Deployment's pod, as Pod Security Admission reads it. */
function podOf(d: any) {
  return { metadata: d.spec.template.metadata, spec: d.spec.template.spec };
}

describe('Pod Security "restricted" by default (issue 18 item 4)', () => {
  test('GIVEN every example WHEN synthesized THEN every Deployment in every dist/ folder meets "restricted"', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-'));
    main(outdir);
    const objects = loadManifestFiles([outdir], { recursive: true });
    const deployments = objects.filter((o: any) => o.kind === 'Deployment');
    // the reference app, its ambient variant and the progressive set all write Deployments
    expect(deployments.length).toBeGreaterThanOrEqual(6);
    const bad = deployments.map((d: any) => ({ d: `${d.metadata.namespace}/${d.metadata.name}`, v: podSecurityRestrictedViolations(podOf(d)) })).filter((x) => x.v.length > 0);
    expect(bad).toEqual([]);
  });

  test('GIVEN a TracedService with defaults THEN the pod sets each restricted control explicitly and mounts no API token', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'order-service');
    const pod = one(synth(chart), 'Deployment', 'order-service-v1').spec.template.spec;
    expect(pod).toMatchObject({
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } } }],
    });
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBeUndefined();
  });

  test.each([
    ['runAsNonRoot: false', { runAsNonRoot: false }, /runAsNonRoot must not be false/],
    ['allowPrivilegeEscalation: true', { allowPrivilegeEscalation: true }, /allowPrivilegeEscalation must be false/],
    ['dropAllCapabilities: false', { dropAllCapabilities: false }, /capabilities\.drop must include ALL/],
    ['seccompProfile: Unconfined', { seccompProfile: 'Unconfined' as const }, /seccompProfile\.type must not be Unconfined/],
  ])('GIVEN the opt-out %s THEN only that control is given up (the rule table names it)', (_what, podSecurity, violation) => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'legacy', { podSecurity });
    const v = podSecurityRestrictedViolations(podOf(one(synth(chart), 'Deployment', 'legacy-v1')));
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((x) => violation.test(x) || /running as non-root|seccomp/.test(x))).toBe(true);
    expect(v.some((x) => violation.test(x))).toBe(true);
  });

  test('GIVEN automountServiceAccountToken and readOnlyRootFilesystem THEN rendered as asked, still "restricted"', () => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'operator', { podSecurity: { automountServiceAccountToken: true, readOnlyRootFilesystem: true, runAsUser: 10001 } });
    const d = one(synth(chart), 'Deployment', 'operator-v1');
    expect(d.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(d.spec.template.spec.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsUser: 10001 });
    expect(podSecurityRestrictedViolations(podOf(d))).toEqual([]);
  });

  test('GIVEN a Localhost seccomp profile THEN it needs the profile file', () => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { podSecurity: { seccompProfile: 'Localhost' } })).toThrow(/\[test\/a\] props\.podSecurity\.seccompLocalhostProfile/);
    service(chart, ns, 'b', { podSecurity: { seccompProfile: 'Localhost', seccompLocalhostProfile: 'profiles/b.json' } });
    const d = one(synth(chart), 'Deployment', 'b-v1');
    expect(d.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'profiles/b.json' });
    expect(podSecurityBaselineViolations(podOf(d))).toEqual([]);
  });

  test.each([
    [0, /user 0 is root/],
    [1337, /IST0144/],
    [-1, /0\.\.2147483647/],
    [2147483648, /0\.\.2147483647/],
  ])('GIVEN runAsUser %p THEN refused', (runAsUser, message) => {
    const { chart, ns } = meshChart();
    expect(() => service(chart, ns, 'a', { podSecurity: { runAsUser } })).toThrow(message);
  });

  test.each([[1], [2147483647]])('GIVEN runAsUser %p (bound) THEN accepted', (runAsUser) => {
    const { chart, ns } = meshChart();
    service(chart, ns, 'a', { podSecurity: { runAsUser } });
    expect(one(synth(chart), 'Deployment', 'a-v1').spec.template.spec.containers[0].securityContext.runAsUser).toBe(runAsUser);
  });
});
