#!/usr/bin/env node
/**
 * Bootstrap: installs what SeatStream needs on a Debian 12 machine, and nothing more.
 *
 * Plain Node without npm packages (it runs before `npm ci`). `npm start` and `npm test` run it first; a run on a
 * ready machine only checks (markers holding the hash of what was installed) and takes well under two seconds.
 *
 *   1. npm dependencies   `npm ci` when node_modules does not match package-lock.json
 *   2. Debian packages    postgresql, redis-server, clickhouse-server, kcat, chromium, mediasoup's worker build
 *                         tools and libraries (+ python3-venv, a JRE, maven when absent);
 *                         their services are kept from starting (policy-rc.d) and checked not to be left running
 *   3. Kafka jars         Maven copies infra/kafka/pom.xml's dependencies into .stack/kafka/libs
 *   3b. mediasoup worker  node_modules/mediasoup/worker/out/Release/mediasoup-worker, built offline once per machine
 *                         by scripts/mediasoup/build-worker.mjs into ~/.cache/seatstream/mediasoup-worker/ and copied
 *                         from there (nothing when MEDIASOUP_WORKER_BIN names a worker of the user's own)
 *   4. Python venv        .stack/venv with infra/python/requirements.txt (Confluent's client, for interop tests)
 *   6. k8s validator      .stack/deploy-venv with kubernetes-validate (Kubernetes JSON schemas bundled: offline)
 *
 * One progress line per step (what, how long). A failure names the step and the reason and exits non-zero.
 * Concurrent runs (several `npm test` at once) are serialised by a lock directory, .stack/bootstrap.lock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mediasoupWorker from './mediasoup/build-worker.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Installations (not stack state) always live in the repository's own .stack, whatever SEATSTREAM_STACK_DIR says. */
const localDir = path.join(repo, '.stack');
const isRoot = process.getuid?.() === 0;

class StepError extends Error {}

// ---------------------------------------------------------------------------------------------- small helpers

const sha256 = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const readIf = (file) => {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
};
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function onPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Runs a command whose output the user may watch (installers); rejects with its exit status. `stripAnsi` passes the
 * output on without terminal escapes (Maven 3.8 writes colour resets even in batch mode).
 */
function run(cmd, args, { stripAnsi = false, ...opts } = {}) {
  return new Promise((resolve, reject) => {
    const stdio = stripAnsi ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'];
    const child = spawn(cmd, args, { cwd: repo, stdio, ...opts });
    if (stripAnsi) {
      const escape = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
      const clean = (chunk) => chunk.toString().replace(escape, '');
      child.stdout.on('data', (c) => process.stdout.write(clean(c)));
      child.stderr.on('data', (c) => process.stderr.write(clean(c)));
    }
    child.on('error', (err) => reject(new StepError(`${cmd}: ${err.message}`)));
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new StepError(
              `\`${[cmd, ...args].join(' ')}\` ${signal ? `was killed by ${signal}` : `exited with ${code}`}`,
            ),
          ),
    );
  });
}

/** Runs a quick check; returns { ok, out }. */
function check(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), error: r.error };
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------- lock

const lockDir = path.join(localDir, 'bootstrap.lock');
let lockHeld = false;

async function takeLock() {
  fs.mkdirSync(localDir, { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      lockHeld = true;
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = Number(readIf(path.join(lockDir, 'pid')));
    if (holder && !pidAlive(holder)) {
      fs.rmSync(lockDir, { recursive: true, force: true }); // a bootstrap that died; take over
      continue;
    }
    if (!holder) {
      // the holder is between mkdir and writing its pid, or died there: give it a moment, then take over
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10_000) fs.rmSync(lockDir, { recursive: true, force: true });
    }
    if (!announced) {
      console.log(`bootstrap: waiting for another bootstrap (pid ${holder || '?'}) to finish`);
      announced = true;
    }
    await sleep(250);
  }
}

function releaseLock() {
  if (lockHeld) fs.rmSync(lockDir, { recursive: true, force: true });
  lockHeld = false;
}

