/**
 * Streaming benchmark: how many viewers one mediasoup worker serves on this machine before frames drop, against the
 * same fan-out done by a naive Node.js UDP relay (relay.ts), measured in the same run by the same receivers.
 *
 *   npm run bench:streaming            (tsx bench/streaming/run.ts [--seconds 3] [--steps 10,25,...])
 *
 * One worker, one router, a PlainTransport producer fed over UDP from this process with synthetic VP8 (video.ts:
 * 30 frames/s, 6 x 1100-byte packets a frame, ~1.6 Mbit/s). Viewers are PlainTransport consumers sending to plain UDP
 * sockets in two child processes (receivers.ts), eight viewers to a transport and a socket (one port per viewer would
 * cap the run at ~490 viewers in the 1000 ports we have), told apart by the SSRC each consumer gets. The viewer count
 * steps up (10, 25, 50 … 3200); each step streams for --seconds, then counts per viewer the packets and whole frames
 * delivered (landed at most 1 s after the last frame went out) against those sent. A step fails when more than 1% of the packets or frames are missing; each side stops
 * at its first failing step, and its figure is the last step it passed (with a "+" when that was the last step: a
 * lower bound). CPU is the worker's (getResourceUsage) or the relay's (process.cpuUsage), in % of one core over the
 * step; the receivers' is printed too: when it nears the machine's cores, they, not the subject, are the limit. For
 * mediasoup the JSON also holds the packets its producer took in and its consumers sent (where a loss happened).
 * Every socket gets 4 MiB buffers (socketBufferBytes), mediasoup's included.
 *
 * UDP only on 127.0.0.1, ports 41000-41999 (41000-41449 mediasoup, 41450 relay, 41451 sender, 41500-41949 viewers).
 * Prints a table and writes bench/results/streaming.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { repoRoot } from '../../infra/config.js';
import {
  request,
  socketBufferBytes,
  type FromReceivers,
  type FromRelay,
  type RelayViewer,
  type ViewerCount,
} from './ipc.js';
import { buildRtpPacket } from './rtp.js';
import { bitsPerSecond, framePayloads, framesPerSecond, packetsPerFrame, payloadBytes } from './video.js';

const secondsArg = process.argv.indexOf('--seconds');
const stepSeconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;
const stepsArg = process.argv.indexOf('--steps');
const steps =
  stepsArg > 0
    ? (process.argv[stepsArg + 1] ?? '').split(',').map(Number)
    : [10, 25, 50, 100, 200, 400, 800, 1600, 3200];
const viewersPerSocket = 8;
const lossLimit = 0.01;

const ip = '127.0.0.1';
const mediasoupPorts = { min: 41000, max: 41449 };
const relayPort = 41450;
const senderPort = 41451;
const firstViewerPort = 41500;
const receiverProcesses = 2;

const payloadType = 101;
const producerSsrc = 0x5eed0002;

type Mode = 'mediasoup' | 'relay';

interface Step {
  mode: Mode;
  viewers: number;
  seconds: number;
  expectedPackets: number;
  deliveredPackets: number;
  packetLossPct: number;
  worstViewerPacketLossPct: number;
  frameLossPct: number;
  /** CPU of the system under test (the worker, or the relay process), % of one core */
  cpuPct: number;
  /** CPU of all receiver processes together, % of one core */
  receiversCpuPct: number;
  /** datagrams the kernel dropped for full socket buffers during the step, machine-wide (other programs' too) */
  kernelUdpDrops: number;
  /** mediasoup only: packets its producer took in and its consumers sent out during the step (where a loss is) */
  producerPackets: number | null;
  consumerPackets: number | null;
  passed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const here = fileURLToPath(new URL('.', import.meta.url));
