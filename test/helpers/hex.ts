/** Bytes from annotated hex, spaces allowed: hex('03 006B 0003'). */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
