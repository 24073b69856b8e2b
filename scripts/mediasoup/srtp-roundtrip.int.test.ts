/**
 * The worker built by scripts/mediasoup/build-worker.mjs runs libsrtp 2.5 behind our libsrtp 3 compatibility header
 * (subprojects/libsrtp3/include/srtp.h). This test sends real VP8 RTP packets from one worker to another through a
 * pair of PipeTransports with SRTP (AEAD_AES_256_GCM, the pipe's suite: srtp_protect on one side, srtp_unprotect on
 * the other, RTCP both ways), and asserts the payload bytes arrive intact and the getStats() counts agree hop by hop.
 *
 * It needs the worker binary (node scripts/bootstrap.mjs or build-worker.mjs), not the stack. It also pins the
 * mediasoup version: an upgrade must come with a look at the header (see scripts/mediasoup/README.md).
 *
 *   node --import tsx --test scripts/mediasoup/srtp-roundtrip.int.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

import { buildRtpPacket, parseRtpPacket, vp8DescriptorLength, vp8Payload } from '../../bench/streaming/rtp.js';

/** The version the compatibility header was written against. */
const headerMediasoupVersion = '3.19.2';

/** UDP ports of the pipe transports (41000-41999 on 127.0.0.1 belong to the streaming benchmark and this test). */
const listenInfo: types.TransportListenInfo = {
  protocol: 'udp',
  ip: '127.0.0.1',
  portRange: { min: 41000, max: 41999 },
};
const mediaCodecs: types.RouterRtpCodecCapability[] = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];

const packetCount = 300;
/** Packets sent before waiting for them to come out the far end: the UDP hop never holds more than this. */
const window = 20;
const waitMs = 30_000;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${waitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const workers: types.Worker[] = [];

before(async () => {
  for (let i = 0; i < 2; i++) workers.push(await mediasoup.createWorker({ logLevel: 'warn' }));
});

after(() => {
  for (const w of workers) w.close();
});

test('mediasoup is the version the libsrtp compatibility header was written for', () => {
  assert.equal(
    mediasoup.version,
    headerMediasoupVersion,
    'mediasoup was upgraded: check its worker against scripts/mediasoup/subprojects (README.md there), then update this',
  );
});

const ssrc = 0x5eed0001;
const payloadType = 101;

/**
 * worker A: a DirectTransport producer fed from this process, and a pipe consumer of it; worker B: the pipe producer
 * and a DirectTransport consumer whose packets come back to this process. The two pipe transports talk SRTP over UDP
 * on loopback; B decrypts with `keyForB` (A's real key unless a test says otherwise).
 */
async function srtpPipeline(keyForB?: (a: types.SrtpParameters) => types.SrtpParameters) {
  const [workerA, workerB] = workers as [types.Worker, types.Worker];
  const routerA = await workerA.createRouter({ mediaCodecs });
  const routerB = await workerB.createRouter({ mediaCodecs });
  const ingress = await routerA.createDirectTransport();
  const producer = await ingress.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
      encodings: [{ ssrc }],
    },
  });

  const pipeA = await routerA.createPipeTransport({ listenInfo, enableSrtp: true });
  const pipeB = await routerB.createPipeTransport({ listenInfo, enableSrtp: true });
  assert.ok(pipeA.srtpParameters && pipeB.srtpParameters);
  assert.equal(pipeA.srtpParameters.cryptoSuite, 'AEAD_AES_256_GCM');
  assert.notEqual(pipeA.srtpParameters.keyBase64, pipeB.srtpParameters.keyBase64);
  await pipeA.connect({
    ip: pipeB.tuple.localAddress,
    port: pipeB.tuple.localPort,
    srtpParameters: pipeB.srtpParameters,
  });
  await pipeB.connect({
    ip: pipeA.tuple.localAddress,
    port: pipeA.tuple.localPort,
    srtpParameters: keyForB ? keyForB(pipeA.srtpParameters) : pipeA.srtpParameters,
  });
  const pipeConsumer = await pipeA.consume({ producerId: producer.id });
  const pipeProducer = await pipeB.produce({
    id: producer.id,
    kind: pipeConsumer.kind,
    rtpParameters: pipeConsumer.rtpParameters,
  });

  const egress = await routerB.createDirectTransport();
  const consumer = await egress.consume({ producerId: pipeProducer.id, rtpCapabilities: routerB.rtpCapabilities });
  const received: Buffer[] = [];
  consumer.on('rtp', (packet) => received.push(packet));
  const close = () => {
    routerA.close();
    routerB.close();
  };
  return { producer, pipeA, pipeB, pipeConsumer, pipeProducer, consumer, received, close };
}

