/**
 * Sparkplug B topics (spBv1.0/<group>/<type>/<node>[/<device>]) and the host's STATE message
 * (spBv1.0/STATE/<hostId>). Pure: strings and Buffers in, values out; nothing here throws on input.
 */

export const SPARKPLUG_NAMESPACE = 'spBv1.0';

export const MESSAGE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD', 'DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
export type SparkplugMessageType = (typeof MESSAGE_TYPES)[number];

export interface SparkplugTopic {
  group: string;
  type: SparkplugMessageType;
  node: string;
  device?: string;
}

const NODE_TYPES: ReadonlySet<string> = new Set(['NBIRTH', 'NDEATH', 'NDATA', 'NCMD']);
const DEVICE_TYPES: ReadonlySet<string> = new Set(['DBIRTH', 'DDEATH', 'DDATA', 'DCMD']);

/** The topic of a message: node messages without `device`, device messages with it. */
export function sparkplugTopic(group: string, type: SparkplugMessageType, node: string, device?: string): string {
  const base = `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}`;
  return device === undefined ? base : `${base}/${device}`;
}

/**
 * Splits a Sparkplug topic; undefined for another namespace, an unknown message type, an empty part, or a
 * part count that does not fit the type (a node message has 4 parts, a device message 5).
 */
export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/');
  const [ns, group, type, node, device] = parts;
  if (ns !== SPARKPLUG_NAMESPACE || group === undefined || type === undefined || node === undefined) return undefined;
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 4 && NODE_TYPES.has(type)) return { group, type: type as SparkplugMessageType, node };
  if (parts.length === 5 && device !== undefined && DEVICE_TYPES.has(type))
    return { group, type: type as SparkplugMessageType, node, device };
  return undefined;
}

/** The topic of a host application's STATE message (Sparkplug 3.0). */
export function stateTopic(hostId: string): string {
  return `${SPARKPLUG_NAMESPACE}/STATE/${hostId}`;
}

export interface HostState {
  online: boolean;
  /** Milliseconds since the epoch as the host sent it; 0 for a 2.2-era text payload. */
  timestamp: number;
}

/**
 * Reads a STATE payload: the 3.0 JSON {"online":true,"timestamp":...}, or the 2.2-era text ONLINE / OFFLINE
 * (timestamp 0). Anything else is undefined.
 */
export function parseState(payload: Buffer): HostState | undefined {
  if (payload.length > 4096) return undefined;
  const text = payload.toString('utf8').trim();
  if (text === 'ONLINE') return { online: true, timestamp: 0 };
  if (text === 'OFFLINE') return { online: false, timestamp: 0 };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { online, timestamp } = json as { online?: unknown; timestamp?: unknown };
  if (typeof online !== 'boolean' || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return undefined;
  return { online, timestamp };
}
