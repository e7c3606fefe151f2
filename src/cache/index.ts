// The persistent result cache: what the front ends read from each migration directory, kept
// between runs so that a file whose content did not change is never parsed again.
//
// One "pack" file per directory and reading setup holds that directory's entries (one read and at
// most one write per directory and run, instead of one per file). A pack keeps only the entries
// the last run used, so a directory's pack never outgrows the directory; packs of directories
// that are no longer read are pruned by age once the cache holds more than MAX_BYTES.
//
// Values are stored with v8.serialize (structured clone), which keeps typed arrays and shared
// references and needs no schema. Every value is a fresh copy on each get: callers may mutate it.
// A pack file frames those bytes itself (see encodePack) rather than passing a Map of byte arrays
// through v8.serialize again: that second pass copied every entry through Node's JS host-object
// hooks, on the write of a cold run and on every read.
//
// Safety: a pack is written to a temporary file and renamed into place, so a reader sees an old
// pack or a new one, never half of one, and two runs at once only race on which complete pack
// stays. A pack whose checksum does not match (cut short, bytes changed), or that was written by
// another version (its salt differs), is treated as empty and rewritten.
import crypto, { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// node:v8 costs ~2 ms to load: loaded when a pack is first read or written, not by every run.
let v8module: typeof import('node:v8') | undefined;
const v8 = () => (v8module ??= process.getBuiltinModule('node:v8'));

/** Packs beyond this total size are pruned, oldest first, down to half of it. */
export const MAX_BYTES = 256 * 1024 * 1024;
/** A pack read this long after it was written gets its time refreshed, so pruning keeps it. */
const REFRESH_MS = 24 * 60 * 60 * 1000;

const PACK_VERSION = 2;
const MAGIC = 0x4b504c4d; // "MLPK", little-endian
/** Magic (4 bytes), version (4), SHA-1 of everything after it (20), then the body. */
const HEAD = 28;

/**
 * A pack file: the header, then the salt and each entry as length-prefixed bytes (u32 lengths,
 * little-endian): salt, entry count, then key and value for each entry.
 */
export function encodePack(salt: string, entries: ReadonlyMap<string, Uint8Array>): Buffer {
  const saltBytes = Buffer.from(salt, 'utf8');
  const keys: Buffer[] = [];
  let size = HEAD + 4 + saltBytes.length + 4;
  for (const [k, v] of entries) {
    const kb = Buffer.from(k, 'utf8');
    keys.push(kb);
    size += 8 + kb.length + v.length;
  }
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(PACK_VERSION, 4);
  let at = HEAD;
  const put = (bytes: Uint8Array) => {
    out.writeUInt32LE(bytes.length, at);
    out.set(bytes, at + 4);
    at += 4 + bytes.length;
  };
  put(saltBytes);
  out.writeUInt32LE(entries.size, at);
  at += 4;
  let i = 0;
  for (const v of entries.values()) {
    put(keys[i++]!);
    put(v);
  }
  out.set(digest(out.subarray(HEAD)), 8);
  return out;
}

/**
 * The entries of a pack file written with this salt (views into `bytes`, not copies), or null
 * when it is not one: another format, version or salt, a checksum that does not match, lengths
 * that run past the end.
 */
export function decodePack(bytes: Buffer, salt: string): Map<string, Uint8Array> | null {
  if (bytes.length < HEAD + 8 || bytes.readUInt32LE(0) !== MAGIC || bytes.readUInt32LE(4) !== PACK_VERSION) return null;
  if (!digest(bytes.subarray(HEAD)).equals(bytes.subarray(8, HEAD))) return null;
  let at = HEAD;
  const take = (): Buffer | null => {
    if (at + 4 > bytes.length) return null;
    const n = bytes.readUInt32LE(at);
    if (at + 4 + n > bytes.length) return null;
    const out = bytes.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return out;
  };
  const s = take();
  if (s === null || s.toString('utf8') !== salt || at + 4 > bytes.length) return null;
  const count = bytes.readUInt32LE(at);
  at += 4;
  const entries = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const k = take();
    const v = take();
    if (k === null || v === null) return null;
    entries.set(k.toString('utf8'), v);
  }
  return at === bytes.length ? entries : null;
}

const digest: (bytes: Uint8Array) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (bytes) => (crypto as unknown as { hash(alg: string, data: Uint8Array, enc: 'buffer'): Buffer }).hash('sha1', bytes, 'buffer')
    : (bytes) => crypto.createHash('sha1').update(bytes).digest();