// ---------------------------------------------------------------------------------------------- 1. npm

const nodeModules = path.join(repo, 'node_modules');
const npmMarker = path.join(nodeModules, '.seatstream-lock-sha256');

/**
 * Whether the installed tree is the one package-lock.json describes, read from npm's own record of it
 * (node_modules/.package-lock.json). Lets a tree installed by `npm install --save` (under the team's lock) count as
 * current without reinstalling everything under the feet of running processes.
 */
function installedTreeMatchesLock() {
  let lock, hidden;
  try {
    lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')).packages ?? {};
    hidden = JSON.parse(fs.readFileSync(path.join(nodeModules, '.package-lock.json'), 'utf8')).packages ?? {};
  } catch {
    return false;
  }
  for (const [p, meta] of Object.entries(lock)) {
    if (!p.startsWith('node_modules/')) continue;
    const got = hidden[p];
    if (!got) {
      if (meta.optional || meta.devOptional) continue; // platform-specific optional packages are skipped by npm
      return false;
    }
    if (got.version !== meta.version) return false;
  }
  for (const p of Object.keys(hidden)) if (p.startsWith('node_modules/') && !lock[p]) return false;
  return true;
}

function verifyNativeModules() {
  const r = check(process.execPath, ['-e', "require('rocksdb'); require('argon2')"]);
  if (!r.ok)
    throw new StepError(
      `the native modules do not load (rocksdb and argon2 ship prebuilt binaries for linux-x64 glibc; ` +
        `this machine needs one of them or a compiler and \`npm rebuild\`):\n${r.out.split('\n').slice(0, 6).join('\n')}`,
    );
}

async function npmDependencies() {
  const lockFile = path.join(repo, 'package-lock.json');
  if (!fs.existsSync(lockFile)) throw new StepError('package-lock.json is missing');
  const want = sha256(lockFile);
  if (fs.existsSync(nodeModules) && readIf(npmMarker) === want) return 'up to date';
  if (fs.existsSync(nodeModules) && installedTreeMatchesLock()) {
    verifyNativeModules();
    fs.writeFileSync(npmMarker, `${want}\n`);
    return 'up to date (node_modules matches package-lock.json; recorded its hash)';
  }
  const npm = onPath('npm');
  if (!npm) throw new StepError('npm is not on PATH');
  // mediasoup's postinstall would download a worker from GitHub or build one with tools from PyPI: npm 11 skips it
  // (package.json's allowScripts), npm 10 runs it, and it does nothing when MEDIASOUP_WORKER_BIN is set. The worker
  // comes from the 'mediasoup worker' step instead.
  await run(npm, ['ci', '--no-audit', '--no-fund'], {
    env: {
      ...process.env,
      MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN || mediasoupWorker.defaultWorkerPath,
    },
  });
  verifyNativeModules();
  fs.writeFileSync(npmMarker, `${want}\n`);
  return 'installed (npm ci)';
}

// ---------------------------------------------------------------------------------------------- 2. Debian packages

/** Default ports of the services these packages would start on their own; none may be left listening. */
const serviceDefaultPorts = [5432, 6379, 8123, 9000, 9009];
const serviceCommands = ['postgres', 'redis-server', 'clickhouse-serv', 'clickhouse-server'];

function debInstalled(pkg) {
  const r = check('dpkg-query', ['-W', '-f=${Status}', pkg]);
  return r.ok && /\binstall ok installed\b/.test(r.out);
}

/** Debian's python3 makes venvs only with python3-venv; another python3 (pyenv, a build of its own) brings ensurepip. */
function needsPython3Venv() {
  const py = onPath('python3');
  if (!py) return true;
  return fs.realpathSync(py).startsWith('/usr/bin/');
}

