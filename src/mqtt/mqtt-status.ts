/** What the MQTT link shows in /status, `fieldgate status` and /metrics. */

/**
 * connecting: an attempt is under way; waiting: connected, the primary host is not online (changes
 * are stored); replaying: born, sending what was stored; online: born and publishing as things change;
 * down: no session (changes are stored), waiting to try the next broker.
 */
export type MqttState = 'connecting' | 'waiting' | 'replaying' | 'online' | 'down';

export interface MqttCounters {
  /** NBIRTH messages (Sparkplug), or times every point was published (JSON). */
  births: number;
  messagesOut: number;
  bytesOut: number;
  /** Point values published (births and data, stored ones included). */
  metricsOut: number;
  /** Change records put into the store (while the broker or the primary host was away). */
  stored: number;
  /** Commands (DCMD / NCMD metrics, JSON /set) carried out, and refused. */
  commandsAccepted: number;
  commandsRefused: number;
}

export interface MqttStatus extends MqttCounters {
  readonly format: 'sparkplug-b' | 'json';
  readonly state: MqttState;
  /** The broker of the session that is up, else null. */
  readonly broker: string | null;
  readonly brokers: readonly string[];
  /** Sessions opened since start. */
  readonly connects: number;
  readonly lastError: string | null;
  /** Sparkplug: the bdSeq of the current (or next) session, and the primary host's last STATE. */
  readonly bdSeq?: number;
  readonly primaryHost?: { readonly id: string; readonly online: boolean };
  /** Change records waiting in the store, their bytes, and records dropped (oldest first) since start. */
  readonly backlog: { readonly records: number; readonly bytes: number; readonly dropped: number };
  /** Published banks and whether each is alive (its source up) and born. */
  readonly banks: readonly { readonly name: string; readonly alive: boolean }[];
}

export const newCounters = (): MqttCounters => ({
  births: 0,
  messagesOut: 0,
  bytesOut: 0,
  metricsOut: 0,
  stored: 0,
  commandsAccepted: 0,
  commandsRefused: 0,
});
