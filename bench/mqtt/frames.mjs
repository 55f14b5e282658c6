// The FPGA stream of the mqtt section: fpga-telemetry frames (as bench/decode.mjs sends them, but
// with every field moving from frame to frame, so each of the bank's 13 points changes), streamed
// flat out into a raw server for a bounded time.
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const BLOCK = 4096; // frames encoded once, sent over and over

/** A block of BLOCK frames, every point's value different from the frame before. */
export async function frameBlock(root) {
  const { encodeFrame } = await import(pathToFileURL(path.join(root, 'dist/codec/profile/encode.js')).href);
  const { loadProfileFile, profilePath } = await import(
    pathToFileURL(path.join(root, 'dist/config/profiles/index.js')).href
  );
  const r = loadProfileFile(profilePath('fpga-telemetry', root));
  if (!r.ok) throw new Error(`fpga-telemetry does not load: ${r.issues[0]?.message}`);
  const one = (seq) => {
    const values = new Map([['seq', seq]]);
    for (let c = 1; c <= 8; c++) values.set(`ch${c}`, (((seq * c) % 2000) - 1000) / 100);
    values.set('board_temp', (seq % 500) / 10);
    values.set('running', seq % 2 === 0);
    values.set('fault', seq % 4 < 2);
    values.set('overtemp', seq % 8 < 4);
    return encodeFrame(r.profile, values);
  };
  return { block: Buffer.concat(Array.from({ length: BLOCK }, (_, i) => one(i))), framesPerBlock: BLOCK };
}

/**
 * Streams the block over and over for `ms` (and at most `maxBlocks` blocks), ends, and resolves once
 * the daemon has closed the connection (it has handled every byte by then); bounded by ms + 15 s.
 */
export function streamFrames(port, data, ms, maxBlocks) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let sent = 0;
    let t0 = 0;
    let sendSeconds = 0;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`stream to ${port} not done within ${ms + 15000} ms`));
    }, ms + 15000);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ frames: sent * data.framesPerBlock, sendSeconds, seconds: (performance.now() - t0) / 1000 });
    });
    const pump = () => {
      while (sent < maxBlocks && performance.now() - t0 < ms) {
        sent++;
        if (!sock.write(data.block)) return void sock.once('drain', pump);
      }
      sendSeconds = (performance.now() - t0) / 1000;
      sock.end();
    };
    sock.on('connect', () => {
      t0 = performance.now();
      pump();
    });
  });
}
