// Times `migralint trace` on the last 5 revisions of a generated 300-revision Alembic project:
// cold (no template: PGlite starts empty and replays the 295 earlier revisions, then caches the
// template) and warm (the template for that history is loaded from .cache/migralint/trace).
// Wall time and peak RSS of the whole process, alternating cold and warm round by round.
// Usage: node bench/trace.mjs [--rounds 3]   (build first: npm run build)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const load = () => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ')[0] : '?');
const COUNT = 300;

const TABLES = ['accounts', 'orders', 'invoices', 'events', 'users', 'projects'];
const id = (n) => (0x2000_0000_0000 + n * 7919).toString(16).slice(-12);

// Self-consistent revisions (each one meets the schema the earlier ones built), so the traced
// ones run rather than fail on a missing table.
const TEMPLATES = [
  (t, n) => [`    op.add_column("${t}", sa.Column("note_${n}", sa.Text(), nullable=True))\n    op.create_index("ix_${t}_note_${n}", "${t}", ["note_${n}"])\n`, `    op.drop_index("ix_${t}_note_${n}", table_name="${t}")\n    op.drop_column("${t}", "note_${n}")\n`],
  (t, n) => [`    op.add_column("${t}", sa.Column("status_${n}", sa.String(length=20), nullable=False, server_default=sa.text("'active'")))\n`, `    op.drop_column("${t}", "status_${n}")\n`],
  (t, n) => [
    `    op.create_table(\n        "${t}_${n}",\n        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),\n        sa.Column("account_id", sa.BigInteger(), sa.ForeignKey("accounts.id"), nullable=False),\n        sa.Column("payload", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),\n    )\n`,
    `    op.drop_table("${t}_${n}")\n`,
  ],
  (t, n) => [
    `    with op.get_context().autocommit_block():\n        op.create_index("ix_${t}_created_${n}", "${t}", ["created_at"], postgresql_concurrently=True)\n`,
    `    with op.get_context().autocommit_block():\n        op.drop_index("ix_${t}_created_${n}", table_name="${t}", postgresql_concurrently=True)\n`,
  ],
  (t, n) => [`    op.add_column("${t}", sa.Column("flag_${n}", sa.Boolean(), nullable=True))\n    op.execute("UPDATE ${t} SET flag_${n} = false WHERE flag_${n} IS NULL")\n`, `    op.drop_column("${t}", "flag_${n}")\n`],
  (t, n) => [
    `    op.add_column("${t}", sa.Column("amount_${n}", sa.Integer(), nullable=True))\n    op.alter_column("${t}", "amount_${n}", type_=sa.Numeric(12, 2), existing_type=sa.Integer(), existing_nullable=True)\n`,
    `    op.drop_column("${t}", "amount_${n}")\n`,
  ],
];

function generate(dir) {
  rmSync(dir, { recursive: true, force: true });
  const versions = path.join(dir, 'migrations', 'versions');
  mkdirSync(versions, { recursive: true });
  writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\n');
  writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
  const files = [];
  for (let n = 0; n < COUNT; n++) {
    const t = TABLES[n % TABLES.length];
    const [up, down] =
      n === 0
        ? [
            TABLES.map((x) => `    op.create_table(\n        "${x}",\n        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),\n        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),\n    )\n`).join(''),
            TABLES.map((x) => `    op.drop_table("${x}")\n`).reverse().join(''),
          ]
        : TEMPLATES[n % TEMPLATES.length](t, n);
    const text = `"""synthetic revision ${n}\n\nRevision ID: ${id(n)}\nRevises: ${n === 0 ? '' : id(n - 1)}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\nrevision = "${id(n)}"\ndown_revision = ${n === 0 ? 'None' : `"${id(n - 1)}"`}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n${up}\n\ndef downgrade():\n${down}`;
    const file = path.join(versions, `${String(n).padStart(5, '0')}_${id(n)}_rev_${n}.py`);
    writeFileSync(file, text);
    files.push(file);
  }
  return files;
}

const project = path.join(out, 'trace-300');
const files = generate(project);
const last5 = files.slice(-5);
const cache = path.join(project, '.cache');
const cli = path.join(root, 'bin', 'migralint.js');
const hasTime = existsSync('/usr/bin/time');

function runOnce() {
  const args = [cli, 'trace', '--format', 'json', ...last5];
  const started = process.hrtime.bigint();
  const res = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', cwd: project, maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', cwd: project, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0 && res.status !== 1) throw new Error(`trace failed (${res.status}): ${res.stderr}`);
  const json = JSON.parse(res.stdout);
  const rss = hasTime ? Number(res.stderr.trim().split('\n').pop()) / 1024 : NaN;
  return { ms, rss, json };
}

const cold = [];
const warm = [];
let last = null;
for (let r = 0; r < rounds; r++) {
  rmSync(cache, { recursive: true, force: true });
  const c = runOnce();
  if (c.json.template !== 'built') throw new Error(`cold run: template ${c.json.template}`);
  cold.push(c);
  const w = runOnce();
  if (w.json.template !== 'cached') throw new Error(`warm run: template ${w.json.template}`);
  warm.push(w);
  last = w.json;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, runs) =>
  `| ${name} | ${median(runs.map((x) => x.ms)).toFixed(0)} ms | ${median(runs.map((x) => x.json.lintMs))} ms | ${median(runs.map((x) => x.json.databaseMs))} ms | ${median(runs.map((x) => x.rss)).toFixed(0)} MB |`;
const templateFiles = existsSync(path.join(cache, 'migralint', 'trace')) ? readdirSync(path.join(cache, 'migralint', 'trace')) : [];
console.log(`trace of the last 5 of ${COUNT} generated Alembic revisions (${last.history.migrations} replayed, ${last.history.statements} history statements, ${last.history.failures.length} failed; ${last.summary.statements} traced statements: ${last.summary.ran} ran, ${last.summary.failed} failed, ${last.summary.notRun} not run); ${rounds} rounds, median; load average ${load()}`);
console.log('| run | wall | read + lint | database ready | peak RSS |');
console.log('|---|---|---|---|---|');
console.log(row('cold (replay history, build template)', cold));
console.log(row('warm (cached template)', warm));
console.log(`template cache: ${templateFiles.length} entr${templateFiles.length === 1 ? 'y' : 'ies'} in ${path.relative(root, path.join(cache, 'migralint', 'trace'))}`);
