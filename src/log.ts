/**
 * Logging: one pino root writing JSON lines to stdout (under systemd each with its `<N>` priority, on
 * a terminal as readable lines: log-output.ts), and child loggers that
 * carry who is speaking: { server }, { server, session, peer }, { device }.
 * Event names are the `msg` of each line and are stable: listening, session opened, session closed,
 * connection refused, protocol error, started, stopping, stopped, reload applied, reload refused, ...
 * A session's routine lines (opened, closed, pool port allocated/released/replaced) go to debug for a
 * source that connects again and again, summed up once a minute (transport/connection-churn.ts).
 * Setting `level` on the root (a reload does) applies at once to every child logger, existing or
 * new: pino children follow their parent's level unless given their own, and none is given one.
 * Warn, error and fatal lines are also kept in a bounded ring (log-ring.ts: the last 50, shown in the
 * status document) by a `logMethod` hook that children inherit; the JSON lines are not changed, and a
 * line below warn costs the hook one comparison.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config/types.js';
import { stdoutDestination } from './log-output.js';
import { recentWarnings, WARN_LEVEL, type LogRing } from './log-ring.js';

export type { Logger } from 'pino';

export function createRootLogger(
  level: LogLevel,
  gateway: string,
  destination?: DestinationStream,
  ring: LogRing = recentWarnings,
): Logger {
  return pino(
    {
      level,
      base: { gateway },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method, levelValue) {
          if (levelValue >= WARN_LEVEL) {
            try {
              ring.record(levelValue, args, this.bindings());
            } catch {
              // The ring is a convenience: the line itself is written whatever it holds.
            }
          }
          method.apply(this, args);
        },
      },
    },
    destination ?? stdoutDestination(),
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