function wantedDebianPackages() {
  // kcat: a Kafka client no one here wrote, with which the partner tests (test/partners) read as a partner would
  const want = ['postgresql', 'redis-server', 'clickhouse-server', 'kcat'];
  // chromium: Debian's browser (/usr/bin/chromium), driven headless by playwright-core in the buyer page's test
  // (test/browser); installed, like the others, only when dpkg does not have it
  want.push('chromium');
  // docker-compose: Debian's 1.29, which validates docker-compose.yml without a Docker engine (test/deployment)
  want.push('docker-compose');
  // nginx-light: the gateway the canary release test starts on loopback (deploy/release/gateway.int.test.ts), with
  // the upstream file the release script generates
  want.push('nginx-light');
  if (needsPython3Venv()) want.push('python3-venv');
  if (!onPath('java')) want.push('openjdk-17-jre-headless');
  if (!onPath('mvn')) want.push('maven');
  // meson, ninja, g++ and the -dev packages of the libraries mediasoup's worker is built and linked with
  if (!process.env.MEDIASOUP_WORKER_BIN) want.push(...mediasoupWorker.debianBuildPackages);
  return want;
}

/** Listening TCP ports (IPv4 and IPv6) with their socket inodes, from /proc/net. */
function listeningSockets() {
  const out = new Map();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = readIf(f);
    if (!text) continue;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A') continue; // LISTEN
      const port = parseInt(cols[1].split(':').pop(), 16);
      out.set(cols[9], port);
    }
  }
  return out; // inode -> port
}

/** Processes of the database packages, as pid -> comm. */
function serviceProcesses() {
  const out = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const comm = readIf(`/proc/${name}/comm`);
    if (comm && serviceCommands.includes(comm)) out.set(Number(name), comm);
  }
  return out;
}

const policyRcd = '/usr/sbin/policy-rc.d';
const policyBackup = `${policyRcd}.seatstream-backup`;
const policyMarker = '# written by SeatStream scripts/bootstrap.mjs while it installs packages';

/** Puts back what a bootstrap that died mid-install left in place of the machine's own policy-rc.d. */
function restorePolicyRcd() {
  if (!(readIf(policyRcd) ?? '').includes(policyMarker)) return;
  if (fs.existsSync(policyBackup)) fs.renameSync(policyBackup, policyRcd);
  else fs.rmSync(policyRcd, { force: true });
}

function installPolicyRcd() {
  restorePolicyRcd();
  if (fs.existsSync(policyRcd)) fs.renameSync(policyRcd, policyBackup);
  fs.writeFileSync(policyRcd, `#!/bin/sh\n${policyMarker}: no service starts during the install.\nexit 101\n`, {
    mode: 0o755,
  });
}

async function stopNewServices(before) {
  const fresh = [...serviceProcesses()].filter(([pid]) => !before.has(pid));
  if (fresh.length === 0) return [];
  // signal only the parents (postgres' postmaster, say); their children go with them
  const pids = new Set(fresh.map(([pid]) => pid));
  const parents = fresh.filter(([pid]) => {
    const ppid = Number((readIf(`/proc/${pid}/stat`) ?? '').split(') ')[1]?.split(' ')[1]);
    return !pids.has(ppid);
  });
  for (const [pid] of parents) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  for (let i = 0; i < 100 && parents.some(([pid]) => pidAlive(pid)); i++) await sleep(100);
  for (const [pid] of parents) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  return parents.map(([pid, comm]) => `${comm} (pid ${pid})`);
}

/**
 * On a machine run by systemd, the packages also enable their services for the next boot (policy-rc.d only covers
 * the install itself): the stack runs its own servers on its own ports, so those units are disabled again.
 */
async function keepServicesFromBooting(installed, sudo) {
  if (!fs.existsSync('/run/systemd/system')) return;
  const units = { postgresql: 'postgresql', 'redis-server': 'redis-server', 'clickhouse-server': 'clickhouse-server' };
  const ours = installed.map((p) => units[p]).filter(Boolean);
  if (ours.length === 0) return;
  const cmd = [...sudo, 'systemctl', 'disable', '--now', ...ours];
  const r = check(cmd[0], cmd.slice(1));
  if (!r.ok)
    console.log(`bootstrap: could not disable ${ours.join(' ')} (${r.out.split('\n')[0]}); they may start at boot`);
}