const forkTs = (file: string) => fork(join(here, file), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
const viewerPort = (i: number) => firstViewerPort + Math.floor(i / viewersPerSocket);

// ---------------------------------------------------------------------------------------------- the producer side

const sender = dgram.createSocket({ type: 'udp4', sendBufferSize: socketBufferBytes });
let sequenceNumber = 0;
let timestamp = 0;

/** Streams `seconds` of video of run `run` to `port`, a frame every 1/30 s; returns the frames sent. */
async function stream(port: number, run: number, seconds: number): Promise<number> {
  const frames = Math.round(seconds * framesPerSecond);
  const frameMs = 1000 / framesPerSecond;
  const start = performance.now();
  for (let frame = 0; frame < frames; frame++) {
    const wait = start + frame * frameMs - performance.now();
    if (wait > 0) await sleep(wait);
    const payloads = framePayloads(run, frame);
    payloads.forEach((payload, i) => {
      const marker = i === payloads.length - 1;
      sender.send(
        buildRtpPacket({
          payloadType,
          sequenceNumber: sequenceNumber++,
          timestamp,
          ssrc: producerSsrc,
          marker,
          payload,
        }),
        port,
        ip,
      );
    });
    timestamp += 90000 / framesPerSecond;
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------- the receivers

const receivers: ChildProcess[] = [];

async function startReceivers(maxViewers: number): Promise<void> {
  const sockets = Math.ceil(maxViewers / viewersPerSocket);
  for (let r = 0; r < receiverProcesses; r++) {
    const child = forkTs('receivers.ts');
    receivers.push(child);
    const ports = Array.from({ length: sockets }, (_, s) => firstViewerPort + s).filter(
      (_, s) => s % receiverProcesses === r,
    );
    await request<FromReceivers>(child, { type: 'bind', ports }, 'bound');
  }
}

async function receiverReports(): Promise<{ viewers: ViewerCount[]; cpuMs: number; datagrams: number }> {
  const reports = await Promise.all(
    receivers.map((c) => request<Extract<FromReceivers, { type: 'report' }>>(c, { type: 'report' }, 'report')),
  );
  return {
    viewers: reports.flatMap((r) => r.viewers),
    cpuMs: reports.reduce((n, r) => n + r.cpuMs, 0),
    datagrams: reports.reduce((n, r) => n + r.datagrams, 0),
  };
}

/** How late a packet may land and still count: a live viewer's jitter buffer would have given up on it by then. */
const lateAfterMs = 1000;

/**
 * Waits until the receivers hold every expected packet of the run, or lateAfterMs after the last frame went out; then
 * has them stop counting, so that what lands later is lost, as it would be for a live viewer.
 */
async function drain(expected: number): Promise<void> {
  const deadline = performance.now() + lateAfterMs;
  while (performance.now() < deadline) {
    const { viewers } = await receiverReports();
    if (viewers.reduce((n, v) => n + v.packets, 0) >= expected) break;
    await sleep(50);
  }
  await Promise.all(receivers.map((c) => request<FromReceivers>(c, { type: 'stop' }, 'stopped')));
}

/** UDP datagrams the kernel dropped for full socket buffers, machine-wide (/proc/net/snmp: RcvbufErrors + SndbufErrors). */
function kernelUdpDrops(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.trim().split(/\s+/));
  if (!names || !values) return 0;
  const at = (name: string) => Number(values[names.indexOf(name)] ?? 0);
  return at('RcvbufErrors') + at('SndbufErrors');
}

/** Runs one step: tells the receivers the run, streams, drains, and scores it. */
interface Subject {
  /** CPU time so far, ms */
  cpuMs(): Promise<number>;
  /** packets taken in and sent out so far, when the subject counts them */
  packets?(): Promise<{ producer: number; consumers: number }>;
}

async function measure(mode: Mode, viewers: number, run: number, port: number, subject: Subject): Promise<Step> {
  await Promise.all(receivers.map((c) => request<FromReceivers>(c, { type: 'run', run }, 'running')));
  const before = await receiverReports();
  const packetsBefore = await subject.packets?.();
  const subjectBefore = await subject.cpuMs();
  const t0 = performance.now();
  const dropsBefore = kernelUdpDrops();
  const frames = await stream(port, run, stepSeconds);
  await drain(frames * packetsPerFrame * viewers);
  const wallMs = performance.now() - t0;
  const subjectMs = (await subject.cpuMs()) - subjectBefore;
  const packetsAfter = await subject.packets?.();
  const kernelDrops = kernelUdpDrops() - dropsBefore;
  const after = await receiverReports();

  const expectedPerViewer = frames * packetsPerFrame;
  const counted = [...after.viewers];
  // a viewer that received nothing at all is not in the receivers' lists
  while (counted.length < viewers) counted.push({ port: 0, ssrc: 0, packets: 0, frames: 0 });
  const delivered = counted.reduce((n, v) => n + v.packets, 0);
  const expected = expectedPerViewer * viewers;
  const framesDelivered = counted.reduce((n, v) => n + v.frames, 0);
  const worst = counted.reduce((w, v) => Math.min(w, v.packets), Infinity);
  const packetLoss = 1 - delivered / expected;
  const frameLoss = 1 - framesDelivered / (frames * viewers);
  const pct = (x: number) => Math.round(x * 10000) / 100;
  return {
    mode,
    viewers,
    seconds: stepSeconds,
    expectedPackets: expected,
    deliveredPackets: delivered,
    packetLossPct: pct(packetLoss),
    worstViewerPacketLossPct: pct(1 - worst / expectedPerViewer),
    frameLossPct: pct(frameLoss),
    cpuPct: pct(subjectMs / wallMs),
    receiversCpuPct: pct((after.cpuMs - before.cpuMs) / wallMs),
    kernelUdpDrops: kernelDrops,
    producerPackets: packetsBefore && packetsAfter ? packetsAfter.producer - packetsBefore.producer : null,
    consumerPackets: packetsBefore && packetsAfter ? packetsAfter.consumers - packetsBefore.consumers : null,
    passed: packetLoss <= lossLimit && frameLoss <= lossLimit && counted.length === viewers,
  };
}

// ---------------------------------------------------------------------------------------------- mediasoup

async function mediasoupSteps(onStep: (s: Step) => void): Promise<void> {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  try {
    const router = await worker.createRouter({
      mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
    });
    // the same socket buffers as the relay's and the receivers' (the kernel's default of 208 KiB overflows on a busy
    // machine while the worker waits for a core)
    const listenInfo: types.TransportListenInfo = {
      protocol: 'udp',
      ip,
      portRange: mediasoupPorts,
      recvBufferSize: socketBufferBytes,
      sendBufferSize: socketBufferBytes,
    };
    const ingress = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    const producer = await ingress.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
        encodings: [{ ssrc: producerSsrc }],
      },
    });
    // viewers that ask for VP8 only: no RTX, no header extensions (no transport-cc probing), as a plain RTP receiver
    const rtpCapabilities: types.RtpCapabilities = {
      codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType === 'video/VP8'),
      headerExtensions: [],
    };
    let consumers: types.Consumer[] = [];
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const subject: Subject = {
      cpuMs: async () => {
        const u = await worker.getResourceUsage();
        return u.ru_utime + u.ru_stime;
      },
      packets: async () => ({
        producer: sum((await producer.getStats()).map((st) => st.packetCount)),
        consumers: sum(
          await Promise.all(
            consumers.map(async (c) => (await c.getStats()).find((st) => st.type === 'outbound-rtp')?.packetCount ?? 0),
          ),
        ),
      }),
    };
    for (const [i, viewers] of steps.entries()) {
      const transports: types.PlainTransport[] = [];
      consumers = [];
      for (let v = 0; v < viewers; v += viewersPerSocket) {
        const t = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
        await t.connect({ ip, port: viewerPort(v) });
        transports.push(t);
        const group = Math.min(viewersPerSocket, viewers - v);
        consumers.push(
          ...(await Promise.all(
            Array.from({ length: group }, () => t.consume({ producerId: producer.id, rtpCapabilities })),
          )),
        );
      }
      const step = await measure('mediasoup', viewers, i + 1, ingress.tuple.localPort, subject);
      for (const t of transports) t.close();
      onStep(step);
      if (!step.passed) break;
    }
  } finally {
    worker.close();
  }
}

