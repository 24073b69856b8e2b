import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadQueries } from '../queries.js';
import { buildDashboard, grafanaSql, outputFile, renderDashboard } from './build.js';

describe('Grafana dashboard', () => {
  it('is up to date with dashboards/queries (run: node --import tsx dashboards/grafana/build.ts)', async () => {
    assert.equal(readFileSync(outputFile, 'utf8'), await renderDashboard());
  });

  it('uses every chart query, with no placeholder of ours left', () => {
    const d = buildDashboard() as { panels: { targets: { rawSql: string }[] }[] };
    assert.equal(d.panels.length, 8);
    for (const p of d.panels) {
      const sql = p.targets[0]!.rawSql;
      assert.doesNotMatch(sql, /\{[a-z_]+:(String|UInt32|DateTime|Array\(String\))\}/);
      assert.match(sql, /\(\$\{event:singlequote\}\)/);
    }
  });

  it('maps the range to the dashboard time and the bucket to whole minutes', () => {
    const sql = grafanaSql(loadQueries().get('sales_timeline')!);
    assert.match(sql, /minute >= \$__fromTime AND minute < \$__toTime/);
    assert.match(sql, /intDiv\(toUInt32\(minute\), greatest\(60, intDiv\(\$__interval_s, 60\) \* 60\)\)/);
    assert.doesNotMatch(sql, /^--/);
  });
});
