/** Reading a task's store from disk in tests (the runtime owning it must be stopped). */
import { logger } from '../../../infra/log.js';
import { storeDirFor, taskIdFor } from '../naming.js';
import { TaskStore } from '../state/task-store.js';

/** The committed entries of one task store, keys and values as UTF-8 text. */
export const readTaskStore = async (
  stateDir: string,
  applicationId: string,
  partition: number,
  store: string,
  changelogTopic: string,
): Promise<{ entries: Map<string, string>; checkpoint: number }> => {
  const s = await TaskStore.open({
    name: store,
    dir: storeDirFor(stateDir, applicationId, taskIdFor(partition), store),
    changelog: { topic: changelogTopic, partition },
    log: logger('test-store-reader'),
  });
  try {
    const entries = new Map<string, string>();
    for await (const [k, v] of s.rangeCommitted()) entries.set(k.toString('utf8'), v.toString('utf8'));
    return { entries, checkpoint: s.checkpoint };
  } finally {
    await s.close();
  }
};
