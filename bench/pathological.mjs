// Times migralint (the built CLI, as a whole process) on single files built to be large rather
// than realistic: one SQL file of N statements, one Alembic file of N op.* calls, one Alembic file
// of N op.execute() strings, one file of several megabytes. Prints time and peak RSS per case.
// Usage: node bench/pathological.mjs [--scale 1] [--only name] (build first: node scripts/build.mjs)
// The figures go into the notes, never into timed test asserts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out', 'pathological');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const scale = Number(arg('--scale', '1'));
const only = arg('--only', null);

const ALEMBIC_HEAD = `"""big"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n`;
const ALEMBIC_TAIL = `\n\ndef downgrade():\n    pass\n`;

/** name -> files to write (relative path -> text) */
const cases = {
  'sql-select-100k': () => ({ 'migrations/0001_big.sql': 'SELECT 1;\n'.repeat(100_000 * scale) }),
  'sql-ddl-20k': () => ({
    'migrations/0001_big.sql': Array.from({ length: 20_000 * scale }, (_, i) =>
      i % 4 === 0
        ? `CREATE TABLE t${i} (id bigint PRIMARY KEY, note text);`
        : i % 4 === 1
          ? `ALTER TABLE t${i - 1} ADD COLUMN c${i} text;`
          : i % 4 === 2
            ? `CREATE INDEX ix${i} ON t${i - 2} (note);`
            : `ALTER TABLE accounts RENAME COLUMN a${i} TO b${i};`,
    ).join('\n'),
  }),
  'alembic-add-column-8k': () => ({
    'migrations/versions/a1_big.py':
      ALEMBIC_HEAD +
      Array.from({ length: 8_000 * scale }, (_, i) => `    op.add_column("accounts", sa.Column("c${i}", sa.Text(), nullable=True))`).join('\n') +
      ALEMBIC_TAIL,
    'migrations/env.py': '',
  }),
  'alembic-add-drop-8k': () => ({
    'migrations/versions/a1_big.py':
      ALEMBIC_HEAD.replace('down_revision = None', 'down_revision = None') +
      Array.from({ length: 8_000 * scale }, (_, i) => `    op.add_column("accounts", sa.Column("c${i}", sa.Text(), nullable=False))`).join('\n') +
      '\n\n\ndef downgrade():\n' +
      Array.from({ length: 8_000 * scale }, (_, i) => `    op.drop_column("accounts", "c${i}")`).join('\n') +
      '\n',
    'migrations/env.py': '',
  }),
  'alembic-execute-8k': () => ({
    'migrations/versions/a1_big.py':
      ALEMBIC_HEAD + Array.from({ length: 8_000 * scale }, (_, i) => `    op.execute("UPDATE accounts SET c${i} = 1 WHERE id < 10")`).join('\n') + ALEMBIC_TAIL,
    'migrations/env.py': '',
  }),
  // One op.execute() string of 200k statements: its operations must not be spread into a call.
  'alembic-execute-one-string-200k': () => ({
    'migrations/versions/a1_big.py': ALEMBIC_HEAD + `    op.execute("""${'SELECT 1;\\n'.repeat(200_000 * scale)}""")` + ALEMBIC_TAIL,
    'migrations/env.py': '',
  }),
  'alembic-50mb': () => {
    const line = `    op.add_column("accounts", sa.Column("c", sa.Text(), nullable=True))\n`;
    return {
      'migrations/versions/a1_big.py': ALEMBIC_HEAD + line.repeat(Math.ceil((50 * 1024 * 1024 * scale) / line.length)) + ALEMBIC_TAIL,
      'migrations/env.py': '',
    };
  },
  'sql-50mb': () => {
    const line = `INSERT INTO settings (key, value) VALUES ('some key', 'some value');\n`;
    return { 'migrations/0001_big.sql': line.repeat(Math.ceil((50 * 1024 * 1024 * scale) / line.length)) };
  },
};

const hasTime = existsSync('/usr/bin/time');
console.log('| case | exit | time (s) | peak RSS (MB) | findings |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, make] of Object.entries(cases)) {
  if (only && !name.includes(only)) continue;
  const dir = path.join(out, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(make())) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  const cli = [path.join(root, 'bin', 'migralint.js'), 'lint', '--no-lock', '--format', 'json', 'migrations'];
  const [cmd, args] = hasTime ? ['/usr/bin/time', ['-f', '%e %M', process.execPath, ...cli]] : [process.execPath, cli];
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  let rss = '?';
  if (hasTime) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const m = /^([\d.]+) (\d+)$/.exec(last);
    if (m) rss = (Number(m[2]) / 1024).toFixed(0);
  }
  let findings = '?';
  try {
    findings = String(JSON.parse(r.stdout).findings.length);
  } catch {
    findings = `invalid JSON (${r.stderr.split('\n')[0]?.slice(0, 80)})`;
  }
  console.log(`| ${name} | ${r.status ?? r.signal} | ${wall.toFixed(1)} | ${rss} | ${findings} |`);
  rmSync(dir, { recursive: true, force: true });
}
