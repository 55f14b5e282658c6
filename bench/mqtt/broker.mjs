// Debian's mosquitto for the mqtt bench section: a free 127.0.0.1 port, a generated config
// (anonymous, persistence false, log to stderr), started through lib/proc.mjs so it never outlives
// the run. Ready once it logs that it is running and a TCP connection to the port succeeds.
import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

import { freePort, waitForPort } from '../lib/net.mjs';
import { startProcess } from '../lib/proc.mjs';

export const MOSQUITTO = '/usr/sbin/mosquitto';

/**
 * QoS 0 messages queued per subscriber before mosquitto drops them: well above its default (1000),
 * so a burst (a 1 Hz round of 10,000 changes) is not cut short; drops still show as published vs
 * received.
 */
const MAX_QUEUED = 100000;

function configText(port) {
  return [
    `user ${userInfo().username}`, // as root mosquitto would drop to a user that cannot read the temp dir
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'connection_messages false',
    `max_queued_messages ${MAX_QUEUED}`,
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    '',
  ].join('\n');
}

/** Starts mosquitto; resolves to { proc, port, url } once it accepts connections. */
export async function startBroker(tmp, { cpu } = {}) {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing (apt-get install mosquitto)`);
  const port = await freePort();
  const conf = path.join(tmp, `mosquitto-${port}.conf`);
  writeFileSync(conf, configText(port));
  const proc = startProcess('mosquitto', MOSQUITTO, ['-c', conf], { cpu });
  await waitForPort(port, { timeoutMs: 10000, proc });
  return { proc, port, url: `mqtt://127.0.0.1:${port}` };
}
