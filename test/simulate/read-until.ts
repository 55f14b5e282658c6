/** Reads again (one read in flight at a time, a short pause between) until the result satisfies `done`; bounded. */
export async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 4000,
  what = 'the value',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what} not as expected within ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Two registers, high word first (ABCD), as a float32. */
export function float32(hi: number | undefined, lo: number | undefined): number {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(hi ?? 0, 0);
  b.writeUInt16BE(lo ?? 0, 2);
  return b.readFloatBE(0);
}
