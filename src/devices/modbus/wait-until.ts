/**
 * Waits until performance.now() reaches `t`, to a fraction of a millisecond: a timer for the bulk,
 * then a few event-loop turns for the rest (timers fire with 1 ms granularity, and the RTU gap at
 * 115200 baud is 1.75 ms: waiting a whole extra millisecond would cost half the bus).
 */
export function waitUntil(t: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (): void => {
      const left = t - performance.now();
      if (left <= 0) resolve();
      else if (left > 2) setTimeout(step, Math.floor(left - 1));
      else setImmediate(step);
    };
    step();
  });
}
