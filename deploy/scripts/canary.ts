/**
 * `npm run release:canary -- --image <ref> [options]`: a canary release of the API, decided by its metrics.
 *
 *   --target compose|k8s     where (default compose: this directory's docker-compose.yml; k8s: kubectl's context)
 *   --percent N              the canary's share of requests, 1–99 (default 10)
 *   --minutes M              how long it is watched before it may be promoted (default 10)
 *   --interval-seconds S     between two comparisons (default 30)
 *   --min-requests N         canary requests needed to judge (default 200)
 *   --namespace NS           Kubernetes namespace (default seatstream)
 *   --dry-run                print the commands, run none (the metrics loop is skipped)
 *
 * 1. start the canary: compose — `api-canary` (profile canary) with the new image, then the gateway's upstream
 *    (deploy/nginx/upstreams/api.conf) rewritten with weights and NGINX reloaded; k8s — a Deployment api-canary
 *    made from api (track canary, replicas for the share) behind the same Service;
 * 2. every interval, scrape /metrics of every stable and canary replica (inside each container or pod), subtract
 *    the first scrape, and let deploy/release/verdict.ts decide: hold, promote, or roll back;
 * 3. promote — compose: api-1 then api-2, each drained (marked down in the upstream), replaced by the new image,
 *    waited for until healthy (/ready), put back; k8s: the new image on api (rolling, maxUnavailable 0, readiness
 *    on /ready), then the canary deleted. Roll back — the canary leaves the upstream / is deleted; stable never
 *    changed.
 *
 * Exit status: 0 promoted, 1 rolled back, 2 usage, 3 an operation failed (the state is printed; the resting
 * upstream is restored when the gateway answers).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../infra/config.js';
import { combine, parseRequestCounts, windowBetween, type RequestCounts } from '../release/api-metrics.js';
import { canaryDeploymentFrom, canaryReplicas, TRACK_LABEL, type DeploymentJson } from '../release/k8s-canary.js';
import {
  composeApiPort,
  composeStableReplicas,
  renderApiUpstream,
  restingComposeUpstream,
  type ApiUpstream,
} from '../release/upstream.js';
import { decideCanary, defaultCanaryPolicy, type CanaryPolicy } from '../release/verdict.js';

const { values: a } = parseArgs({
  options: {
    image: { type: 'string' },
    target: { type: 'string', default: 'compose' },
    percent: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '10' },
    'interval-seconds': { type: 'string', default: '30' },
    'min-requests': { type: 'string', default: String(defaultCanaryPolicy.minRequests) },
    namespace: { type: 'string', default: 'seatstream' },
    'dry-run': { type: 'boolean', default: false },
  },
});

const usage = (msg: string): never => {
  process.stderr.write(
    `${msg}\nusage: npm run release:canary -- --image <ref> [--target compose|k8s] [--percent N] …\n`,
  );
  process.exit(2);
};
const image = a.image ?? usage('--image is required');
const target = a.target === 'compose' || a.target === 'k8s' ? a.target : usage(`unknown --target ${a.target}`);
const positive = (name: string, v: string | undefined) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : usage(`--${name} must be a positive integer`);
};
const percent = positive('percent', a.percent);
const intervalMs = positive('interval-seconds', a['interval-seconds']) * 1000;
const policy: CanaryPolicy = {
  ...defaultCanaryPolicy,
  analysisMs: positive('minutes', a.minutes) * 60_000,
  minRequests: positive('min-requests', a['min-requests']),
};
const dryRun = a['dry-run'];
const ns = a.namespace;

const say = (line: string) => process.stdout.write(`[canary ${new Date().toISOString()}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a command (or prints it in a dry run); throws on a non-zero exit. */
function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const shown = `${Object.entries(opts.env ?? {})
    .map(([k, v]) => `${k}=${v} `)
    .join('')}${cmd} ${args.join(' ')}`;
  if (dryRun) {
    say(`would run: ${shown}`);
    return '';
  }
  const r = spawnSync(cmd, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) throw new Error(`${shown} failed: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

/** Polls `check` until it holds or the deadline passes. */
async function until(what: string, check: () => boolean, deadlineMs: number): Promise<void> {
  if (dryRun) return;
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      if (check()) return;
    } catch {
      // not there yet
    }
    await sleep(2_000);
  }
  throw new Error(`${what}: not within ${deadlineMs / 1000} s`);
}

/** The metrics text of the API inside a container or pod, fetched there (no API port is published). */
const scrapeScript = `fetch('http://127.0.0.1:${composeApiPort}/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))`;

interface Release {
  start(): Promise<void>;
  /** Replica name → its cumulative request counts now. */
  scrape(): { stable: Map<string, RequestCounts>; canary: Map<string, RequestCounts> };
  promote(): Promise<void>;
  rollback(): Promise<void>;
}

// ------------------------------------------------------------------------------------------------ compose

function composeRelease(): Release {
  const compose = (args: string[], env: NodeJS.ProcessEnv = {}) => sh('docker', ['compose', ...args], { env });
  const canaryEnv = { SEATSTREAM_CANARY_IMAGE: image, COMPOSE_PROFILES: 'canary' };
  const upstreamFile = join(repoRoot, 'deploy', 'nginx', 'upstreams', 'api.conf');
  const canary = { address: `api-canary:${composeApiPort}`, percent };
  const writeUpstream = (u: ApiUpstream | 'resting') => {
    const text = u === 'resting' ? restingComposeUpstream() : renderApiUpstream(u);
    if (dryRun) say(`would write ${upstreamFile}:\n${text}`);
    else writeFileSync(upstreamFile, text);
    compose(['exec', '-T', 'gateway', 'nginx', '-t']);
    compose(['exec', '-T', 'gateway', 'nginx', '-s', 'reload']);
  };
  const stableWith = (down?: string) =>
    composeStableReplicas.map((h) => ({ address: `${h}:${composeApiPort}`, down: h === down }));
  const healthy = (service: string, env: NodeJS.ProcessEnv = {}) => {
    const id = compose(['ps', '-q', service], env).trim();
    return sh('docker', ['inspect', '-f', '{{.State.Health.Status}}', id]).trim() === 'healthy';
  };
  const metricsOf = (service: string, env: NodeJS.ProcessEnv = {}) =>
    parseRequestCounts(compose(['exec', '-T', service, 'node', '-e', scrapeScript], env));
  return {
    async start() {
      compose(['up', '-d', '--no-deps', 'api-canary'], canaryEnv);
      await until('api-canary healthy', () => healthy('api-canary', canaryEnv), 180_000);
      writeUpstream({ stable: stableWith(), canary });
      say(`api-canary (${image}) takes ${percent} % of the requests`);
    },
    scrape() {
      return {
        stable: new Map(composeStableReplicas.map((s) => [s, metricsOf(s)])),
        canary: new Map([['api-canary', metricsOf('api-canary', canaryEnv)]]),
      };
    },
    async promote() {
      for (const replica of composeStableReplicas) {
        writeUpstream({ stable: stableWith(replica), canary });
        say(`${replica} drained; waiting for its requests to finish`);
        if (!dryRun) await sleep(15_000);
        compose(['up', '-d', '--no-deps', replica], { SEATSTREAM_IMAGE: image });
        await until(`${replica} healthy on ${image}`, () => healthy(replica), 180_000);
        writeUpstream({ stable: stableWith(), canary });
        say(`${replica} runs ${image}`);
      }
      writeUpstream('resting');
      compose(['rm', '-sf', 'api-canary'], canaryEnv);
      say(`promoted: set SEATSTREAM_IMAGE=${image} in .env so the next \`docker compose up\` keeps it`);
    },
    async rollback() {
      writeUpstream('resting');
      compose(['rm', '-sf', 'api-canary'], canaryEnv);
      say('rolled back: api-canary removed, the stable replicas unchanged');
    },
  };
}

// ------------------------------------------------------------------------------------------------ Kubernetes

function k8sRelease(): Release {
  const kubectl = (args: string[], input?: string) => sh('kubectl', ['-n', ns, ...args], { input });
  const pods = (track: string) =>
    kubectl([
      'get',
      'pods',
      '-l',
      `app.kubernetes.io/name=api,${TRACK_LABEL}=${track}`,
      '--field-selector=status.phase=Running',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ])
      .split(/\s+/)
      .filter(Boolean);
  const metricsOf = (pod: string) =>
    parseRequestCounts(kubectl(['exec', pod, '-c', 'api', '--', 'node', '-e', scrapeScript]));
  return {
    async start() {
      const stable = dryRun
        ? ({ spec: { replicas: 2 } } as DeploymentJson)
        : (JSON.parse(kubectl(['get', 'deployment', 'api', '-o', 'json'])) as DeploymentJson);
      const replicas = canaryReplicas(stable.spec.replicas ?? 2, percent);
      const manifest = dryRun
        ? '(the api Deployment, track canary)'
        : JSON.stringify(canaryDeploymentFrom(stable, image, replicas));
      kubectl(['apply', '-f', '-'], manifest);
      kubectl(['rollout', 'status', 'deployment/api-canary', '--timeout=5m']);
      say(`api-canary (${image}): ${replicas} pod(s) beside ${stable.spec.replicas ?? '?'} stable`);
    },
    scrape() {
      return {
        stable: new Map(pods('stable').map((p) => [p, metricsOf(p)])),
        canary: new Map(pods('canary').map((p) => [p, metricsOf(p)])),
      };
    },
    async promote() {
      kubectl(['set', 'image', 'deployment/api', `api=${image}`]);
      kubectl(['rollout', 'status', 'deployment/api', '--timeout=15m']);
      kubectl(['delete', 'deployment', 'api-canary', '--wait=true']);
      say(`promoted: deployment/api runs ${image}; record it in deploy/k8s/20-api.yaml`);
    },
    async rollback() {
      kubectl(['delete', 'deployment', 'api-canary', '--ignore-not-found', '--wait=true']);
      say('rolled back: api-canary deleted, deployment/api unchanged');
    },
  };
}

// ------------------------------------------------------------------------------------------------ the loop

/** Each replica's window since its first scrape; a replica that appeared later starts from its first scrape. */
function windows(first: Map<string, RequestCounts>, now: Map<string, RequestCounts>): RequestCounts[] {
  return [...now].map(([name, counts]) => {
    const base = first.get(name);
    if (!base) first.set(name, counts);
    return base ? windowBetween(base, counts) : windowBetween(counts, counts);
  });
}

const release = target === 'compose' ? composeRelease() : k8sRelease();
try {
  await release.start();
  if (dryRun) {
    say('dry run: the analysis would run now; then, on promote:');
    await release.promote();
    say('or, on roll back:');
    await release.rollback();
    process.exit(0);
  }
  const started = Date.now();
  const first = release.scrape();
  for (;;) {
    await sleep(intervalMs);
    const now = release.scrape();
    const d = decideCanary(
      combine(windows(first.canary, now.canary)),
      combine(windows(first.stable, now.stable)),
      Date.now() - started,
      policy,
    );
    say(`${d.verdict}: ${d.reasons.join('; ')}`);
    if (d.verdict === 'promote') {
      await release.promote();
      process.exit(0);
    }
    if (d.verdict === 'rollback') {
      await release.rollback();
      process.exit(1);
    }
  }
} catch (err) {
  say(`failed: ${err instanceof Error ? err.message : String(err)}; rolling back`);
  await release.rollback().catch((e: unknown) => say(`roll back failed too: ${String(e)}`));
  process.exit(3);
}
