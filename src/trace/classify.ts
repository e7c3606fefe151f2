// Each static finding says something about what PostgreSQL will do: a lock mode, a rewrite, a
// full scan, a statement that cannot run in a transaction. The trace observed what it did. This
// module puts the two side by side: confirmed, mismatch, trace-only (the trace saw a dangerous
// lock, rewrite or scan that no finding reported) and static-only (a finding the trace cannot
// check: a naming rule, or a statement that did not run).
import { lockOf, lockStrength } from '../model/locks.js';
import type { LockMode } from '../model/index.js';
import type { Finding } from '../rule-api/index.js';
import type { StatementTrace } from './tracer.js';

/** What a finding claims PostgreSQL does when the statement runs. */
export interface Claim {
  /** The strongest table lock; 'model' = the lock model's prediction for the statement's operations. */
  lock?: LockMode | 'model';
  /** true: the table is rewritten; 'maybe': it depends on something the trace may not reproduce. */
  rewrite?: true | 'maybe';
  /** A full scan of the table (a validation) under the lock. */
  scan?: true;
  /** The statement cannot run inside a transaction block. */
  noTransaction?: true;
}

/** Claims by rule (and message, where a rule's messages claim different things). Rules absent claim nothing the trace can check. */
const CLAIMS: Record<string, Claim | Record<string, Claim>> = {
  'require-lock-timeout': { lock: 'model' },
  'volatile-default': {
    volatileDefault: { lock: 'ACCESS EXCLUSIVE', rewrite: true },
    generatedColumn: { lock: 'ACCESS EXCLUSIVE', rewrite: true },
    maybeVolatile: { lock: 'ACCESS EXCLUSIVE', rewrite: 'maybe' },
    anyDefaultBeforePg11: { lock: 'ACCESS EXCLUSIVE', rewrite: 'maybe' },
  },
  'changing-column-type': {
    typeChange: { lock: 'ACCESS EXCLUSIVE', rewrite: true },
    // PostgreSQL 12+ skips the rewrite when the session's time zone is UTC.
    timestampToTimestamptz: { lock: 'ACCESS EXCLUSIVE', rewrite: 'maybe' },
    unknownOldType: { lock: 'ACCESS EXCLUSIVE', rewrite: 'maybe' },
  },
  'set-not-null': { lock: 'ACCESS EXCLUSIVE', scan: true },
  'constraint-not-valid': {
    foreignKey: { lock: 'SHARE ROW EXCLUSIVE', scan: true },
    check: { lock: 'ACCESS EXCLUSIVE', scan: true },
  },
  'add-not-null-column': { lock: 'ACCESS EXCLUSIVE' },
  // Building the index reads the whole table.
  'require-concurrent-index': { lock: 'SHARE', scan: true },
  'require-concurrent-index-drop': { lock: 'ACCESS EXCLUSIVE' },
  'unique-constraint-without-index': { noIndex: { lock: 'ACCESS EXCLUSIVE', scan: true }, inlineColumn: { lock: 'ACCESS EXCLUSIVE' } },
  'drop-column': { lock: 'ACCESS EXCLUSIVE' },
  'drop-table': { lock: 'ACCESS EXCLUSIVE' },
  'rename-column': { lock: 'ACCESS EXCLUSIVE' },
  'rename-table': { lock: 'ACCESS EXCLUSIVE' },
  'concurrent-index-in-transaction': { noTransaction: true },
};

export function claimOf(f: Pick<Finding, 'ruleId' | 'messageId'>): Claim | null {
  const entry = CLAIMS[f.ruleId];
  if (!entry) return null;
  if ('lock' in entry || 'rewrite' in entry || 'scan' in entry || 'noTransaction' in entry) return entry as Claim;
  return (entry as Record<string, Claim>)[f.messageId] ?? null;
}

export type Verdict = 'confirmed' | 'mismatch' | 'trace-only' | 'static-only';

export interface Classified {
  verdict: Verdict;
  severity: 'error' | 'warn' | 'info';
  /** The finding judged; absent for trace-only. */
  finding?: Finding;
  /** Why, in one sentence. */
  reason: string;
}

/** The strongest lock the statement took on a table or view (new ones included). */
export function strongestTableLock(t: StatementTrace, existingOnly = false): { mode: LockMode; relation: string } | null {
  let best: { mode: LockMode; relation: string } | null = null;
  for (const l of t.observed?.locks ?? []) {
    if (l.kind !== 'table' && l.kind !== 'view') continue;
    if (existingOnly && !l.existed) continue;
    if (!best || lockStrength(l.mode) > lockStrength(best.mode)) best = { mode: l.mode, relation: l.relation };
  }
  return best;
}

/** The strongest lock the lock model predicts for the statement's operations. */
export function modelLock(t: StatementTrace): LockMode | null {
  let best: LockMode | null = null;
  for (const op of t.statement.ops) {
    const lock = lockOf(op);
    for (const mode of lock ? [lock.mode, ...(lock.also ?? []).map((a) => a.mode)] : []) {
      if (!best || lockStrength(mode) > lockStrength(best)) best = mode;
    }
  }
  return best;
}

