/**
 * The web console's files (the top-level `console/` directory of the package), served by the status
 * endpoint: GET / is console/index.html, GET /console/<file> the rest. Only names made of letters,
 * digits, `.`, `_` and `-` that do not start with a dot are looked up (so no `..`, no hidden file, no
 * encoded slash), and only inside the directory. Files are read from disk when they change (size and
 * time) and kept, gzipped once when that pays; index.html is revalidated on every load (no-cache),
 * the rest cached for a while; an ETag answers 304.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reply, RouteRequest } from './http.js';

/** node:zlib is loaded when the console's first file is asked for, not with the status endpoint. */
const gzipAsync = (raw: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    process.getBuiltinModule('node:zlib').gzip(raw, (err, out) => (err ? reject(err) : resolve(out))),
  );

/** From dist/status/ (and src/status/ under tests): the package's console/ directory. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

/** Files at least this large are sent gzipped to a client that accepts it. */
export const GZIP_MIN_BYTES = 1024;
const ASSET_MAX_AGE_S = 600;
/** Files kept in memory at most (the console has a handful). */
const MAX_CACHED = 64;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page may load only from the gateway itself. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

interface Cached {
  readonly size: number;
  readonly mtimeMs: number;
  readonly etag: string;
  readonly raw: Buffer;
  /** undefined: not worth it (small, or no smaller gzipped). */
  readonly gzipped: Buffer | undefined;
}

const notFound: Reply = { status: 404, type: 'application/json; charset=utf-8', body: '{"error":"no such file"}\n' };

export class StaticFiles {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly root: string = CONSOLE_DIR) {}

  /** Whether `path` is one of ours: `/` or under `/console/`. */
  static handles(path: string): boolean {
    return path === '/' || path.startsWith('/console/');
  }

  async answer(req: RouteRequest): Promise<Reply> {
    const name = req.path === '/' ? 'index.html' : req.path.slice('/console/'.length);
    const segments = name.split('/');
    if (!segments.every((s) => SEGMENT.test(s))) return notFound;
    const file = join(this.root, ...segments);
    if (!file.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)) return notFound;
    const entry = await this.load(file);
    if (!entry) return notFound;
    const index = name === 'index.html';
    const headers: Record<string, string> = {
      'Cache-Control': index ? 'no-cache' : `public, max-age=${ASSET_MAX_AGE_S}`,
      ETag: entry.etag,
      Vary: 'Accept-Encoding',
      ...(index ? { 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer' } : {}),
    };
    const type = TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
    if (req.headers['if-none-match'] === entry.etag) return { status: 304, type, body: '', headers };
    if (entry.gzipped && acceptsGzip(req.headers['accept-encoding']))
      return { status: 200, type, body: entry.gzipped, headers: { ...headers, 'Content-Encoding': 'gzip' } };
    return { status: 200, type, body: entry.raw, headers };
  }

  private async load(file: string): Promise<Cached | undefined> {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const hit = this.cache.get(file);
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit;
    const raw = await readFile(file).catch(() => undefined);
    if (!raw) return undefined;
    const packed = raw.length >= GZIP_MIN_BYTES ? await gzipAsync(raw) : undefined;
    const entry: Cached = {
      size: info.size,
      mtimeMs: info.mtimeMs,
      etag: `"${info.size.toString(36)}-${Math.round(info.mtimeMs).toString(36)}"`,
      raw,
      gzipped: packed && packed.length < raw.length ? packed : undefined,
    };
    if (!hit && this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(file, entry);
    return entry;
  }
}

/** Whether Accept-Encoding allows gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of value.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
