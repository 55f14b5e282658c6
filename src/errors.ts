/**
 * Coded errors: every failure fieldgate reports to a person has a stable code, defined here and only
 * here. A Modbus exception is NOT one of these: it is a value sent to the peer (codec/pdu/exception.ts).
 *
 * | code                   | exit | meaning                                                            |
 * |------------------------|------|--------------------------------------------------------------------|
 * | FG_ERR_CONFIG          | 78   | the configuration file is invalid (every problem listed)           |
 * | FG_ERR_CONFIG_READ     | 78   | the configuration file cannot be read or is not YAML               |
 * |                        |      | (a profile too; only a regular file of at most 4 MiB is read)      |
 * | FG_ERR_BIND            | 1    | a server cannot listen on its address (in use, not permitted, ...) |
 * | FG_ERR_START           | 1    | any other failure while starting                                   |
 * | FG_ERR_USAGE           | 64   | the command line is wrong                                          |
 * | FG_ERR_STATUS          | 1    | `fieldgate status` cannot reach or read the daemon                 |
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 64;
export const EXIT_CONFIG = 78;

export type ErrorCode =
  'FG_ERR_CONFIG' | 'FG_ERR_CONFIG_READ' | 'FG_ERR_BIND' | 'FG_ERR_START' | 'FG_ERR_USAGE' | 'FG_ERR_STATUS';

const EXIT_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  FG_ERR_CONFIG: EXIT_CONFIG,
  FG_ERR_CONFIG_READ: EXIT_CONFIG,
  FG_ERR_BIND: EXIT_FAILURE,
  FG_ERR_START: EXIT_FAILURE,
  FG_ERR_USAGE: EXIT_USAGE,
  FG_ERR_STATUS: EXIT_FAILURE,
};

export class FieldgateError extends Error {
  readonly code: ErrorCode;
  /** Extra lines shown under the message (one per config problem, for example). */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FieldgateError';
    this.code = code;
    this.details = details;
  }

  get exitCode(): number {
    return EXIT_BY_CODE[this.code];
  }
}

/** The exit code for anything thrown out of a command. */
export function exitCodeOf(err: unknown): number {
  return err instanceof FieldgateError ? err.exitCode : EXIT_FAILURE;
}
