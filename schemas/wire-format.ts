/**
 * The Confluent wire format of a record value: magic byte 0, the writer schema's registry id as a 4-byte big-endian
 * integer, then the Avro binary body. Pure.
 */
import { SerdeError } from './errors.js';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
  body.copy(out, HEADER_SIZE);
  return out;
}

/**
 * Splits a framed value. The body is a view of `data`, not a copy.
 * @throws SerdeError SS_ERR_SERDE_TRUNCATED, SS_ERR_SERDE_MAGIC_BYTE
 */
export function unframe(data: Buffer, topic?: string): { schemaId: number; body: Buffer } {
  if (data.length < HEADER_SIZE) {
    throw new SerdeError('SS_ERR_SERDE_TRUNCATED', `${data.length} bytes, the header alone is ${HEADER_SIZE}`, {
      topic,
    });
  }
  if (data[0] !== MAGIC_BYTE) {
    throw new SerdeError('SS_ERR_SERDE_MAGIC_BYTE', `first byte is ${data[0]}, expected ${MAGIC_BYTE}`, { topic });
  }
  return { schemaId: data.readInt32BE(1), body: data.subarray(HEADER_SIZE) };
}
