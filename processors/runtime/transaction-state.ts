/**
 * The life of a task's Kafka transaction as a literal union with legal-state guards (STYLE.md §4,
 * after kafkajs' eosManager and quix-streams' PartitionTransaction): an operation attempted in the
 * wrong state throws instead of corrupting the exactly-once protocol.
 *
 *   ready ─begin→ transacting ─commit→ committing ─committed→ ready
 *                      │                    └─failed→ failed
 *                      └─abort→ aborting ─aborted→ ready
 *   failed ─abort→ aborting (the producer is reset if the broker refuses)      any ─fenced→ fenced
 *   any ─close→ closed
 */
import { IllegalTransactionStateError } from './errors.js';

export type TxState = 'ready' | 'transacting' | 'committing' | 'aborting' | 'failed' | 'fenced' | 'closed';

export type TxOp =
  'begin' | 'send' | 'sendOffsets' | 'commit' | 'committed' | 'abort' | 'aborted' | 'fail' | 'fence' | 'close';

const live: TxState[] = ['ready', 'transacting', 'committing', 'aborting', 'failed'];

/** Which states each operation may start from. */
export const legalStates: Readonly<Record<TxOp, readonly TxState[]>> = {
  begin: ['ready'],
  send: ['transacting'],
  sendOffsets: ['transacting'],
  commit: ['transacting'],
  committed: ['committing'],
  abort: ['transacting', 'failed'],
  aborted: ['aborting'],
  fail: live,
  fence: [...live, 'fenced'],
  close: [...live, 'fenced', 'closed'],
};

const next: Readonly<Record<TxOp, TxState | null>> = {
  begin: 'transacting',
  send: null,
  sendOffsets: null,
  commit: 'committing',
  committed: 'ready',
  abort: 'aborting',
  aborted: 'ready',
  fail: 'failed',
  fence: 'fenced',
  close: 'closed',
};

export interface TransactionStateMachine {
  readonly state: TxState;
  can(op: TxOp): boolean;
  /** Applies `op`, returning the new state. @throws IllegalTransactionStateError when `op` is not legal now. */
  apply(op: TxOp): TxState;
}

export const createTransactionStateMachine = (initial: TxState = 'ready'): TransactionStateMachine => {
  let state = initial;
  return {
    get state() {
      return state;
    },
    can: (op) => legalStates[op].includes(state),
    apply(op) {
      if (!legalStates[op].includes(state)) throw new IllegalTransactionStateError(op, state, legalStates[op]);
      state = next[op] ?? state;
      return state;
    },
  };
};
