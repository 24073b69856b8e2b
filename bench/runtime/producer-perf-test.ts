/**
 * Benchmark (c): Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance, i.e.
 * kafka-producer-perf-test) from the jars in .stack/kafka/libs: what the broker takes from the
 * Java client on this machine — the physical reference.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, stackDir } from '../../infra/config.js';

export interface PerfTestResult {
  records: number;
  perSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  line: string;
}

export const runProducerPerfTest = (options: {
  bootstrap: string;
  topic: string;
  records: number;
  recordSize: number;
}): Promise<PerfTestResult> =>
  new Promise((resolve, reject) => {
    const java = spawn(
      'java',
      [
        '-Xmx512m',
        '-cp',
        join(stackDir, 'kafka', 'libs', '*'),
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        options.topic,
        '--num-records',
        String(options.records),
        '--record-size',
        String(options.recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${options.bootstrap}`,
        'acks=all',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    java.stdout.on('data', (c: Buffer) => (out += c.toString()));
    java.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    java.on('error', reject);
    java.on('exit', (code) => {
      // The summary line: "N records sent, X records/sec (Y MB/sec), Z ms avg latency, …"
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => / records sent, /.test(l) && /avg latency/.test(l));
      const m =
        line && /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/.exec(line);
      if (code !== 0 || !m)
        return reject(new Error(`ProducerPerformance failed (exit ${code}): ${err || out.slice(-500)}`));
      resolve({
        records: Number(m[1]),
        perSec: Number(m[2]),
        mbPerSec: Number(m[3]),
        avgLatencyMs: Number(m[4]),
        line: line!,
      });
    });
  });
