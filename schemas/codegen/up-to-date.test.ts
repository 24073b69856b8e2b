import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listAvscFiles } from '../avsc.js';
import { expectedGeneratedFiles, generatedDir, staleGeneratedFiles } from './main.js';

describe('schemas/generated', () => {
  it('is up to date with every schemas/*.avsc (run `npm run schemas:gen` when this fails)', () => {
    assert.deepEqual(staleGeneratedFiles(generatedDir), []);
  });

  it('has a module for every .avsc file, and the index', () => {
    const names = [...expectedGeneratedFiles().keys()].sort();
    assert.deepEqual(names, [...listAvscFiles().map((f) => f.replace(/\.avsc$/, '.ts')), 'index.ts'].sort());
  });

  it('notices a stale, a missing and an orphaned generated file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seatstream-gen-'));
    try {
      const expected = expectedGeneratedFiles();
      const [first, second] = [...expected.keys()].filter((n) => n !== 'index.ts');
      for (const [name, source] of expected) writeFileSync(join(dir, name), source);
      assert.deepEqual(staleGeneratedFiles(dir, expected), []);
      writeFileSync(join(dir, first!), `${expected.get(first!)}// edited by hand\n`);
      rmSync(join(dir, second!));
      writeFileSync(join(dir, 'gone.ts'), '// Generated from schemas/gone.avsc\n');
      writeFileSync(join(dir, 'handwritten.ts'), 'export {};\n');
      assert.deepEqual(staleGeneratedFiles(dir, expected), [first!, second!, 'gone.ts'].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
