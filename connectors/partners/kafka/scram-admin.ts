/**
 * SCRAM credentials of Kafka users through the Admin API (KIP-554: AlterUserScramCredentials = 51,
 * DescribeUserScramCredentials = 50, version 0, flexible), which kafkajs 2.2 does not have. One short TCP connection
 * per call to a broker of the internal PLAINTEXT listener (its principal is a super user: infra/stack/kafka-security.ts);
 * a KRaft broker forwards the change to the controller, which writes it to the cluster metadata.
 *
 * Why not Kafka's own `kafka-configs` tool: a JVM start per call (seconds), and the password on its command line,
 * where any local user can read it in /proc. Here the password never leaves this process: only salt and salted
 * password are sent (scram.ts).
 */
import { connect, type Socket } from 'node:net';
import { mechanismCodes, type ScramMechanism, type ScramUpsertion } from './scram.js';
import { frameRequest, openResponse, ProtocolError, Writer, type Reader } from './wire.js';

const API_DESCRIBE_USER_SCRAM_CREDENTIALS = 50;
const API_ALTER_USER_SCRAM_CREDENTIALS = 51;

/** The Kafka error codes these two requests answer with (org.apache.kafka.common.protocol.Errors). */
const errorNames: Record<number, string> = {
  7: 'REQUEST_TIMED_OUT',
  15: 'COORDINATOR_NOT_AVAILABLE',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  33: 'UNSUPPORTED_SASL_MECHANISM',
  35: 'UNSUPPORTED_VERSION',
  41: 'NOT_CONTROLLER',
  42: 'INVALID_REQUEST',
  91: 'RESOURCE_NOT_FOUND',
  92: 'DUPLICATE_RESOURCE',
  93: 'UNACCEPTABLE_CREDENTIAL',
};

/** A refusal of the broker for one user or for the whole request; `code` is Kafka's error code, `type` its name. */
export class ScramAdminError extends Error {
  readonly type: string;
  constructor(
    readonly code: number,
    message: string | null,
    readonly user?: string,
  ) {
    const type = errorNames[code] ?? `KAFKA_ERROR_${code}`;
    super(`${type}${user ? ` (user ${user})` : ''}${message ? `: ${message}` : ''}`);
    this.name = 'ScramAdminError';
    this.type = type;
  }

  /** Worth retrying: the controller or the request path was busy, not a refusal. */
  get retriable(): boolean {
    return this.code === 7 || this.code === 15 || this.code === 41;
  }
}

export interface ScramAdminOptions {
  /** Bootstrap servers of the internal (PLAINTEXT) listener; the first that accepts a connection is used. */
  brokers: readonly string[];
  clientId?: string;
  /** Per call (connect + answer), default 15 s. */
  timeoutMs?: number;
}

export interface ScramCredentialInfo {
  mechanism: ScramMechanism | `unknown(${number})`;
  iterations: number;
}

const mechanismOf = (code: number): ScramCredentialInfo['mechanism'] =>
  (Object.entries(mechanismCodes).find(([, c]) => c === code)?.[0] as ScramMechanism | undefined) ?? `unknown(${code})`;

export interface ScramAdmin {
  /** Creates or replaces credentials. @throws ScramAdminError naming the first user refused */
  upsert(credentials: readonly ScramUpsertion[]): Promise<void>;
  /** Deletes credentials; a user without one is not an error. @throws ScramAdminError on any other refusal */
  delete(deletions: readonly { user: string; mechanism: ScramMechanism }[]): Promise<void>;
  /** The mechanisms each user has a credential for (users without any are absent). */
  describe(users: readonly string[]): Promise<Map<string, ScramCredentialInfo[]>>;
}

let correlation = 0;

