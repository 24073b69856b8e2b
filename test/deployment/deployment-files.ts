/**
 * The deployment files as data, for the validation tests: the compose file as Docker Compose resolves it, the
 * Kubernetes manifests, the environment-variable table of docs/deployment.md, and the validators that
 * scripts/bootstrap.mjs installs (Debian's docker-compose; kubernetes-validate with its bundled schemas in
 * .stack/deploy-venv). Nothing here talks to a Docker engine or a cluster.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../infra/config.js';

export const composeFile = join(repoRoot, 'docker-compose.yml');
export const k8sDir = join(repoRoot, 'deploy', 'k8s');
export const deploymentDoc = join(repoRoot, 'docs', 'deployment.md');
export const deployVenv = join(repoRoot, '.stack', 'deploy-venv');
export const venvPython = join(deployVenv, 'bin', 'python');
export const kubernetesValidate = join(deployVenv, 'bin', 'kubernetes-validate');
/** The Kubernetes version the manifests are checked against (the oldest we support: preStop sleep needs 1.30). */
export const kubernetesVersion = '1.31.0';

export interface Run {
  status: number | null;
  out: string;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.error) throw new Error(`${cmd}: ${r.error.message} (run npm run bootstrap)`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** YAML documents as JSON, through the deploy venv's PyYAML (the validators' own parser; no npm YAML dependency). */
export function yamlDocuments(text: string): unknown[] {
  const r = spawnSync(
    venvPython,
    [
      '-c',
      'import sys, json, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d is not None], sys.stdout)',
    ],
    { input: text, encoding: 'utf8' },
  );
  if (r.error || r.status !== 0) throw new Error(`YAML parse failed: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

// ---------------------------------------------------------------------------------------------- compose

export interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  env_file?: string[] | string;
  labels?: Record<string, string>;
  volumes?: unknown[];
  secrets?: unknown[];
  healthcheck?: unknown;
  profiles?: string[];
}
export interface ComposeModel {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

/** The compose file as written (anchors and merge keys resolved by the YAML parser, nothing interpolated). */
export const rawCompose = (): ComposeModel => yamlDocuments(readFileSync(composeFile, 'utf8'))[0] as ComposeModel;

/**
 * Runs `docker-compose -f docker-compose.yml <args>` in a scratch project directory that holds the committed env
 * files (deploy/compose/) and empty stand-ins for the generated, git-ignored ones (deploy/secrets/*.env), which a
 * fresh clone does not have and which Compose insists on reading.
 */
export function composeRun(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const project = mkdtempSync(join(tmpdir(), 'seatstream-compose-'));
  try {
    cpSync(join(repoRoot, 'deploy', 'compose'), join(project, 'deploy', 'compose'), { recursive: true });
    for (const service of Object.values(rawCompose().services)) {
      const files = service.env_file === undefined ? [] : [service.env_file].flat();
      for (const f of files) {
        if (!f.startsWith('deploy/secrets/')) continue;
        mkdirSync(dirname(join(project, f)), { recursive: true });
        writeFileSync(join(project, f), '');
      }
    }
    return run('docker-compose', ['-f', composeFile, '--project-directory', project, ...args], {
      COMPOSE_PROFILES: '',
      SCHEMA_REGISTRY: '',
      ...env,
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

/** The compose model after Docker Compose resolved it (interpolation, env files inlined). */
export function resolvedCompose(env: NodeJS.ProcessEnv = {}): ComposeModel {
  const r = composeRun(['config'], env);
  if (r.status !== 0) throw new Error(`docker-compose config failed:\n${r.out}`);
  return yamlDocuments(r.out)[0] as ComposeModel;
}

/** SeatStream's own services in a compose model: label io.seatstream.service → instances and their entry. */
export interface Deployed {
  name: string;
  entry: string;
  instances: string[];
}

export function entryOf(command: string[] | string | undefined): string | undefined {
  const argv = typeof command === 'string' ? command.split(/\s+/) : (command ?? []);
  const i = argv.findIndex((a, k) => a === 'tsx' && argv[k - 1] === '--import');
  return i >= 0 && argv[0] === 'node' ? argv[i + 1] : undefined;
}

export function composeSeatStreamServices(model: ComposeModel): Deployed[] {
  const out = new Map<string, Deployed>();
  for (const [instance, s] of Object.entries(model.services)) {
    const name = s.labels?.['io.seatstream.service'];
    if (!name) continue;
    const entry = entryOf(s.command) ?? `(no node --import tsx entry in ${instance})`;
    const d = out.get(name) ?? { name, entry, instances: [] };
    if (d.entry !== entry) d.entry = `(instances disagree: ${d.entry} vs ${entry})`;
    d.instances.push(instance);
    out.set(name, d);
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------- Kubernetes

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  file: string;
}

export const k8sFiles = (): string[] =>
  readdirSync(k8sDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(k8sDir, f));

export function k8sObjects(): K8sObject[] {
  return k8sFiles().flatMap((file) =>
    (yamlDocuments(readFileSync(file, 'utf8')) as Omit<K8sObject, 'file'>[]).map((o) => ({ ...o, file })),
  );
}

// ---------------------------------------------------------------------------------------------- docs

export interface DocumentedVariable {
  name: string;
  /** Service names, or 'every service' / 'image'. */
  readBy: string[];
  secret: boolean;
}

/** The rows of docs/deployment.md's environment table: `| \`NAME\` | read by | default | meaning |`. */
export function documentedVariables(markdown = readFileSync(deploymentDoc, 'utf8')): Map<string, DocumentedVariable> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Environment variables'));
  if (!section) throw new Error('docs/deployment.md has no "## Environment variables" section');
  const out = new Map<string, DocumentedVariable>();
  for (const line of section.split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|([^|]*)\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const readBy = m[2]!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    out.set(m[1]!, { name: m[1]!, readBy, secret: /\*\*secret\*\*/.test(m[4]!) });
  }
  return out;
}

export const hasValidators = (): string | undefined => {
  const missing = [
    run('sh', ['-c', 'command -v docker-compose']).status === 0 ? undefined : 'docker-compose',
    existsSync(kubernetesValidate) ? undefined : '.stack/deploy-venv (kubernetes-validate)',
  ].filter(Boolean);
  return missing.length ? `missing ${missing.join(', ')}: run npm run bootstrap` : undefined;
};
