/**
 * The benchmark's baseline: the fan-out a team without an SFU would write in Node.js. One UDP socket takes the
 * producer's RTP; every datagram is copied once per viewer, given that viewer's SSRC (as an SFU gives each consumer
 * its own) and sent to the viewer's address. A child process, so that its CPU is its own.
 */
import dgram from 'node:dgram';
import { cpuMs, socketBufferBytes, type FromRelay, type RelayViewer, type ToRelay } from './ipc.js';

let socket: dgram.Socket | undefined;
const reply = (m: FromRelay) => process.send?.(m);

function start(listenPort: number, viewers: RelayViewer[]): void {
  const s = dgram.createSocket({ type: 'udp4', sendBufferSize: socketBufferBytes, recvBufferSize: socketBufferBytes });
  s.on('message', (msg) => {
    for (const v of viewers) {
      const copy = Buffer.from(msg);
      copy.writeUInt32BE(v.ssrc, 8);
      s.send(copy, v.port, '127.0.0.1');
    }
  });
  s.once('error', (err) => reply({ type: 'error', message: `relay: ${err.message}` }));
  s.bind(listenPort, '127.0.0.1', () => reply({ type: 'started' }));
  socket = s;
}

process.on('message', (m: ToRelay) => {
  if (m.type === 'start') start(m.listenPort, m.viewers);
  else if (m.type === 'report') reply({ type: 'report', cpuMs: cpuMs() });
  else if (m.type === 'close') {
    socket?.close();
    process.disconnect?.();
  }
});
