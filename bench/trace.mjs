// Times `migralint trace` on the last 5 revisions of a generated 300-revision Alembic project:
// cold (nothing cached: PGlite starts empty and replays the 295 earlier revisions, then caches the
// template) and warm (the template for that history, and what lint read, are in .cache/migralint).
// Per run: wall time, CPU time (user + system, the steadier figure on a shared machine), peak RSS,
// and the trace's own "read + lint" and "database ready" (PGlite started with the history in
// place) from its JSON; and, for this build, a run whose history has no template but the empty
// database has one (what the first trace after a merged migration meets). Commands are interleaved round by round; with --base <dir> (a checkout of
// another build, built) the same two runs of that build join them, on their own copy of the project.
// Usage: node bench/trace.mjs [--rounds 3] [--base /path/to/checkout]   (build first: npm run build)
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, header, median, runOnce } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const rounds = Number(arg('--rounds', '3'));
const base = arg('--base', null);
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
const last5 = files.slice(-5).map((f) => path.relative(project, f));
const builds = [{ label: '', root, project }];
if (base) {
  const copy = path.join(out, 'trace-300-base');
  rmSync(copy, { recursive: true, force: true });
  cpSync(project, copy, { recursive: true });
  builds.unshift({ label: ' (base)', root: path.resolve(base), project: copy });
}

const commands = [];
for (const b of builds) {
  const cmd = { cmd: process.execPath, args: [path.join(b.root, 'bin', 'migralint.js'), 'trace', '--format', 'json', ...last5], cwd: b.project };
  commands.push({ ...cmd, name: `cold${b.label}`, expect: 'built', before: () => rmSync(path.join(b.project, '.cache'), { recursive: true, force: true }) });
  // The history changed (a migration was merged): no template for it, but the empty database's
  // template from an earlier run is there (builds that keep one).
  if (!b.label) commands.push({ ...cmd, name: 'new history (empty database cached)', expect: 'built', before: () => dropHistoryTemplates(b.project) });
  commands.push({ ...cmd, name: `warm${b.label}`, expect: 'cached' });
}

function dropHistoryTemplates(dir) {
  const cache = path.join(dir, '.cache', 'migralint', 'trace');
  const entries = readdirSync(cache).map((e) => path.join(cache, e));
  // The empty database's template is the oldest: the cold run writes it first, and later runs
  // only read it.
  const written = (e) => statSync(path.join(e, 'data.template')).mtimeMs;
  const oldest = entries.reduce((a, b) => (written(a) <= written(b) ? a : b));
  for (const e of entries) if (e !== oldest) rmSync(e, { recursive: true, force: true });
}
// Cold, then new history, then warm within a round (each needs what the one before cached); the
// builds alternate which goes first.
const samples = new Map(commands.map((c) => [c.name, []]));
const ofBuild = builds.map((b) => commands.filter((c) => c.cwd === b.project));
let last = null;
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < builds.length; i++) {
    for (const c of ofBuild[(i + r) % builds.length]) {
      const s = runOnce(c, c.cwd);
      const json = JSON.parse(s.stdout);
      if (json.template !== c.expect) throw new Error(`${c.name}: template ${json.template}, expected ${c.expect}`);
      samples.get(c.name).push({ ...s, json });
      last = json;
    }
  }
}
const med = (name, f) => median(samples.get(name).map(f));
console.log(header(`trace of the last 5 of ${COUNT} generated Alembic revisions`, rounds));
console.log(`${last.history.migrations} replayed, ${last.history.statements} history statements, ${last.history.failures.length} failed; ${last.summary.statements} traced statements: ${last.summary.ran} ran, ${last.summary.failed} failed, ${last.summary.notRun} not run; medians`);
console.log('| run | wall | CPU | read + lint | database ready | peak RSS |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const c of commands) {
  console.log(`| ${c.name} | ${med(c.name, (x) => x.ms).toFixed(0)} ms | ${med(c.name, (x) => x.cpuMs).toFixed(0)} ms | ${med(c.name, (x) => x.json.lintMs)} ms | ${med(c.name, (x) => x.json.databaseMs)} ms | ${med(c.name, (x) => x.rssMb).toFixed(0)} MB |`);
}
const cacheDir = path.join(project, '.cache', 'migralint', 'trace');
const entries = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
console.log(`template cache: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} in ${path.relative(root, cacheDir)}`);
