/**
 * Who may use the status endpoint: with `status.tokenFile`, every request but /health carries the
 * token, as `Authorization: Bearer <token>` or HTTP Basic with the token as the password (any user
 * name, so a browser asks for it). Compared in constant time: both sides are hashed (SHA-256) and the
 * digests compared with timingSafeEqual, so neither the token's length nor its content leaks.
 */
// node:crypto is loaded when a token is configured (an endpoint without one has no StatusAccess).
const crypto = () => process.getBuiltinModule('node:crypto');
const digest = (s: string | Buffer) => crypto().createHash('sha256').update(s).digest();

/** The challenge a 401 carries: a browser asks for a user and password (the token). */
export const CHALLENGE = 'Basic realm="fieldgate", charset="UTF-8"';

export class StatusAccess {
  private digest: Buffer;

  constructor(token: string) {
    this.digest = digest(token);
  }

  /** A token read again (reload). */
  replace(token: string): void {
    this.digest = digest(token);
  }

  /** Whether the `Authorization` header carries the token. */
  allows(authorization: string | undefined): boolean {
    const given = presented(authorization);
    // Compare a digest even without a token, so a missing header costs what a wrong one does.
    const same = crypto().timingSafeEqual(digest(given ?? ''), this.digest);
    return given !== undefined && same;
  }
}

/** The token a header presents (Bearer, or Basic's password), or undefined. */
export function presented(authorization: string | undefined): string | Buffer | undefined {
  if (authorization === undefined) return undefined;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization);
  if (!m) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  const value = m[2] ?? '';
  if (scheme === 'bearer') return value;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64');
  const colon = decoded.indexOf(0x3a);
  return colon < 0 ? undefined : decoded.subarray(colon + 1);
}
