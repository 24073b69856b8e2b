/**
 * docker-compose.yml: Docker Compose (Debian's 1.29, no engine needed) accepts it with either schema registry, and
 * it holds the production-like stack the deployment promises.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { repoRoot } from '../../infra/config.js';
import {
  composeRun,
  composeSeatStreamServices,
  documentedVariables,
  hasValidators,
  rawCompose,
  resolvedCompose,
  run,
  type ComposeModel,
} from './deployment-files.js';
import { envReadBy } from './env-scan.js';

/** The values a variable takes across the instances of every SeatStream service that reads it. */
const valuesOf = (m: ComposeModel, variable: string): Set<string | null | undefined> =>
  new Set(
    composeSeatStreamServices(m)
      .filter((d) => envReadBy(repoRoot, d.entry).has(variable))
      .flatMap((d) => d.instances.map((i) => m.services[i]!.environment?.[variable])),
  );

const mounts = (volumes: unknown[] | undefined): { source?: string; target?: string; type?: string }[] =>
  (volumes ?? []).map((v) =>
    typeof v === 'string'
      ? { source: v.split(':')[0], target: v.split(':')[1] }
      : (v as { source?: string; target?: string }),
  );

describe('docker-compose.yml', () => {
  let model: ComposeModel;
  before(() => {
    const missing = hasValidators();
    assert.equal(missing, undefined, missing);
    model = resolvedCompose();
  });

  it("is accepted by `docker-compose config -q`, with SeatStream's registry and with Confluent's", () => {
    const ours = composeRun(['config', '-q']);
    assert.equal(ours.status, 0, ours.out);
    const confluent = composeRun(['config', '-q'], {
      SCHEMA_REGISTRY: 'confluent',
      COMPOSE_PROFILES: 'confluent-registry',
    });
    assert.equal(confluent.status, 0, confluent.out);
  });

  it("selects the schema registry: SCHEMA_REGISTRY picks the URL every service gets, the profile starts Confluent's", () => {
    const urls = (m: ComposeModel) => valuesOf(m, 'SCHEMA_REGISTRY_URL');
    assert.deepEqual(urls(model), new Set(['http://schema-registry:8081']));
    const confluent = resolvedCompose({ SCHEMA_REGISTRY: 'confluent', COMPOSE_PROFILES: 'confluent-registry' });
    assert.deepEqual(urls(confluent), new Set(['http://confluent-schema-registry:8081']));
    assert.match(confluent.services['confluent-schema-registry']!.image ?? '', /^confluentinc\/cp-schema-registry:/);
    assert.deepEqual(rawCompose().services['confluent-schema-registry']!.profiles, ['confluent-registry']);
  });

  it('runs 3 Kafka brokers in KRaft mode as one quorum, replication 3 and min ISR 2', () => {
    const brokers = Object.entries(model.services).filter(([, s]) => /^apache\/kafka:/.test(s.image ?? ''));
    assert.equal(brokers.length, 3);
    const ids = brokers.map(([, s]) => s.environment?.KAFKA_NODE_ID);
    assert.deepEqual(new Set(ids).size, 3);
    const voters = brokers[0]![1].environment?.KAFKA_CONTROLLER_QUORUM_VOTERS ?? '';
    for (const [name, s] of brokers) {
      const e = s.environment ?? {};
      assert.equal(e.KAFKA_PROCESS_ROLES, 'broker,controller', name);
      assert.equal(e.KAFKA_CONTROLLER_QUORUM_VOTERS, voters, name);
      assert.ok(voters.includes(`${e.KAFKA_NODE_ID}@${name}:`), `${name} is a voter`);
      assert.equal(e.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR, '3', name);
      assert.equal(e.KAFKA_MIN_INSYNC_REPLICAS, '2', name);
      assert.equal(mounts(s.volumes).length, 1, `${name} keeps its log on a volume`);
    }
    assert.deepEqual(valuesOf(model, 'KAFKA_BROKERS'), new Set([brokers.map(([n]) => `${n}:9092`).join(',')]));
  });

  it('has the backing services, Prometheus, Grafana with the dashboards provisioned, and a TLS gateway over every API replica', () => {
    for (const [name, image] of [
      ['postgres', /^postgres:/],
      ['redis', /^redis:/],
      ['clickhouse', /^clickhouse\//],
      ['prometheus', /^prom\/prometheus:/],
      ['grafana', /^grafana\/grafana:/],
      ['gateway', /^nginx:/],
    ] as const)
      assert.match(model.services[name]?.image ?? '', image, name);
    assert.ok(
      mounts(model.services.grafana!.volumes).some(
        (m) => m.source?.endsWith('dashboards/grafana') && m.target === '/etc/grafana/provisioning',
      ),
    );
    const api = composeSeatStreamServices(model).find((d) => d.name === 'api');
    assert.ok(api && api.instances.length >= 2, 'two API replicas');
    const nginx = readFileSync(join(repoRoot, 'deploy', 'nginx', 'nginx.conf'), 'utf8');
    assert.match(nginx, /listen\s+\d+\s+ssl;/);
    assert.match(nginx, /ssl_certificate\s+\/etc\/nginx\/tls\//);
    // the API upstream is its own file (the canary script rewrites it), mounted where nginx.conf includes it
    assert.match(nginx, /include \/etc\/nginx\/upstreams\/api\.conf;/);
    assert.ok(
      mounts(model.services.gateway!.volumes).some(
        (m) => m.source?.endsWith('deploy/nginx/upstreams') && m.target === '/etc/nginx/upstreams',
      ),
    );
    const upstream = readFileSync(join(repoRoot, 'deploy', 'nginx', 'upstreams', 'api.conf'), 'utf8');
    const stable = api.instances.filter((i) => !rawCompose().services[i]!.profiles?.length);
    for (const instance of stable) assert.match(upstream, new RegExp(`server\\s+${instance}:8080`), instance);
    const prometheus = readFileSync(join(repoRoot, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    for (const instance of api.instances) assert.ok(prometheus.includes(`${instance}:8080`), instance);
  });

  it('runs two instances of each stateful processor, each on its own volume at its state directory', () => {
    const processors = {
      'seat-allocation': 'SEAT_ALLOCATION',
      payments: 'PAYMENTS',
      notifications: 'NOTIFICATIONS',
      'partner-projector': 'PARTNER_PROJECTOR',
    } as const;
    for (const [name, prefix] of Object.entries(processors)) {
      const d = composeSeatStreamServices(model).find((s) => s.name === name);
      assert.ok(d && d.instances.length >= 2, `${name}: two instances`);
      const volumes = d.instances.map((i) => {
        const s = model.services[i]!;
        const dir = s.environment?.[`${prefix}_STATE_DIR`];
        assert.ok(dir, `${i} sets ${prefix}_STATE_DIR`);
        const m = mounts(s.volumes).find((v) => v.target === dir);
        assert.ok(m?.source && model.volumes && m.source in model.volumes, `${i}: a named volume at ${dir}`);
        return m.source;
      });
      assert.equal(new Set(volumes).size, d.instances.length, `${name}: one volume per instance`);
      const ids = d.instances.map((i) => model.services[i]!.environment?.[`${prefix}_INSTANCE_ID`]);
      assert.equal(new Set(ids).size, d.instances.length, `${name}: distinct instance ids`);
    }
  });

  it('builds every SeatStream service from the one Dockerfile, and keeps secret values out of the file', () => {
    const raw = rawCompose();
    const secretNames = [...documentedVariables().values()].filter((v) => v.secret).map((v) => v.name);
    for (const d of composeSeatStreamServices(model)) {
      for (const i of d.instances) {
        const s = raw.services[i] as { build?: { dockerfile?: string }; environment?: Record<string, string> };
        assert.equal(s.build?.dockerfile, 'Dockerfile', i);
        for (const name of secretNames)
          assert.equal(s.environment?.[name], undefined, `${i} sets secret ${name} in the file`);
      }
    }
    for (const [name, secret] of Object.entries(raw.secrets ?? {})) {
      assert.match(secret.file ?? '', /^\.\/deploy\/secrets\//, name);
      assert.equal(run('git', ['check-ignore', '-q', secret.file!]).status, 0, `${secret.file} is git-ignored`);
    }
    assert.equal(run('git', ['check-ignore', '-q', 'deploy/secrets/database.env']).status, 0);
  });
});
