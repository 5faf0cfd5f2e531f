import { EventEmitter } from 'node:events';

/**
 * In-process notifications that a task changed (state, progress). Each backend process feeds it from BullMQ's
 * queue events, so SSE streams and `Prefer: wait` wake up without polling the database.
 */
export interface TaskUpdates {
  publish(taskId: string): void;
  subscribe(taskId: string, listener: () => void): () => void;
  /** Resolves true on the task's next update, false when `timeoutMs` passes or the signal aborts first. */
  next(taskId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

export function createTaskUpdates(): TaskUpdates {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const subscribe = (taskId: string, listener: () => void) => {
    emitter.on(taskId, listener);
    return () => {
      emitter.off(taskId, listener);
    };
  };
  return {
    publish(taskId) {
      emitter.emit(taskId);
    },
    subscribe,
    next(taskId, timeoutMs, signal) {
      return new Promise<boolean>((resolve) => {
        const done = (updated: boolean) => {
          clearTimeout(timer);
          unsubscribe();
          signal?.removeEventListener('abort', onAbort);
          resolve(updated);
        };
        const onAbort = () => done(false);
        const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
        const unsubscribe = subscribe(taskId, () => done(true));
        signal?.addEventListener('abort', onAbort);
      });
    },
  };
}
