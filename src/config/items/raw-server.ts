/**
 * A `servers` item with `protocol: raw`: plain TCP, cut into frames by `framing`, each frame handed
 * to `handler`. Validated with its own convict schema (strict).
 */
import type { SchemaDef } from '../convict-bridge.js';
import { SIZE } from '../formats.js';
import { failed, must, ok, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import { sizeBytes } from '../size.js';
import type { RawServerConfig } from '../types.js';
import { checkFraming, FRAMING_LEAF, NO_FRAMING } from './framing.js';
import { checkHandler, handlerProblems } from './raw-handler.js';
import { buildCommon, expandRange, SERVER_COMMON, type CommonProps } from './server-common.js';
import { rawServerRules } from './server-rules.js';

export const RAW_SERVER: SchemaDef = {
  ...SERVER_COMMON,
  framing: FRAMING_LEAF,
  handler: {
    doc: 'what is done with each frame: echo | hub | { bridge: DEVICE, reply: all | sender } | { record: DIR }',
    format: Object, default: null, nullable: true, scalarToo: true, required: true, check: handlerProblems,
  },
  sendQueue: {
    doc: 'bytes one session may have waiting to be sent (a peer that does not read); past it the session is closed',
    format: SIZE, min: 1024, max: 1024 ** 3, default: '1MiB',
  },
};

interface RawServerProps extends CommonProps {
  framing: unknown;
  handler: unknown;
  sendQueue: string | number;
}

export function checkRawServer(raw: Record<string, unknown>): Checked<RawServerConfig> {
  const { input, problems } = expandRange(raw);
  const checked = runSchema<RawServerProps>(RAW_SERVER, input);
  const all: Problem[] = [...problems, ...checked.problems, ...rawServerRules(raw)];
  if (all.length > 0 || checked.value === undefined) return failed(all);
  const p = checked.value;
  return ok({
    ...buildCommon(p, raw),
    protocol: 'raw',
    framing: p.framing === null ? NO_FRAMING : must(checkFraming(p.framing)),
    handler: must(checkHandler(p.handler)),
    sendQueue: sizeBytes(p.sendQueue),
  });
}
