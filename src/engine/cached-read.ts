// The engine's reading steps through the persistent cache (src/cache): a file, or a directory of
// set files, whose inputs are unchanged is taken from the cache instead of being parsed; SQL text
// already read by PostgreSQL's parser (a .sql body, an op.execute string) is too, so a changed
// file in a cached directory costs only its own statements, and a fully cached run never loads the
// WASM parser at all.
//
// What a key holds: everything the front end is given (file path, a hash of its bytes, project
// root, dialect, the directory options), plus, for Alembic, what the front end reads from the
// project itself (dependency declarations and application packages, which classify imports).
// The salt of the cache (version, build, V8) is part of every pack's name and content. A result
// that depends on time or the machine (an io error, a time or size limit) is never stored.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { hashOf, valueKey, type Pack, type ResultCache } from '../cache/index.js';
import type { Migration } from '../model/index.js';
import type { SqlParser, SqlToOpsOptions } from '../frontends/sql/api.js';
import type { FrontendInput } from '../frontends/types.js';

/** Parse errors that may describe one run rather than the file (io, time and depth limits, our own failures). */
const TRANSIENT = new Set(['io', 'limit', 'internal']);

export function cacheable(migrations: readonly Migration[]): boolean {
  return migrations.every((m) => !m.parseError || !TRANSIENT.has(m.parseError.kind));
}

const contentHashes = new WeakMap<Uint8Array, string>();

export function contentHash(bytes: Uint8Array): string {
  let h = contentHashes.get(bytes);
  if (h === undefined) {
    h = hashOf(bytes);
    contentHashes.set(bytes, h);
  }
  return h;
}

/** A front end's input as a key part: the bytes by their hash, every other field as it is. */
export function inputKey(input: FrontendInput): Record<string, unknown> {
  const { bytes, ...rest } = input;
  return { ...rest, bytes: contentHash(bytes) };
}

const projectFacts = new Map<string, string>();

/**
 * What the Alembic front end reads from the project root besides the file (imports.ts): the
 * dependency declarations, and which top-level names are application modules or packages.
 */
export function alembicProjectKey(root: string): string {
  let key = projectFacts.get(root);
  if (key !== undefined) return key;
  const parts: string[] = [];
  for (const base of [root, path.join(root, 'src')]) {
    let entries;
    try {
      entries = readdirSync(base, { withFileTypes: true });
    } catch {
      parts.push(`${base}: none`);
      continue;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(base, e.name);
      if (e.isDirectory() || e.isSymbolicLink()) parts.push(`${full}/ ${existsSync(path.join(full, '__init__.py'))}`);
      else parts.push(full);
      if (base === root && (/^requirements.*\.(?:txt|in)$/i.test(e.name) || ['pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile'].includes(e.name))) {
        try {
          parts.push(hashOf(readFileSync(full)));
        } catch {
          parts.push('unreadable');
        }
      }
    }
  }
  key = hashOf(...parts);
  projectFacts.set(root, key);
  return key;
}

/**
 * PostgreSQL's reader behind the cache. Without the real reader loaded, a text not in the cache
 * is answered with no operations and remembered as missed: the caller then discards what it read,
 * loads the reader (`connect`) and reads again. A front end thus never needs the WASM parser
 * unless some text is new.
 */
/** A text the cache did not hold, to read later (in worker threads when there are many). */
export interface SqlRequest {
  key: string;
  text: string;
  opts: SqlToOpsOptions;
}

/**
 * valueKey([offsets, holes, base, fallback]), built by hand: only `offsets` can be a typed array,
 * and JSON.stringify without a replacer is about twice as fast on the rest (one key per SQL text,
 * thousands in a cold run over a big project).
 */
export function optionsKey(opts: SqlToOpsOptions): string {
  const offsets = opts.offsets === null ? 'null' : valueKey(opts.offsets);
  return `[${offsets},${JSON.stringify(opts.holes)},${JSON.stringify(opts.base)},${JSON.stringify(opts.fallback)}]`;
}

export class CachedSqlReader implements SqlParser {
  missed = false;
  /** With `collect` on, the texts missed so far (a probe pass before parsing them all at once). */
  collect = false;
  readonly requests: SqlRequest[] = [];
  private real: SqlParser | null = null;
  private readonly used = new Set<string>();
  /** Operations read by this thread for a probe pass, not yet handed out (see fill). */
  private readonly fresh = new Map<string, ReturnType<SqlParser['toOperations']>>();
  /** Hashes of the host texts met, by the text itself (V8 keeps a string's own hash). */
  private readonly sourceHashes = new Map<string, string>();

  constructor(private pack: Pack) {}

  connect(real: SqlParser): void {
    this.real = real;
  }

  usePack(pack: Pack): void {
    this.pack = pack;
  }

  /** Forgets a miss and the keys of a pass whose result was discarded. */
  restart(): void {
    this.missed = false;
    this.used.clear();
    this.requests.length = 0;
  }

  /**
   * Stores what was read for the requests of a probe pass: bytes from a worker thread go into the
   * pack as they are; operations read on this thread also stay here as objects, handed out once
   * by the next pass instead of a copy deserialised from the pack.
   */
  fill(requests: readonly SqlRequest[], results: readonly ({ ops: ReturnType<SqlParser['toOperations']> } | { bytes: Uint8Array })[]): void {
    requests.forEach((r, i) => {
      const res = results[i]!;
      if ('bytes' in res) this.pack.setBytes(r.key, res.bytes);
      else {
        this.pack.set(r.key, res.ops);
        if (!this.fresh.has(r.key)) this.fresh.set(r.key, res.ops);
      }
    });
  }

  /** The cache keys of every text read since the last restart. */
  keys(): string[] {
    return [...this.used];
  }

  toOperations(text: string, opts: SqlToOpsOptions): ReturnType<SqlParser['toOperations']> {
    let source = this.sourceHashes.get(opts.source);
    if (source === undefined) {
      source = hashOf(opts.source);
      this.sourceHashes.set(opts.source, source);
    }
    // Without offsets the text is the host file itself: its hash is the source's.
    const key = hashOf('sql', opts.offsets === null && text === opts.source ? '' : text, source, optionsKey(opts));
    this.used.add(key);
    const fresh = this.fresh.get(key);
    if (fresh) {
      this.fresh.delete(key);
      return fresh;
    }
    const hit = this.pack.get<ReturnType<SqlParser['toOperations']>>(key);
    if (hit) return hit;
    if (!this.real) {
      this.missed = true;
      if (this.collect) this.requests.push({ key, text, opts });
      return [];
    }
    const ops = this.real.toOperations(text, opts);
    this.pack.set(key, ops);
    return ops;
  }
}

export type { ResultCache, Pack };
