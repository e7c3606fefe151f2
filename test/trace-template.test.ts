// The template file format (src/trace/template.ts): what is taken from a file system is what is
// put back, trailing zeros dropped in the file and restored on load, damaged files are misses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTemplate, pruneTemplates, readTemplate, takeTemplate, touchTemplate, writeTemplate, type EmscriptenFS } from '../src/trace/template.js';

/** A file system in a Map, with the calls the template makes, enough to tell files from directories. */
function memoryFs(): EmscriptenFS & { files: Map<string, Uint8Array>; dirs: Set<string> } {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>();
  const DIR = 0o040000;
  const FILE = 0o100000;
  return {
    files,
    dirs,
    readdir: (p) => ['.', '..', ...[...dirs, ...files.keys()].filter((x) => path.posix.dirname(x) === p).map((x) => path.posix.basename(x))],
    stat: (p) => (dirs.has(p) ? { mode: DIR, size: 0 } : { mode: FILE, size: files.get(p)!.length }),
    isDir: (m) => (m & DIR) === DIR,
    isFile: (m) => (m & FILE) === FILE,
    readFile: (p) => files.get(p)!.slice(),
    mkdir: (p) => {
      if (!dirs.has(path.posix.dirname(p))) throw new Error(`no parent for ${p}`);
      dirs.add(p);
    },
    mkdirTree: (p) => {
      for (let d = p; d !== '/'; d = path.posix.dirname(d)) dirs.add(d);
    },
    writeFile: (p, data) => {
      if (!dirs.has(path.posix.dirname(p))) throw new Error(`no directory for ${p}`);
      files.set(p, data);
    },
  };
}

test('a template round-trips through its file: directories (empty ones too), files, trailing zeros', () => {
  const src = memoryFs();
  src.mkdirTree('/data/base/5');
  src.mkdirTree('/data/pg_tblspc');
  const wal = new Uint8Array(1 << 20);
  wal.set([1, 2, 3], 100);
  src.mkdirTree('/data/pg_wal');
  src.files.set('/data/pg_wal/000000010000000000000002', wal);
  src.files.set('/data/base/5/1259', new Uint8Array([0, 0, 7, 0, 9]));
  src.files.set('/data/PG_VERSION', new TextEncoder().encode('18\n'));
  src.files.set('/data/base/5/empty', new Uint8Array(0));
  src.files.set('/data/base/5/zeros', new Uint8Array(8192));
  const t = takeTemplate(src, '/data');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-template-'));
  try {
    const file = path.join(dir, 'a', 'data.template');
    writeTemplate(t, file);
    assert.ok(statSync(file).size < 2048, `the zeros are not stored (${statSync(file).size} bytes for a 1 MB segment)`);
    const back = readTemplate(file)!;
    assert.ok(back);
    const dst = memoryFs();
    loadTemplate({ FS: dst }, '/pg/data', back);
    assert.ok(dst.dirs.has('/pg/data/pg_tblspc'), 'an empty directory is kept');
    assert.equal([...dst.files.keys()].sort(), [...src.files.keys()].map((k) => k.replace('/data', '/pg/data')).sort());
    for (const [k, v] of src.files) assert.equal([...dst.files.get(k.replace('/data', '/pg/data'))!], [...v], k);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing, truncated, foreign or older template is a miss (null), never a partial load', () => {
  const src = memoryFs();
  src.mkdirTree('/data/base');
  src.files.set('/data/base/1', new Uint8Array([1, 2, 3, 4]));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-template-'));
  try {
    const file = path.join(dir, 'data.template');
    assert.is(readTemplate(file), null, 'missing');
    writeTemplate(takeTemplate(src, '/data'), file);
    const good = readFileSync(file);
    assert.ok(readTemplate(file));
    writeFileSync(file, good.subarray(0, good.length - 1));
    assert.is(readTemplate(file), null, 'truncated');
    writeFileSync(file, Buffer.concat([good, Buffer.from([0])]));
    assert.is(readTemplate(file), null, 'trailing bytes');
    writeFileSync(file, 'ustar tarball');
    assert.is(readTemplate(file), null, 'another format');
    const older = Buffer.from(good);
    const json = older.toString('utf8', 8, 8 + older.readUInt32LE(4)).replace(/"format":\d+/, '"format":1');
    writeFileSync(file, Buffer.concat([older.subarray(0, 8), Buffer.from(json), older.subarray(8 + older.readUInt32LE(4))]));
    assert.is(readTemplate(file), null, 'an older format');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pruning keeps the named templates and the most recently used others, up to the limit', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-template-prune-'));
  try {
    const names = ['empty', 'current', 'h1', 'h2', 'h3', 'h4'];
    names.forEach((n, i) => {
      mkdirSync(path.join(dir, n));
      const f = path.join(dir, n, 'data.template');
      writeFileSync(f, 'x');
      // empty is the oldest: kept anyway, being named.
      const t = new Date(Date.UTC(2026, 0, 1 + i));
      utimesSync(f, t, t);
    });
    touchTemplate(path.join(dir, 'h1', 'data.template'));
    pruneTemplates(dir, 'data.template', ['empty', 'current'], 4);
    assert.equal(readdirSync(dir).sort(), ['current', 'empty', 'h1', 'h4'], 'h1 was used last, h4 is the newest of the rest');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
