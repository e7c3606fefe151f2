// migralint.lock: one line per released migration with a checksum of its normalised content
// and a short fingerprint of every line, so an edit can be reported with the lines it touched.
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LockEntry, LockState } from '../rule-api/index.js';

export const LOCK_HEADER = [
  '# migralint.lock: checksums of released migrations, written by `migralint lock`. Do not edit by hand.',
  '# Columns (tab-separated): path, revision, sha256 of the content (LF line endings, no BOM), line fingerprints.',
  'migralint-lock 1',
];

/** Text as the checksum sees it: no BOM, LF line endings. */
export function normalizeSource(text: string): string {
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return noBom.replace(/\r\n?/g, '\n');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** 18 bits of FNV-1a per line, as three URL-safe base64 characters. */
function lineFingerprint(line: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < line.length; i++) {
    h ^= line.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h >>>= 0;
  return B64[(h >>> 12) & 63]! + B64[(h >>> 6) & 63]! + B64[h & 63]!;
}

export function fingerprint(source: string): { sha256: string; lines: string[] } {
  const text = normalizeSource(source);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const lines = body === '' ? [] : body.split('\n').map(lineFingerprint);
  return { sha256, lines };
}

export class LockFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'LockFileError';
  }
}

export function parseLock(text: string, file: string): LockState {
  const baseDir = path.dirname(file);
  const entries: LockEntry[] = [];
  let sawVersion = false;
  normalizeSource(text)
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trimEnd();
      if (line === '' || line.startsWith('#')) return;
      if (!sawVersion) {
        if (line !== 'migralint-lock 1') throw new LockFileError(`unsupported lock file format: "${line}"`, file, index + 1);
        sawVersion = true;
        return;
      }
      const cols = line.split('\t');
      const [relPath, revision, sha, fps] = cols;
      if (cols.length !== 4 || !relPath || !sha?.startsWith('sha256:')) {
        throw new LockFileError('malformed entry; expected path, revision, sha256:<hex> and fingerprints separated by tabs', file, index + 1);
      }
      const fpText = fps ?? '';
      entries.push({
        path: relPath,
        file: path.resolve(baseDir, ...relPath.split('/')),
        revision: revision === '-' || !revision ? null : revision,
        sha256: sha.slice('sha256:'.length),
        lines: fpText.match(/.{3}/g) ?? [],
      });
    });
  if (!sawVersion && entries.length === 0 && text.trim() !== '') {
    throw new LockFileError('not a migralint lock file', file, 1);
  }
  return { file, baseDir, entries };
}

/** The lock file, or null when there is none. */
export function readLockSync(file: string): LockState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseLock(text, file);
}

export async function readLock(file: string): Promise<LockState | null> {
  return readLockSync(file);
}

export interface LockInput {
  file: string;
  revision: string | null;
  source: string;
}

export function lockEntryFor(lockFile: string, m: LockInput): LockEntry {
  const fp = fingerprint(m.source);
  const rel = path.relative(path.dirname(lockFile), m.file).split(path.sep).join('/');
  return { path: rel, file: m.file, revision: m.revision, sha256: fp.sha256, lines: fp.lines };
}

/** Sorted by path, so a change to one migration changes one line of the file. */
export function renderLock(entries: LockEntry[]): string {
  const rows = [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => `${e.path}\t${e.revision ?? '-'}\tsha256:${e.sha256}\t${e.lines.join('')}`);
  return [...LOCK_HEADER, ...rows].join('\n') + '\n';
}

/** Write to a temporary file in the same directory, then rename: readers never see half a lock file. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
