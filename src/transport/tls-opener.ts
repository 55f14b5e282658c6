/**
 * Opens an outbound TLS connection (Modbus/TCP Security towards a PLC or gateway) for a
 * ReconnectingLine: TLS 1.2 or newer, the server checked against `ca` (and its name: `host`, or its
 * IP address when `host` is one) unless `verify` is false, a client certificate presented when
 * given. The files are read at every attempt, so a rotated client certificate is used on the next
 * connect; a file that cannot be read or used fails that attempt with a message naming the key and
 * the file (the line stays down and retries with its backoff). Deadline (covering the handshake),
 * keepalive and reused read buffer are the TCP opener's.
 */
import net from 'node:net';
import type tls from 'node:tls';
import type { LineOpener } from './line.js';
import { closeSocket, openSocket, targetName, type OnRead, type TcpTarget } from './tcp-opener.js';

/** node:tls, loaded only when a config has TLS (a gateway without pays nothing for it). */
const tlsModule = () => process.getBuiltinModule('node:tls');

/** The client `tls:` block as validated (config/items/client-tls.ts). */
export interface ClientTlsFiles {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly verify: boolean;
}

/** Reads a PEM file the config names (a regular file, bounded); throws an Error saying why not. */
export type PemReader = (path: string) => string;

export interface TlsTarget extends TcpTarget {
  readonly tls: ClientTlsFiles;
  readonly read: PemReader;
  /** Names the block in messages: `devices.plc.tls`. */
  readonly owner: string;
}

/** The secure context options of `t`, read now; throws an Error naming the key and the file. */
export function clientTlsOptions(t: TlsTarget): tls.ConnectionOptions {
  const file = (key: 'ca' | 'cert' | 'key'): string | undefined => {
    const path = t.tls[key];
    if (path === undefined) return undefined;
    try {
      return t.read(path);
    } catch (err) {
      throw new Error(`${t.owner}.${key} ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  const [ca, cert, key] = [file('ca'), file('cert'), file('key')];
  const options: tls.ConnectionOptions = {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: t.tls.verify,
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    // RFC 6066: no IP address as SNI; Node then checks the certificate's IP SANs against host
    ...(net.isIP(t.host) === 0 ? { servername: t.host } : {}),
  };
  try {
    // what tls.connect would throw later, with the files named now
    options.secureContext = tlsModule().createSecureContext(options);
  } catch (err) {
    const files = [t.tls.ca, t.tls.cert, t.tls.key].filter((f) => f !== undefined).join(', ');
    throw new Error(`${t.owner}: ${files} cannot be used: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return options;
}

/** How long a TLS 1.3 connection waits for the server's session ticket before it is taken as accepted. */
export const TLS13_CONFIRM_MS = 300;

/**
 * Usable once the server has accepted the handshake. Under TLS 1.2 that is the end of the handshake.
 * Under TLS 1.3 the client's handshake ends before the server has checked the client's certificate:
 * a server that refuses it (or wants one) answers with an alert right after, which would make a line
 * that goes up and down at every attempt. So wait for the server's first session ticket (what an
 * accepting server sends next), its alert or close (a failed attempt), or, from a server that sends
 * no tickets, TLS13_CONFIRM_MS of quiet.
 */
function confirmed(socket: tls.TLSSocket, usable: () => void, failed: (err: Error) => void): void {
  socket.once('secureConnect', () => {
    if (socket.getProtocol() !== 'TLSv1.3') return usable();
    const accepted = () => {
      done();
      usable();
    };
    const closed = () => {
      done();
      failed(new Error('the server closed the connection right after the handshake (refused the client certificate?)'));
    };
    const done = () => {
      clearTimeout(quiet);
      socket.off('session', accepted);
      socket.off('close', closed);
    };
    const quiet = setTimeout(accepted, TLS13_CONFIRM_MS);
    socket.once('session', accepted);
    socket.once('close', closed);
  });
}

export function tlsOpener(t: TlsTarget): LineOpener {
  return {
    target: `tls://${targetName(t)}`,
    open(opened) {
      const options = clientTlsOptions(t); // throws: the line logs the reason and retries
      return openSocket(
        t,
        (onread) => {
          // tls.connect takes onread (the cleartext lands in the reused buffer); @types/node omits it
          const connect: tls.ConnectionOptions & { onread: OnRead } = {
            ...options,
            host: t.host,
            port: t.port,
            onread,
          };
          return tlsModule().connect(connect).setNoDelay(true);
        },
        confirmed,
        opened,
      );
    },
    close: closeSocket,
  };
}
