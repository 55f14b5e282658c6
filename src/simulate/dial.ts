/**
 * The simulated device dials out (an FPGA board with a hardware TCP client, a PLC pushing its
 * registers to a pool port): one connection at a time, connected again with backoff when it is
 * refused or lost, as the real device would.
 */
import net from 'node:net';
import { Backoff } from '../transport/backoff.js';
import type { Conversation, Say } from './types.js';

const BACKOFF = { min: 200, max: 5000, jitter: 0.2 };
/** ms a closing connection gets to send what was written before it is cut. */
const CLOSE_GRACE_MS = 1000;

export class Dialer {
  private socket: net.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly backoff = new Backoff(BACKOFF);

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly say: Say,
    private readonly converse: Conversation,
  ) {}

  start(): void {
    this.attempt();
  }

  private attempt(): void {
    this.timer = undefined;
    const socket = net.connect({ host: this.host, port: this.port });
    this.socket = socket;
    let end: (() => void) | undefined;
    let error: string | undefined;
    socket.setNoDelay(true);
    socket.once('connect', () => {
      this.backoff.reset();
      this.say('connected', { to: `${this.host}:${this.port}`, local: `${socket.localAddress}:${socket.localPort}` });
      end = this.converse(socket);
    });
    socket.on('error', (err) => (error = err.message));
    socket.once('close', () => {
      end?.();
      this.socket = undefined;
      if (this.stopped) return;
      const retryMs = this.backoff.next();
      this.say(end ? 'connection lost' : 'cannot connect', {
        to: `${this.host}:${this.port}`,
        error: error ?? 'closed by the peer',
        retryMs,
      });
      this.timer = setTimeout(() => this.attempt(), retryMs);
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const socket = this.socket;
    return socket ? closeGracefully(socket) : Promise.resolve();
  }
}

/** Ends the connection after what was written has gone out; cuts it if that takes too long. */
export function closeGracefully(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const cut = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(cut);
      resolve();
    });
    if (socket.connecting) socket.destroy();
    else socket.end();
  });
}
