/**
 * A reused read buffer for one socket (Node's `onread`): the kernel copies each read into the same
 * 64 KiB, instead of Node allocating a fresh buffer per read that only the next garbage collection
 * frees. On a bulk raw stream that churn costs more than the forwarding itself: tens of MiB of
 * buffers pile up between collections, glibc hands the freed heap back to the kernel, and every
 * page is faulted in again (raw-bridge bench: ~200k page faults per GiB, 2.5x socat's CPU).
 *
 * The rule that makes reuse safe: a frame cut from a read is valid only while the read is being
 * handled. Everything in the raw path handles frames synchronously (framers copy what they hold,
 * decoders store values, recorders format text) except a write that the kernel did not take at
 * once: such a write still points into the buffer. Writers call `retainQueued` after writing, and
 * the owner then reads into a fresh buffer, leaving the old one to the write (and the collector).
 */

/** What libuv asks for per read (and what Node allocates per read without `onread`). */
export const READ_SIZE = 64 * 1024;

const owners = new WeakMap<ArrayBufferLike, ReadBuffer>();

export class ReadBuffer {
  /** Buffers allocated because a write still held the previous one (for tests and tuning). */
  replaced = 0;
  private buf: Buffer;
  private lent = false;

  constructor(private readonly size = READ_SIZE) {
    this.buf = this.allocate();
  }

  /** The buffer the next read fills (`onread.buffer`; Node calls it after every read). */
  readonly next = (): Buffer => {
    if (this.lent) {
      this.lent = false;
      this.replaced++;
      this.buf = this.allocate();
    }
    return this.buf;
  };

  /** `chunk` is held past this read: the next read must not overwrite it. */
  lend(chunk: Uint8Array): void {
    if (chunk.buffer === this.buf.buffer) this.lent = true;
  }

  private allocate(): Buffer {
    // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool (which other code
    // writes into).
    const buf = Buffer.allocUnsafeSlow(this.size);
    owners.set(buf.buffer, this);
    return buf;
  }
}

/**
 * After writing `chunks` to `stream`: bytes the stream could not hand to the kernel at once stay
 * queued, pointing into their buffers; a reused read buffer among them must not be read into again.
 */
export function retainQueued(stream: { readonly writableLength: number }, chunks: readonly Uint8Array[]): void {
  if (stream.writableLength === 0) return;
  for (const chunk of chunks) owners.get(chunk.buffer)?.lend(chunk);
}

/**
 * `onread` options that hand each read to the socket's 'data' listeners as a view of one reused
 * buffer, so code written for 'data' events works unchanged (within the rule above).
 */
export function emitDataFrom(
  readBuffer: ReadBuffer,
  socket: () => { emit(event: 'data', chunk: Buffer): boolean },
): {
  buffer: () => Buffer;
  callback: (bytes: number, buf: Uint8Array) => boolean;
} {
  return {
    buffer: readBuffer.next,
    callback: (bytes, buf) => {
      socket().emit('data', (buf as Buffer).subarray(0, bytes));
      return true;
    },
  };
}
