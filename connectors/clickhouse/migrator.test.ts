import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMigrations, MigrationError, parseMigration, splitStatements } from './migrator.js';

describe('ClickHouse migrations', () => {
  it('splits a file on semicolons at line ends and drops comment-only pieces', () => {
    const sql = `-- header comment
CREATE TABLE a (x String) ENGINE = Memory;

-- a comment between statements
CREATE VIEW v AS SELECT ';' AS s FROM a;
-- trailing comment
`;
    assert.deepEqual(splitStatements(sql), [
      '-- header comment\nCREATE TABLE a (x String) ENGINE = Memory',
      "-- a comment between statements\nCREATE VIEW v AS SELECT ';' AS s FROM a",
    ]);
  });

  it('reads the version and name from the file name and refuses other names', () => {
    const m = parseMigration('0007_add_gates.sql', 'SELECT 1;');
    assert.equal(m.version, 7);
    assert.equal(m.name, 'add_gates');
    assert.equal(m.checksum.length, 64);
    assert.throws(
      () => parseMigration('7_add.sql', ''),
      (e: unknown) => e instanceof MigrationError && e.code === 'SS_ERR_CH_MIGRATION_NAME',
    );
  });

  it('the repository migrations are numbered in order, each statement repeatable', () => {
    const ms = loadMigrations();
    assert.ok(ms.length >= 4);
    assert.deepEqual(
      ms.map((m) => m.version),
      ms.map((_, i) => i + 1),
    );
    for (const m of ms) {
      for (const st of m.statements) {
        const body = st.replace(/^\s*--.*$/gm, '').trim();
        assert.match(body, /^CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS /, `${m.name}: ${body.slice(0, 60)}`);
        assert.doesNotMatch(body, /\bseatstream\./, `${m.name}: table names stay unqualified`);
      }
    }
  });
});
