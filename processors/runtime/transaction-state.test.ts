import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTransactionStateMachine, legalStates, type TxOp, type TxState } from './transaction-state.js';

const illegal = { code: 'SS_ERR_RUNTIME_ILLEGAL_TXN_STATE' };

describe('transaction state machine', () => {
  it('walks begin → send → sendOffsets → commit → committed back to ready', () => {
    const tx = createTransactionStateMachine();
    assert.equal(tx.apply('begin'), 'transacting');
    assert.equal(tx.apply('send'), 'transacting');
    assert.equal(tx.apply('sendOffsets'), 'transacting');
    assert.equal(tx.apply('commit'), 'committing');
    assert.equal(tx.apply('committed'), 'ready');
  });

  it('aborts from transacting, and from failed', () => {
    const tx = createTransactionStateMachine();
    tx.apply('begin');
    assert.equal(tx.apply('abort'), 'aborting');
    assert.equal(tx.apply('aborted'), 'ready');
    tx.apply('begin');
    tx.apply('fail');
    assert.equal(tx.apply('abort'), 'aborting');
  });

  it('refuses what the protocol forbids', () => {
    const tx = createTransactionStateMachine();
    assert.throws(() => tx.apply('send'), illegal, 'send outside a transaction');
    assert.throws(() => tx.apply('commit'), illegal, 'commit outside a transaction');
    tx.apply('begin');
    assert.throws(() => tx.apply('begin'), illegal, 'nested begin');
    tx.apply('commit');
    assert.throws(() => tx.apply('send'), illegal, 'send while committing');
    assert.throws(() => tx.apply('abort'), illegal, 'abort while committing: the outcome is unknown');
  });

  it('is terminal once fenced (only close) and once closed', () => {
    const fenced = createTransactionStateMachine();
    fenced.apply('begin');
    fenced.apply('fence');
    for (const op of ['begin', 'send', 'commit', 'abort'] as TxOp[]) assert.throws(() => fenced.apply(op), illegal);
    assert.equal(fenced.apply('close'), 'closed');
    assert.throws(() => fenced.apply('begin'), illegal);
  });

  it('answers can() exactly as apply() behaves, for every state and operation', () => {
    const states: TxState[] = ['ready', 'transacting', 'committing', 'aborting', 'failed', 'fenced', 'closed'];
    for (const state of states) {
      for (const op of Object.keys(legalStates) as TxOp[]) {
        const tx = createTransactionStateMachine(state);
        const can = tx.can(op);
        if (can) assert.doesNotThrow(() => tx.apply(op));
        else assert.throws(() => tx.apply(op), illegal, `${op} in ${state}`);
      }
    }
  });
});
