/**
 * Opening the forward store's directory: creates it (0750) if missing, reads the head file (which
 * segment and record the next read starts at) and checks every segment. Segments wholly before the
 * head were sent already and are deleted; a torn last record (a crash mid-write) is cut off and
 * logged once; a corrupt record ends its segment: the file is cut there and the records behind it
 * are counted as dropped (exactly, from the next segment's number; in the newest segment, by walking
 * the length fields). Never throws for what is in the files; throws only when the directory cannot
 * be created or listed.
 */
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { scanSegment } from './store-frame.js';
import { errFields, type StoreFiles } from './store-fs.js';
import { newSegment, parseSegmentName, type Segment } from './store-segment.js';

export const HEAD_FILE = 'head.json';

export interface Head {
  /** The head segment's first record number. */
  readonly segment: number;
  /** Records of that segment already sent. */
  readonly index: number;
}

export interface LoadedStore {
  readonly segments: Segment[];
  readonly headIndex: number;
  readonly headOffset: number;
  /** The number the next new segment is named by. */
  readonly nextSeq: number;
  readonly droppedRecords: number;
  readonly droppedBytes: number;
}

export function headText(head: Head): string {
  return `${JSON.stringify(head)}\n`;
}

async function readHead(files: StoreFiles, dir: string, log: Logger): Promise<Head | undefined> {
  let text: string;
  try {
    text = (await files.readFile(join(dir, HEAD_FILE))).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn({ err: errFields(err) }, 'forward store head unreadable, sending from the oldest record');
    return undefined;
  }
  try {
    const head = JSON.parse(text) as Partial<Head>;
    if (Number.isSafeInteger(head.segment) && Number.isSafeInteger(head.index) && head.index! >= 0)
      return { segment: head.segment!, index: head.index! };
  } catch {
    // reported below
  }
  log.warn({ text: text.slice(0, 100) }, 'forward store head unreadable, sending from the oldest record');
  return undefined;
}

export async function loadStore(files: StoreFiles, dir: string, log: Logger): Promise<LoadedStore> {
  await files.mkdir(dir, 0o750);
  const firsts = (await files.readdir(dir))
    .map(parseSegmentName)
    .filter((n): n is number => n !== undefined)
    .sort((a, b) => a - b);
  const head = await readHead(files, dir, log);
  const segments: Segment[] = [];
  let headIndex = 0;
  let headOffset = 0;
  let nextSeq = head?.segment ?? 0;
  let droppedRecords = 0;
  let droppedBytes = 0;
  let tornLogged = false;
  const remove = async (seg: Segment) => {
    try {
      await files.unlink(seg.path);
    } catch (err) {
      log.warn({ err: errFields(err), file: seg.path }, 'forward store cannot delete a segment');
    }
  };
  for (const [i, first] of firsts.entries()) {
    const seg = newSegment(dir, first);
    const next = firsts[i + 1];
    nextSeq = Math.max(nextSeq, first + 1);
    if (head !== undefined && first < head.segment) {
      await remove(seg); // sent already
      continue;
    }
    let data: Buffer;
    try {
      data = await files.readFile(seg.path);
    } catch (err) {
      log.warn({ err: errFields(err), file: seg.path }, 'forward store cannot read a segment, it is dropped');
      droppedRecords += next === undefined ? 0 : next - first;
      continue;
    }
    const isHead = head !== undefined && first === head.segment;
    const scan = scanSegment(data, isHead ? head.index : 0);
    seg.records = scan.records;
    seg.size = scan.validEnd;
    nextSeq = Math.max(nextSeq, first + scan.records);
    if (scan.problem !== undefined) {
      const sent = isHead ? Math.max(0, head.index - scan.records) : 0;
      const lost = next !== undefined && next - first > scan.records ? next - first - scan.records : scan.lostRecords;
      droppedRecords += Math.max(0, lost - sent);
      droppedBytes += data.length - scan.validEnd;
      if (scan.problem === 'corrupt' || next !== undefined)
        log.warn(
          { file: seg.path, at: scan.validEnd, records: lost, bytes: data.length - scan.validEnd },
          'forward store corrupt record, the rest of its segment is dropped',
        );
      else if (!tornLogged) {
        tornLogged = true;
        log.warn(
          { file: seg.path, at: scan.validEnd, bytes: data.length - scan.validEnd },
          'forward store torn last record cut off',
        );
      }
      await cut(files, seg, log);
    }
    if (isHead) {
      headIndex = Math.min(head.index, seg.records);
      headOffset = scan.indexOffset;
    }
    if (headIndex >= seg.records && segments.length === 0) {
      await remove(seg); // empty, or sent already
      headIndex = 0;
      headOffset = 0;
      continue;
    }
    segments.push(seg);
  }
  return { segments, headIndex, headOffset, nextSeq, droppedRecords, droppedBytes };
}

/** Cuts a segment's file back to its whole records. */
async function cut(files: StoreFiles, seg: Segment, log: Logger): Promise<void> {
  try {
    const fd = await files.open(seg.path, 'r+');
    try {
      await files.ftruncate(fd, seg.size);
    } finally {
      await files.close(fd);
    }
  } catch (err) {
    seg.sealed = true; // never append behind what could not be cut off
    log.warn({ err: errFields(err), file: seg.path }, 'forward store cannot cut a segment back');
  }
}
