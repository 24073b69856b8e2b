/**
 * Partner clients no one here wrote, driven from the tests: Debian's `kcat` and Confluent's Python client
 * (partner_client.py in the bootstrap's venv). Both get the partner's connection as a partner would configure it:
 * kcat from a configuration file (-F, mode 0600), Python from its environment; never a password on a command line.
 *
 * Debian 12's kcat links Debian's librdkafka 2.0.2, whose SCRAM client repeats the client nonce in its final
 * message (fixed in librdkafka 2.6.1, confluentinc/librdkafka#4895); Kafka 4 checks the nonce strictly, as RFC 5802
 * says, and refuses it. When the linked librdkafka is older than 2.6.1, `kcat` runs on the librdkafka that
 * Confluent's Python wheel ships (the same C library, current), through LD_LIBRARY_PATH: the kcat binary is still
 * Debian's. The partner guide says the same to partners.
 */
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../infra/config.js';

const run = promisify(execFile);

export interface PartnerConnection {
  bootstrapServers: string;
  securityProtocol: 'SASL_PLAINTEXT' | 'SASL_SSL';
  username: string;
  password: string;
  /** SASL_SSL: the CA file. */
  caFile?: string;
  schemaRegistryUrl: string;
}

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
}

const venv = join(repoRoot, '.stack', 'venv');
export const python = join(venv, 'bin', 'python');
const script = join(repoRoot, 'test', 'partners', 'partner_client.py');

const versionOf = (text: string) => /librdkafka (\d+)\.(\d+)\.(\d+)/.exec(text)?.slice(1).map(Number);
const atLeast = (v: number[], min: number[]) => {
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]!) return (v[i] ?? 0) > min[i]!;
  return true;
};

/** A scratch directory for config files and the library link; remove it with `close()`. */
export class Kcat {
  private constructor(
    private readonly dir: string,
    /** The environment kcat runs with (LD_LIBRARY_PATH when it needs a newer librdkafka). */
    readonly env: NodeJS.ProcessEnv,
    readonly librdkafka: string,
  ) {}

  static async create(): Promise<Kcat> {
    const dir = mkdtempSync(join(tmpdir(), 'seatstream-kcat-'));
    chmodSync(dir, 0o700);
    const own = (await run('kcat', ['-V'])).stdout;
    const version = versionOf(own);
    if (version && atLeast(version, [2, 6, 1])) return new Kcat(dir, process.env, version.join('.'));
    const libs = existsSync(join(venv, 'lib'))
      ? readdirSync(join(venv, 'lib')).map((py) => join(venv, 'lib', py, 'site-packages', 'confluent_kafka.libs'))
      : [];
    const lib = libs
      .filter(existsSync)
      .flatMap((d) => readdirSync(d).map((f) => join(d, f)))
      .find((f) => /librdkafka[^/]*\.so\.1$/.test(f));
    if (!lib)
      throw new Error(
        `kcat links librdkafka ${version?.join('.')}, too old for SCRAM against Kafka 4, and no newer one in ${venv}`,
      );
    mkdirLib(dir, lib);
    const env = { ...process.env, LD_LIBRARY_PATH: join(dir, 'lib') };
    const linked = versionOf((await run('kcat', ['-V'], { env })).stdout);
    return new Kcat(dir, env, `${linked?.join('.')} (Confluent's wheel, instead of Debian's ${version?.join('.')})`);
  }

  private config(c: PartnerConnection): string {
    const file = join(this.dir, `${c.username}.conf`);
    writeFileSync(
      file,
      [
        `bootstrap.servers=${c.bootstrapServers}`,
        `security.protocol=${c.securityProtocol}`,
        'sasl.mechanisms=SCRAM-SHA-512',
        `sasl.username=${c.username}`,
        `sasl.password=${c.password}`,
        ...(c.caFile ? [`ssl.ca.location=${c.caFile}`] : []),
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return file;
  }

  /** Runs kcat with the partner's configuration; resolves with its exit code and output (never rejects). */
  async run(
    c: PartnerConnection,
    args: string[],
    input?: Buffer,
  ): Promise<{ code: number; stdout: Buffer; stderr: string }> {
    const child = spawn('kcat', ['-F', this.config(c), ...args], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.end(input ?? Buffer.alloc(0));
    const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? 1)));
    return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
  }

