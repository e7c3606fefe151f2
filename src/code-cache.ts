// Start-up of the command line (bin/migralint.js). Node 20 keeps no compiled code between runs
// (module.enableCompileCache is Node 22+, and covers no vm.Script), so every run compiled the
// ~40 ES module chunks a lint touches. Here the CLI is one CommonJS bundle, dist/cli.cjs,
// compiled with vm.Script from a V8 code cache written after an earlier run, when V8 has also
// compiled the functions that run needed (a cache made right after compiling holds little more
// than the top level).
//
// The cache file sits beside the result cache: node_modules/.cache/migralint-code/ of the
// node_modules that holds this installation (or the checkout's own node_modules). It is keyed by
// the build (dist/build-id.txt), Node's version and the CPU architecture. V8 rejects data from
// another V8, under other flags or for another source length, but does not check its content in
// release builds (flipped bytes crash the process), so the file carries a SHA-1 of the data,
// checked before V8 sees it. A file that fails any check is ignored and rewritten. MIGRALINT_CODE_CACHE=<dir> moves it, MIGRALINT_CODE_CACHE=off (or Node's own
// NODE_DISABLE_COMPILE_CACHE=1) turns it off. It never changes what a run prints: the same
// source runs either way (test/code-cache.test.ts).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

const MAGIC = Buffer.from('migralint code cache 1\n', 'latin1');
/**
 * V8 flags the program sets while it runs: the WASM readers (libpg-query, PGlite) compile with
 * --liftoff-only. V8 stamps cached data with a hash of the flags and rejects it under others, so
 * they are set back before the data is made, with the flags --liftoff-only turns off by
 * implication in Node 20's V8 (11.3; an unknown flag would print an error, so only there). A probe
 * made at start tells whether that restored the hash; if not, nothing is written.
 * test/code-cache.test.ts checks that every flag src/ sets is listed here.
 */
export const RUNTIME_V8_FLAGS = ['liftoff-only'];
const IMPLIED_V8_FLAGS: Record<string, string[]> = { 'liftoff-only': ['--wasm-tier-up', '--wasm-dynamic-tiering'] };

function restoreV8Flags(): void {
  const v8 = process.getBuiltinModule('node:v8');
  const implied = process.versions.v8.startsWith('11.');
  for (const flag of RUNTIME_V8_FLAGS) {
    v8.setFlagsFromString(`--no-${flag}`);
    if (implied) for (const f of IMPLIED_V8_FLAGS[flag] ?? []) v8.setFlagsFromString(f);
  }
}
/** Cache files of other builds or Node versions kept beside the current one (newest first). */
const KEEP_OTHERS = 3;

/** Where the code cache lives for the installation whose bundle is in `distDir`, or null when it is off. */
export function codeCacheDir(distDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env.MIGRALINT_CODE_CACHE;
  if (setting !== undefined && /^(0|off|false|no)$/i.test(setting)) return null;
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  if (setting) return path.resolve(setting);
  const parts = path.resolve(distDir).split(path.sep);
  const nm = parts.lastIndexOf('node_modules');
  // Installed: the node_modules that holds the package. A checkout: its own node_modules.
  const modules = nm >= 0 ? parts.slice(0, nm + 1).join(path.sep) : path.join(distDir, '..', 'node_modules');
  return path.join(modules, '.cache', 'migralint-code');
}

export function cacheFileName(buildId: string): string {
  return `${buildId.slice(0, 16)}-node${process.versions.node}-${process.arch}.bin`;
}

export interface CodeCacheFile {
  /** The bundle's modules that had run when the data was made (their functions are in it). */
  used: string[];
  data: Buffer;
}

/** SHA-1 of V8's data (the result cache loads node:crypto on most runs anyway; 0.5 ms for 700 KB). */
function checksum(data: Buffer): string {
  return process.getBuiltinModule('node:crypto').createHash('sha1').update(data).digest('hex');
}