// ---------------------------------------------------------------------------------------------- the relay

async function relaySteps(onStep: (s: Step) => void): Promise<void> {
  for (const [i, viewers] of steps.entries()) {
    const relay = forkTs('relay.ts');
    try {
      const list: RelayViewer[] = Array.from({ length: viewers }, (_, v) => ({
        port: viewerPort(v),
        ssrc: 0x10000 + v,
      }));
      await request<FromRelay>(relay, { type: 'start', listenPort: relayPort, viewers: list }, 'started');
      const subject: Subject = {
        cpuMs: async () =>
          (await request<Extract<FromRelay, { type: 'report' }>>(relay, { type: 'report' }, 'report')).cpuMs,
      };
      const step = await measure('relay', viewers, 1000 + i, relayPort, subject);
      onStep(step);
      if (!step.passed) break;
    } finally {
      const exited = new Promise((r) => relay.once('exit', r));
      relay.send({ type: 'close' });
      await exited;
    }
  }
}

// ---------------------------------------------------------------------------------------------- main

function printStep(s: Step): void {
  const cells = [
    s.mode.padEnd(9),
    String(s.viewers).padStart(6),
    `${s.packetLossPct.toFixed(2)}%`.padStart(9),
    `${s.worstViewerPacketLossPct.toFixed(2)}%`.padStart(9),
    `${s.frameLossPct.toFixed(2)}%`.padStart(9),
    `${s.cpuPct.toFixed(0)}%`.padStart(7),
    `${s.receiversCpuPct.toFixed(0)}%`.padStart(8),
    s.passed ? 'ok' : 'FRAMES DROP',
  ];
  console.log(cells.join('  '));
}

