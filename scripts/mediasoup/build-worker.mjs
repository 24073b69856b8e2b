#!/usr/bin/env node
/**
 * Builds mediasoup's C++ worker (mediasoup-worker) offline, from the sources npm put in node_modules/mediasoup/worker
 * and Debian's libraries, instead of mediasoup's postinstall (which downloads a prebuilt worker from GitHub, or meson,
 * ninja and the dependencies' sources from PyPI and GitHub).
 *
 *   node scripts/mediasoup/build-worker.mjs [--out <path>] [--force]
 *
 * Without --out the worker goes to the machine's cache, which scripts/bootstrap.mjs fills and installs from:
 *   ${XDG_CACHE_HOME:-$HOME/.cache}/seatstream/mediasoup-worker/<mediasoup version>-<os id><os version>/mediasoup-worker
 * An existing worker there is kept unless --force. With --out it is always built, and written there (a Docker build
 * stage, say).
 *
 * How: the worker's sources are copied into a scratch directory beside the cache entry; there its meson subprojects
 * (.wrap files that download) are replaced by the small local subprojects of ./subprojects, which wrap the system
 * libraries pkg-config finds (libsrtp 2.5 behind a libsrtp 3 compatibility header, subprojects/libsrtp3/include/srtp.h),
 * and the minimum meson version is relaxed to Debian 12's. Then meson and ninja (Debian's) build the
 * flatbuffers-generator target and the worker, under `nice`, two jobs at a time.
 *
 * OpenSSL is the one library not taken from Debian: with Debian 12's libssl 3.0 the worker dies (SIGSEGV, a NULL
 * record-layer write buffer inside SSL_read) on the first DTLS ClientHello, from Chromium and from `openssl
 * s_client` alike, while the same worker binary completes the handshake with OpenSSL 3.5 (checked by loading one
 * through LD_LIBRARY_PATH). So OpenSSL 3.5 LTS is built from source once per machine, static, into the cache: its
 * sources come from the crates.io package openssl-src (the Rust openssl crate's vendored copy of the release
 * tarball; crates.io is reachable where GitHub and openssl.org are not), pinned by version and SHA-256.
 *
 * Plain Node without npm packages: it runs before the TypeScript toolchain is needed, and as root in a
 * node:20-bookworm build stage. Imported by scripts/bootstrap.mjs for the paths and the package list.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const localSubprojects = path.join(here, 'subprojects');

/** The mediasoup npm package this repository installed. */
export const mediasoupDir = path.join(repo, 'node_modules', 'mediasoup');

/** Where mediasoup's Node side looks for its worker when MEDIASOUP_WORKER_BIN is not set (see its Worker.js). */
export const defaultWorkerPath = path.join(mediasoupDir, 'worker', 'out', 'Release', 'mediasoup-worker');

/** Debian packages the build needs (they also bring the shared libraries the worker then runs with). */
export const debianBuildPackages = [
  'meson',
  'ninja-build',
  'pkg-config',
  'g++',
  'make',
  'perl',
  'libuv1-dev',
  'libsrtp2-dev',
  'libusrsctp-dev',
  'libabsl-dev',
  'flatbuffers-compiler',
  'libflatbuffers-dev',
];

/** pkg-config modules the local subprojects ask for, with the Debian package that has each. */
const pkgConfigModules = {
  libuv: 'libuv1-dev',
  libsrtp2: 'libsrtp2-dev',
  usrsctp: 'libusrsctp-dev',
  absl_flat_hash_map: 'libabsl-dev',
  flatbuffers: 'libflatbuffers-dev',
};

const programs = {
  meson: 'meson',
  ninja: 'ninja-build',
  'pkg-config': 'pkg-config',
  'g++': 'g++',
  make: 'make',
  perl: 'perl',
  flatc: 'flatbuffers-compiler',
};

/**
 * The OpenSSL the worker is linked with (static): OpenSSL 3.5 LTS, from the crates.io package that vendors its
 * release tarball. Its version is part of the worker's cache key.
 */