/** The file's layout: MAGIC, the header's length (uint32 LE), the header (JSON), V8's data. */
export function encodeCodeCache(file: CodeCacheFile): Buffer {
  const header = Buffer.from(JSON.stringify({ used: file.used, sha1: checksum(file.data) }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([MAGIC, length, header, file.data]);
}

/** The cache file's content, or null for anything that is not one or whose data is not what was written. */
export function decodeCodeCache(bytes: Buffer): CodeCacheFile | null {
  const start = MAGIC.length + 4;
  if (bytes.length < start || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const length = bytes.readUInt32LE(MAGIC.length);
  if (start + length > bytes.length) return null;
  try {
    const header = JSON.parse(bytes.toString('utf8', start, start + length)) as { used?: unknown; sha1?: unknown };
    if (!Array.isArray(header.used) || !header.used.every((u) => typeof u === 'string')) return null;
    const data = bytes.subarray(start + length);
    if (header.sha1 !== checksum(data)) return null;
    return { used: header.used, data };
  } catch {
    return null;
  }
}

type Cli = { run(argv: string[]): Promise<void> };

/** Loads dist/cli.cjs (from the code cache when there is a usable one) and runs the command line. */
export async function runCli(distDir: string, argv: string[]): Promise<void> {
  const bundle = path.join(distDir, 'cli.cjs');
  // The build checks that the bundle is ASCII, so latin1 reads it exactly and skips UTF-8 decoding.
  const source = readFileSync(bundle, 'latin1');
  const dir = codeCacheDir(distDir);
  let file: string | null = null;
  let cached: CodeCacheFile | null = null;
  if (dir) {
    try {
      file = path.join(dir, cacheFileName(readFileSync(path.join(distDir, 'build-id.txt'), 'latin1').trim()));
    } catch {
      // No build id (a bundle copied without it): nothing to key a cache by.
    }
    if (file) {
      try {
        cached = decodeCodeCache(readFileSync(file));
      } catch {
        // No cache yet.
      }
    }
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname, __importMetaUrl, __import, __codeUsed) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, ...(cached ? { cachedData: cached.data } : {}) });
  const used = new Set<string>();
  const module = { exports: {} as Cli };
  const factory = script.runInThisContext() as (...args: unknown[]) => void;
  factory(
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    distDir,
    pathToFileURL(bundle).href,
    (specifier: string) => import(specifier),
    (name: string) => used.add(name),
  );
  if (file) {
    const target = file;
    const probe = new vm.Script('0', { filename: 'migralint-flags-probe' }).createCachedData();
    const before = cached && !script.cachedDataRejected ? new Set(cached.used) : null;
    // After the run, when V8 has compiled what the run needed. Only when there was no usable cache
    // or the run used modules it does not cover: making the data costs a few ms.
    process.once('exit', () => {
      if (before && [...used].every((u) => before.has(u))) return;
      try {
        restoreV8Flags();
        if (new vm.Script('0', { filename: 'migralint-flags-probe', cachedData: probe }).cachedDataRejected) return;
        saveCodeCache(target, { used: [...new Set([...(before ?? []), ...used])].sort(), data: script.createCachedData() });
      } catch {
        // The run is over and reported: a cache that cannot be made must not change its exit.
      }
    });
  }
  await module.exports.run(argv);
}

/** Atomic (temp file + rename), so concurrent runs never read half a file; failures are ignored. */
export function saveCodeCache(file: string, content: CodeCacheFile): void {
  const dir = path.dirname(file);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, encodeCodeCache(content));
    renameSync(tmp, file);
  } catch {
    // A read-only installation or a full disk: runs compile as they did before.
    rmSync(tmp, { force: true });
    return;
  }
  prune(dir, path.basename(file));
}

/** Keeps the current file and the newest few others (other builds, other Node versions). */
function prune(dir: string, current: string): void {
  try {
    const now = Date.now();
    const others: { name: string; mtime: number }[] = [];
    for (const name of readdirSync(dir)) {
      if (name === current) continue;
      const mtime = statSync(path.join(dir, name)).mtimeMs;
      // A temp file of a run that died before its rename.
      if (name.endsWith('.tmp')) {
        if (now - mtime > 60_000) rmSync(path.join(dir, name), { force: true });
      } else if (name.endsWith('.bin')) others.push({ name, mtime });
    }
    others.sort((a, b) => b.mtime - a.mtime);
    for (const o of others.slice(KEEP_OTHERS)) rmSync(path.join(dir, o.name), { force: true });
  } catch {
    // Another run pruned at the same time.
  }
}