async function debianPackages() {
  if (!onPath('dpkg-query')) {
    // not Debian: nothing to install with apt, but say what the stack will miss
    const missing = [
      ['/usr/lib/postgresql/15/bin/postgres', 'PostgreSQL 15'],
      [onPath('redis-server'), 'redis-server'],
      [onPath('clickhouse-server'), 'clickhouse-server'],
      [onPath('java'), 'a Java 17 runtime'],
      [onPath('mvn'), 'maven'],
    ].filter(([p]) => !p || !fs.existsSync(p));
    if (missing.length)
      throw new StepError(
        `not a Debian system (no dpkg-query); install yourself: ${missing.map((m) => m[1]).join(', ')}`,
      );
    return 'not Debian; the needed programs are present';
  }
  const missing = wantedDebianPackages().filter((p) => !debInstalled(p));
  if (missing.length === 0) return 'up to date';

  const sudo = isRoot ? [] : onPath('sudo') ? ['sudo', '-n'] : null;
  if (!sudo) throw new StepError(`missing ${missing.join(' ')}; run as root: apt-get install ${missing.join(' ')}`);
  const apt = (args) =>
    run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });

  const portsBefore = new Set(listeningSockets().values());
  const processesBefore = serviceProcesses();
  if (isRoot) installPolicyRcd();
  let stopped;
  try {
    console.log(`bootstrap: installing Debian packages: ${missing.join(' ')}`);
    const waitForLock = ['-o', 'DPkg::Lock::Timeout=300']; // a fresh VM may be running unattended-upgrades
    await apt([...waitForLock, 'update', '-q']);
    await apt([
      ...waitForLock,
      'install',
      '-y',
      '-q',
      '--no-install-recommends',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'Dpkg::Options::=--force-confold',
      ...missing,
    ]);
    stopped = await stopNewServices(processesBefore);
    await keepServicesFromBooting(missing, sudo);
  } finally {
    if (isRoot) restorePolicyRcd();
  }
  const still = missing.filter((p) => !debInstalled(p));
  if (still.length) throw new StepError(`apt-get did not install ${still.join(' ')}`);
  const left = [...new Set(listeningSockets().values())].filter(
    (p) => serviceDefaultPorts.includes(p) && !portsBefore.has(p),
  );
  if (left.length)
    throw new StepError(`a package left a service listening on port(s) ${left.join(', ')}; stop it and run again`);
  return `installed ${missing.join(' ')}${stopped.length ? `; stopped services they started: ${stopped.join(', ')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------- 3. Kafka jars

const pomFile = path.join(repo, 'infra', 'kafka', 'pom.xml');
const kafkaLibs = path.join(localDir, 'kafka', 'libs');
const pomMarker = '.pom-sha256';

async function kafkaJars() {
  const want = sha256(pomFile);
  if (readIf(path.join(kafkaLibs, pomMarker)) === want) return 'up to date';
  const mvn = onPath('mvn');
  if (!mvn) throw new StepError('mvn is not on PATH (the Debian step installs maven when it is missing)');
  // Maven fills a fresh directory that then replaces the old one whole: no stale jar of another version stays on
  // the classpath, and brokers already running keep the files they opened.
  const fresh = `${kafkaLibs}.new`;
  const old = `${kafkaLibs}.old`;
  fs.rmSync(fresh, { recursive: true, force: true });
  fs.rmSync(old, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(kafkaLibs), { recursive: true });
  await run(mvn, ['-q', '-B', '-f', pomFile, 'dependency:copy-dependencies', `-Dkafka.libs=${fresh}`], {
    stripAnsi: true,
  });
  const jars = fs.readdirSync(fresh).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => /^kafka_2\.13-.*\.jar$/.test(f)))
    throw new StepError(`maven did not put the Kafka broker jar in ${fresh}`);
  fs.writeFileSync(path.join(fresh, pomMarker), `${want}\n`);
  if (fs.existsSync(kafkaLibs)) fs.renameSync(kafkaLibs, old);
  fs.renameSync(fresh, kafkaLibs);
  fs.rmSync(old, { recursive: true, force: true });
  return `installed ${jars.length} jars`;
}

