// Preloaded into a daemon (NODE_OPTIONS=--import=<this file>) by tests that check what a config
// makes fieldgate load: on exit it writes to $FIELDGATE_MODULE_TRACE a JSON document with the
// built-in modules (process.moduleLoadList), the ES modules (URLs, from loader hooks) and the
// CommonJS files (require.cache) the process loaded.
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const out = process.env.FIELDGATE_MODULE_TRACE;
const esm = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => esm.push(url));
port1.unref();
register('./module-trace-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
const cache = createRequire(import.meta.url).cache;
if (out)
  process.on('exit', () => {
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    writeFileSync(out, JSON.stringify({ builtins, esm, cjs: Object.keys(cache) }));
  });
