/** Two connected in-memory duplex streams (Node 20 has no stream.duplexPair). */
import { Duplex } from 'node:stream';

export function duplexPair(): [Duplex, Duplex] {
  let b: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        peer().push(chunk);
        done();
      },
      final(done) {
        peer().push(null);
        done();
      },
    });
  const a = make(() => b);
  b = make(() => a);
  return [a, b];
}
