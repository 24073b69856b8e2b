/**
 * Prints the top frames of a V8 CPU profile (`node --cpu-prof`, e.g. the allocator's with ONSALE_CPU_PROF=1): self
 * time per function, and self time per package or folder of ours, highest first.
 *
 *   tsx bench/onsale/profile-top.ts <file.cpuprofile> [frames=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, count = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/onsale/profile-top.ts <file.cpuprofile> [frames]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const area = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const f = byId.get(id)!.callFrame;
  const where = f.url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
  const name = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + dt);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
  const key = pkg ?? (where ? where.split('/').slice(0, 2).join('/') : f.functionName || '(native)');
  area.set(key, (area.get(key) ?? 0) + dt);
});
const show = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, v]) => console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`));
console.log(`${(total / 1e6).toFixed(1)} s sampled\n-- by area --`);
show(area, 15);
console.log('-- by function (self time) --');
show(self, Number(count));
