/**
 * An MQTT subscriber for tests (mqtt.js, in this process) that records every message in arrival
 * order, and `decodeSparkplug`: Sparkplug B payloads decoded by the independent decoder
 * (`sparkplug-payload`, Eclipse Tahu's JavaScript codec), not by fieldgate's own code.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import sparkplug from 'sparkplug-payload';

export interface WatchedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
  readonly qos: 0 | 1 | 2;
  /** Date.now() when it arrived. */
  readonly at: number;
}

export interface WatchOptions extends IClientOptions {
  /** QoS of the subscription (default 1). */
  readonly subscribeQos?: 0 | 1 | 2;
}

/** The error `next()` rejects with; `messages` are all messages seen so far. */
export class WatchTimeout extends Error {
  constructor(
    message: string,
    readonly messages: readonly WatchedMessage[],
  ) {
    super(message);
  }
}

export interface Watch {
  readonly client: MqttClient;
  /**
   * The first message after the one the previous `next()` returned (or from the start) for which
   * `match` holds; messages that arrived before the call count, so none is missed. Rejects with a
   * WatchTimeout listing what was seen when none arrives within `timeoutMs` (real time).
   */
  next(match?: (m: WatchedMessage) => boolean, timeoutMs?: number): Promise<WatchedMessage>;
  /** Every message so far, in arrival order. */
  all(): readonly WatchedMessage[];
  close(): Promise<void>;
}

// Captured when this module loads, so a test's fake timers do not stop a network wait.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

const describeMessage = (m: WatchedMessage) =>
  `${m.topic} qos=${m.qos}${m.retain ? ' retain' : ''} ${m.payload.length} B: ${m.payload.subarray(0, 32).toString('hex')}`;

/** Connects, subscribes to `topics` (resolves after the SUBACK) and records what arrives. */
export async function watch(
  url: string,
  topics: string | readonly string[],
  options: WatchOptions = {},
): Promise<Watch> {
  const { subscribeQos = 1, ...connectOptions } = options;
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...connectOptions });
  const messages: WatchedMessage[] = [];
  const waiters = new Set<() => void>();
  let cursor = 0;
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: Buffer.from(payload), retain: packet.retain, qos: packet.qos, at: Date.now() });
    for (const w of [...waiters]) w();
  });
  const granted = await client.subscribeAsync(typeof topics === 'string' ? topics : [...topics], { qos: subscribeQos });
  const refused = granted.filter((g) => g.qos === 128);
  if (refused.length > 0) {
    await client.endAsync(true);
    throw new Error(`subscription refused: ${refused.map((g) => g.topic).join(', ')}`);
  }
  const next = (match: (m: WatchedMessage) => boolean = () => true, timeoutMs = 5_000) =>
    new Promise<WatchedMessage>((resolve, reject) => {
      const check = () => {
        for (let i = cursor; i < messages.length; i++) {
          const m = messages[i]!;
          if (match(m)) {
            cursor = i + 1;
            waiters.delete(check);
            realClearTimeout(timer);
            resolve(m);
            return;
          }
        }
      };
      const timer = realSetTimeout(() => {
        waiters.delete(check);
        const seen = messages.map(describeMessage).join('\n  ') || '(none)';
        reject(new WatchTimeout(`no matching message within ${timeoutMs} ms; seen:\n  ${seen}`, [...messages]));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    client,
    next,
    all: () => messages,
    close: async () => {
      waiters.clear();
      await client.endAsync(true);
    },
  };
}

/** A protobufjs Long (duck-typed: sparkplug-payload and its protobufjs may load different copies of `long`). */
interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}

const isLong = (v: object): v is LongLike =>
  'low' in v && 'high' in v && 'unsigned' in v && typeof (v as { toNumber?: unknown }).toNumber === 'function';

const safe = (big: bigint): number | bigint =>
  big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;

/**
 * Sparkplug carries Int64 in an unsigned field. sparkplug-payload reinterprets it (and UInt32) only when
 * its Long class is the one protobufjs decoded with, which depends on how npm laid out node_modules
 * (here it is not: Int64 -5 comes back as 2^64 - 5); so the 64- and 32-bit types are reinterpreted here
 * from the raw bits, by the metric's type, whatever the decoder returned.
 */
function byType(type: unknown, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return value;
  if (typeof value !== 'number' && typeof value !== 'bigint') return value;
  const raw = BigInt(value);
  switch (type) {
    case 'Int64':
      return safe(BigInt.asIntN(64, raw));
    case 'UInt64':
    case 'DateTime':
      return safe(BigInt.asUintN(64, raw));
    case 'UInt32':
      return safe(BigInt.asUintN(32, raw));
    default:
      return typeof value === 'bigint' ? safe(value) : value;
  }
}

/** Longs → bigint (then number where safe, by type), Uint8Array → Buffer, class instances → plain objects. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (isLong(value)) return BigInt(value.toString());
  if (Array.isArray(value)) return value.map((v) => byType(undefined, plain(v)));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = byType(undefined, plain(v));
  if ('type' in out && 'value' in out) out['value'] = byType(out['type'], out['value']);
  return out;
}

export interface SparkplugMetric {
  name?: string | null;
  alias?: number | bigint | null;
  timestamp?: number | bigint | null;
  type: string;
  value: unknown;
  [key: string]: unknown;
}

export interface SparkplugPayload {
  timestamp?: number | bigint | null;
  seq?: number | bigint | null;
  metrics?: SparkplugMetric[];
  [key: string]: unknown;
}

const codec = sparkplug.get('spBv1.0');

/**
 * A Sparkplug B payload as a plain object: Longs become numbers (bigint beyond 2^53), bytes Buffers;
 * Int64, UInt32, UInt64 and DateTime values are read from their bits by type (see byType).
 */
export function decodeSparkplug(payload: Uint8Array): SparkplugPayload {
  if (!codec) throw new Error('sparkplug-payload has no spBv1.0 codec');
  return plain(codec.decodePayload(payload)) as SparkplugPayload;
}

/** Encodes with the same independent codec (for tests of the decoder and of consumers). */
export function encodeSparkplug(payload: Parameters<NonNullable<typeof codec>['encodePayload']>[0]): Buffer {
  if (!codec) throw new Error('sparkplug-payload has no spBv1.0 codec');
  return Buffer.from(codec.encodePayload(payload));
}
