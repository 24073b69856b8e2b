import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listAvscFiles, parseAvsc, readAvsc, schemasDir } from './avsc.js';

describe('schemas/*.avsc', () => {
  it('are all valid Avro with a named record at the top', () => {
    const files = listAvscFiles();
    assert.ok(files.length >= 4, files.join());
    for (const file of files) {
      const { type, json } = readAvsc(file);
      assert.equal(type.typeName, 'record', file);
      assert.ok((json as { namespace?: string }).namespace, `${file} has a namespace`);
    }
  });

  it('are sent to the registry as their JSON without layout whitespace', () => {
    const [file] = listAvscFiles();
    const { text } = readAvsc(file!);
    assert.equal(text, JSON.stringify(JSON.parse(readFileSync(join(schemasDir, file!), 'utf8'))));
    assert.doesNotMatch(text, /\n/);
  });

  it('decode unions wrapped, longs as numbers, logical types unconverted', () => {
    const { type } = parseAvsc({
      type: 'record',
      name: 'T',
      fields: [
        { name: 'u', type: ['null', 'string'] },
        { name: 't', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    });
    const value = type.fromBuffer(type.toBuffer({ u: { string: 'x' }, t: 1_700_000_000_000 }));
    // avsc decodes to instances of generated classes; their data is plain.
    assert.deepEqual(JSON.parse(JSON.stringify(value)), { u: { string: 'x' }, t: 1_700_000_000_000 });
    assert.equal(typeof value.t, 'number');
  });

  it('say which file failed to parse', () => {
    assert.throws(() => readAvsc('no-such-file.avsc'), /no-such-file\.avsc/);
  });
});
