/** The replica's shared Redis subscriber on the real Redis: reference counting, and no lost subscription under churn. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { ChannelHub } from './channel-hub.js';

describe('channel hub (Redis)', () => {
  const redis = new Redis(loadEndpoints().redis);
  const hub = new ChannelHub(() => redis.duplicate(), logger('channel-hub-it'));
  const channel = (n: string) => `it:hub:${randomUUID()}:${n}`;
  const numsub = async (c: string) => Number(((await redis.pubsub('NUMSUB', c)) as [string, number])[1]);
  const until = async (check: () => boolean | Promise<boolean>, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`never: ${what}`);
  };

  after(async () => {
    await hub.close();
    await redis.quit();
  });

  it('subscribes a channel once for all its listeners, and leaves it with the last one', async () => {
    const c = channel('shared');
    const got: string[][] = [[], []];
    const leave0 = await hub.subscribe(c, (m) => got[0]!.push(m));
    const leave1 = await hub.subscribe(c, (m) => got[1]!.push(m));
    assert.equal(await numsub(c), 1);
    assert.equal(await redis.publish(c, 'one'), 1);
    await until(() => got[0]!.length === 1 && got[1]!.length === 1, "both listeners got 'one'");
    leave0();
    leave0(); // twice is harmless
    assert.equal(await redis.publish(c, 'two'), 1);
    await until(() => got[1]!.length === 2, "the remaining listener got 'two'");
    leave1();
    await until(async () => (await numsub(c)) === 0, 'the channel left');
    assert.equal(hub.channelCount, 0);
    assert.deepEqual(got, [['one'], ['one', 'two']]);
  });

  it('ends subscribed after any interleaving of joins and leaves that ends with a listener', async () => {
    const c = channel('churn');
    for (let round = 0; round < 50; round++) {
      const leave = await hub.subscribe(c, () => undefined);
      leave(); // the UNSUBSCRIBE is in flight...
      const again = hub.subscribe(c, () => undefined); // ...when a new listener comes
      const leaveAgain = await again;
      assert.equal(await numsub(c), 1, `round ${round}`);
      let received = '';
      const probe = await hub.subscribe(c, (m) => (received = m));
      await redis.publish(c, `r${round}`);
      await until(() => received === `r${round}`, `message of round ${round}`);
      probe();
      leaveAgain();
    }
  });
});
