/**
 * Failures of the runtime that are not decisions, each with a stable code (STYLE.md §7). Codes are
 * permanent: logs, metrics and dead-letter headers carry them.
 */

export type RuntimeErrorCode =
  | 'SS_ERR_RUNTIME_TOPOLOGY'
  | 'SS_ERR_RUNTIME_CONFIG'
  | 'SS_ERR_RUNTIME_TASK_MIGRATED'
  | 'SS_ERR_RUNTIME_TASK_CORRUPTED'
  | 'SS_ERR_RUNTIME_TXN_ABORTED'
  | 'SS_ERR_RUNTIME_ILLEGAL_TXN_STATE'
  | 'SS_ERR_RUNTIME_UNKNOWN_STORE'
  | 'SS_ERR_RUNTIME_UNKNOWN_NODE'
  | 'SS_ERR_RUNTIME_NOT_LOCAL'
  | 'SS_ERR_RUNTIME_STORE'
  | 'SS_ERR_RUNTIME_STORE_LOCKED'
  | 'SS_ERR_RUNTIME_NOT_RUNNING'
  | 'SS_ERR_RUNTIME_COPARTITIONING';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code;
  }
}

export const TopologyError = (message: string) => new RuntimeError('SS_ERR_RUNTIME_TOPOLOGY', message);
export const ConfigError = (message: string) => new RuntimeError('SS_ERR_RUNTIME_CONFIG', message);

/**
 * The task's producer was fenced: another instance now owns its partition (it initialised the same
 * transactional.id with a newer epoch), or the broker aborted our transaction after its timeout.
 * The task is a "zombie": it is closed without committing and its partition is taken back only
 * through a new assignment (Kafka Streams' TaskMigratedException).
 */
export class TaskMigratedError extends RuntimeError {
  constructor(
    readonly taskId: string,
    cause: unknown,
  ) {
    super('SS_ERR_RUNTIME_TASK_MIGRATED', `task ${taskId} was fenced: another instance owns it now`, { cause });
  }
}

/**
 * The task's state can no longer be trusted to match Kafka: a commit whose outcome is unknown, a
 * RocksDB write that failed after a commit, an abort the broker refused. The runtime closes the task
 * without committing and opens it again: fencing, restore from the changelog, committed offsets.
 */
export class TaskCorruptedError extends RuntimeError {
  constructor(
    readonly taskId: string,
    cause: unknown,
  ) {
    super('SS_ERR_RUNTIME_TASK_CORRUPTED', `task ${taskId} must be restored: ${describe(cause)}`, { cause });
  }
}

/** A transaction was aborted (its buffers dropped, the consumer rewound); the task goes on. */
export class TransactionAbortedError extends RuntimeError {
  constructor(
    readonly taskId: string,
    cause: unknown,
  ) {
    super('SS_ERR_RUNTIME_TXN_ABORTED', `task ${taskId} aborted its transaction: ${describe(cause)}`, { cause });
  }
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class IllegalTransactionStateError extends RuntimeError {
  constructor(op: string, state: string, legal: readonly string[]) {
    super(
      'SS_ERR_RUNTIME_ILLEGAL_TXN_STATE',
      `cannot ${op} a transaction in state '${state}' (legal: ${legal.join(', ')})`,
    );
  }
}

export const UnknownStoreError = (store: string, node: string) =>
  new RuntimeError('SS_ERR_RUNTIME_UNKNOWN_STORE', `store '${store}' is not connected to processor '${node}'`);

export const UnknownNodeError = (child: string, node: string) =>
  new RuntimeError('SS_ERR_RUNTIME_UNKNOWN_NODE', `'${child}' is not a child (or sink) of '${node}'`);

/** An interactive query for a key whose partition is not hosted by this instance. */
export class NotLocalError extends RuntimeError {
  constructor(
    readonly store: string,
    readonly partition: number,
  ) {
    super('SS_ERR_RUNTIME_NOT_LOCAL', `partition ${partition} of store '${store}' is not hosted (or not running) here`);
  }
}

export const StoreError = (message: string, cause?: unknown) =>
  new RuntimeError('SS_ERR_RUNTIME_STORE', message, { cause });

export const NotRunningError = (what: string) =>
  new RuntimeError('SS_ERR_RUNTIME_NOT_RUNNING', `${what}: the runtime is not running`);

/**
 * Another process (or a not yet closed task of this one) holds the store directory's RocksDB lock.
 * Never a reason to wipe the store: the directory is alive. The caller retries, then gives up the task.
 */
export class StoreLockedError extends RuntimeError {
  constructor(
    readonly dir: string,
    options?: { cause?: unknown },
  ) {
    super('SS_ERR_RUNTIME_STORE_LOCKED', `state store ${dir} is locked by another process or task`, options);
  }
}
