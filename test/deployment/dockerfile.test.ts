/**
 * The Dockerfile, read as text (no Docker engine here): its stages, and the properties a build that cannot run in
 * CI must keep — no install script may download or compile (MEDIASOUP_WORKER_BIN set for every `npm ci`), the image
 * runs as a non-root user with a health check, and the mediasoup worker comes from its own build stage with its
 * runtime libraries.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../infra/config.js';

interface Stage {
  name: string;
  base: string;
  /** Instructions with continuation lines joined, comments left out. */
  lines: string[];
}

function stages(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const line of joined.split('\n').map((l) => l.trim())) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ base: from[1]!, name: from[2] ?? String(out.length), lines: [] });
    else if (line && out.length) out.at(-1)!.lines.push(line);
  }
  return out;
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const all = stages(dockerfile);
const stage = (name: string) => {
  const s = all.find((x) => x.name === name);
  assert.ok(s, `stage ${name}`);
  return s;
};
const envOf = (s: Stage) => s.lines.filter((l) => /^ENV\s/.test(l)).join(' ');

describe('Dockerfile', () => {
  it('ends in the runtime stage, non-root, with a health check and the state volume', () => {
    const runtime = all.at(-1)!;
    assert.equal(runtime.name, 'runtime');
    assert.match(runtime.base, /^node:20-bookworm-slim$/);
    const user = runtime.lines.find((l) => /^USER\s/.test(l));
    assert.ok(user && !/^USER\s+(root|0)(:|\s|$)/.test(user), user);
    assert.ok(runtime.lines.some((l) => /^HEALTHCHECK\s.*deploy\/healthcheck\.mjs/.test(l)));
    assert.ok(runtime.lines.some((l) => /^VOLUME\s.*\/var\/lib\/seatstream\/state/.test(l)));
  });

  it('sets MEDIASOUP_WORKER_BIN wherever npm ci runs, so no install script fetches or builds a worker (npm 10 and 11)', () => {
    const withNpmCi = all.filter((s) => s.lines.some((l) => /\bnpm ci\b/.test(l)));
    assert.ok(withNpmCi.length >= 3, withNpmCi.map((s) => s.name).join());
    for (const s of withNpmCi) assert.match(envOf(s), /MEDIASOUP_WORKER_BIN=\S+/, s.name);
    for (const s of withNpmCi.filter((x) => x.name !== 'check'))
      assert.ok(
        s.lines.some((l) => /\bnpm ci\b.*--omit=dev/.test(l)),
        `${s.name}: production dependencies only`,
      );
    const allow = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { allowScripts?: object })
      .allowScripts as Record<string, boolean> | undefined;
    assert.equal(allow?.mediasoup, false, 'npm 11: mediasoup install script denied in package.json');
  });

  it('builds the mediasoup worker in its own stage and ships it with its runtime libraries', () => {
    const worker = stage('mediasoup-worker');
    assert.match(worker.base, /^node:20-bookworm$/);
    assert.ok(worker.lines.some((l) => /build-worker\.mjs --out \/opt\/mediasoup\/mediasoup-worker/.test(l)));
    for (const pkg of ['meson', 'ninja-build', 'g++', 'libsrtp2-dev', 'libusrsctp-dev', 'libflatbuffers-dev'])
      assert.ok(
        worker.lines.some((l) => l.includes(` ${pkg} `) || l.endsWith(` ${pkg}`)),
        pkg,
      );
    const runtime = stage('runtime');
    assert.ok(runtime.lines.some((l) => /^COPY --from=mediasoup-worker\s.*\/opt\/mediasoup/.test(l)));
    assert.match(envOf(runtime), /MEDIASOUP_WORKER_BIN=\/opt\/mediasoup\/mediasoup-worker/);
    for (const lib of ['libuv1', 'libssl3', 'libsrtp2-1', 'libusrsctp2', 'libabsl20220623', 'libflatbuffers2'])
      assert.ok(
        runtime.lines.some((l) => new RegExp(`apt-get install .*\\b${lib}\\b`).test(l)),
        lib,
      );
  });

  it('copies no build tool into the runtime: only the deps stage node_modules and sources from the check stage', () => {
    const runtime = stage('runtime');
    const froms = runtime.lines.flatMap((l) => /^COPY\s+--from=(\S+)/.exec(l)?.[1] ?? []);
    assert.deepEqual(new Set(froms), new Set(['deps', 'check', 'mediasoup-worker']));
    assert.ok(runtime.lines.some((l) => /^COPY --from=deps\s.*\/app\/node_modules/.test(l)));
  });
});