/** Sends one request on a fresh connection and resolves with the response payload (after its size prefix). */
function call(brokers: readonly string[], request: (correlationId: number) => Buffer, timeoutMs: number) {
  const correlationId = (correlation = (correlation + 1) % 0x7fffffff);
  const frame = request(correlationId);
  const attempt = (address: string) =>
    new Promise<Buffer>((resolve, reject) => {
      const sep = address.lastIndexOf(':');
      const socket: Socket = connect({ host: address.slice(0, sep), port: Number(address.slice(sep + 1)) });
      const chunks: Buffer[] = [];
      let received = 0;
      const done = (err: Error | undefined, payload?: Buffer) => {
        socket.destroy();
        if (err) reject(err);
        else resolve(payload!);
      };
      socket.setTimeout(timeoutMs, () => done(new Error(`no answer from ${address} within ${timeoutMs} ms`)));
      socket.once('error', (err) => done(err));
      socket.once('connect', () => socket.write(frame));
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received < 4) return;
        const all = Buffer.concat(chunks);
        const size = all.readInt32BE(0);
        if (all.length >= size + 4) done(undefined, all.subarray(4, 4 + size));
      });
      socket.once('end', () => done(new ProtocolError(`${address} closed the connection without an answer`)));
    });
  return (async () => {
    let last: unknown;
    for (const address of brokers) {
      try {
        return { correlationId, payload: await attempt(address) };
      } catch (err) {
        last = err;
        if (err instanceof ProtocolError) throw err;
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  })();
}

const readUserResult = (r: Reader) => {
  const user = r.compactString();
  const code = r.int16();
  const message = r.compactNullableString();
  return { user, code, message };
};

export function createScramAdmin(options: ScramAdminOptions): ScramAdmin {
  const clientId = options.clientId ?? 'seatstream-partners';
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (options.brokers.length === 0) throw new Error('scram admin: no brokers');

  const alter = async (
    deletions: readonly { user: string; mechanism: ScramMechanism }[],
    upsertions: readonly ScramUpsertion[],
  ) => {
    const body = new Writer()
      .compactArray(deletions, (w, d) => w.compactString(d.user).int8(mechanismCodes[d.mechanism]).noTags())
      .compactArray(upsertions, (w, u) =>
        w
          .compactString(u.user)
          .int8(mechanismCodes[u.mechanism])
          .int32(u.iterations)
          .compactBytes(u.salt)
          .compactBytes(u.saltedPassword)
          .noTags(),
      )
      .noTags()
      .toBuffer();
    const { correlationId, payload } = await call(
      options.brokers,
      (id) => frameRequest(API_ALTER_USER_SCRAM_CREDENTIALS, 0, id, clientId, body),
      timeoutMs,
    );
    const r = openResponse(payload, correlationId);
    r.int32(); // throttle time
    const results = r.compactArray((rr) => {
      const res = readUserResult(rr);
      rr.skipTags();
      return res;
    });
    r.skipTags();
    return results;
  };

  return {
    async upsert(credentials) {
      if (credentials.length === 0) return;
      const results = await alter([], credentials);
      const failed = results.find((x) => x.code !== 0);
      if (failed) throw new ScramAdminError(failed.code, failed.message, failed.user);
    },

    async delete(deletions) {
      if (deletions.length === 0) return;
      const results = await alter(deletions, []);
      const failed = results.find((x) => x.code !== 0 && x.code !== 91); // 91: no such credential, already gone
      if (failed) throw new ScramAdminError(failed.code, failed.message, failed.user);
    },

    async describe(users) {
      const body = new Writer()
        .compactArray(users, (w, name) => w.compactString(name).noTags())
        .noTags()
        .toBuffer();
      const { correlationId, payload } = await call(
        options.brokers,
        (id) => frameRequest(API_DESCRIBE_USER_SCRAM_CREDENTIALS, 0, id, clientId, body),
        timeoutMs,
      );
      const r = openResponse(payload, correlationId);
      r.int32(); // throttle time
      const code = r.int16();
      const message = r.compactNullableString();
      if (code !== 0) throw new ScramAdminError(code, message);
      const out = new Map<string, ScramCredentialInfo[]>();
      const results = r.compactArray((rr) => {
        const res = readUserResult(rr);
        const infos = rr.compactArray((ri) => {
          const mechanism = mechanismOf(ri.int8());
          const iterations = ri.int32();
          ri.skipTags();
          return { mechanism, iterations };
        });
        rr.skipTags();
        return { ...res, infos };
      });
      r.skipTags();
      for (const res of results) {
        if (res.code === 91) continue; // no credential for this user
        if (res.code !== 0) throw new ScramAdminError(res.code, res.message, res.user);
        out.set(res.user, res.infos);
      }
      return out;
    },
  };
}
