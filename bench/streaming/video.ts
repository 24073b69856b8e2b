/**
 * The synthetic video stream of the streaming benchmark: 30 frames/s of ~1.5 Mbit/s VP8, cut into ~1100-byte RTP
 * payloads, each ending with a trailer that names the run, the frame and the packet's place in it, so that a receiver
 * counts packets and whole frames per viewer without trusting anything mediasoup rewrote (SSRC, sequence numbers,
 * timestamps). Pure.
 */
import { vp8DescriptorLength, vp8Payload } from './rtp.js';

export const framesPerSecond = 30;
export const packetsPerFrame = 6;
export const payloadBytes = 1100;
/** A key frame every 2 s (and the first frame), as an encoder would send with a 2 s GOP. */
export const keyFrameInterval = 2 * framesPerSecond;
/** 6 x 1100 bytes x 30 frames/s = 1.58 Mbit/s of payload. */
export const bitsPerSecond = framesPerSecond * packetsPerFrame * payloadBytes * 8;

const trailerBytes = 12;
const trailerMagic = 0x5353;

export interface Trailer {
  run: number;
  frame: number;
  index: number;
  count: number;
}

/** The payloads of frame `frame` of run `run`. */
export function framePayloads(run: number, frame: number): Buffer[] {
  const keyFrame = frame % keyFrameInterval === 0;
  return Array.from({ length: packetsPerFrame }, (_, index) => {
    const firstOfFrame = index === 0;
    const descriptorBytes = vp8DescriptorLength + (firstOfFrame ? (keyFrame ? 6 : 3) : 0);
    const body = Buffer.alloc(payloadBytes - descriptorBytes, frame & 0xff);
    const t = body.length - trailerBytes;
    body.writeUInt32BE(run >>> 0, t);
    body.writeUInt32BE(frame >>> 0, t + 4);
    body[t + 8] = index;
    body[t + 9] = packetsPerFrame;
    body.writeUInt16BE(trailerMagic, t + 10);
    return vp8Payload({ keyFrame, firstOfFrame, pictureId: frame & 0x7fff, body });
  });
}

/** The trailer at the end of a received datagram, or undefined (RTCP, probation packets, another run's leftovers). */
export function readTrailer(datagram: Buffer): Trailer | undefined {
  if (datagram.length < 12 + trailerBytes) return undefined;
  const t = datagram.length - trailerBytes;
  if (datagram.readUInt16BE(t + 10) !== trailerMagic) return undefined;
  return {
    run: datagram.readUInt32BE(t),
    frame: datagram.readUInt32BE(t + 4),
    index: datagram[t + 8]!,
    count: datagram[t + 9]!,
  };
}