// ---------------------------------------------------------------------------------------------- 3b. mediasoup worker

/** Whether two files hold the same bytes (the same inode, or the same size and SHA-256). */
function sameFile(a, b) {
  const sa = fs.statSync(a, { throwIfNoEntry: false });
  const sb = fs.statSync(b, { throwIfNoEntry: false });
  if (!sa || !sb) return false;
  if (sa.ino === sb.ino && sa.dev === sb.dev) return true;
  return sa.size === sb.size && sha256(a) === sha256(b);
}

/**
 * mediasoup's C++ worker, which its npm package does not ship: built once per machine and mediasoup version by
 * scripts/mediasoup/build-worker.mjs (about 4 minutes on 2 cores) into the user's cache, then copied to the path
 * mediasoup's Node side starts it from. MEDIASOUP_WORKER_BIN (a worker the user brings) replaces all of it.
 */
async function mediasoupWorkerStep() {
  const own = process.env.MEDIASOUP_WORKER_BIN;
  if (own) {
    const probe = mediasoupWorker.workerRuns(own);
    if (!probe.ok)
      throw new StepError(`MEDIASOUP_WORKER_BIN=${own} does not start as a mediasoup worker: ${probe.out}`);
    return `using MEDIASOUP_WORKER_BIN=${own}; built nothing`;
  }
  const target = mediasoupWorker.defaultWorkerPath;
  let cached;
  try {
    cached = await mediasoupWorker.ensureCachedWorker({ log: (line) => console.log(`bootstrap: ${line}`) });
  } catch (err) {
    throw new StepError(err.message);
  }
  if (!cached.built && sameFile(cached.path, target)) return 'up to date';
  mediasoupWorker.installFile(cached.path, target);
  return `${cached.built ? 'built' : 'cache hit:'} ${cached.path}; installed ${path.relative(repo, target)}`;
}

// ---------------------------------------------------------------------------------------------- 4. Python venv

const venv = path.join(localDir, 'venv');
const venvPython = path.join(venv, 'bin', 'python');
const requirements = path.join(repo, 'infra', 'python', 'requirements.txt');
const venvMarker = path.join(venv, '.requirements-sha256');

