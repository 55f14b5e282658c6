/**
 * A device's one queue: bounded, served round-robin across clients (one client with a burst of
 * requests cannot delay every other client's next request behind all of its own), FIFO within a
 * client: clients take turns in the order they joined, a served client that still has jobs goes to
 * the back. Jobs of a client that went away are purged, not sent.
 */

/** An AbortSignal, or anything that can tell whether everyone who waits for a job went away. */
export interface Abandoned {
  readonly aborted: boolean;
}

export interface QueuedJob {
  /** Who asked: a session id, or a poller's id (a shared read: its first asker). */
  readonly client: number;
  /** Aborted when that client disconnected (a shared read: when all of its askers did). */
  readonly signal?: Abandoned;
}

export class FairQueue<T extends QueuedJob> {
  private readonly byClient = new Map<number, T[]>();
  /** Clients with queued jobs, next to be served first. */
  private order: number[] = [];
  private count = 0;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.count;
  }

  /** false when the queue is full (even after purging the jobs of clients that went away). */
  push(job: T, dropped: (job: T) => void): boolean {
    if (this.count >= this.limit) this.removeWhere((j) => j.signal?.aborted === true, dropped);
    if (this.count >= this.limit) return false;
    const list = this.byClient.get(job.client);
    if (list) list.push(job);
    else {
      this.byClient.set(job.client, [job]);
      this.order.push(job.client);
    }
    this.count++;
    return true;
  }

  /** The next job, taking clients in turn; jobs of clients that went away are handed to `dropped`. */
  shift(dropped: (job: T) => void): T | undefined {
    for (;;) {
      const client = this.order.shift();
      if (client === undefined) return undefined;
      const list = this.byClient.get(client);
      const job = list?.shift();
      if (list && list.length > 0) this.order.push(client);
      else this.byClient.delete(client);
      if (!job) continue;
      this.count--;
      if (job.signal?.aborted) {
        dropped(job);
        continue;
      }
      return job;
    }
  }

  /** Removes and returns every job (the device went down). */
  drain(): T[] {
    const all = [...this.byClient.values()].flat();
    this.byClient.clear();
    this.order = [];
    this.count = 0;
    return all;
  }

  /** Removes the jobs for which `drop` holds, handing each to `dropped`. */
  removeWhere(drop: (job: T) => boolean, dropped: (job: T) => void): void {
    for (const [client, list] of [...this.byClient]) {
      const kept = list.filter((job) => !drop(job));
      for (const job of list) if (drop(job)) dropped(job);
      this.count -= list.length - kept.length;
      if (kept.length > 0) this.byClient.set(client, kept);
      else this.byClient.delete(client);
    }
    this.order = this.order.filter((client) => this.byClient.has(client));
  }
}
