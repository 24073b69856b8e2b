/**
 * deploy/k8s: kubernetes-validate (strict, its bundled Kubernetes JSON schemas, offline) accepts every manifest, and
 * the manifests hold what the deployment promises: stateful processors, an autoscaled API, probes, config apart
 * from secrets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  hasValidators,
  k8sFiles,
  k8sObjects,
  kubernetesValidate,
  kubernetesVersion,
  run,
  type K8sObject,
} from './deployment-files.js';

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown; configMapKeyRef?: unknown } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface Probe {
  httpGet?: { path: string };
  exec?: { command: string[] };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } };
}

const validate = (files: string[]) =>
  run(kubernetesValidate, ['--strict', '--no-warn', '-k', kubernetesVersion, ...files]);
const template = (o: K8sObject) => (o.spec as { template: PodTemplate }).template;
const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

describe('deploy/k8s', () => {
  let objects: K8sObject[];
  before(() => {
    const missing = hasValidators();
    assert.equal(missing, undefined, missing);
    objects = k8sObjects();
  });

  it('passes kubernetes-validate --strict against the Kubernetes schemas, every file and object', () => {
    const r = validate(k8sFiles());
    assert.equal(r.status, 0, r.out);
    const passed = r.out.split('\n').filter((l) => / passed for resource /.test(l)).length;
    assert.equal(passed, objects.length, r.out);
  });

  it('the validator is strict: it rejects an unknown field and a wrong type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-bad-'));
    try {
      const deployment = (spec: string) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec:\n  selector: {}\n  template: { spec: { containers: [] } }\n${spec}`;
      for (const [file, spec, reason] of [
        ['unknown.yaml', '  surprise: 1\n', /surprise/],
        ['type.yaml', '  replicas: two\n', /'two' is not of type 'integer'/],
      ] as const) {
        writeFileSync(join(dir, file), deployment(spec));
        const r = validate([join(dir, file)]);
        assert.notEqual(r.status, 0, file);
        assert.match(r.out, reason);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the stateful processors as StatefulSets with a volume claim at their state directory and a PodDisruptionBudget', () => {
    for (const [name, prefix] of [
      ['seat-allocation', 'SEAT_ALLOCATION'],
      ['payments', 'PAYMENTS'],
      ['notifications', 'NOTIFICATIONS'],
      ['partner-projector', 'PARTNER_PROJECTOR'],
    ] as const) {
      const sts = byKind(objects, 'StatefulSet').find((o) => o.metadata.name === name);
      assert.ok(sts, `${name} is a StatefulSet`);
      const spec = sts.spec as { replicas: number; volumeClaimTemplates?: { metadata: { name: string } }[] };
      assert.ok(spec.replicas >= 2, name);
      const claim = spec.volumeClaimTemplates?.[0]?.metadata.name;
      assert.ok(claim, `${name} has a volume claim template`);
      const stateDir = objects.find((o) => o.kind === 'ConfigMap' && o.data?.[`${prefix}_STATE_DIR`])?.data?.[
        `${prefix}_STATE_DIR`
      ];
      const mount = template(sts).spec.containers[0]!.volumeMounts?.find((m) => m.name === claim);
      assert.equal(mount?.mountPath, stateDir, `${name}: the claim is mounted at ${prefix}_STATE_DIR`);
      const instanceId = template(sts).spec.containers[0]!.env?.find((e) => e.name === `${prefix}_INSTANCE_ID`);
      assert.ok(instanceId?.valueFrom, `${name}: instance id from the pod name`);
      const pdb = byKind(objects, 'PodDisruptionBudget').find(
        (p) =>
          (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels[
            'app.kubernetes.io/name'
          ] === name,
      );
      assert.ok(pdb, `${name} has a PodDisruptionBudget`);
    }
  });

  it('runs the API as a Deployment with a HorizontalPodAutoscaler, probes on /health and /ready, and a PodDisruptionBudget', () => {
    const api = byKind(objects, 'Deployment').find((o) => o.metadata.name === 'api');
    assert.ok(api);
    const hpa = byKind(objects, 'HorizontalPodAutoscaler').find(
      (o) => (o.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef.name === 'api',
    );
    assert.equal((hpa?.spec as { scaleTargetRef: { kind: string } }).scaleTargetRef.kind, 'Deployment');
    assert.ok((hpa?.spec as { minReplicas: number }).minReplicas >= 2);
    const c = template(api).spec.containers[0]!;
    assert.equal(c.livenessProbe?.httpGet?.path, '/health');
    assert.equal(c.readinessProbe?.httpGet?.path, '/ready');
    assert.ok(byKind(objects, 'PodDisruptionBudget').some((p) => p.metadata.name === 'api'));
  });

  it('gives every workload probes, a non-root pod and an unprivileged, read-only container', () => {
    for (const o of [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet')]) {
      const t = template(o);
      assert.equal(t.spec.securityContext?.runAsNonRoot, true, o.metadata.name);
      for (const c of t.spec.containers) {
        assert.ok(
          c.livenessProbe && c.readinessProbe,
          `${o.metadata.name}/${c.name} has liveness and readiness probes`,
        );
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, o.metadata.name);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, o.metadata.name);
      }
    }
  });

  it('runs the streaming SFU on the node network, one pod per node, in its own namespace with copies that agree', () => {
    const sfu = byKind(objects, 'Deployment').find((o) => o.metadata.name === 'streaming');
    assert.ok(sfu);
    const spec = template(sfu).spec as PodTemplate['spec'] & {
      hostNetwork?: boolean;
      dnsPolicy?: string;
      affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string }[] } };
    };
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.dnsPolicy, 'ClusterFirstWithHostNet');
    const anti = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    assert.ok(
      anti.some((t) => t.topologyKey === 'kubernetes.io/hostname'),
      'at most one pod per node',
    );
    const ns = sfu.metadata.namespace!;
    assert.notEqual(ns, 'seatstream', 'hostNetwork stays out of the restricted namespace');
    const namespace = byKind(objects, 'Namespace').find((o) => o.metadata.name === ns);
    assert.equal(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'privileged');
    const configMap = (namespace: string, name: string) =>
      byKind(objects, 'ConfigMap').find((o) => o.metadata.namespace === namespace && o.metadata.name === name)?.data;
    assert.deepEqual(configMap(ns, 'seatstream-endpoints'), configMap('seatstream', 'seatstream-endpoints'));
    const api = configMap('seatstream', 'api-config')!;
    for (const [k, v] of Object.entries(configMap(ns, 'streaming-config')!))
      if (k.startsWith('API_')) assert.equal(v, api[k], `${k} as the API has it`);
    const paths = JSON.stringify(byKind(objects, 'Ingress').map((o) => o.spec));
    assert.match(paths, /"path":"\/v1\/stream\/".*"name":"streaming"/);
  });

  it('lets a canary share the API Service: the Service selects every API pod, the Deployment only its own track', () => {
    const service = byKind(objects, 'Service').find((o) => o.metadata.name === 'api');
    const deployment = byKind(objects, 'Deployment').find((o) => o.metadata.name === 'api')!;
    const selector = (service?.spec as { selector: Record<string, string> }).selector;
    const own = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    assert.deepEqual(selector, { 'app.kubernetes.io/name': 'api' });
    assert.equal(own['seatstream.io/track'], 'stable');
    for (const [k, v] of Object.entries(own)) assert.equal(template(deployment).metadata.labels[k], v, k);
  });

  it('keeps secrets out of the files: no Secret object, secret-looking keys only through secretKeyRef or mounted files', () => {
    assert.deepEqual(byKind(objects, 'Secret'), []);
    const secretLike = /(PASSWORD|SECRET|_KEY$|_KEYS$|DATABASE_URL)/;
    for (const cm of byKind(objects, 'ConfigMap'))
      for (const key of Object.keys(cm.data ?? {})) assert.doesNotMatch(key, secretLike, `${cm.metadata.name}: ${key}`);
    for (const o of [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet'), ...byKind(objects, 'Job')])
      for (const c of template(o).spec.containers)
        for (const e of c.env ?? [])
          if (secretLike.test(e.name))
            assert.ok(e.valueFrom?.secretKeyRef, `${o.metadata.name}: ${e.name} from a Secret`);
  });
});
