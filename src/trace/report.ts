// Text, JSON and Markdown output of a trace.
import path from 'node:path';
import type { Classified } from './classify.js';
import { SNAPSHOT_ROWS_CAP, type TracedStatement, type TraceResult } from './run.js';
import { lockStrength } from '../model/locks.js';
import { plural } from '../reporters/shared.js';
import type { ObservedLock } from './tracer.js';

export const TRACE_FORMATS = ['stylish', 'json', 'markdown'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceCounts {
  statements: number;
  ran: number;
  failed: number;
  notRun: number;
  confirmed: number;
  mismatch: number;
  traceOnly: number;
  staticOnly: number;
  errors: number;
}

export function countTrace(r: TraceResult): TraceCounts {
  const c: TraceCounts = { statements: 0, ran: 0, failed: 0, notRun: 0, confirmed: 0, mismatch: 0, traceOnly: 0, staticOnly: 0, errors: r.findings.length };
  for (const m of r.migrations) {
    for (const b of m.bodies) {
      for (const s of b.statements) {
        if (s.status === 'transaction-control') continue;
        c.statements += 1;
        if (s.status === 'ran' || s.status === 'ran-outside-transaction') c.ran += 1;
        else if (s.status === 'failed') c.failed += 1;
        else c.notRun += 1;
        for (const v of s.verdicts) {
          if (v.verdict === 'confirmed') c.confirmed += 1;
          else if (v.verdict === 'mismatch') c.mismatch += 1;
          else if (v.verdict === 'trace-only') c.traceOnly += 1;
          else c.staticOnly += 1;
          if (v.severity === 'error' && (v.verdict === 'mismatch' || v.verdict === 'trace-only')) c.errors += 1;
        }
      }
    }
  }
  return c;
}

function oneLine(sql: string | null, max = 72): string {
  if (sql === null) return '(not SQL)';
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function lockText(l: ObservedLock): string {
  return `${l.relation}${l.kind === 'table' ? '' : ` (${l.kind})`} ${l.mode}${l.existed ? '' : ' (new)'}`;
}

function observedText(s: TracedStatement): string[] {
  const out: string[] = [];
  const o = s.observed;
  if (o) {
    // The strongest mode per relation (PostgreSQL also lists the weaker ones it took on the way).
    const strongest = new Map<string, ObservedLock>();
    for (const l of o.locks) {
      const had = strongest.get(l.relation);
      if (!had || lockStrength(l.mode) > lockStrength(had.mode)) strongest.set(l.relation, l);
    }
    const kindOrder = { table: 0, view: 1, index: 2, sequence: 3, other: 4 };
    const locks = [...strongest.values()]
      .filter((l) => l.mode !== 'ACCESS SHARE' || l.existed)
      .sort((a, b) => Number(b.existed) - Number(a.existed) || kindOrder[a.kind] - kindOrder[b.kind] || (a.relation < b.relation ? -1 : 1));
    const held = s.heldFor === undefined ? '' : s.heldFor === 0 ? ', released at commit' : `, held through ${s.heldFor} more statement${s.heldFor === 1 ? '' : 's'} until commit`;
    const already = o.held.filter((h) => lockStrength(h.mode) > lockStrength('ACCESS SHARE'));
    out.push(
      locks.length > 0
        ? `locks: ${locks.map(lockText).join(', ')}${held}`
        : already.length > 0
          ? `locks: nothing new (the transaction already holds ${already.map(lockText).join(', ')})`
          : 'locks: none on existing relations',
    );
    if (o.rewritten.length > 0) out.push(`rewrote: ${o.rewritten.join(', ')}`);
    if (o.scanned.length > 0) out.push(`scanned: ${o.scanned.join(', ')}`);
    if (o.lockTimeout !== '0') out.push(`lock_timeout: ${o.lockTimeout}`);
  }
  if (s.failure) out.push(`failed: ${s.failure.message}${s.failure.code ? ` (SQLSTATE ${s.failure.code})` : ''}`);
  if (s.note) out.push(s.note);
  return out;
}

function verdictText(v: Classified): string {
  const who = v.finding ? `${v.finding.ruleId}: ` : '';
  return `${v.verdict}${v.severity === 'error' && v.verdict !== 'confirmed' ? ' (error)' : ''}  ${who}${v.reason}`;
}

export function renderTrace(r: TraceResult, format: TraceFormat, cwd: string): string {
  if (format === 'json') return `${JSON.stringify(toJson(r, cwd), null, 2)}\n`;
  const rel = (f: string) => path.relative(cwd, f) || f;
  const counts = countTrace(r);
  const md = format === 'markdown';
  const lines: string[] = [];
  const db = `${r.database.label}, PostgreSQL ${r.database.version}`;
  const tpl = r.template === 'cached' ? 'history from the cached template' : r.template === 'built' ? 'history replayed, template cached' : 'history replayed';
  lines.push(md ? `## migralint trace` : `migralint trace on ${db}`);
  if (md) lines.push('', `Database: ${db}.`);
  const notRun = r.history.notRun > 0 ? `; ${plural(r.history.notRun, 'statement')} of the history could not run (the schema may lack what they make)` : '';
  if (r.snapshot) {
    const s = r.snapshot;
    const upTo = s.applied.map((a) => (a.upTo === null ? `no applied ${a.framework} migrations recorded (the named ones are taken as pending)` : a.upTo.length > 0 ? `applied up to ${a.upTo.join(', ')}` : 'nothing applied'));
    lines.push(
      `${md ? '' : '  '}schema from snapshot ${s.file} (PostgreSQL ${s.server}${r.template === 'cached' ? '; loaded from the cached template' : ''}): ${plural(s.tables, 'table')}${s.created < s.built ? ` (${s.created} created)` : ''}` +
        `${upTo.length > 0 ? `, ${[...new Set(upTo)].join('; ')}` : ''}; ` +
        `then ${plural(r.history.migrations, 'pending migration')} (${plural(r.history.statements, 'statement')}) replayed before the traced ones, in ${(r.setupMs / 1000).toFixed(2)} s${notRun}`,
    );
    lines.push(
      `${md ? '- ' : '  '}${
        s.whole === null
          ? `${s.built} of ${plural(s.tables, 'table')} built: those the pending migrations name and their foreign-key neighbours`
          : `whole schema: ${s.whole}`
      }`,
    );
    if (s.alreadyApplied.length > 0) {
      const names = s.alreadyApplied.map((f) => path.basename(f));
      const shown = names.length <= 3 ? names.join(', ') : `${names[0]} … ${names.at(-1)}`;
      lines.push(`${md ? '- ' : '  '}not traced: ${plural(names.length, 'named migration')} the snapshot records as applied (${shown})`);
    }
    for (const n of s.notes) lines.push(`${md ? '- ' : '  '}-- migralint: ${n.kind}: ${n.object}: ${n.reason}`);
  } else {
    lines.push(
      `${md ? '' : '  '}${plural(r.history.migrations, 'earlier migration')} (${plural(r.history.statements, 'statement')}) ${tpl} in ${(r.setupMs / 1000).toFixed(2)} s${notRun}`,
    );
  }
  for (const f of r.history.failures) lines.push(`${md ? '- ' : '  '}history: ${rel(f.file)}:${f.line}: ${f.message}`);
  for (const x of r.skipped) lines.push(`${md ? '- ' : '  '}not traced: ${rel(x.dir)} (${x.migrations} ${x.dialect} migration${x.migrations === 1 ? '' : 's'}): trace runs PostgreSQL migrations`);
  // Thousands of snapshot tables filled to their estimates: one line, and each one that failed.
  const estimated = r.rowsFilled.filter((f) => f.fromSnapshot && !f.error);
  if (estimated.length > 0) {
    lines.push(
      `${md ? '- ' : '  '}rows: ${plural(estimated.length, 'table')} the pending migrations meet filled to the snapshot's estimates, at most ${SNAPSHOT_ROWS_CAP.toLocaleString('en-US')} rows each (${estimated.reduce((n, f) => n + f.rows, 0)} rows; --rows table=N for others)`,
    );
  }
  for (const f of r.rowsFilled) {
    if (f.fromSnapshot && !f.error) continue;
    lines.push(`${md ? '- ' : '  '}rows: ${f.table}: ${f.error ? `not filled: ${f.error}` : `${f.rows} rows`}`);
  }
  for (const m of r.migrations) {
    for (const b of m.bodies) {
      lines.push('');
      const head = `${rel(m.migration.file)} (${b.direction}, ${m.migration.transaction.mode === 'none' ? 'no transaction' : 'in a transaction'})`;
      lines.push(md ? `### ${head}` : head);
      if (md && b.statements.length > 0) lines.push('', '| line | statement | observed | verdicts |', '|---|---|---|---|');
      for (const s of b.statements) {
        if (s.status === 'transaction-control') continue;
        const where = `${s.statement.file !== m.migration.file ? `${path.basename(s.statement.file)}:` : ''}${s.statement.loc.line}:${s.statement.loc.column}`;
        if (md) {
          const cell = (t: string) => t.replace(/\|/g, '\\|');
          lines.push(`| ${where} | \`${cell(oneLine(s.statement.sql, 60))}\` | ${cell([s.status, ...observedText(s)].join('; '))} | ${cell(s.verdicts.map(verdictText).join('<br>'))} |`);
        } else {
          lines.push(`  ${where}  ${oneLine(s.statement.sql)}  [${s.status}${s.observed ? `, ${s.observed.ms} ms` : ''}]`);
          for (const t of observedText(s)) lines.push(`      ${t}`);
          for (const v of s.verdicts) lines.push(`      ${verdictText(v)}`);
        }
      }
    }
    if (m.restored && (m.restored.missing.length > 0 || m.restored.extra.length > 0)) {
      lines.push(`${md ? '\n' : '  '}stairway: the downgrade does not restore the schema`);
      for (const x of m.restored.missing) lines.push(`${md ? '- ' : '    '}missing: ${x}`);
      for (const x of m.restored.extra) lines.push(`${md ? '- ' : '    '}left behind: ${x}`);
    } else if (m.restored) lines.push(`${md ? '\n' : '  '}stairway: upgrade, downgrade, upgrade: the downgrade restores the schema`);
  }
  if (r.findings.length > 0) {
    lines.push('', md ? '### Findings' : 'Findings:');
    for (const f of r.findings) lines.push(`${md ? '- ' : '  '}${rel(f.file)}:${f.line}:${f.column}  error  ${f.message}  ${f.ruleId}`);
  }
  lines.push(
    '',
    `${counts.statements} statement${counts.statements === 1 ? '' : 's'}: ${counts.ran} ran, ${counts.failed} failed, ${counts.notRun} not run; ` +
      `findings: ${counts.confirmed} confirmed, ${counts.mismatch} mismatch, ${counts.traceOnly} trace-only, ${counts.staticOnly} static-only; ` +
      `${(r.totalMs / 1000).toFixed(2)} s`,
  );
  return `${lines.join('\n')}\n`;
}

function toJson(r: TraceResult, cwd: string) {
  const rel = (f: string) => path.relative(cwd, f) || f;
  return {
    database: r.database,
    template: r.template,
    history: { ...r.history, failures: r.history.failures.map((f) => ({ ...f, file: rel(f.file) })) },
    rowsFilled: r.rowsFilled,
    ...(r.snapshot ? { snapshot: { ...r.snapshot, applied: r.snapshot.applied.map((a) => ({ ...a, dir: rel(a.dir) })), alreadyApplied: r.snapshot.alreadyApplied.map(rel) } } : {}),
    skipped: r.skipped.map((x) => ({ ...x, dir: rel(x.dir) })),
    migrations: r.migrations.map((m) => ({
      file: rel(m.migration.file),
      revision: m.migration.revision?.value ?? null,
      transaction: m.migration.transaction.mode,
      bodies: m.bodies.map((b) => ({
        direction: b.direction,
        statements: b.statements.map((s) => ({
          file: rel(s.statement.file),
          line: s.statement.loc.line,
          column: s.statement.loc.column,
          sql: s.statement.sql,
          status: s.status,
          ...(s.note ? { note: s.note } : {}),
          ...(s.failure ? { failure: s.failure } : {}),
          ...(s.observed ? { observed: s.observed } : {}),
          ...(s.heldFor !== undefined ? { heldFor: s.heldFor } : {}),
          verdicts: s.verdicts.map((v) => ({
            verdict: v.verdict,
            severity: v.severity,
            reason: v.reason,
            ...(v.finding ? { ruleId: v.finding.ruleId, messageId: v.finding.messageId, line: v.finding.line, message: v.finding.message } : {}),
          })),
        })),
      })),
      ...(m.restored !== undefined ? { restored: m.restored } : {}),
    })),
    findings: r.findings.map((f) => ({ ...f, file: rel(f.file) })),
    summary: countTrace(r),
    setupMs: r.setupMs,
    lintMs: r.lintMs,
    databaseMs: r.databaseMs,
    totalMs: r.totalMs,
  };
}
