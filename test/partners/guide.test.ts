/** The partner guide shows the example programs as they are: each embedded block is its file, byte for byte. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../infra/config.js';

const docs = join(repoRoot, 'docs', 'partners');

describe('partner guide (docs/partners/README.md)', () => {
  it('embeds the three examples verbatim, after their marker', () => {
    const guide = readFileSync(join(docs, 'README.md'), 'utf8');
    const embedded = [...guide.matchAll(/<!-- example: (\S+) -->\n\n```\w+\n([\s\S]*?)```/g)];
    assert.deepEqual(
      embedded.map((m) => m[1]),
      ['examples/kafkajs-consumer.mjs', 'examples/python_consumer.py', 'examples/kcat.sh'],
    );
    for (const [, file, code] of embedded) assert.equal(code, readFileSync(join(docs, file!), 'utf8'), file);
  });

  it('links the field reference', () => {
    assert.match(readFileSync(join(docs, 'README.md'), 'utf8'), /\[fields\.md\]\(fields\.md\)/);
  });
});
