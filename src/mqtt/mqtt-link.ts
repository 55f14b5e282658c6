/**
 * The connection to the broker: one MQTT session at a time, to the brokers of `urls` in turn. Each
 * attempt is a fresh mqtt.js client with its own Will (the session's NDEATH carries the session's
 * bdSeq, so the Will is built per attempt) and no reconnecting of its own: when a session fails or
 * ends, the link waits (the `reconnect:` backoff, with jitter) and tries the next broker. The password
 * and TLS files are read at every attempt, so a rotated password or certificate is taken without a
 * restart.
 *
 *   state: connecting -> up -> down (with the error) -> connecting (next broker) ...
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttConfig } from '../config/types.js';
import { readFileText } from '../config/read-file.js';
import type { Logger } from '../log.js';
import { Backoff } from '../transport/backoff.js';

export type LinkState = 'connecting' | 'up' | 'down';

/** The Will of the session about to be opened. */
export interface Will {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

export interface LinkEvents {
  /** The next attempt's Will (called once per attempt, just before its CONNECT). */
  will(): Will | Promise<Will>;
  /** A session is up on `client` (connected to `url`): subscribe, birth. */
  up(client: MqttClient, url: string): void;
  /** The session is gone; nothing may be published on its client any more. */
  down(reason: string): void;
  message(topic: string, payload: Buffer): void;
}

export class MqttLink {
  private current: LinkState = 'down';
  private error: string | null = null;
  private client: MqttClient | undefined;
  private next = 0;
  private connectedUrl: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly backoff: Backoff;
  /** Sessions opened since start. */
  connects = 0;

  constructor(
    private readonly config: MqttConfig,
    private readonly log: Logger,
    private readonly events: LinkEvents,
  ) {
    this.backoff = new Backoff(config.reconnect);
  }

  get state(): LinkState {
    return this.current;
  }

  get lastError(): string | null {
    return this.error;
  }

  /** The broker of the session that is up, or null. */
  get broker(): string | null {
    return this.current === 'up' ? this.connectedUrl : null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt();
  }

  /**
   * Ends the session: `last` publishes what must go out before (the NDEATH of a clean stop) and
   * resolves when it is sent; then the connection is closed cleanly (no Will).
   */
  async stop(last?: (client: MqttClient) => Promise<void>): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client && this.current === 'up' && last) await last(client).catch(() => undefined);
    this.current = 'down';
    if (client) await endClient(client, false);
  }

  /**
   * Drops the session and starts again: at once with `clean` (a DISCONNECT: the broker discards the
   * Will, the caller has said goodbye itself, e.g. NDEATH when the primary host went away), else after
   * the backoff wait (the session can no longer be trusted: the broker publishes the Will).
   */
  restart(reason: string, clean = false): void {
    const client = this.client;
    if (!client || this.stopped) return;
    this.lost(client, reason, clean);
  }

  private attempt(): void {
    if (this.stopped) return;
    const url = this.config.urls[this.next % this.config.urls.length] as string;
    this.next++;
    this.current = 'connecting';
    void this.options(url).then(
      (options) => this.open(url, options),
      (err: unknown) => this.failed(err instanceof Error ? err.message : String(err)),
    );
  }

  private open(url: string, options: IClientOptions): void {
    if (this.stopped) return;
    let client: MqttClient;
    try {
      client = mqtt.connect(url, options);
    } catch (err) {
      return this.failed(err instanceof Error ? err.message : String(err));
    }
    this.client = client;
    client.on('connect', () => {
      if (this.client !== client) return;
      this.backoff.reset();
      this.connects++;
      this.current = 'up';
      this.error = null;
      this.connectedUrl = url;
      this.log.info({ broker: url }, 'mqtt connected');
      this.events.up(client, url);
    });
    client.on('message', (topic, payload) => {
      if (this.client === client && this.current === 'up') this.events.message(topic, payload);
    });
    client.on('error', (err) => this.lost(client, err.message));
    client.on('close', () =>
      this.lost(client, this.current === 'up' ? 'the broker closed the connection' : 'connection closed'),
    );
  }

  private lost(client: MqttClient, reason: string, clean = false): void {
    if (this.client !== client || this.stopped) return;
    const wasUp = this.current === 'up';
    this.client = undefined;
    void endClient(client, !clean);
    if (wasUp) {
      this.current = 'down';
      this.events.down(reason);
    }
    this.failed(reason, wasUp || clean);
  }

  private failed(reason: string, first = false): void {
    if (this.stopped) return;
    this.current = 'down';
    this.error = reason;
    const wait = first ? 0 : this.backoff.next();
    const fields = { error: reason, retryMs: wait, attempts: this.backoff.attempts };
    if (first || this.backoff.attempts === 1) this.log.warn(fields, 'mqtt down');
    else this.log.debug(fields, 'mqtt still down');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.attempt(), wait);
  }

  private async options(url: string): Promise<IClientOptions> {
    const c = this.config;
    const tls = url.startsWith('mqtts:') ? await this.tlsFiles() : {};
    const password = c.passwordFile !== undefined ? await secret(c.passwordFile, 'passwordFile') : undefined;
    const will = await this.events.will(); // last: an attempt that fails before CONNECT takes no bdSeq
    return {
      clientId: c.clientId,
      protocolVersion: c.protocol === 5 ? 5 : 4,
      clean: true,
      keepalive: Math.max(1, Math.round(c.keepalive / 1000)),
      connectTimeout: c.connectTimeout,
      reconnectPeriod: 0,
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(password !== undefined ? { password } : {}),
      will: { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain },
      ...tls,
    };
  }

  private async tlsFiles(): Promise<IClientOptions> {
    const t = this.config.tls;
    return {
      rejectUnauthorized: t.verify,
      ...(t.ca !== undefined ? { ca: await secret(t.ca, 'tls.ca') } : {}),
      ...(t.cert !== undefined ? { cert: await secret(t.cert, 'tls.cert') } : {}),
      ...(t.key !== undefined ? { key: await secret(t.key, 'tls.key') } : {}),
    };
  }
}

/** A file the link needs at each attempt (password, TLS); its text without the trailing newline. */
async function secret(path: string, key: string): Promise<string> {
  const read = await readFileText(path);
  if (!read.ok) throw new Error(`mqtt.${key} ${path}: ${read.reason}`);
  return read.text.replace(/\r?\n$/, '');
}

/** Ends a client; `force` drops it at once (a failed session), else a clean DISCONNECT. */
function endClient(client: MqttClient, force: boolean): Promise<void> {
  return new Promise((resolve) => {
    client.removeAllListeners('connect');
    client.removeAllListeners('message');
    client.on('error', () => undefined);
    client.end(force, {}, () => resolve());
  });
}