function judge(f: Finding, claim: Claim, t: StatementTrace): Classified {
  const ran = t.status === 'ran' || t.status === 'ran-outside-transaction';
  if (claim.noTransaction) {
    if (t.status === 'ran-outside-transaction') return { verdict: 'confirmed', severity: 'info', finding: f, reason: 'PostgreSQL refused it inside the transaction block' };
    if (t.status === 'ran') return { verdict: 'mismatch', severity: 'error', finding: f, reason: 'it ran inside the transaction block' };
    return { verdict: 'static-only', severity: 'info', finding: f, reason: `the statement did not run (${t.status})` };
  }
  if (!ran || !t.observed) return { verdict: 'static-only', severity: 'info', finding: f, reason: `the statement did not run (${t.note ?? t.failure?.message ?? t.status})` };
  const o = t.observed;
  const problems: string[] = [];
  const seen: string[] = [];
  if (claim.lock && t.status === 'ran') {
    const want = claim.lock === 'model' ? modelLock(t) : claim.lock;
    const got = strongestTableLock(t, true);
    const already = o.held.find((h) => want && lockStrength(h.mode) >= lockStrength(want));
    if (want && (!got || lockStrength(got.mode) < lockStrength(want)) && already) {
      // Nothing new to take: the lock claim holds through the earlier statement.
      seen.push(`${already.mode} on ${already.relation} already held by an earlier statement`);
    } else if (want) {
      if (!got) problems.push(`claims ${want}, PostgreSQL took no table lock`);
      else if (got.mode !== want) problems.push(`claims ${want}, PostgreSQL took ${got.mode} on ${got.relation}`);
      else seen.push(`${got.mode} on ${got.relation}`);
    }
    if (claim.lock === 'model' && o.lockTimeout !== '0') problems.push(`claims no lock_timeout, but lock_timeout was ${o.lockTimeout}`);
  }
  if (claim.rewrite === true) {
    if (o.rewritten.length === 0) problems.push('claims a rewrite, PostgreSQL rewrote nothing');
    else seen.push(`rewrote ${o.rewritten.join(', ')}`);
  } else if (claim.rewrite === 'maybe' && o.rewritten.length > 0) seen.push(`rewrote ${o.rewritten.join(', ')}`);
  if (claim.scan) {
    if (o.scanned.length === 0 && o.rewritten.length === 0) problems.push('claims a full scan, PostgreSQL scanned no table');
    else seen.push(`scanned ${[...new Set([...o.scanned, ...o.rewritten])].join(', ')}`);
  }
  if (problems.length > 0) return { verdict: 'mismatch', severity: 'error', finding: f, reason: problems.join('; ') };
  return { verdict: 'confirmed', severity: 'info', finding: f, reason: seen.join('; ') || 'as claimed' };
}

/**
 * Judges the findings on one statement, and what the trace saw that none of them claims: a
 * rewrite or a full scan of an existing table (error), or a lock that blocks writes on an existing
 * table with no lock_timeout and no finding at all (warn).
 */
export function classify(t: StatementTrace, findings: readonly Finding[]): Classified[] {
  const out: Classified[] = [];
  const claims: Claim[] = [];
  for (const f of findings) {
    const claim = claimOf(f);
    if (!claim) {
      out.push({ verdict: 'static-only', severity: 'info', finding: f, reason: 'the rule claims nothing a trace can observe' });
      continue;
    }
    claims.push(claim);
    out.push(judge(f, claim, t));
  }
  const o = t.observed;
  if (!o || t.status !== 'ran') return out;
  const existing = new Set(o.locks.filter((l) => l.existed).map((l) => l.relation));
  // TRUNCATE gives the table a new file too, but reads and copies nothing.
  const truncates = t.statement.ops.some((op) => op.kind === 'data_change' && op.action === 'truncate');
  const rewritten = truncates ? [] : o.rewritten.filter((r) => existing.has(r));
  const expectsRewrite = claims.some((c) => c.rewrite);
  if (rewritten.length > 0 && !expectsRewrite) {
    const verdict: Verdict = findings.length > 0 ? 'mismatch' : 'trace-only';
    out.push({ verdict, severity: 'error', reason: `PostgreSQL rewrote ${rewritten.join(', ')}, which no finding claims` });
  }
  const scanned = o.scanned.filter((r) => existing.has(r) && !rewritten.includes(r));
  const lock = strongestTableLock(t, true);
  if (scanned.length > 0 && !claims.some((c) => c.scan || c.rewrite) && lock && lockStrength(lock.mode) >= lockStrength('SHARE')) {
    // A warning: the scan may be a cheap check the server version adds (PostgreSQL 18 verifies new NOT NULL columns).
    const verdict: Verdict = findings.length > 0 ? 'mismatch' : 'trace-only';
    out.push({ verdict, severity: 'warn', reason: `PostgreSQL scanned ${scanned.join(', ')} under ${lock.mode}, which no finding claims` });
  }
  if (findings.length === 0 && rewritten.length === 0 && lock && lockStrength(lock.mode) >= lockStrength('SHARE') && o.lockTimeout === '0') {
    out.push({ verdict: 'trace-only', severity: 'warn', reason: `${lock.mode} on ${lock.relation} with no lock_timeout, and no finding` });
  }
  return out;
}
