/**
 * Builds the northbound publisher of the configured format. Loaded by the gateway only when the
 * config has `mqtt:` (mqtt.js and protobufjs stay out of memory otherwise).
 */
import type { MqttConfig } from '../config/types.js';
import { JsonTopics } from './json-topics.js';
import type { Northbound, NorthboundDeps } from './northbound.js';
import { SparkplugNode } from './sparkplug-node.js';

export function createNorthbound(config: MqttConfig, deps: NorthboundDeps): Northbound {
  return config.format === 'json' ? new JsonTopics(config, deps) : new SparkplugNode(config, deps);
}
