import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAddress, isLoopback, parseProcNetTcp } from './proc-net.js';

// Lines in the kernel's format (header, then sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...).
const tcp4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:3ECB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 91234 1 0000000000000000 100 0 0 10 0
   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   2: 0100007F:3ECB 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 91240 1 0000000000000000 20 4 30 10 -1
`;
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:4A94 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6666 1 0000000000000000 100 0 0 10 0
`;

describe('/proc/net/tcp parsing', () => {
  it('keeps listening sockets only, with address, port and inode', () => {
    assert.deepEqual(parseProcNetTcp(tcp4), [
      { address: '127.0.0.1', port: 16075, inode: 91234 },
      { address: '0.0.0.0', port: 2024, inode: 1001 },
    ]);
  });

  it('decodes IPv6 and IPv4-mapped addresses (a JVM bound to 127.0.0.1 shows up in tcp6)', () => {
    assert.deepEqual(parseProcNetTcp(tcp6), [
      { address: '::ffff:127.0.0.1', port: 19092, inode: 5555 },
      { address: '0:0:0:0:0:0:0:1', port: 8080, inode: 6666 },
    ]);
  });

  it('tells loopback addresses from the others', () => {
    assert.ok(isLoopback(decodeAddress('0100007F')));
    assert.ok(isLoopback('::ffff:127.0.0.1'));
    assert.ok(isLoopback('0:0:0:0:0:0:0:1'));
    assert.ok(!isLoopback('0.0.0.0'));
    assert.ok(!isLoopback(decodeAddress('00000000000000000000000000000000')));
  });
});
