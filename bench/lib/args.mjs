// Command line of `npm run bench` (node bench/run.mjs [options]).
import path from 'node:path';

const SERVER_IDS = ['ceiling', 'libmodbus', 'node-plain', 'modbus-serial', 'baseline', 'fieldgate'];

export function usage(sections) {
  return `usage: npm run bench -- [options]        (or: node bench/run.mjs [options])

  --quick              1 run per case, 1 s measured (+0.3 s warm-up); default 3 runs, 2 s (+0.5 s)
  --only LIST          run only these sections (comma-separated): ${sections.map((s) => s.name).join(', ')}
  --servers LIST       modbus section: only these servers: ${SERVER_IDS.join(', ')}
  --runs N             runs per case (the median is reported)
  --duration MS        measured time per run, in ms
  --warmup MS          warm-up per run, in ms
  --max-requests N     cap on recorded replies per run (default 2000000)
  --fieldgate PATH     bench another fieldgate entry point (default: bin/fieldgate.js)
  --baseline PATH      modbus section: also bench this fieldgate entry point (another build's
                       bin/fieldgate.js), side by side, as "baseline"
  -h, --help           this text

Results: a table on stdout, progress on stderr, everything in bench/out/results.json.`;
}

const list = (v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function positiveInt(name, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer, got "${v}"`);
  return n;
}

export function parseArgs(argv, sectionNames) {
  const o = {
    quick: false,
    only: null,
    servers: null,
    runs: null,
    durationMs: null,
    warmupMs: null,
    maxRequests: 2000000,
    timeoutMs: 2000,
    fieldgate: null,
    baseline: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    const need = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--quick':
        o.quick = true;
        break;
      case '--only':
        o.only = list(need());
        break;
      case '--servers':
        o.servers = list(need());
        break;
      case '--runs':
        o.runs = positiveInt(flag, need());
        break;
      case '--duration':
        o.durationMs = positiveInt(flag, need());
        break;
      case '--warmup':
        o.warmupMs = Number(need());
        break;
      case '--max-requests':
        o.maxRequests = positiveInt(flag, need());
        break;
      case '--fieldgate':
        o.fieldgate = path.resolve(need());
        break;
      case '--baseline':
        o.baseline = path.resolve(need());
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  for (const s of o.only ?? [])
    if (!sectionNames.includes(s)) throw new Error(`--only: no section "${s}" (have: ${sectionNames.join(', ')})`);
  for (const s of o.servers ?? [])
    if (!SERVER_IDS.includes(s)) throw new Error(`--servers: no server "${s}" (have: ${SERVER_IDS.join(', ')})`);
  if (o.warmupMs !== null && !(Number.isInteger(o.warmupMs) && o.warmupMs >= 0))
    throw new Error('--warmup needs a whole number of ms');
  o.runs ??= o.quick ? 1 : 3;
  o.durationMs ??= o.quick ? 1000 : 2000;
  o.warmupMs ??= o.quick ? 300 : 500;
  if (o.runs > 20 || o.durationMs > 30000 || o.warmupMs > 30000)
    throw new Error('keep runs <= 20 and durations <= 30000 ms');
  return o;
}
