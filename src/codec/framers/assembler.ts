/**
 * A frame whose length is known but whose bytes arrive over several chunks: allocated once at its
 * full length, filled as chunks come (each byte copied once), handed out when complete.
 */
export class FrameAssembler {
  private frame: Buffer | undefined;
  private fillAt = 0;

  get active(): boolean {
    return this.frame !== undefined;
  }

  get filled(): number {
    return this.frame === undefined ? 0 : this.fillAt;
  }

  /** Begins a frame of `length` bytes. */
  start(length: number): void {
    this.frame = Buffer.allocUnsafe(length);
    this.fillAt = 0;
  }

  /** Copies what fits from `chunk` at `offset`; returns the offset after what was taken. */
  fill(chunk: Buffer, offset: number): number {
    const frame = this.frame;
    if (frame === undefined) return offset;
    const n = Math.min(frame.length - this.fillAt, chunk.length - offset);
    chunk.copy(frame, this.fillAt, offset, offset + n);
    this.fillAt += n;
    return offset + n;
  }

  /** The frame, when complete (and the assembler is free again); undefined while bytes are missing. */
  take(): Buffer | undefined {
    const frame = this.frame;
    if (frame === undefined || this.fillAt < frame.length) return undefined;
    this.frame = undefined;
    this.fillAt = 0;
    return frame;
  }
}
