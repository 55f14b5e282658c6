/** Constant bytes written in YAML as hex ("A55A", "02 41 42"): a profile's sync, a command's bytes. */
import { show } from './issues.js';

/** The bytes of `raw` (pairs of hex digits, spaces allowed), or undefined when it is not that. */
export function hexBytes(raw: unknown): Buffer | undefined {
  if (typeof raw !== 'string') return undefined;
  const digits = raw.replace(/\s+/g, '');
  return /^([0-9A-Fa-f]{2})+$/.test(digits) ? Buffer.from(digits, 'hex') : undefined;
}

/** Why `raw` is not hex bytes, for the config error at its key. */
export function notHexBytes(raw: unknown, example: string): string {
  const unquoted = typeof raw === 'number' ? ' (without quotes, YAML reads the digits as a number)' : '';
  return `${show(raw)} is not hex bytes: write pairs of hex digits in quotes, e.g. "${example}"${unquoted}`;
}
