/**
 * Batches work for group commit: items enqueued while a group is being committed wait
 * and become the next group, so one write + fsync serves everything that piled up.
 */

export interface GroupCommitQueue<T> {
  /** Queues an item for the next group to start. */
  enqueue(item: T): void;
  /** Starts any waiting group now; resolves once nothing is queued or being committed. */
  drain(): Promise<void>;
}

export interface GroupCommitQueueOptions<T> {
  /**
   * How long an idle queue waits for more items before starting a group. 0 waits for
   * the end of the current event-loop turn (setImmediate), so everything enqueued by
   * that turn shares the group.
   */
  delayMs: number;
  /** Commits one group, in order. Settles each item itself and must not reject. */
  commit(group: T[]): Promise<void>;
}

export function createGroupCommitQueue<T>(options: GroupCommitQueueOptions<T>): GroupCommitQueue<T> {
  let waiting: T[] = [];
  let running: Promise<void> | undefined;
  let cancelScheduledStart: (() => void) | undefined;

  function schedule(): void {
    if (running || cancelScheduledStart) return;
    if (options.delayMs > 0) {
      const timer = setTimeout(start, options.delayMs);
      cancelScheduledStart = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(start);
      cancelScheduledStart = () => clearImmediate(immediate);
    }
  }

  function start(): Promise<void> {
    cancelScheduledStart?.();
    cancelScheduledStart = undefined;
    running ??= (async () => {
      while (waiting.length > 0) {
        const group = waiting;
        waiting = [];
        await options.commit(group);
      }
    })().finally(() => {
      running = undefined;
      // Items enqueued by the microtasks that ran after the loop saw an empty queue.
      if (waiting.length > 0) schedule();
    });
    return running;
  }

  return {
    enqueue(item) {
      waiting.push(item);
      schedule();
    },
    async drain() {
      while (running || waiting.length > 0) await start();
    },
  };
}
