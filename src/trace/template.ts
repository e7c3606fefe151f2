// The template database a trace starts from: PGlite's data directory after the history was
// replayed, kept as one file so that the next run with the same history loads it instead of
// replaying (src/trace/run.ts decides when). PGlite's own `dumpDataDir` tarball goes through three
// copies of every byte and a path lookup per directory level of every file on load; this format is
// read with one read, its files handed to PGlite's in-memory file system as views of that buffer
// (no copy), and the zero bytes that end most files (the preallocated WAL segment, empty pages)
// are not stored.
//
// Layout: "MGLT" magic, a uint32 (little-endian) length, that many bytes of JSON (the header:
// format version, directories, files with their size and stored length), then the stored bytes of
// every file, in header order.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import path from 'node:path';

const MAGIC = 'MGLT';
/**
 * Part of the template's cache key and header: bump when the layout or what a template must contain
 * changes, and an old template is a miss (1 was PGlite's tarball, data.tar).
 */
export const TEMPLATE_FORMAT = 2;

/** The part of Emscripten's FS (PGlite's `Module.FS`) the template reads and writes. */
export interface EmscriptenFS {
  readdir(path: string): string[];
  stat(path: string): { mode: number; size: number };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  readFile(path: string, opts: { encoding: 'binary' }): Uint8Array;
  mkdir(path: string, mode?: number): unknown;
  mkdirTree(path: string, mode?: number): unknown;
  writeFile(path: string, data: Uint8Array, opts?: { canOwn?: boolean }): void;
  lookupPath?(path: string): { node: unknown };
}

interface Header {
  format: number;
  /** Directories relative to the data directory, parents first. */
  dirs: string[];
  /** [path relative to the data directory, size, bytes stored (the size less its trailing zeros)]. */
  files: [string, number, number][];
}

export interface Template {
  header: Header;
  /** Each file's stored bytes, in header order (views of the file read, or copies taken from PGlite). */
  data: Uint8Array[];
}

/** Reads a template file; null when it is missing, of another format, or damaged (a cache miss). */
export function readTemplate(file: string): Template | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) return null;
  const length = bytes.readUInt32LE(4);
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', 8, 8 + length)) as Header;
  } catch {
    return null;
  }
  if (header.format !== TEMPLATE_FORMAT || !Array.isArray(header.dirs) || !Array.isArray(header.files)) return null;
  let at = 8 + length;
  const data: Uint8Array[] = [];
  for (const f of header.files) {
    data.push(bytes.subarray(at, at + f[2]));
    at += f[2];
  }
  return at === bytes.length ? { header, data } : null;
}

/** Emscripten's in-memory file system (PGlite's `Module.MEMFS`): a node is created under its parent node. */
export interface EmscriptenMEMFS {
  createNode(parent: unknown, name: string, mode: number, dev: number): { contents: Uint8Array | null; usedBytes: number };
}

const DIR_MODE = 0o040700;
const FILE_MODE = 0o100600;

/**
 * Puts a template's directories and files under `root` of an in-memory Emscripten FS. With MEMFS
 * at hand, nodes are made under their parent's node and given the bytes as their contents: going
 * through FS.writeFile resolves every path from the root, twice, which was two thirds of the load.
 */
export function loadTemplate(mod: { FS: EmscriptenFS; MEMFS?: EmscriptenMEMFS }, root: string, t: Template): void {
  const { FS, MEMFS } = mod;
  FS.mkdirTree(root, 0o700);
  const contents = (i: number, size: number): Uint8Array => {
    const data = t.data[i]!;
    if (data.length === size) return data;
    const full = new Uint8Array(size);
    full.set(data);
    return full;
  };
  if (MEMFS && typeof MEMFS.createNode === 'function' && typeof FS.lookupPath === 'function') {
    const nodes = new Map<string, unknown>([['', FS.lookupPath(root).node]]);
    const parentOf = (rel: string) => nodes.get(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
    const nameOf = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1);
    for (const d of t.header.dirs) nodes.set(d, MEMFS.createNode(parentOf(d), nameOf(d), DIR_MODE, 0));
    t.header.files.forEach(([name, size], i) => {
      const node = MEMFS.createNode(parentOf(name), nameOf(name), FILE_MODE, 0);
      node.contents = contents(i, size);
      node.usedBytes = size;
    });
    return;
  }
  for (const d of t.header.dirs) FS.mkdir(`${root}/${d}`, 0o700);
  t.header.files.forEach(([name, size], i) => {
    // canOwn: the file system keeps the view as the file's contents instead of copying it.
    FS.writeFile(`${root}/${name}`, contents(i, size), { canOwn: true });
  });
}

/** Copies the data directory under `root` of an Emscripten FS, without the files' trailing zeros. */
export function takeTemplate(fs: EmscriptenFS, root: string): Template {
  const t: Template = { header: { format: TEMPLATE_FORMAT, dirs: [], files: [] }, data: [] };
  const walk = (rel: string) => {
    for (const name of fs.readdir(rel ? `${root}/${rel}` : root).sort()) {
      if (name === '.' || name === '..') continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.stat(`${root}/${r}`);
      if (fs.isDir(st.mode)) {
        t.header.dirs.push(r);
        walk(r);
      } else if (fs.isFile(st.mode)) {
        const data = fs.readFile(`${root}/${r}`, { encoding: 'binary' });
        let end = data.length;
        while (end > 0 && data[end - 1] === 0) end--;
        t.header.files.push([r, data.length, end]);
        t.data.push(data.subarray(0, end));
      }
    }
  };
  walk('');
  return t;
}

/** Writes a template file (to a temporary name, then renamed into place: a reader never sees half of one). */
export function writeTemplate(t: Template, file: string): void {
  const json = Buffer.from(JSON.stringify(t.header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 4);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const c of [prefix, json, ...t.data]) {
        for (let done = 0; done < c.length; ) done += writeSync(fd, c, done, c.length - done);
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, file);
}

/** Marks a template as just used (pruning keeps the most recently used). */
export function touchTemplate(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // A template that cannot be touched may be pruned early: a replay, never a wrong result.
  }
}

/**
 * Deletes the templates of `dir` (one directory per history) beyond the `max` most recently used,
 * never those named in `keep`: each is tens of MB, and every merged migration makes a new history.
 */
export function pruneTemplates(dir: string, file: string, keep: readonly string[], max: number): void {
  let entries: { name: string; used: number }[];
  try {
    entries = readdirSync(dir).map((name) => {
      let used = 0;
      try {
        used = statSync(path.join(dir, name, file)).mtimeMs;
      } catch {}
      return { name, used };
    });
  } catch {
    return;
  }
  const others = entries.filter((e) => !keep.includes(e.name)).sort((a, b) => b.used - a.used);
  for (const e of others.slice(Math.max(0, max - keep.length))) rmSync(path.join(dir, e.name), { recursive: true, force: true });
}