export const openssl = {
  version: '3.5.4',
  crate: 'openssl-src-300.5.4+3.5.4',
  url: 'https://static.crates.io/crates/openssl-src/openssl-src-300.5.4+3.5.4.crate',
  sha256: 'a507b3792995dae9b0df8a1c1e3771e8418b7c2d9f0baeba32e6fe8b06c7cb72',
  /** libssl and libcrypto only, position independent, nothing the worker does not use. */
  configure: ['no-shared', 'no-tests', 'no-apps', 'no-docs', 'no-module', 'no-engine', 'no-dso', 'no-quic', '-fPIC'],
};

/** Exit status of a worker started without MEDIASOUP_VERSION in its environment (worker/src/main.cpp). */
const missingVersionExitCode = 41;

export class BuildError extends Error {}

export function mediasoupVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(mediasoupDir, 'package.json'), 'utf8')).version;
  } catch {
    throw new BuildError(`mediasoup is not installed in ${mediasoupDir} (run npm ci first)`);
  }
}

/** "debian12" from /etc/os-release (ID + VERSION_ID): a worker links this release's shared libraries. */
export function osRelease() {
  let text = '';
  try {
    text = fs.readFileSync('/etc/os-release', 'utf8');
  } catch {
    /* not Linux, or a minimal image */
  }
  const field = (name) => text.match(new RegExp(`^${name}=("?)([^"\\n]*)\\1$`, 'm'))?.[2] ?? '';
  const id = `${field('ID')}${field('VERSION_ID')}`.replace(/[^A-Za-z0-9._-]/g, '');
  return id || 'unknown';
}

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'seatstream', 'mediasoup-worker');
}

/** The cache entry for this mediasoup version on this OS release. */
export function cachedWorkerPath() {
  return path.join(cacheRoot(), `${mediasoupVersion()}-${osRelease()}-openssl${openssl.version}`, 'mediasoup-worker');
}

/** Where the static OpenSSL is installed (include/, lib/libssl.a, lib/libcrypto.a, lib/pkgconfig/). */
export function opensslPrefix() {
  return path.join(path.dirname(cacheRoot()), `openssl-${openssl.version}-${osRelease()}`);
}

/**
 * Whether `bin` is a worker that loads on this machine: started without MEDIASOUP_VERSION it exits with 41 once its
 * shared libraries resolved (a missing library makes the loader exit with 127 instead).
 */
export function workerRuns(bin) {
  const r = spawnSync(bin, [], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  return {
    ok: r.status === missingVersionExitCode,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error ?? r.status),
  };
}

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

/** Names the Debian packages of missing build programs and pkg-config modules; throws when any is missing. */
export function checkBuildTools() {
  const missing = new Set();
  for (const [program, pkg] of Object.entries(programs)) if (!onPath(program)) missing.add(pkg);
  if (onPath('pkg-config'))
    for (const [mod, pkg] of Object.entries(pkgConfigModules))
      if (spawnSync('pkg-config', ['--exists', mod]).status !== 0) missing.add(pkg);
  if (missing.size)
    throw new BuildError(
      `missing build packages; as root: apt-get install --no-install-recommends ${[...missing].join(' ')}`,
    );
}

function run(cmd, args, { cwd, log, env = process.env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let reported = 0;
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-4000);
      // ninja's "[done/total]" lines, passed on at each quarter so that a 4-minute build shows it is moving
      for (const [, done, total] of chunk.toString().matchAll(/^\[(\d+)\/(\d+)\]/gm)) {
        const quarter = Math.floor((4 * Number(done)) / Number(total));
        if (quarter > reported && Number(total) > 20) {
          reported = quarter;
          log(`mediasoup worker:   ${done}/${total} compiled`);
        }
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new BuildError(`${cmd}: ${err.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve();
      log(tail);
      reject(
        new BuildError(`\`${[cmd, ...args].join(' ')}\` ${signal ? `was killed by ${signal}` : `exited with ${code}`}`),
      );
    });
  });
}

/** Left out of the copy: the .wrap files (replaced by ./subprojects) and an earlier build's output. */
const workerEntriesNotCopied = new Set(['subprojects', 'out']);

