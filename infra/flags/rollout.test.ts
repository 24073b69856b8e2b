import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketOf, formatRule, isOn, parseRule } from './rollout.js';

const users = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
const share = (flag: string, rule: string) => users.filter((u) => isOn(parseRule(rule), flag, u)).length / users.length;

describe('flag rules', () => {
  it('parses on, off and percentages, and writes them back the same', () => {
    for (const text of ['on', 'off', '25%', '0.5%', '99.99%']) assert.equal(formatRule(parseRule(text)), text);
    assert.deepEqual(parseRule(' ON '), { kind: 'on' });
    assert.deepEqual(parseRule('0%'), { kind: 'off' });
    assert.deepEqual(parseRule('100%'), { kind: 'on' });
  });

  it('refuses anything else with a stable code', () => {
    for (const text of ['', 'yes', '25', '101%', '-1%', '12.345%', '1e2%'])
      assert.throws(() => parseRule(text), { code: 'SS_ERR_FLAG_RULE' }, text);
  });
});

describe('percentage rollout', () => {
  it('gives one user the same answer every time', () => {
    for (const u of users.slice(0, 100)) assert.equal(bucketOf('f', u), bucketOf('f', u));
  });

  it('reaches about the given share of users', () => {
    for (const [rule, expected] of [
      ['10%', 0.1],
      ['25%', 0.25],
      ['50%', 0.5],
    ] as const)
      assert.ok(
        Math.abs(share('hold-best-available', rule) - expected) < 0.015,
        `${rule}: ${share('hold-best-available', rule)}`,
      );
  });

  it('only adds users when the percentage rises', () => {
    const at = (p: string) => new Set(users.filter((u) => isOn(parseRule(p), 'f', u)));
    const ten = at('10%');
    const thirty = at('30%');
    for (const u of ten) assert.ok(thirty.has(u), u);
  });

  it('picks different users for different flags', () => {
    const a = users.filter((u) => isOn(parseRule('10%'), 'flag-a', u));
    const b = new Set(users.filter((u) => isOn(parseRule('10%'), 'flag-b', u)));
    const both = a.filter((u) => b.has(u)).length / users.length;
    assert.ok(both < 0.02, `overlap ${both} is about 10 % of 10 %`);
  });

  it('keeps a partial rollout away from anonymous callers; on and off need no user', () => {
    assert.equal(isOn(parseRule('99%'), 'f'), false);
    assert.equal(isOn(parseRule('on'), 'f'), true);
    assert.equal(isOn(parseRule('off'), 'f', 'user-1'), false);
  });
});
