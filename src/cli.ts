/**
 * The `fieldgate` command: argv, subcommands, exit codes, signals. The only file that touches
 * process.exit and process signals.
 *
 *   fieldgate run    [-c FILE]   run the daemon
 *   fieldgate check  [-c FILE]   validate a config and print what it would run
 *   fieldgate status [-c FILE] [--url URL] [--json] [--watch [SECONDS]]
 *                                print the running daemon's state (from its status endpoint)
 */
import { fileURLToPath } from 'node:url';
import { ConfigFile } from './config/config-file.js';
import { formatIssue, loadConfigFileAsync } from './config/load.js';
import type { GatewayConfig } from './config/types.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, exitCodeOf, FieldgateError } from './errors.js';
import { Gateway } from './gateway/gateway.js';
import { createRootLogger, type Logger } from './log.js';
import { statusLine } from './status/document.js';
import { ServiceNotifier } from './status/service.js';
import { VERSION } from './version.js';

const USAGE = `fieldgate ${VERSION}: Modbus TCP / RTU and raw TCP gateway

usage:
  fieldgate run    [-c FILE]    run the daemon
  fieldgate check  [-c FILE]    validate a config file and print what it would run
  fieldgate status [-c FILE] [--url URL] [--json] [--watch [SECONDS]]
                                show the running daemon's servers, sessions, devices, polls, commands,
                                decoding, MQTT and warnings; --json: the document as it came;
                                --watch: redraw every SECONDS (default 2) until Ctrl-C
  fieldgate simulate PROFILE (--connect HOST:PORT | --listen [HOST:]PORT | --serial PATH) [--every D] [--count N]
                                play the field hardware a profile describes (fieldgate simulate --help)
  fieldgate --version

FILE defaults to $FIELDGATE_CONFIG, else the embedded demo config (config/fieldgate.yaml).
URL defaults to FILE's status.listen (its tokenFile and tls are used too).
Signals to fieldgate run: SIGTERM/SIGINT stop, SIGHUP reloads the configuration file.
Exit codes: 0 clean stop, 78 invalid configuration (for status: unreadable, or no status.listen),
1 any other failure, 64 bad command line.`;

const STOP_DEADLINE_MS = 5000;
/** ms the last systemd notifications (STOPPING=1) get to go out before the process exits. */
const NOTIFY_FLUSH_MS = 1000;

interface Args {
  readonly command: string;
  readonly config: string;
  /** -c/--config was given (not $FIELDGATE_CONFIG or the demo). */
  readonly configGiven: boolean;
  readonly url?: string;
  readonly json: boolean;
  /** --watch [SECONDS]: the seconds given, '' when none. */
  readonly watch?: string;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['FIELDGATE_CONFIG'] || fileURLToPath(new URL('../config/fieldgate.yaml', import.meta.url));
}

/** -c/--config and --url take one value each: given twice is a usage error naming the option. */
function once(flag: string, before: string | undefined, v: string): string {
  if (before !== undefined)
    throw new FieldgateError('FG_ERR_USAGE', `${flag} is given twice ("${before}", then "${v}"): give it once`);
  return v;
}

function parseArgs(argv: readonly string[]): Args {
  let command: string | undefined;
  let config: string | undefined;
  let url: string | undefined;
  let watch: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (flag: string) => {
      const v = argv[++i];
      if (v === undefined) throw new FieldgateError('FG_ERR_USAGE', `${flag} needs a value`);
      return v;
    };
    if (arg === '-c' || arg === '--config') config = once(arg, config, value(arg));
    else if (arg.startsWith('--config=')) config = once('--config', config, arg.slice('--config='.length));
    else if (arg === '--url') url = once(arg, url, value(arg));
    else if (arg.startsWith('--url=')) url = once('--url', url, arg.slice('--url='.length));
    else if (arg === '--json') json = true;
    else if (arg === '--watch') {
      const next = argv[i + 1];
      watch = once(arg, watch, next !== undefined && /^\d/.test(next) ? (argv[++i] as string) : '');
    } else if (arg.startsWith('--watch=')) watch = once('--watch', watch, arg.slice('--watch='.length));
    else if (arg === '-h' || arg === '--help') command = 'help';
    else if (arg === '-v' || arg === '--version') command = 'version';
    else if (!arg.startsWith('-') && command === undefined) command = arg;
    else throw new FieldgateError('FG_ERR_USAGE', `unexpected argument "${arg}"`);
  }
  if ((json || watch !== undefined) && command !== 'status')
    throw new FieldgateError('FG_ERR_USAGE', `${json ? '--json' : '--watch'} is an option of fieldgate status`);
  return {
    command: command ?? 'help',
    config: config ?? defaultConfigPath(),
    configGiven: config !== undefined,
    json,
    ...(url ? { url } : {}),
    ...(watch !== undefined ? { watch } : {}),
  };
}

