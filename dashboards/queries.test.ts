import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqlValueError } from '../connectors/clickhouse/sql.js';
import { loadQueries, parseQuery, renderQuery } from './queries.js';

describe('dashboard queries', () => {
  const q = parseQuery(
    'demo',
    `-- title: Demo
-- unit: ms
-- What it shows.
SELECT count() FROM t WHERE event_id IN {event_ids:Array(String)} AND minute >= {from:DateTime} AND o = {org:String} AND x < {step:UInt32} AND y >= {from:DateTime}`,
  );

  it('reads title, unit, description and typed placeholders', () => {
    assert.equal(q.title, 'Demo');
    assert.equal(q.unit, 'ms');
    assert.equal(q.description, 'What it shows.');
    assert.deepEqual(
      [...q.params],
      [
        ['event_ids', 'Array(String)'],
        ['from', 'DateTime'],
        ['org', 'String'],
        ['step', 'UInt32'],
      ],
    );
  });

  it('renders every value as a checked literal', () => {
    const sql = renderQuery(q, { event_ids: ['e-1', "e'2"], from: 1_700_000_000, org: 'o\\', step: 60 });
    assert.match(
      sql,
      /event_id IN \('e-1', 'e\\'2'\) AND minute >= toDateTime\(1700000000\) AND o = 'o\\\\' AND x < 60 AND y >= toDateTime\(1700000000\)/,
    );
  });

  it('refuses missing, mistyped and out-of-range values', () => {
    const ok = { event_ids: ['e'], from: 1, org: '', step: 60 };
    assert.throws(() => renderQuery(q, { ...ok, event_ids: [] }), SqlValueError);
    assert.throws(() => renderQuery(q, { ...ok, from: -5 }), SqlValueError);
    assert.throws(() => renderQuery(q, { ...ok, step: 1.5 }), SqlValueError);
    assert.throws(() => renderQuery(q, { ...ok, org: 7 }), SqlValueError);
    const { step: _, ...noStep } = ok;
    assert.throws(() => renderQuery(q, noStep), /no value for \{step\}/);
  });

  it('every query file has a title and only supported placeholders', () => {
    const all = loadQueries();
    assert.ok(all.size >= 8);
    for (const [name, query] of all) {
      assert.ok(query.title, name);
      assert.ok(query.params.size > 0, `${name} takes its scope as parameters`);
    }
  });
});
