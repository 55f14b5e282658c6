/**
 * Keeps two clients from one address from taking a pool port from each other for ever (two PLC
 * tasks, or a PLC and a test tool behind one NAT, both set to reconnect at once): under `replace`
 * and `replace-same-client` each new connection closes the other's. After an address has taken a
 * held port FLAP_REPLACEMENTS times within FLAP_WINDOW_MS, its next attempt to take that port while
 * it is held is refused, and so is every attempt during a hold-down: FLAP_HOLD_MIN_MS at first,
 * doubling with each further hold-down up to FLAP_HOLD_MAX_MS, back to the minimum once a hold-down
 * has been over for FLAP_QUIET_MS. The session holding the port goes on. A free port is never
 * refused for this: a client whose other half is gone takes it at once.
 */

/** Replacements by one address within the window that are let through; the next one starts a hold-down. */
export const FLAP_REPLACEMENTS = 3;
export const FLAP_WINDOW_MS = 10_000;
export const FLAP_HOLD_MIN_MS = 1_000;
export const FLAP_HOLD_MAX_MS = 30_000;
/** A hold-down over for this long is forgotten: the next one starts at the minimum again. */
export const FLAP_QUIET_MS = 60_000;
/** Addresses tracked per port, at most (the stalest is forgotten first). */
const MAX_TRACKED = 64;

interface AddressState {
  /** When it took the held port, within the window (at most FLAP_REPLACEMENTS). */
  replacedAt: number[];
  holdUntil: number;
  nextHoldMs: number;
}

/** What `replacing` decided: let it take the port, refuse it, or refuse it and start a hold-down (log that once). */
export type FlapVerdict =
  { readonly kind: 'replace' } | { readonly kind: 'held' } | { readonly kind: 'hold-down'; readonly holdMs: number };

/** One pool port's replacement history, per client address. */
export class FlapGuard {
  private readonly byAddress = new Map<string, AddressState>();

  /** `address` would close the port's holder and take the port at `now`. */
  replacing(address: string, now: number): FlapVerdict {
    let st = this.byAddress.get(address);
    if (st === undefined) {
      this.forgetStale(now);
      st = { replacedAt: [], holdUntil: 0, nextHoldMs: FLAP_HOLD_MIN_MS };
      this.byAddress.set(address, st);
    } else {
      // refreshes its place as the most recently used
      this.byAddress.delete(address);
      this.byAddress.set(address, st);
    }
    if (now < st.holdUntil) return { kind: 'held' };
    if (st.holdUntil > 0 && now - st.holdUntil >= FLAP_QUIET_MS) st.nextHoldMs = FLAP_HOLD_MIN_MS;
    st.replacedAt = st.replacedAt.filter((t) => now - t < FLAP_WINDOW_MS);
    if (st.replacedAt.length < FLAP_REPLACEMENTS) {
      st.replacedAt.push(now);
      return { kind: 'replace' };
    }
    const holdMs = st.nextHoldMs;
    st.holdUntil = now + holdMs;
    st.nextHoldMs = Math.min(2 * holdMs, FLAP_HOLD_MAX_MS);
    st.replacedAt = [];
    return { kind: 'hold-down', holdMs };
  }

  /**
   * Makes room for one more address: drops those with nothing left to remember; when still full,
   * the least recently seen that is not held off, or else the least recently seen.
   */
  private forgetStale(now: number): void {
    if (this.byAddress.size < MAX_TRACKED) return;
    for (const [address, st] of this.byAddress) {
      const holdOver = st.holdUntil === 0 || now - st.holdUntil >= FLAP_QUIET_MS;
      if (holdOver && st.replacedAt.every((t) => now - t >= FLAP_WINDOW_MS)) this.byAddress.delete(address);
    }
    if (this.byAddress.size < MAX_TRACKED) return;
    let victim: string | undefined;
    for (const [address, st] of this.byAddress) {
      if (now >= st.holdUntil) {
        victim = address;
        break;
      }
    }
    this.byAddress.delete(victim ?? this.byAddress.keys().next().value ?? '');
  }
}