/** Loads and validates (without blocking: config-file.ts); on failure prints every problem and returns undefined. */
async function loadOrReport(file: string, source?: ConfigFile): Promise<GatewayConfig | undefined> {
  const result = source ? await source.loadAsync() : await loadConfigFileAsync(file);
  if (result.ok) return result.config;
  process.stderr.write(`fieldgate: the configuration ${file} is not valid (${result.issues.length} problem(s)):\n`);
  for (const issue of result.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
  return undefined;
}

async function check(args: Args): Promise<number> {
  const config = await loadOrReport(args.config);
  if (!config) return EXIT_CONFIG;
  // What check prints is loaded by check only: `run` does not keep it in memory.
  const { configWarnings, describeConfig } = await import('./config/describe.js');
  const { readCertificates } = await import('./config/certificates.js');
  const certificates = await readCertificates(config);
  process.stdout.write(`${args.config}: valid\n\n${describeConfig(config, certificates)}\n`);
  for (const warning of configWarnings(config, undefined, certificates))
    process.stderr.write(`fieldgate: warning: ${warning}\n`);
  return EXIT_OK;
}

/** Stops the gateway; a stop that outlasts the deadline exits non-zero anyway. */
function stopWithin(gateway: Gateway, log: Logger, ms: number): Promise<number> {
  return new Promise<number>((resolve) => {
    const deadline = setTimeout(() => {
      log.error({ ms }, 'stop took too long, exiting anyway');
      resolve(EXIT_FAILURE);
    }, ms);
    gateway
      .stop()
      .then(
        () => resolve(EXIT_OK),
        (err: unknown) => {
          log.error({ err }, 'stop failed');
          resolve(EXIT_FAILURE);
        },
      )
      .finally(() => clearTimeout(deadline));
  });
}

/** SIGHUP: validate the file whole, then apply the difference; a bad file is logged and ignored. */
async function reload(source: ConfigFile, gateway: Gateway, service: ServiceNotifier, log: Logger): Promise<void> {
  log.info({ config: source.path }, 'reload requested');
  service.reloading();
  const outcome = await gateway.reload(await source.loadAsync());
  service.reloaded(`${outcome.result}: ${outcome.summary}`);
}

async function run(args: Args): Promise<number> {
  const source = new ConfigFile(args.config);
  const config = await loadOrReport(args.config, source);
  if (!config) return EXIT_CONFIG;
  const log = createRootLogger(config.log.level, config.gateway.name);
  log.info({ version: VERSION, config: args.config, pid: process.pid }, 'starting');
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'internal error, exiting (systemd restarts the service)');
    process.exit(EXIT_FAILURE);
  });
  // Signals are taken from the start: one that arrives while starting is acted on once start ends.
  let requestStop: (signal: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
  process.on('SIGTERM', () => requestStop('SIGTERM'));
  process.on('SIGINT', () => requestStop('SIGINT'));
  const gateway = new Gateway(config, { log });
  const service = new ServiceNotifier({ env: process.env, log, statusText: () => statusLine(gateway) });
  const started = gateway.start();
  let reloads: Promise<unknown> = started.catch(() => undefined);
  // A reload never stops the daemon: even an internal failure in one is logged and the old config stays.
  const onHangup = () =>
    reload(source, gateway, service, log).catch((err: unknown) => log.error({ err }, 'reload failed'));
  process.on('SIGHUP', () => {
    reloads = reloads.then(onHangup);
  });
  await started;
  service.ready();
  const signal = await stopRequested;
  log.info({ signal }, 'signal received, stopping');
  service.stopping();
  const code = await stopWithin(gateway, log, STOP_DEADLINE_MS);
  await service.flush(NOTIFY_FLUSH_MS);
  return code;
}

/** `fieldgate status`: once, or redrawn in place with --watch until Ctrl-C (SIGINT ends it, exit 0). */
async function status(args: Args): Promise<number> {
  const { fetchStatusText } = await import('./status/status-client.js');
  const { renderStatus } = await import('./status/status-report.js');
  const { statusTarget } = await import('./status/status-target.js');
  const { watchIntervalMs, watchStatus } = await import('./status/status-watch.js');
  const intervalMs = args.watch !== undefined ? watchIntervalMs(args.watch || undefined) : 0;
  const target = await statusTarget(args);
  const frame = async () => {
    const got = await fetchStatusText(target);
    return args.json ? (got.body.endsWith('\n') ? got.body : `${got.body}\n`) : renderStatus(got.doc);
  };
  if (args.watch === undefined) {
    process.stdout.write(await frame());
    return EXIT_OK;
  }
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let done = false;
  process.once('SIGINT', () => {
    done = true;
    stop();
  });
  // Ctrl-C ends the watch at once, even during a read (the process exits; nothing is left to close).
  await Promise.race([
    watchStatus({
      frame,
      write: (text) => {
        if (!done) process.stdout.write(text);
      },
      sleep: (ms) => Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), stopped]),
      intervalMs,
      stopped: () => done,
    }),
    stopped,
  ]);
  return EXIT_OK;
}

/** `fieldgate simulate ...`: the simulator runs until SIGINT/SIGTERM or its --count. */
async function simulate(argv: readonly string[]): Promise<number> {
  const { simulateCommand, SIMULATE_USAGE } = await import('./simulate/index.js');
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${SIMULATE_USAGE}\n`);
    return EXIT_OK;
  }
  const stopRequested = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  return simulateCommand(argv, { stdout: process.stdout, stderr: process.stderr, stopRequested, cwd: process.cwd() });
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'simulate') return simulate(argv.slice(1));
  const args = parseArgs(argv);
  switch (args.command) {
    case 'run':
      return run(args);
    case 'check':
      return check(args);
    case 'status':
      return status(args);
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return EXIT_OK;
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    default:
      throw new FieldgateError('FG_ERR_USAGE', `unknown command "${args.command}"\n\n${USAGE}`);
  }
}

function report(err: unknown): number {
  if (err instanceof FieldgateError) {
    process.stderr.write(`fieldgate: ${err.message}\n`);
    for (const line of err.details) process.stderr.write(`  ${line}\n`);
  } else {
    process.stderr.write(
      `fieldgate: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  return exitCodeOf(err);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(report(err)),
);
