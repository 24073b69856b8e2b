/**
 * A child process of the streaming benchmark holding some of the viewers' receiving sockets: it counts, per viewer
 * (socket port + SSRC), the packets and the whole frames of the current run (video.ts trailers), and nothing else.
 * Lightweight on purpose, so that the system under test, not the receivers, is what runs out.
 */
import dgram from 'node:dgram';
import { cpuMs, socketBufferBytes, type FromReceivers, type ToReceivers, type ViewerCount } from './ipc.js';
import { readTrailer } from './video.js';

interface Viewer {
  packets: number;
  frames: number;
  /** packets seen so far of each frame not yet complete */
  partial: Map<number, number>;
}

const sockets: dgram.Socket[] = [];
let run = -1;
let viewers = new Map<string, Viewer>();
let datagrams = 0;

const reply = (m: FromReceivers) => process.send?.(m);

function count(port: number, datagram: Buffer): void {
  datagrams++;
  const t = readTrailer(datagram);
  if (!t || t.run !== run) return;
  const ssrc = datagram.readUInt32BE(8);
  const key = `${port}:${ssrc}`;
  let v = viewers.get(key);
  if (!v) viewers.set(key, (v = { packets: 0, frames: 0, partial: new Map() }));
  v.packets++;
  const seen = (v.partial.get(t.frame) ?? 0) + 1;
  if (seen === t.count) {
    v.frames++;
    v.partial.delete(t.frame);
  } else v.partial.set(t.frame, seen);
}

async function bind(ports: number[]): Promise<void> {
  for (const port of ports) {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: socketBufferBytes });
    s.on('message', (msg) => count(port, msg));
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '127.0.0.1', () => resolve());
    });
    sockets.push(s);
  }
}

process.on('message', (m: ToReceivers) => {
  switch (m.type) {
    case 'bind':
      bind(m.ports).then(
        () => reply({ type: 'bound' }),
        (err: Error) => reply({ type: 'error', message: `receivers: ${err.message}` }),
      );
      break;
    case 'run':
      run = m.run;
      viewers = new Map();
      datagrams = 0;
      reply({ type: 'running' });
      break;
    case 'stop':
      // counts stay as they are for the report; later packets of the run are late, hence lost
      run = -1;
      reply({ type: 'stopped' });
      break;
    case 'report': {
      const list: ViewerCount[] = [...viewers].map(([key, v]) => {
        const [port, ssrc] = key.split(':').map(Number) as [number, number];
        return { port, ssrc, packets: v.packets, frames: v.frames };
      });
      reply({ type: 'report', viewers: list, cpuMs: cpuMs(), datagrams });
      break;
    }
    case 'close':
      for (const s of sockets) s.close();
      process.disconnect?.();
      break;
  }
});
