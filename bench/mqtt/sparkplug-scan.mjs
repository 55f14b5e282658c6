// A minimal walk over a Sparkplug B payload's protobuf (no decoding library): the number of metrics,
// and per metric its timestamp and whether it is historical. Cheap enough for a subscriber to keep up
// with a few hundred thousand metrics a second; the subscriber checks it against sparkplug-payload.
//   Payload: 1 timestamp (varint), 2 metrics (repeated Metric), 3 seq (varint), ...
//   Metric:  1 name, 2 alias, 3 timestamp (varint), 4 datatype, 5 is_historical (varint), ...

let pos = 0;

function varint(buf) {
  let value = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    value += (b & 0x7f) * mul;
    if (b < 0x80) return value;
    mul *= 128;
    if (mul > 2 ** 63) throw new Error('varint too long');
  }
}

function skip(buf, wire) {
  if (wire === 0) varint(buf);
  else if (wire === 1) pos += 8;
  else if (wire === 2) {
    const n = varint(buf); // read before adding: `pos += varint()` would add to the old pos
    pos += n;
  } else if (wire === 5) pos += 4;
  else throw new Error(`wire type ${wire}`);
}

/**
 * Calls onMetric(timestamp | 0, historical) for each metric; returns the metric count.
 * Throws on a malformed payload.
 */
export function scanPayload(buf, onMetric) {
  pos = 0;
  let metrics = 0;
  while (pos < buf.length) {
    const tag = varint(buf);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field !== 2 || wire !== 2) {
      skip(buf, wire);
      continue;
    }
    const end = varint(buf) + pos;
    let ts = 0;
    let historical = false;
    while (pos < end) {
      const t = varint(buf);
      const f = Math.floor(t / 8);
      const w = t & 7;
      if (f === 3 && w === 0) ts = varint(buf);
      else if (f === 5 && w === 0) historical = varint(buf) !== 0;
      else skip(buf, w);
    }
    if (pos !== end) throw new Error('metric overruns its length');
    metrics++;
    onMetric?.(ts, historical);
  }
  if (pos !== buf.length) throw new Error('payload overruns its end');
  return metrics;
}
