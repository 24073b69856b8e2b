/**
 * Preloaded into the allocator child with ONSALE_CPU_PROF=1 (NODE_OPTIONS=--import=…; node refuses --cpu-prof there):
 * runs the V8 sampling profiler from start to exit and writes `<ONSALE_CPU_PROF_DIR>/allocator-<pid>.cpuprofile`.
 * A session of the process's own inspector answers synchronously, so the profile can be written in the 'exit' handler.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.ONSALE_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `allocator-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