/** Hex SHA-1 of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ. */
export function hashOf(...parts: (string | Uint8Array)[]): string {
  // One-shot hashing of one string: far cheaper than a Hash object per key (Node >= 20.12).
  let text = '';
  for (const p of parts) {
    const s = typeof p === 'string' ? p : `bytes ${bytesHash(p)}`;
    text += `${s.length}:${s}`;
  }
  return oneShot(text);
}

const oneShot: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(alg: string, data: string): string }).hash('sha1', text)
    : (text) => crypto.createHash('sha1').update(text).digest('hex');

const bytesHash: (bytes: Uint8Array) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (bytes) => (crypto as unknown as { hash(alg: string, data: Uint8Array): string }).hash('sha1', bytes)
    : (bytes) => crypto.createHash('sha1').update(bytes).digest('hex');

/**
 * A key part for any plain value (objects, arrays, typed arrays): its JSON, with typed arrays by
 * the hash of their bytes. (Not v8.serialize: its bytes depend on how V8 happens to hold a string,
 * so equal values could give different keys.)
 */
export function valueKey(value: unknown): string {
  // JSON.stringify without a replacer is ~1.7x faster (a migration model's key, per migration, on
  // every run with the findings cache). Without a replacer a non-empty typed array comes out as
  // {"0":...}, which cannot occur inside a JSON string (its quotes would be escaped): only output
  // that has it needs the replacer. (An empty typed array then keys as {}, which is still one key
  // per value.)
  if (!ArrayBuffer.isView(value)) {
    const plain = JSON.stringify(value);
    if (plain === undefined || !plain.includes('{"0":')) return plain;
  }
  return JSON.stringify(value, (_k, v: unknown) =>
    ArrayBuffer.isView(v) ? `${v.constructor.name}:${hashOf(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))}` : v,
  );
}

/**
 * What invalidates every entry: migralint's version, the build of the code that reads (a rebuild
 * from changed sources changes it), and the Node/V8 version that serialised the values.
 */
export function cacheSalt(version: string): string {
  return [`migralint ${version}`, `build ${buildId()}`, `v8 ${process.versions.v8}`, `pack ${PACK_VERSION}`].join('; ');
}

let build: string | undefined;

/**
 * The hash of the built bundle, which scripts/build.mjs writes beside it. Run from the sources
 * (tests under tsx), there is no such file: the process id then stands in, so entries are never
 * reused across processes by code that may have changed in between.
 */
function buildId(): string {
  if (build !== undefined) return build;
  try {
    build = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-id.txt'), 'utf8').trim();
  } catch {
    build = `source ${process.pid} ${Date.now()}`;
  }
  return build;
}

/**
 * Where the cache lives for a project: `node_modules/.cache/migralint` under the nearest
 * directory (the project root or above) that has a node_modules, else `.migralint-cache` in
 * the project root.
 */
