/**
 * What a session needs from its connection: a small duplex interface that a net.Socket, a TLS socket
 * or an in-memory pair all satisfy. Sessions never see ports or servers.
 */

export interface SessionStream {
  write(chunk: Buffer): boolean;
  /** Ends the writable side; `onFinish` runs once everything written has been handed on. */
  end(onFinish?: () => void): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  readonly writableLength: number;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'end' | 'close' | 'drain', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

/** Why a session ended (logged, counted in metrics). */
export type CloseReason =
  | 'peer-closed'
  | 'idle'
  /** A frame that breaks the protocol: a bad MBAP header, a raw frame over its framing's max. */
  | 'protocol-error'
  | 'send-timeout'
  /** Raw sessions: more output waited for the peer than its sendQueue allows. */
  | 'queue-full'
  | 'socket-error'
  | 'shutdown'
  | 'reload'
  | 'replaced';

/** Counters of one session, as the status document shows them. */
export interface SessionStats {
  readonly id: number;
  readonly remote: string;
  readonly since: Date;
  bytesIn: number;
  bytesOut: number;
  requests: number;
  /** TLS sessions: the client certificate's subject and Modbus role (null: none). */
  tls?: { readonly subject: string | null; readonly role: string | null };
}
