import { DocksideError } from '../../src/errors.js';

export interface SchedulerOptions {
  /** Statements of one person running at once. */
  perUser: number;
  /** Statements of one person waiting; one more is refused. */
  queuePerUser: number;
  /** Statements running at once in total (the pool size). */
  total: number;
}

interface Waiting {
  start: () => void;
}

/**
 * Fair admission for /query: each person runs at most `perUser` statements at once and
 * queues at most `queuePerUser`; a free slot goes to the next person in turn, so someone
 * with a long queue never makes anyone else wait behind it.
 */
export class QueryScheduler {
  private running = 0;
  private readonly runningBy = new Map<string, number>();
  private readonly queues = new Map<string, Waiting[]>();
  /** People with a queue, in the order their turn comes. */
  private readonly turn: string[] = [];

  constructor(private readonly options: SchedulerOptions) {}

  waiting(user: string): number {
    return this.queues.get(user)?.length ?? 0;
  }

  async run<T>(user: string, work: () => Promise<T>): Promise<T> {
    if (!this.canStart(user)) {
      const queue = this.queues.get(user) ?? [];
      if (queue.length >= this.options.queuePerUser) {
        throw new DocksideError(
          'query_refused',
          `You have ${queue.length} queries waiting and ${this.runningBy.get(user) ?? 0} running; this one was not queued.`,
          { hint: 'Wait for their answers, then send it again.' },
        );
      }
      await new Promise<void>((start) => {
        queue.push({ start });
        this.queues.set(user, queue);
        if (!this.turn.includes(user)) this.turn.push(user);
      });
    } else {
      this.take(user);
    }
    try {
      return await work();
    } finally {
      this.running -= 1;
      const left = (this.runningBy.get(user) ?? 1) - 1;
      if (left === 0) this.runningBy.delete(user);
      else this.runningBy.set(user, left);
      this.next();
    }
  }

  private canStart(user: string): boolean {
    return (
      this.running < this.options.total &&
      (this.runningBy.get(user) ?? 0) < this.options.perUser &&
      this.waiting(user) === 0
    );
  }

  private take(user: string): void {
    this.running += 1;
    this.runningBy.set(user, (this.runningBy.get(user) ?? 0) + 1);
  }

  /**
   * Starts waiting work while slots are free: the slot goes to the waiting person with
   * the fewest statements running (ties in turn order), who then goes to the back.
   */
  private next(): void {
    while (this.running < this.options.total) {
      let pick: string | undefined;
      for (const user of this.turn) {
        const running = this.runningBy.get(user) ?? 0;
        if (running >= this.options.perUser || this.waiting(user) === 0) continue;
        if (pick === undefined || running < (this.runningBy.get(pick) ?? 0)) pick = user;
      }
      if (pick === undefined) return;
      const queue = this.queues.get(pick) ?? [];
      const waiting = queue.shift() as Waiting;
      this.turn.splice(this.turn.indexOf(pick), 1);
      if (queue.length > 0) this.turn.push(pick);
      else this.queues.delete(pick);
      this.take(pick);
      waiting.start();
    }
  }
}
