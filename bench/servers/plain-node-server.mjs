// plain-node-server: Node's floor for the Modbus bench, the least a Node server can do per request.
// net.createServer, 'data' events (Node's own per-read buffers), MBAP frames cut from split or joined
// reads, FC 3 answered from one Uint16Array (any other function: exception 01), one write per read.
// No validation beyond the MBAP length, no timers, no limits, no logging: a reference, not a server.
//
// usage: node plain-node-server.mjs PORT      (listens on 127.0.0.1 only)
import net from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: plain-node-server.mjs PORT\n');
  process.exit(2);
}

const holding = new Uint16Array(1000);
for (let i = 0; i < holding.length; i++) holding[i] = i;

/** The reply ADU for one request frame (MBAP header included). */
function reply(frame) {
  const fc = frame[7];
  const address = (frame[8] << 8) | frame[9];
  const quantity = (frame[10] << 8) | frame[11];
  let out;
  if (fc === 3 && quantity >= 1 && quantity <= 125 && address + quantity <= holding.length) {
    out = Buffer.allocUnsafe(9 + 2 * quantity);
    out[7] = 3;
    out[8] = 2 * quantity;
    for (let i = 0; i < quantity; i++) out.writeUInt16BE(holding[address + i], 9 + 2 * i);
  } else {
    out = Buffer.allocUnsafe(9);
    out[7] = fc | 0x80;
    out[8] = fc === 3 ? 2 : 1; // illegal data address / illegal function
  }
  out[0] = frame[0];
  out[1] = frame[1];
  out[2] = 0;
  out[3] = 0;
  out.writeUInt16BE(out.length - 6, 4);
  out[6] = frame[6];
  return out;
}

const server = net.createServer({ noDelay: true }, (socket) => {
  let pending = null;
  socket.on('data', (chunk) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    const replies = [];
    let offset = 0;
    while (buf.length - offset >= 7) {
      const size = 6 + ((buf[offset + 4] << 8) | buf[offset + 5]);
      if (size < 8) return socket.destroy();
      if (buf.length - offset < size) break;
      replies.push(reply(buf.subarray(offset, offset + size)));
      offset += size;
    }
    if (offset < buf.length) pending = Buffer.from(buf.subarray(offset));
    if (replies.length === 1) socket.write(replies[0]);
    else if (replies.length > 1) socket.write(Buffer.concat(replies));
  });
  socket.on('error', () => {});
});
server.listen({ host: '127.0.0.1', port }, () => process.stdout.write(`listening on 127.0.0.1:${port}\n`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