/** Meson 1.0.1 is Debian 12's; mediasoup 3.19 asks for 1.1 but uses nothing newer than 1.0 has. */
function relaxMesonVersion(mesonBuild) {
  const mesonVersion = spawnSync('meson', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const text = fs.readFileSync(mesonBuild, 'utf8');
  const relaxed = text.replace(/meson_version\s*:\s*'>=\s*[0-9.]+'/, `meson_version: '>= ${mesonVersion}'`);
  fs.writeFileSync(mesonBuild, relaxed);
}

/** Copies the worker sources and our subprojects into `scratch`; returns the source dir to configure. */
function prepareSources(scratch) {
  const src = path.join(scratch, 'worker');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(src, { recursive: true });
  for (const entry of fs.readdirSync(path.join(mediasoupDir, 'worker')))
    if (!workerEntriesNotCopied.has(entry))
      fs.cpSync(path.join(mediasoupDir, 'worker', entry), path.join(src, entry), { recursive: true });
  fs.cpSync(localSubprojects, path.join(src, 'subprojects'), { recursive: true });
  relaxMesonVersion(path.join(src, 'meson.build'));
  return src;
}

/** Writes `from` to `to` through a temporary file beside it, so no reader ever sees half a binary. */
export function installFile(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, to);
}

/** Downloads `url` to `file` and checks its SHA-256; throws on a mismatch (nothing half-written is left). */
async function download(url, file, sha256, log) {
  log(`mediasoup worker: downloading ${url}`);
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new BuildError(`${url}: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const got = createHash('sha256').update(body).digest('hex');
  if (got !== sha256) throw new BuildError(`${url}: SHA-256 ${got}, expected ${sha256}`);
  fs.writeFileSync(file, body);
}

/**
 * OpenSSL ${openssl.version}, static, in opensslPrefix(): built from source when absent (a few minutes on 2 cores),
 * in a scratch directory that is removed after a success. Returns the prefix.
 */
export async function ensureOpenSsl({ log = console.log } = {}) {
  const prefix = opensslPrefix();
  const done = path.join(prefix, 'lib', 'libssl.a');
  if (fs.existsSync(done) && fs.existsSync(path.join(prefix, 'lib', 'pkgconfig', 'libssl.pc'))) return prefix;
  const scratch = `${prefix}.build-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  const t0 = Date.now();
  const crate = path.join(scratch, `${openssl.crate}.crate`);
  await download(openssl.url, crate, openssl.sha256, log);
  const tar = spawnSync('tar', ['-xzf', crate, '-C', scratch], { encoding: 'utf8' });
  if (tar.status !== 0) throw new BuildError(`tar could not unpack ${crate}: ${tar.stderr}`);
  const src = path.join(scratch, openssl.crate, 'openssl');
  const nice = onPath('nice') ? ['nice', '-n', '10'] : [];
  const step = (cmd, args) =>
    nice.length ? run(nice[0], [...nice.slice(1), cmd, ...args], { cwd: src, log }) : run(cmd, args, { cwd: src, log });
  log(`mediasoup worker: building OpenSSL ${openssl.version} (static, libssl and libcrypto only; a few minutes)`);
  fs.rmSync(prefix, { recursive: true, force: true });
  await step('perl', [
    './Configure',
    'linux-x86_64',
    ...openssl.configure,
    `--prefix=${prefix}`,
    '--libdir=lib',
    // certificates and openssl.cnf where Debian keeps them (the worker reads neither, but OpenSSL looks there)
    '--openssldir=/usr/lib/ssl',
  ]);
  await step('make', ['-j2', 'build_libs']);
  await step('make', ['install_dev']);
  fs.rmSync(scratch, { recursive: true, force: true });
  log(
    `mediasoup worker: OpenSSL ${openssl.version} built into ${prefix} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  return prefix;
}

/**
 * Builds the worker and writes it to `out`. The scratch directory (outside node_modules and the clone) is removed
 * after a success and kept after a failure, for its meson logs.
 */
export async function buildWorker({ out, log = console.log } = {}) {
  const version = mediasoupVersion();
  checkBuildTools();
  const scratch = path.join(cacheRoot(), `build-${version}-${osRelease()}-${process.pid}`);
  const t0 = Date.now();
  log(`mediasoup worker: preparing mediasoup ${version} sources in ${scratch}`);
  const src = prepareSources(scratch);
  const build = path.join(scratch, 'build');
  const nice = onPath('nice') ? ['nice', '-n', '10'] : [];
  const sslPrefix = await ensureOpenSsl({ log });
  // the local openssl subproject finds the static OpenSSL through pkg-config, before any system copy
  const env = {
    ...process.env,
    PKG_CONFIG_PATH: [path.join(sslPrefix, 'lib', 'pkgconfig'), process.env.PKG_CONFIG_PATH].filter(Boolean).join(':'),
  };
  const step = (cmd, args) =>
    nice.length
      ? run(nice[0], [...nice.slice(1), cmd, ...args], { cwd: src, log, env })
      : run(cmd, args, { cwd: src, log, env });

  log('mediasoup worker: meson setup (system libraries through ./subprojects, no downloads)');
  await step('meson', [
    'setup',
    '--buildtype=release',
    '-Db_ndebug=true',
    '--wrap-mode=nodownload',
    // liburing would be another subproject; libuv's own epoll loop is what the worker uses without it
    '-Dms_disable_liburing=true',
    build,
  ]);
  // `meson compile` resolves meson's target names (ninja calls the generator fbs/FBS) and runs ninja
  log('mediasoup worker: compiling the flatbuffers-generator target (FBS headers)');
  await step('meson', ['compile', '-C', build, '-j', '2', 'flatbuffers-generator']);
  log('mediasoup worker: compiling mediasoup-worker (about 4 minutes on 2 cores)');
  await step('meson', ['compile', '-C', build, '-j', '2', 'mediasoup-worker']);

  const built = path.join(build, 'mediasoup-worker');
  const probe = workerRuns(built);
  if (!probe.ok) throw new BuildError(`the built worker does not start (${probe.out}); its build is in ${scratch}`);
  installFile(built, out);
  fs.rmSync(scratch, { recursive: true, force: true });
  log(`mediasoup worker: built mediasoup ${version} into ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return out;
}

// ---------------------------------------------------------------------------------------------- the cache

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Takes the cache entry's lock (a directory holding the builder's pid), so that two bootstraps, or a bootstrap and
 * this CLI, never build the same worker at once: the second waits, then finds the first one's worker.
 */
async function lockCacheEntry(entryDir, log) {
  const lock = `${entryDir}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return () => fs.rmSync(lock, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    } catch {
      /* between mkdir and writing its pid, or it died there */
    }
    const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if ((holder && !pidAlive(holder)) || (!holder && age > 10_000)) {
      fs.rmSync(lock, { recursive: true, force: true }); // a builder that died; take over
      continue;
    }
    if (!announced) {
      log(`mediasoup worker: waiting for the build of pid ${holder || '?'} (${lock})`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * The worker for this mediasoup version and OS release, from the cache, built into it first when absent (or when it
 * no longer starts, a shared library having changed, say). Returns { path, built }.
 */
export async function ensureCachedWorker({ force = false, log = console.log } = {}) {
  const out = cachedWorkerPath();
  const unlock = await lockCacheEntry(path.dirname(out), log);
  try {
    if (!force && fs.existsSync(out) && workerRuns(out).ok) return { path: out, built: false };
    await buildWorker({ out, log });
    return { path: out, built: true };
  } finally {
    unlock();
  }
}

// ---------------------------------------------------------------------------------------------- CLI

function parseArgs(argv) {
  const args = { out: undefined, force: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) args.out = path.resolve(argv[++i]);
    else if (argv[i] === '--force') args.force = true;
    else throw new BuildError(`unknown argument ${argv[i]}; usage: build-worker.mjs [--out <path>] [--force]`);
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.out) {
    await buildWorker({ out: args.out });
    return;
  }
  const { path: out, built } = await ensureCachedWorker({ force: args.force });
  if (!built) console.log(`mediasoup worker: ${out} is already built (--force builds it again)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`mediasoup worker: FAILED: ${err instanceof BuildError ? err.message : (err?.stack ?? err)}`);
    process.exit(1);
  });
}
