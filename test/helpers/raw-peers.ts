/**
 * Raw TCP peers for tests, all on loopback: a client that collects what it receives (optionally from
 * another loopback source address, for reserved pool ports), devices that fieldgate connects out to
 * (an echo, a request/response "camera", a sink that can stop reading) and free ports for pools.
 */
import net from 'node:net';

export interface Peer {
  readonly socket: net.Socket;
  text(): string;
  bytes(): Buffer;
  /** Resolves when what was received satisfies `check` (bounded). */
  until(check: (text: string) => boolean, ms?: number, what?: string): Promise<string>;
  /** Resolves when at least `n` bytes were received (bounded); cheap for large transfers. */
  untilBytes(n: number, ms?: number): Promise<void>;
  send(data: string | Buffer): void;
  readonly closed: Promise<void>;
  end(): Promise<void>;
}

function watch(socket: net.Socket): Peer {
  const chunks: Buffer[] = [];
  let size = 0;
  const waiters = new Set<() => void>();
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    size += c.length;
    for (const w of [...waiters]) w();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) =>
    socket.once('close', () => {
      for (const w of [...waiters]) w();
      r();
    }),
  );
  const bytes = () => {
    if (chunks.length > 1) chunks.splice(0, chunks.length, Buffer.concat(chunks, size));
    return chunks[0] ?? Buffer.alloc(0);
  };
  const text = () => bytes().toString('latin1');
  const until = (check: (t: string) => boolean, ms = 3000, what = 'expected data') =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`${what} not received within ${ms} ms; got ${JSON.stringify(text().slice(-200))}`));
      }, ms);
      const test = () => {
        if (!check(text())) return;
        clearTimeout(timer);
        waiters.delete(test);
        resolve(text());
      };
      waiters.add(test);
      test();
    });
  const untilBytes = (n: number, ms = 3000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`only ${size} of ${n} bytes received within ${ms} ms`));
      }, ms);
      const test = () => {
        if (size < n) return;
        clearTimeout(timer);
        waiters.delete(test);
        resolve();
      };
      waiters.add(test);
      test();
    });
  return {
    socket,
    text,
    bytes,
    until,
    untilBytes,
    closed,
    send: (data) => void socket.write(data),
    end: () => {
      socket.end();
      return closed;
    },
  };
}

/** A client connected to 127.0.0.1:port, from `localAddress` (any 127.x address) when given. */
export function connectPeer(port: number, localAddress?: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(watch(socket)));
    socket.once('error', reject);
  });
}

/** A device fieldgate connects to: a loopback TCP server that can go away and come back on its port. */
export interface FakeDevice {
  port: number;
  /** Connections accepted so far. */
  readonly peers: Peer[];
  /** Resolves with the n-th connection (1-based) once it is accepted. */
  connection(n: number, ms?: number): Promise<Peer>;
  /** Closes the server and every connection (the device is switched off). */
  stop(): Promise<void>;
  /** Listens again on the same port (the device is back). */
  restart(): Promise<void>;
}

export async function fakeDevice(onConnection: (peer: Peer) => void = () => undefined, port = 0): Promise<FakeDevice> {
  const peers: Peer[] = [];
  const waiters = new Set<() => void>();
  let server: net.Server;
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server = net.createServer((socket) => {
        const peer = watch(socket);
        peers.push(peer);
        onConnection(peer);
        for (const w of [...waiters]) w();
      });
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const device: FakeDevice = {
    port: await listen(port),
    peers,
    connection: (n, ms = 5000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`connection ${n} not made within ${ms} ms`)), ms);
        const test = () => {
          const peer = peers[n - 1];
          if (!peer) return;
          clearTimeout(timer);
          waiters.delete(test);
          resolve(peer);
        };
        waiters.add(test);
        test();
      }),
    stop: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const p of peers) p.socket.destroy();
      await closed;
    },
    restart: async () => {
      device.port = await listen(device.port);
    },
  };
  return device;
}

/** A device that sends back whatever it receives. */
export function echoDevice(): Promise<FakeDevice> {
  return fakeDevice((peer) => peer.socket.on('data', (c: Buffer) => peer.socket.write(c)));
}

/** `n` ports that were free a moment ago on 127.0.0.1 (for pools, whose ports cannot be 0). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}