export function defaultCacheLocation(rootDir: string): string {
  for (let dir = path.resolve(rootDir); ; ) {
    if (existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'migralint');
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join(path.resolve(rootDir), '.migralint-cache');
}

export interface CacheStats {
  hits: number;
  /** Migrations whose findings came from the cache (their rules did not run). */
  findingHits: number;
  misses: number;
  packsRead: number;
  packsWritten: number;
}

/** One directory's entries, as read at the start of the run plus what the run added. */
export class Pack {
  private readonly used = new Map<string, Uint8Array>();
  private dirty = false;

  constructor(
    readonly file: string,
    private old: Map<string, Uint8Array>,
    private readonly stats: CacheStats,
  ) {}

  /** A fresh copy of the value stored under the key, or undefined (also for an unreadable entry). */
  get<T>(key: string): T | undefined {
    const bytes = this.used.get(key) ?? this.old.get(key);
    if (bytes === undefined) {
      this.stats.misses++;
      return undefined;
    }
    let value: T;
    try {
      value = v8().deserialize(bytes) as T;
    } catch {
      this.stats.misses++;
      this.old.delete(key);
      this.dirty = true;
      return undefined;
    }
    this.stats.hits++;
    this.used.set(key, bytes);
    return value;
  }

  /** Keeps entries this run did not read (they belong to an entry it did) in the pack. */
  keep(keys: readonly string[]): void {
    for (const k of keys) {
      const bytes = this.old.get(k);
      if (bytes !== undefined) this.used.set(k, bytes);
    }
  }

  /** Stores a copy of the value as it is now (later mutations by the caller do not reach it). */
  set(key: string, value: unknown): void {
    this.used.set(key, v8().serialize(value));
    this.dirty = true;
  }

  /** Stores a value already serialised with v8.serialize (by a worker thread). */
  setBytes(key: string, bytes: Uint8Array): void {
    this.used.set(key, bytes);
    this.dirty = true;
  }

  /** Whether the pack on disk should be replaced: something was added, or some entry went unused. */
  changed(): boolean {
    if (this.dirty) return true;
    for (const k of this.old.keys()) if (!this.used.has(k)) return true;
    return false;
  }

  entries(): Map<string, Uint8Array> {
    return this.used;
  }

  /** What was just written is what is on disk now. */
  written(): void {
    this.old.clear();
    for (const [k, v] of this.used) this.old.set(k, v);
    this.dirty = false;
  }
}

export class ResultCache {
  readonly stats: CacheStats = { hits: 0, findingHits: 0, misses: 0, packsRead: 0, packsWritten: 0 };
  /**
   * Findings are cached for a chain with at least this many migrations to lint: hashing a chain
   * costs more than running the rules on a handful (tests set 0 to cover every case).
   */
  findingsFrom = 20;
  private readonly packs = new Map<string, Pack>();

  constructor(
    readonly dir: string,
    readonly salt: string,
  ) {}

  /** The pack for a directory and reading setup (`scope` is any string naming that setup). */
  pack(scope: string): Pack {
    const name = hashOf(this.salt, scope);
    let p = this.packs.get(name);
    if (p) return p;
    const file = path.join(this.dir, name.slice(0, 2), `${name}.pack`);
    p = new Pack(file, this.readPack(file), this.stats);
    this.packs.set(name, p);
    return p;
  }

  private readPack(file: string): Map<string, Uint8Array> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return new Map();
    }
    this.stats.packsRead++;
    const entries = decodePack(bytes, this.salt);
    if (!entries) return new Map();
    this.refresh(file);
    return entries;
  }

  private refresh(file: string): void {
    try {
      const now = Date.now();
      if (now - statSync(file).mtimeMs > REFRESH_MS) utimesSync(file, now / 1000, now / 1000);
    } catch {
      // Another run pruned or replaced it: nothing to keep fresh.
    }
  }

  /**
   * Writes every pack that changed (temp file + rename), then prunes when the cache has grown
   * past its bound. A cache that cannot be written (read-only checkout, full disk) is skipped
   * silently: it only ever saves time.
   */
  save(): void {
    let wrote = false;
    for (const p of this.packs.values()) {
      if (!p.changed()) continue;
      try {
        mkdirSync(path.dirname(p.file), { recursive: true });
        this.ignoreFile();
        const tmp = `${p.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        writeFileSync(tmp, encodePack(this.salt, p.entries()));
        try {
          renameSync(tmp, p.file);
        } catch (err) {
          rmSync(tmp, { force: true });
          throw err;
        }
        p.written();
        this.stats.packsWritten++;
        wrote = true;
      } catch {
        // Not writable: the next run reads the files again.
      }
    }
    if (wrote) prune(this.dir, MAX_BYTES);
  }

  /** A cache outside node_modules says by itself that git should not track it (as Ruff's does). */
  private ignoreFile(): void {
    const file = path.join(this.dir, '.gitignore');
    if (path.basename(path.dirname(path.dirname(this.dir))) === 'node_modules' || existsSync(file)) return;
    writeFileSync(file, '# Created by migralint: its cache, never committed.\n*\n');
  }
}

/**
 * Deletes the oldest packs (and stray temporary files older than a minute, left by a killed run)
 * until the cache holds at most half of `max` bytes, when it holds more than `max`.
 */
export function prune(dir: string, max: number): void {
  const found: { file: string; size: number; mtime: number }[] = [];
  let total = 0;
  const now = Date.now();
  let subdirs: string[];
  try {
    subdirs = readdirSync(dir);
  } catch {
    return;
  }
  for (const sub of subdirs) {
    if (sub.length !== 2) continue;
    let names: string[];
    try {
      names = readdirSync(path.join(dir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, sub, name);
      try {
        const st = statSync(file);
        if (name.endsWith('.tmp')) {
          if (now - st.mtimeMs > 60_000) unlinkSync(file);
          continue;
        }
        found.push({ file, size: st.size, mtime: st.mtimeMs });
        total += st.size;
      } catch {
        // Removed by another run meanwhile.
      }
    }
  }
  if (total <= max) return;
  found.sort((a, b) => a.mtime - b.mtime);
  for (const f of found) {
    if (total <= max / 2) break;
    try {
      unlinkSync(f.file);
    } catch {
      // Already gone.
    }
    total -= f.size;
  }
}
