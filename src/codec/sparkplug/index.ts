/** Sparkplug B 3.0: payload codec, datatypes of points, topics and host STATE. */

export {
  DataType,
  decodePayload,
  encodePayload,
  type MetricValue,
  type SparkplugMetric,
  type SparkplugPayload,
} from './payload.js';
export { commandValue, sparkplugType } from './datatype.js';
export {
  MESSAGE_TYPES,
  parseSparkplugTopic,
  parseState,
  SPARKPLUG_NAMESPACE,
  sparkplugTopic,
  stateTopic,
  type HostState,
  type SparkplugMessageType,
  type SparkplugTopic,
} from './topic.js';
