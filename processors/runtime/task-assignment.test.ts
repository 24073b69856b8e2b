import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assignTasks } from './task-assignment.js';

const member = (memberId: string, previous: number[] = []) => ({ memberId, previous });

describe('assignTasks', () => {
  it('gives every task to exactly one member, balanced within one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.array(fc.integer({ min: -2, max: 45 }), { maxLength: 12 }), { minLength: 8, maxLength: 8 }),
        (count, partitions, previous) => {
          const members = Array.from({ length: count }, (_, i) => member(`m${i}`, previous[i]));
          const plan = assignTasks(members, partitions);
          const all = [...plan.values()].flat().sort((a, b) => a - b);
          assert.deepEqual(
            all,
            Array.from({ length: partitions }, (_, i) => i),
          );
          const sizes = [...plan.values()].map((t) => t.length);
          assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
        },
      ),
    );
  });

  it('lets members keep their tasks when that is balanced (a member joining takes only its share)', () => {
    const before = assignTasks([member('a'), member('b')], 12);
    const after = assignTasks([member('a', before.get('a')), member('b', before.get('b')), member('c')], 12);
    const moved = [...before.entries()].flatMap(([id, tasks]) => tasks.filter((t) => !after.get(id)!.includes(t)));
    assert.equal(moved.length, 4, 'only the 4 tasks c needs move');
    assert.equal(after.get('c')!.length, 4);
  });

  it('hands a dead member’s tasks to the survivors and keeps theirs', () => {
    const plan = assignTasks([member('a', [0, 2]), member('c', [1, 3])], 6);
    assert.ok([0, 2].every((t) => plan.get('a')!.includes(t)));
    assert.ok([1, 3].every((t) => plan.get('c')!.includes(t)));
    assert.deepEqual([...plan.values()].flat().sort(), [0, 1, 2, 3, 4, 5]);
  });

  it('is deterministic whatever the member order', () => {
    const x = assignTasks([member('b', [1]), member('a', [0])], 4);
    const y = assignTasks([member('a', [0]), member('b', [1])], 4);
    assert.deepEqual([...x.entries()].sort(), [...y.entries()].sort());
  });
});
