/**
 * TLS on a server's listening port (Modbus/TCP Security; raw servers with `tls:`): the TCP listener
 * accepts and applies its allow list, then hands the socket to a `tls.Server` that never listens
 * itself (`emit('connection')`, the injection Node documents for TLS servers), so the allow list
 * costs no handshake, and one secure context serves every port of a pool.
 *   - TLS 1.2 or newer; with a CA, a client certificate signed by it is required;
 *   - a handshake that fails (TLS 1.1, plain TCP bytes, no certificate, another CA, expired) or does
 *     not finish within HANDSHAKE_TIMEOUT_MS closes that connection; the listener logs and counts it
 *     as a refusal (`tls-handshake`, `tls-certificate`);
 *   - at most PENDING_MAX handshakes at once per acceptor (past it: refused, `tls-pending`);
 *   - `replace` swaps the certificate, key and CA for new connections (reload), and the session
 *     ticket keys (no resumption across a reload); sessions open stay. Resuming a session (TLS
 *     tickets) keeps the client certificate verified in its full handshake, with its role.
 * The peer's identity (subject, serial, Modbus role from codec/x509/role.ts) goes with the socket.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { isDerError } from '../codec/x509/der.js';
import { modbusRole } from '../codec/x509/role.js';

/** node:tls, loaded only when a config has TLS (a gateway without pays nothing for it). */
const tlsModule = () => process.getBuiltinModule('node:tls');

/** A server's certificate, key and (optional) client CA, as PEM text, already checked. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
}

/** Who is at the other end of a TLS session. */
export interface TlsPeer {
  /** The client certificate's subject ("CN=op1"), null when no certificate was asked for. */
  readonly subject: string | null;
  readonly serial: string | null;
  /** The Modbus role (extension 1.3.6.1.4.1.50316.802.1); null when the certificate has none. */
  readonly role: string | null;
  /** Why the role extension could not be read (the client then has no role). */
  readonly roleError?: string;
  readonly protocol: string | null;
}

export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const PENDING_MAX = 64;

export type TlsRefusal = 'tls-handshake' | 'tls-certificate' | 'tls-pending';

export interface HandshakeEnd {
  secure(socket: tls.TLSSocket, peer: TlsPeer): void;
  refused(why: TlsRefusal, error: string): void;
}

export function secureOptions(m: TlsMaterial): tls.SecureContextOptions {
  return { cert: m.cert, key: m.key, ...(m.ca !== undefined ? { ca: m.ca } : {}), minVersion: 'TLSv1.2' };
}

function peerOf(socket: tls.TLSSocket, asked: boolean): TlsPeer {
  const protocol = socket.getProtocol();
  const x509 = asked ? socket.getPeerX509Certificate() : undefined;
  if (!x509) return { subject: null, serial: null, role: null, protocol };
  const subject = x509.subject.replace(/\n/g, ', ');
  const role = modbusRole(x509.raw);
  if (isDerError(role)) return { subject, serial: x509.serialNumber, role: null, roleError: role.error, protocol };
  return { subject, serial: x509.serialNumber, role, protocol };
}

export class TlsAcceptor {
  private readonly server: tls.Server;
  private requestCert: boolean;
  /** Raw sockets whose handshake has not ended, and where each ends. */
  private readonly pending = new Map<net.Socket, HandshakeEnd>();

  constructor(material: TlsMaterial, handshakeTimeout = HANDSHAKE_TIMEOUT_MS) {
    this.requestCert = material.ca !== undefined;
    this.server = tlsModule().createServer({
      ...secureOptions(material),
      requestCert: this.requestCert,
      // checked here (secure): refused with a log line naming why, rather than destroyed unsaid
      rejectUnauthorized: false,
      handshakeTimeout,
      allowHalfOpen: true,
    });
    this.server.on('secureConnection', (socket) => this.secured(socket));
    this.server.on('tlsClientError', (err, socket) => {
      const end = this.take(socket);
      socket.destroy();
      end?.refused('tls-handshake', describe(err));
    });
  }

  get handshakes(): number {
    return this.pending.size;
  }

  /** Runs the handshake on an accepted (allowed) connection; `end` hears how it ended, once. */
  handshake(raw: net.Socket, end: HandshakeEnd): void {
    if (this.pending.size >= PENDING_MAX) {
      raw.destroy();
      end.refused('tls-pending', `${PENDING_MAX} handshakes in progress`);
      return;
    }
    this.pending.set(raw, end);
    raw.once('close', () => {
      const left = this.pending.get(raw);
      if (!left) return;
      this.pending.delete(raw);
      left.refused('tls-handshake', 'closed by the peer during the handshake');
    });
    this.server.emit('connection', raw);
  }

  /** The server stops: handshakes in progress are dropped (not refusals: nothing is logged). */
  close(): void {
    const raws = [...this.pending.keys()];
    this.pending.clear();
    for (const raw of raws) raw.destroy();
  }

  /**
   * New connections use these files (a reload); sessions open keep theirs. The session ticket keys
   * change too: a client cannot resume a TLS session verified against the files before the reload,
   * it makes a full handshake against the new CA.
   */
  replace(material: TlsMaterial): void {
    this.server.setSecureContext(secureOptions(material));
    this.server.setTicketKeys(process.getBuiltinModule('node:crypto').randomBytes(48));
    this.requestCert = material.ca !== undefined;
  }

  private secured(socket: tls.TLSSocket): void {
    const end = this.take(socket);
    if (!end) {
      socket.destroy();
      return;
    }
    if (this.requestCert && !socket.authorized) {
      // Node's type says Error; at run time it is the OpenSSL code as a string (CERT_HAS_EXPIRED, ...)
      const why = socket.authorizationError as Error | string | null | undefined;
      // (without a certificate Node reports UNABLE_TO_GET_ISSUER_CERT: say what happened)
      const none = socket.getPeerX509Certificate() === undefined;
      socket.destroy();
      end.refused('tls-certificate', none ? 'no client certificate' : certificateProblem(why));
      return;
    }
    end.secure(socket, peerOf(socket, this.requestCert));
  }

  /** The pending entry of the raw socket under `socket` (found by address and port), removed. */
  private take(socket: tls.TLSSocket | net.Socket): HandshakeEnd | undefined {
    for (const [raw, end] of this.pending) {
      if (raw === socket || (raw.remotePort === socket.remotePort && raw.remoteAddress === socket.remoteAddress)) {
        this.pending.delete(raw);
        return end;
      }
    }
    return undefined;
  }
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = (err as { reason?: string }).reason ?? String(err.message ?? '').split('\n')[0];
  return [code, reason].filter(Boolean).join(': ') || 'handshake failed';
}

const CERT_WORDS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'the client certificate has expired',
  CERT_NOT_YET_VALID: 'the client certificate is not yet valid',
  UNABLE_TO_GET_ISSUER_CERT: 'the client certificate is not signed by ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the client certificate is not signed by ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the client certificate is not signed by ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the client certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the client certificate chain ends in a CA other than ca',
  CERT_SIGNATURE_FAILURE: 'the client certificate signature does not verify',
};

/** Why a client certificate was not accepted, as one readable phrase with the OpenSSL code. */
function certificateProblem(why: Error | string | null | undefined): string {
  if (why === null || why === undefined || why === '') return 'no client certificate';
  const code = typeof why === 'string' ? why : ((why as NodeJS.ErrnoException).code ?? why.message);
  const words = CERT_WORDS[code];
  return words ? `${code}: ${words}` : code;
}