async function pythonVenv() {
  const want = sha256(requirements);
  const works = fs.existsSync(venvPython) && check(venvPython, ['-c', 'import sys']).ok;
  if (works && readIf(venvMarker) === want) return 'up to date';
  let made = '';
  if (!works) {
    const py = onPath('python3');
    if (!py) throw new StepError('python3 is not on PATH');
    fs.rmSync(venv, { recursive: true, force: true });
    await run(py, ['-m', 'venv', venv]);
    made = 'created .stack/venv; ';
  }
  await run(venvPython, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', requirements]);
  const probe = check(venvPython, [
    '-c',
    'import confluent_kafka.schema_registry.avro, fastavro; print(confluent_kafka.__version__)',
  ]);
  if (!probe.ok) throw new StepError(`confluent-kafka does not import in .stack/venv:\n${probe.out}`);
  fs.writeFileSync(venvMarker, `${want}\n`);
  return `${made}installed infra/python/requirements.txt (confluent-kafka ${probe.out})`;
}

// ---------------------------------------------------------------------------------------------- 5. stripe-mock

/**
 * Stripe's own API mock (github.com/stripe/stripe-mock), a Go module, built from the Go module proxy into
 * .stack/bin: the Stripe payment adapter's integration test sends its requests to it. Pinned, so every machine tests
 * against the same OpenAPI spec.
 */
const stripeMockVersion = 'v0.203.0';
const stripeMockBin = path.join(localDir, 'bin', 'stripe-mock');
const stripeMockMarker = path.join(localDir, 'bin', '.stripe-mock-version');

async function stripeMock() {
  if (fs.existsSync(stripeMockBin) && readIf(stripeMockMarker) === stripeMockVersion) return 'up to date';
  const go = onPath('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) throw new StepError('go is not on PATH (needed to build stripe-mock)');
  fs.mkdirSync(path.dirname(stripeMockBin), { recursive: true });
  await run(go, ['install', `github.com/stripe/stripe-mock@${stripeMockVersion}`], {
    env: {
      ...process.env,
      GOBIN: path.dirname(stripeMockBin),
      GOPATH: path.join(localDir, 'gopath'),
      GOFLAGS: '-modcacherw',
    },
  });
  if (!fs.existsSync(stripeMockBin)) throw new StepError(`go install did not produce ${stripeMockBin}`);
  fs.writeFileSync(stripeMockMarker, `${stripeMockVersion}\n`);
  return `installed stripe-mock ${stripeMockVersion}`;
}

// ---------------------------------------------------------------------------------------------- 6. k8s validator

/**
 * kubernetes-validate from PyPI, in its own venv: it ships the Kubernetes JSON schemas, so test/deployment validates
 * deploy/k8s offline (kubeconform would download them from GitHub). Pinned, so every machine checks the same schemas.
 */
const kubernetesValidateVersion = '1.37.0';
const deployVenv = path.join(localDir, 'deploy-venv');
const deployVenvMarker = path.join(deployVenv, '.kubernetes-validate-version');

async function kubernetesValidator() {
  const python = path.join(deployVenv, 'bin', 'python');
  const works =
    fs.existsSync(path.join(deployVenv, 'bin', 'kubernetes-validate')) && check(python, ['-c', 'import yaml']).ok;
  if (works && readIf(deployVenvMarker) === kubernetesValidateVersion) return 'up to date';
  const py = onPath('python3');
  if (!py) throw new StepError('python3 is not on PATH');
  fs.rmSync(deployVenv, { recursive: true, force: true });
  await run(py, ['-m', 'venv', deployVenv]);
  await run(python, [
    '-m',
    'pip',
    'install',
    '-q',
    '--disable-pip-version-check',
    `kubernetes-validate==${kubernetesValidateVersion}`,
  ]);
  if (!check(path.join(deployVenv, 'bin', 'kubernetes-validate'), ['--version']).ok)
    throw new StepError('kubernetes-validate does not run in .stack/deploy-venv');
  fs.writeFileSync(deployVenvMarker, `${kubernetesValidateVersion}\n`);
  return `installed kubernetes-validate ${kubernetesValidateVersion} in .stack/deploy-venv`;
}

// ---------------------------------------------------------------------------------------------- main

const steps = [
  ['npm dependencies', npmDependencies],
  ['Debian packages', debianPackages],
  ['Kafka jars', kafkaJars],
  ['mediasoup worker', mediasoupWorkerStep],
  ['Python venv', pythonVenv],
  ['stripe-mock', stripeMock],
  ['k8s validator', kubernetesValidator],
];

async function main() {
  const t0 = Date.now();
  await takeLock();
  for (const [name, step] of steps) {
    const t = Date.now();
    try {
      const what = await step();
      console.log(`bootstrap: ${name}: ${what} (${seconds(Date.now() - t)})`);
    } catch (err) {
      const why = err instanceof StepError ? err.message : (err?.stack ?? String(err));
      console.error(`bootstrap: FAILED at step '${name}' after ${seconds(Date.now() - t)}: ${why}`);
      return 1;
    }
  }
  console.log(`bootstrap: ready (${seconds(Date.now() - t0)})`);
  return 0;
}

const cleanUp = () => {
  if (isRoot) {
    try {
      restorePolicyRcd();
    } catch {
      /* best effort */
    }
  }
  releaseLock();
};
process.on('exit', cleanUp);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bootstrap: FAILED: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
