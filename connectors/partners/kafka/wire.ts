/**
 * Just enough of the Kafka wire protocol to speak two admin requests kafkajs 2.2 lacks (AlterUserScramCredentials and
 * DescribeUserScramCredentials, KIP-554): both exist only in "flexible" versions (compact strings and arrays, tagged
 * fields), which kafkajs' encoder does not write. Pure: bytes in, bytes out.
 *
 * Reference: the message definitions shipped in kafka-clients (common/message/*.json) and
 * https://kafka.apache.org/protocol#protocol_types. Request header v2, response header v1.
 */

/** Builds a flexible-version request body or header. */
export class Writer {
  private readonly parts: Buffer[] = [];

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }

  /** Unsigned varint (LEB128), as compact lengths and tag counts are written. */
  uvarint(v: number): this {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`uvarint of ${v}`);
    const out: number[] = [];
    let n = v;
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return this.push(Buffer.from(out));
  }

  /** A non-flexible nullable string (int16 length): the client id of request header v2 is still one. */
  legacyNullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = Buffer.from(v, 'utf8');
    return this.int16(b.length).push(b);
  }

  compactString(v: string): this {
    const b = Buffer.from(v, 'utf8');
    return this.uvarint(b.length + 1).push(b);
  }

  compactBytes(v: Buffer): this {
    return this.uvarint(v.length + 1).push(v);
  }

  compactArray<T>(items: readonly T[] | null, each: (w: Writer, item: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const item of items) each(this, item);
    return this;
  }

  /** An empty tagged-field section (we never send tagged fields). */
  noTags(): this {
    return this.uvarint(0);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Reads a flexible-version response. Throws ProtocolError on a truncated or malformed buffer. */
export class Reader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uvarint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 5; i++) {
      this.need(1);
      const byte = this.buf[this.offset++]!;
      result += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) return result;
      factor *= 128;
    }
    throw new ProtocolError('varint longer than 5 bytes');
  }

  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    this.need(n - 1);
    const s = this.buf.toString('utf8', this.offset, this.offset + n - 1);
    this.offset += n - 1;
    return s;
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolError('null where a string is required');
    return s;
  }

  compactArray<T>(each: (r: Reader) => T): T[] {
    const n = this.uvarint();
    const out: T[] = [];
    for (let i = 0; i < n - 1; i++) out.push(each(this));
    return out;
  }

  /** Skips a tagged-field section (we know no tag of these versions). */
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      const size = this.uvarint();
      this.need(size);
      this.offset += size;
    }
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length)
      throw new ProtocolError(`response truncated: ${n} byte(s) needed at ${this.offset} of ${this.buf.length}`);
  }
}

/** A whole request: size prefix, header v2 (api key, version, correlation id, client id, no tags), body. */
export function frameRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string,
  body: Buffer,
): Buffer {
  const header = new Writer()
    .int16(apiKey)
    .int16(apiVersion)
    .int32(correlationId)
    .legacyNullableString(clientId)
    .noTags()
    .toBuffer();
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

/** Reads response header v1 (correlation id, tags) and returns a reader on the body. */
export function openResponse(payload: Buffer, expectedCorrelationId: number): Reader {
  const r = new Reader(payload);
  const correlationId = r.int32();
  if (correlationId !== expectedCorrelationId)
    throw new ProtocolError(`correlation id ${correlationId}, expected ${expectedCorrelationId}`);
  r.skipTags();
  return r;
}
