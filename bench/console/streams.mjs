// Run by the console bench section: opens N web console streams (GET /events on 127.0.0.1:PORT) as
// plain HTTP clients and counts what they receive (status events and bytes), cheaply (Buffers, no
// JSON). Prints {"ready":true} once every stream has its first event, a counts line
// {"events":E,"bytes":B} on every SIGUSR1, and exits on SIGTERM or after MAX_MS (bounded).
// usage: node streams.mjs PORT N MAX_MS
import http from 'node:http';

const [port, n, maxMs] = process.argv.slice(2).map(Number);
const MARK = Buffer.from('event: status\n');
let events = 0;
let bytes = 0;
let ready = 0;
const reqs = [];

const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

for (let i = 0; i < n; i++) {
  let tail = Buffer.alloc(0);
  let mine = 0;
  const req = http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
    if (res.statusCode !== 200) {
      out({ error: `stream ${i}: /events answered ${res.statusCode}` });
      process.exit(1);
    }
    res.on('data', (chunk) => {
      bytes += chunk.length;
      let found = 0;
      // a mark split across reads: it starts in the tail (shorter than a mark) of the last one
      if (tail.length) {
        const at = Buffer.concat([tail, chunk.subarray(0, MARK.length)]).indexOf(MARK);
        if (at >= 0 && at < tail.length) found++;
      }
      for (let at = chunk.indexOf(MARK); at >= 0; at = chunk.indexOf(MARK, at + 1)) found++;
      tail = chunk.subarray(Math.max(0, chunk.length - MARK.length + 1));
      events += found;
      if (mine === 0 && found > 0 && ++ready === n) out({ ready: true });
      mine += found;
    });
  });
  req.on('error', (e) => {
    out({ error: `stream ${i}: ${e.message}` });
    process.exit(1);
  });
  reqs.push(req);
}

process.on('SIGUSR1', () => out({ events, bytes }));
process.on('SIGTERM', () => {
  for (const r of reqs) r.destroy();
  process.exit(0);
});
setTimeout(() => process.exit(2), maxMs).unref();
