// Lints a corpus of real projects, one subdirectory each (fetched into a scratch folder, never
// committed), with the built CLI as a user would run it (`migralint lint --format json --no-lock`
// in the project, no paths: auto-discovery), and prints per project: migration files seen,
// linted and skipped, findings by rule, internal errors, wall time and peak memory.
//
// Usage: node bench/corpus.mjs <corpus dir> [--markdown] [--json] [--timeout 300]
//   --markdown  a table for the README's accuracy section
//   --json      one JSON object per project (for scripts)
// Build first (node scripts/build.mjs). Peak RSS is the CLI process's own maximum resident set
// (process.resourceUsage().maxRSS, read at exit by a preloaded hook), so no /usr/bin/time is needed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', 'bin', 'migralint.js');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const corpus = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--timeout');
if (!corpus) {
  console.error('usage: node bench/corpus.mjs <corpus dir> [--markdown] [--json] [--timeout seconds]');
  process.exit(2);
}
const timeoutMs = Number(option('--timeout', '300')) * 1000;

// Writes the process's peak RSS (kB) to stderr as its last line, whatever the exit path.
const MARK = 'migralint-corpus-maxrss:';
const HOOK = `data:text/javascript,${encodeURIComponent(
  `process.on('exit', () => { try { require('node:fs').writeSync(2, '\\n${MARK}' + process.resourceUsage().maxRSS + '\\n'); } catch {} });`.replace(
    "require('node:fs')",
    'globalThis.process.getBuiltinModule("node:fs")',
  ),
)}`;

function lintProject(dir) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', HOOK, cli, 'lint', '--format', 'json', '--no-lock'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderr = r.stderr ?? '';
  const rss = new RegExp(`${MARK}(\\d+)`).exec(stderr);
  const row = {
    project: path.basename(dir),
    exit: r.status ?? r.signal ?? 'timeout',
    seen: null,
    linted: null,
    skipped: null,
    findings: 0,
    byRule: {},
    internal: 0,
    seconds,
    peakMb: rss ? Number(rss[1]) / 1024 : null,
    note: '',
  };
  if (r.error) row.note = r.error.code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : String(r.error.message);
  const stderrText = stderr.replace(new RegExp(`\\n?${MARK}\\d+\\n?`), '').trim();
  if (/internal error/i.test(stderrText)) row.internal++;
  let out = null;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    if (!row.note) row.note = (stderrText.split('\n')[0] ?? '').slice(0, 120) || 'no JSON output';
  }
  if (out) {
    // The file counts: `files: {seen, linted, skipped: [{file, reason}]}`; older builds only have
    // the number of files linted in the summary.
    const files = out.files ?? (typeof out.summary?.files === 'object' ? out.summary.files : null);
    if (files) {
      row.seen = files.seen ?? null;
      row.linted = files.linted ?? null;
      row.skipped = Array.isArray(files.skipped) ? files.skipped.length : (files.skipped ?? null);
      if (Array.isArray(files.skipped)) {
        row.skippedWhy = {};
        for (const s of files.skipped) {
          const why = typeof s === 'object' && s ? String(s.reason ?? '?') : '?';
          row.skippedWhy[why] = (row.skippedWhy[why] ?? 0) + 1;
        }
      }
    } else if (typeof out.summary?.files === 'number') {
      row.linted = out.summary.files;
    }
    for (const f of out.findings ?? []) {
      row.findings++;
      row.byRule[f.rule] = (row.byRule[f.rule] ?? 0) + 1;
      if (f.messageId === 'internal-error' || (f.rule === 'parse-error' && f.messageId === 'internal')) row.internal++;
    }
    if (row.exit === 0 && row.linted === 0 && !row.note) row.note = row.seen === 0 ? 'no migration files found' : 'nothing linted';
  }
  return row;
}

const projects = readdirSync(corpus)
  .map((name) => path.join(corpus, name))
  .filter((p) => statSync(p).isDirectory())
  .sort();

const rules = (byRule) =>
  Object.entries(byRule)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id, n]) => `${id} ${n}`)
    .join(', ');
const show = (v) => (v === null || v === undefined ? '?' : String(v));

const rows = [];
if (flag('--markdown')) {
  console.log('| Project | Files seen | Linted | Skipped | Findings by rule | Internal errors | Time (s) | Peak RSS (MB) |');
  console.log('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
}
for (const dir of projects) {
  const row = lintProject(dir);
  rows.push(row);
  if (flag('--json')) console.log(JSON.stringify(row));
  else if (flag('--markdown')) {
    const findings = row.findings === 0 ? (row.note || 'none') : `${row.findings}: ${rules(row.byRule)}`;
    console.log(
      `| ${row.project} | ${show(row.seen)} | ${show(row.linted)} | ${show(row.skipped)} | ${findings} | ${row.internal} | ${row.seconds.toFixed(1)} | ${row.peakMb === null ? '?' : row.peakMb.toFixed(0)} |`,
    );
  } else {
    console.log(
      `${row.project}: exit ${row.exit}, files seen ${show(row.seen)}, linted ${show(row.linted)}, skipped ${show(row.skipped)}, ` +
        `${row.findings} findings, ${row.internal} internal errors, ${row.seconds.toFixed(1)} s, ` +
        `${row.peakMb === null ? '?' : row.peakMb.toFixed(0)} MB${row.note ? ` (${row.note})` : ''}`,
    );
    if (row.findings > 0) console.log(`    ${rules(row.byRule)}`);
    if (row.skippedWhy && row.skipped > 0) console.log(`    skipped: ${rules(row.skippedWhy)}`);
  }
}
if (!flag('--json')) {
  const total = (k) => rows.reduce((a, r) => a + (typeof r[k] === 'number' ? r[k] : 0), 0);
  const line = `${rows.length} projects: ${total('linted')} files linted, ${total('findings')} findings, ${total('internal')} internal errors, ${total('seconds').toFixed(1)} s`;
  console.log(flag('--markdown') ? `\n${line}` : line);
}