const lastPassed = (all: Step[], mode: Mode) =>
  all.filter((s) => s.mode === mode && s.passed).reduce((n, s) => Math.max(n, s.viewers), 0);

async function main(): Promise<void> {
  console.log(
    `streaming bench: mediasoup ${mediasoup.version}, ${stepSeconds} s a step, ${framesPerSecond} frames/s x ` +
      `${packetsPerFrame} packets of ${payloadBytes} B (${(bitsPerSecond / 1e6).toFixed(2)} Mbit/s) to each viewer`,
  );
  console.log('mode       viewers  pkt loss  worst vw  frm loss  SUT CPU  rcv CPU');
  await new Promise<void>((resolve) => sender.bind(senderPort, ip, () => resolve()));
  await startReceivers(steps[steps.length - 1]!);
  const all: Step[] = [];
  const onStep = (s: Step) => {
    all.push(s);
    printStep(s);
  };
  try {
    await mediasoupSteps(onStep);
    await relaySteps(onStep);
  } finally {
    await Promise.all(
      receivers.map((c) => {
        const exited = new Promise((r) => c.once('exit', r));
        c.send({ type: 'close' });
        return exited;
      }),
    );
    sender.close();
  }

  const viewersPerWorker = lastPassed(all, 'mediasoup');
  const baselineViewers = lastPassed(all, 'relay');
  const max = steps[steps.length - 1]!;
  const result = {
    bench: 'streaming',
    at: new Date().toISOString(),
    mediasoupVersion: mediasoup.version,
    viewersPerWorker,
    baselineViewers,
    ratio: baselineViewers > 0 ? Math.round((viewersPerWorker / baselineViewers) * 100) / 100 : null,
    /** a side that passed the last step was not pushed to its limit: its figure is a lower bound */
    mediasoupReachedLastStep: viewersPerWorker === max,
    baselineReachedLastStep: baselineViewers === max,
    settings: {
      stepSeconds,
      framesPerSecond,
      packetsPerFrame,
      payloadBytes,
      bitsPerSecond,
      viewersPerSocket,
      lossLimitPct: lossLimit * 100,
      receiverProcesses,
    },
    steps: all,
  };
  console.log(
    `viewers per worker: ${viewersPerWorker}${result.mediasoupReachedLastStep ? '+' : ''}; naive Node.js relay: ` +
      `${baselineViewers}${result.baselineReachedLastStep ? '+' : ''}; ratio ${result.ratio ?? 'n/a'}`,
  );
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'streaming.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${join('bench', 'results', 'streaming.json')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