/** A one-packet VP8 key frame (a consumer forwards nothing before a key frame) of random bytes. */
const frame = (seq: number) =>
  vp8Payload({ keyFrame: true, firstOfFrame: true, pictureId: seq, body: randomBytes(1000) });
const rtpOf = (seq: number, payload: Buffer) =>
  buildRtpPacket({ payloadType, sequenceNumber: seq, timestamp: seq * 3000, ssrc, marker: true, payload });

const outboundPackets = async (c: types.Consumer) =>
  (await c.getStats()).find((s) => s.type === 'outbound-rtp')?.packetCount ?? 0;
const inboundPackets = async (p: types.Producer) =>
  (await p.getStats()).reduce((n, s) => n + (s.type === 'inbound-rtp' ? s.packetCount : 0), 0);

test('RTP crosses an SRTP pipe transport pair between two workers intact, and the stats agree', async () => {
  const { producer, pipeA, pipeB, pipeConsumer, pipeProducer, consumer, received, close } = await srtpPipeline();

  const sent: Buffer[] = [];
  for (let seq = 0; seq < packetCount; seq++) {
    const payload = frame(seq);
    sent.push(payload);
    producer.send(rtpOf(seq, payload));
    if ((seq + 1) % window === 0 || seq === packetCount - 1) {
      const want = seq + 1;
      await waitFor(`${want} packets through the SRTP pipe (got ${received.length})`, () =>
        received.length >= want ? true : undefined,
      );
    }
  }

  assert.equal(received.length, packetCount);
  const consumerSsrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
  received.forEach((packet, i) => {
    const rtp = parseRtpPacket(packet);
    assert.equal(rtp.ssrc, consumerSsrc, `packet ${i}: consumer SSRC`);
    // mediasoup rewrites the VP8 picture id per consumer; everything after the descriptor is the sender's
    const want = sent[i] as Buffer;
    assert.equal(rtp.payload.length, want.length, `packet ${i}: payload length`);
    assert.equal(rtp.payload[0], want[0], `packet ${i}: VP8 descriptor flags`);
    assert.ok(
      rtp.payload.subarray(vp8DescriptorLength).equals(want.subarray(vp8DescriptorLength)),
      `packet ${i}: payload bytes differ after the SRTP round trip`,
    );
  });

  // getStats: what went into A's pipe consumer came out of B's pipe producer and B's consumer, packet for packet
  const counts = await waitFor('the stats to count every packet', async () => {
    const c = {
      producer: await inboundPackets(producer),
      pipeConsumer: await outboundPackets(pipeConsumer),
      pipeProducer: await inboundPackets(pipeProducer),
      consumer: await outboundPackets(consumer),
    };
    return Object.values(c).every((n) => n === packetCount) ? c : undefined;
  });
  assert.deepEqual(counts, {
    producer: packetCount,
    pipeConsumer: packetCount,
    pipeProducer: packetCount,
    consumer: packetCount,
  });

  // the SRTP hop carried them both ways: RTP from A to B, RTCP (receiver reports, key frame requests) from B to A
  const [statsA] = await pipeA.getStats();
  const [statsB] = await pipeB.getStats();
  assert.ok(statsA && statsB);
  assert.ok(statsB.rtpBytesReceived > packetCount * 1000, `pipe B received ${statsB.rtpBytesReceived} RTP bytes`);
  assert.equal(statsA.rtpPacketLossSent ?? 0, 0);
  const rtcpBack = await waitFor('RTCP from pipe B to pipe A', async () => {
    const [s] = await pipeA.getStats();
    return s && s.bytesReceived > 0 ? s.bytesReceived : undefined;
  });
  assert.ok(rtcpBack > 0);

  close();
});

test('a pipe transport holding the wrong SRTP key lets nothing through (the packets are authenticated)', async () => {
  const wrongKey = (a: types.SrtpParameters) => ({ ...a, keyBase64: randomBytes(44).toString('base64') });
  const { producer, pipeB, pipeProducer, received, close } = await srtpPipeline(wrongKey);
  let bytes = 0;
  for (let seq = 0; seq < window; seq++) {
    const packet = rtpOf(seq, frame(seq));
    bytes += packet.length;
    producer.send(packet);
  }
  // B counts what reaches its socket (each packet grown by its 16-byte GCM tag) before it decrypts it, in the same
  // step: once all of it is counted, all of it has been through srtp_unprotect
  await waitFor('the packets to reach pipe B', async () => {
    const [s] = await pipeB.getStats();
    return s && s.bytesReceived >= bytes + 16 * window ? true : undefined;
  });
  assert.equal(await inboundPackets(pipeProducer), 0);
  assert.equal(received.length, 0);
  close();
});
