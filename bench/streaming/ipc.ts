/**
 * The messages between the streaming benchmark (run.ts) and its child processes (receivers.ts, relay.ts), and a
 * request/reply helper over Node's IPC channel.
 */
import type { ChildProcess } from 'node:child_process';

export interface ViewerCount {
  /** The receiving socket's port and the SSRC the viewer's copy carried: together, one viewer. */
  port: number;
  ssrc: number;
  packets: number;
  frames: number;
}

export type ToReceivers =
  | { type: 'bind'; ports: number[] }
  | { type: 'run'; run: number }
  | { type: 'stop' }
  | { type: 'report' }
  | { type: 'close' };
export type FromReceivers =
  | { type: 'bound' }
  | { type: 'running' }
  | { type: 'stopped' }
  | { type: 'report'; viewers: ViewerCount[]; cpuMs: number; datagrams: number }
  | { type: 'error'; message: string };

export interface RelayViewer {
  port: number;
  ssrc: number;
}
export type ToRelay =
  { type: 'start'; listenPort: number; viewers: RelayViewer[] } | { type: 'report' } | { type: 'close' };
export type FromRelay = { type: 'started' } | { type: 'report'; cpuMs: number } | { type: 'error'; message: string };

/** Sends `msg` and resolves with the child's next message of type `reply` (rejects on an error message or exit). */
export function request<R extends { type: string }>(child: ChildProcess, msg: object, reply: R['type']): Promise<R> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: R | { type: 'error'; message: string }) => {
      if (m.type === 'error') {
        cleanup();
        reject(new Error((m as { message: string }).message));
      } else if (m.type === reply) {
        cleanup();
        resolve(m as R);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${code}) before answering ${JSON.stringify(msg)}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(msg);
  });
}

/** SO_RCVBUF / SO_SNDBUF of every socket in the run, the SFU's included (the kernel caps them at net.core.rmem_max). */
export const socketBufferBytes = 4 * 1024 * 1024;

/** Total CPU time (user + system) of this process so far, in ms. */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
