/**
 * Logging: one pino root writing JSON lines to stdout (journald keeps them), and child loggers that
 * carry who is speaking: { server }, { server, session, peer }, { device }.
 * Event names are the `msg` of each line and are stable: listening, session opened, session closed,
 * connection refused, protocol error, started, stopping, stopped, reload applied, reload refused, ...
 * Setting `level` on the root (a reload does) applies at once to every child logger, existing or
 * new: pino children follow their parent's level unless given their own, and none is given one.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config/types.js';

export type { Logger } from 'pino';

export function createRootLogger(level: LogLevel, gateway: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { gateway },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

export function serverLogger(root: Logger, server: string): Logger {
  return root.child({ server });
}

export function sessionLogger(server: Logger, session: number, peer: string): Logger {
  return server.child({ session, peer });
}

export function deviceLogger(root: Logger, device: string): Logger {
  return root.child({ device });
}
