/**
 * `npm run stack:up [-- --brokers 3] [-- --only kafka,postgres] [-- --tls]`, `npm run stack:down`,
 * `npm run stack:status [-- --json]`.
 * Exit status: 0 when the command did what it says; 1 when it did not (a component failed to start, something was left
 * running after down); 2 on a bad argument.
 */
import { relative } from 'node:path';
import { repoRoot } from '../config.js';
import { parseStackArgs, type StackCliArgs } from './cli-args.js';
import { stackDown, stackStatus, stackUp, type StackStatus } from './stack.js';

function table(st: StackStatus): string {
  const rel = (p: string) => (p.startsWith(repoRoot) ? relative(repoRoot, p) : p);
  const rows = [
    ['component', 'state', 'pid', 'port', 'data', 'note'],
    ...st.components.map((c) => [
      c.name,
      c.state,
      c.pids.join(',') || '-',
      c.ports.join(','),
      rel(c.dataDir),
      c.detail ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(args: StackCliArgs): Promise<number> {
  const opts = { ...(args.portOffset !== undefined ? { portOffset: args.portOffset } : {}) };
  switch (args.command) {
    case 'up': {
      const st = await stackUp({
        ...opts,
        ...(args.brokers ? { brokers: args.brokers } : {}),
        ...(args.only ? { only: args.only } : {}),
        ...(args.tls !== undefined ? { tls: args.tls } : {}),
      });
      console.log(`\n${table(st)}`);
      return 0;
    }
    case 'down':
      await stackDown(opts);
      return 0;
    case 'status': {
      const st = await stackStatus(opts);
      if (args.json) console.log(JSON.stringify(st, null, 2));
      else
        console.log(`stack in ${st.stackDir}${st.portOffset ? ` (port offset ${st.portOffset})` : ''}\n${table(st)}`);
      return 0;
    }
  }
}

let args: StackCliArgs;
try {
  args = parseStackArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
main(args).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(
      err.name === 'StackError' || err.name === 'ComponentNotReady' ? err.message : (err.stack ?? String(err)),
    );
    process.exit(1);
  },
);
