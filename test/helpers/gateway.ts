/**
 * Starts a real Gateway in the test process from YAML text (the same loader as the daemon), on
 * loopback with port 0, and tells the tests where its servers listen.
 */
import { loadConfigText, formatIssue } from '../../src/config/load.js';
import { Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { captureLogger, type CapturedLog } from './log.js';

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly captured: CapturedLog;
  port(server: string): number;
  stop(): Promise<void>;
}

/** `options`: besides the captured log (e.g. a short bind retry backoff). */
export async function startGateway(
  yaml: string,
  options: Partial<Omit<GatewayOptions, 'log'>> = {},
): Promise<RunningGateway> {
  const result = loadConfigText(yaml, 'test.yaml');
  if (!result.ok) throw new Error(`test config is invalid:\n${result.issues.map(formatIssue).join('\n')}`);
  const captured = captureLogger('debug');
  const gateway = new Gateway(result.config, { stopGraceMs: 500, ...options, log: captured.log });
  await gateway.start();
  return {
    gateway,
    captured,
    port: (name) => {
      const server = gateway.findServer(name);
      if (!server) throw new Error(`no server ${name}`);
      const port = server.ports()[0]?.port;
      if (port === undefined) throw new Error(`server ${name} has no port`);
      return port;
    },
    stop: () => gateway.stop(),
  };
}

/** Polls `check` every few ms until it holds (bounded); for waiting on events, never a fixed sleep. */
export async function until(check: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