  /** Topic names the partner sees in the cluster metadata (-L -J). */
  async topics(c: PartnerConnection): Promise<string[]> {
    const r = await this.run(c, ['-L', '-J', '-m', '15']);
    if (r.code !== 0) throw new Error(`kcat -L: ${r.stderr}`);
    return (JSON.parse(r.stdout.toString()) as { topics: { topic: string }[] }).topics.map((t) => t.topic).sort();
  }

  /**
   * Reads a topic from `since` (epoch ms, kcat's `s@` offset) to its end, every record as partition, offset, key and
   * value bytes (a binary-safe format: lengths then bytes). Resolves with the records and kcat's exit and errors.
   */
  async consume(
    c: PartnerConnection,
    topic: string,
    since: number | 'beginning' = 'beginning',
  ): Promise<{ code: number; stderr: string; records: ConsumedRecord[] }> {
    const r = await this.run(c, [
      '-C',
      '-t',
      topic,
      '-o',
      since === 'beginning' ? 'beginning' : `s@${since}`,
      '-e',
      '-q',
      '-m',
      '15',
      '-f',
      '%p %o %K %S %k%s',
    ]);
    return { code: r.code, stderr: r.stderr, records: parseRecords(r.stdout) };
  }

  async produce(c: PartnerConnection, topic: string): Promise<{ code: number; stderr: string }> {
    const r = await this.run(c, ['-P', '-t', topic, '-k', 'x'], Buffer.from('not allowed\n'));
    return { code: r.code, stderr: r.stderr };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function mkdirLib(dir: string, lib: string) {
  const libDir = join(dir, 'lib');
  mkdirSync(libDir, { recursive: true });
  symlinkSync(lib, join(libDir, 'librdkafka.so.1'));
}

/** Parses kcat's `%p %o %K %S %k%s` output: "<partition> <offset> <key length> <value length> " then the bytes. */
export function parseRecords(out: Buffer): ConsumedRecord[] {
  const records: ConsumedRecord[] = [];
  let at = 0;
  const field = () => {
    const space = out.indexOf(0x20, at);
    if (space < 0) throw new Error(`kcat output cut at byte ${at}`);
    const n = Number(out.toString('latin1', at, space));
    at = space + 1;
    return n;
  };
  while (at < out.length) {
    const partition = field();
    const offset = field();
    const keyLength = field();
    const valueLength = field();
    const key = keyLength < 0 ? null : out.subarray(at, at + keyLength);
    at += Math.max(0, keyLength);
    const value = valueLength < 0 ? null : out.subarray(at, at + valueLength);
    at += Math.max(0, valueLength);
    records.push({ partition, offset, key, value });
  }
  return records;
}

export interface PythonResult {
  code: number;
  lines: Record<string, unknown>[];
  stderr: string;
}

const pythonEnv = (c: PartnerConnection): NodeJS.ProcessEnv => ({
  ...process.env,
  PARTNER_BOOTSTRAP: c.bootstrapServers,
  PARTNER_PROTOCOL: c.securityProtocol,
  PARTNER_USERNAME: c.username,
  PARTNER_PASSWORD: c.password,
  PARTNER_REGISTRY: c.schemaRegistryUrl,
  ...(c.caFile ? { PARTNER_CA: c.caFile } : {}),
});

/** Runs a command of partner_client.py to its end. */
export function runPython(c: PartnerConnection, args: string[]): Promise<PythonResult> {
  return new Promise((resolve) => {
    const child = spawn(python, [script, ...args], { env: pythonEnv(c), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('close', (code) =>
      resolve({
        code: code ?? 1,
        lines: Buffer.concat(out)
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

/** Starts a long-running command (watch): each JSON line goes to `onLine`; `done` resolves at its exit. */
export function startPython(c: PartnerConnection, args: string[], onLine: (line: Record<string, unknown>) => void) {
  const child = spawn(python, [script, ...args], { env: pythonEnv(c), stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line) onLine(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const done = new Promise<{ code: number; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? 1, stderr: Buffer.concat(err).toString() })),
  );
  return { done, kill: () => child.kill('SIGTERM') };
}
