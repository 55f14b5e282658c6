/** How `fieldgate check` shows a command: what triggers it, what it sends where, what it waits for. */
import type { CommandConfig, CommandFrame } from '../config/types.js';

function describeFrame(frame: CommandFrame): string {
  if (frame.kind === 'text') return JSON.stringify(frame.template);
  const fields = frame.fields.map((f) => {
    if ('hex' in f) return `bytes ${f.hex.toString('hex').toUpperCase()}`;
    if ('checksum' in f)
      return `${f.checksum}${f.checksum === 'crc16-modbus' || f.checksum === 'crc32' ? ` ${f.endian}-endian` : ''} of the bytes from ${f.from} up to it`;
    const value =
      typeof f.value === 'number' ? String(f.value) : f.value === 'value' ? '{value}' : `{${f.value.point}}`;
    const order = f.endian === 'little' && !f.type.endsWith('8') ? ' little-endian' : '';
    return `${f.type}${order} ${value}`;
  });
  return `[${fields.join(', ')}]`;
}

const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

const TRIGGER: Readonly<Record<CommandConfig['on'], string>> = {
  rising: 'set from 0',
  change: 'changed',
  write: 'written',
};

export function describeCommand(c: CommandConfig): string[] {
  const lines = [
    `  ${c.name}: when ${c.bank}.${c.point} is ${TRIGGER[c.on]} by a client, send ${describeFrame(c.frame)} to device ${c.device}`,
  ];
  const after: string[] = [];
  if (c.reply)
    after.push(
      `decode its reply with profile ${c.reply.profile} into bank ${c.bank} (timeout ${seconds(c.reply.timeout)})`,
    );
  if (c.reset) after.push(`set ${c.point} back to 0 when done`);
  if (after.length > 0) lines.push(`    then ${after.join(', then ')}`);
  return lines;
}
