import { baseName } from '../src/model/index.js';
import type { Migration } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';
import type { LockEntry } from '../src/rule-api/index.js';

export type MessageIds = 'modified' | 'removed';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'applied-migration-modified',
  scope: 'project',
  meta: {
    type: 'problem',
    description: 'Disallow editing or deleting migrations recorded in the lock file',
    docs: {
      why:
        'A migration that already ran somewhere will not run again there: editing it changes what fresh ' +
        'databases get but not what production has, and the two drift apart without any error. Alembic keeps no ' +
        'checksums, so nothing else notices. `migralint lock` records a checksum of every released migration in ' +
        'migralint.lock; any later edit or deletion is reported here. Line endings and a BOM do not count.',
      bad: 'A revision edited after `migralint lock` recorded it (see the lock tests).',
      good: 'A new revision that fixes the old one, leaving the locked file as it was.',
    },
    help: 'Revert the edit and write a new revision that makes the change; if the edit is deliberate, run `migralint lock` again and say why in the pull request.',
    messages: {
      modified: 'Migration {{revision}} was changed after it was locked ({{change}}).',
      removed: 'Migration {{path}} is in the lock file but no longer exists.',
    },
    defaultOptions: {},
  },
  check(ctx, project) {
    const lock = project.lock;
    if (!lock) return;
    const all = project.sets.flatMap((s) => s.set.migrations);
    // Every file of a migration is locked: its own and its companions (a .down.sql, metadata.toml).
    const byFile = new Map<string, { file: string; source: string; migration: Migration }>();
    for (const m of all) {
      byFile.set(m.file, { file: m.file, source: m.source, migration: m });
      for (const c of m.companions) byFile.set(c.file, { file: c.file, source: c.source, migration: m });
    }
    const byRevision = new Map<string, Migration[]>();
    for (const m of all) {
      if (!m.revision) continue;
      const list = byRevision.get(m.revision.value) ?? [];
      list.push(m);
      byRevision.set(m.revision.value, list);
    }
    const inComplete = (file: string) => project.completeDirs.some((d) => file.startsWith(d.endsWith('/') ? d : `${d}/`));

    for (const entry of lock.entries) {
      let current = byFile.get(entry.file);
      if (!current) {
        // A moved file is the same migration when its revision id and content are unchanged.
        const moved = entry.revision ? byRevision.get(entry.revision) : undefined;
        if (moved && moved.some((m) => project.fingerprint(m.source).sha256 === entry.sha256)) continue;
        if (moved?.length === 1 && !lock.entries.some((e) => e.file === moved[0]!.file)) {
          current = { file: moved[0]!.file, source: moved[0]!.source, migration: moved[0]! };
        }
      }
      if (!current) {
        if (!inComplete(entry.file)) continue;
        ctx.report({ messageId: 'removed', file: entry.file, at: { line: 1, column: 1, endLine: 1, endColumn: 1 }, data: { path: entry.path } });
        continue;
      }
      const now = project.fingerprint(current.source);
      if (now.sha256 === entry.sha256) continue;
      const change = changedRange(entry, now.lines);
      const line = Math.max(1, Math.min(change.first, now.lines.length || 1));
      const m = current.migration;
      ctx.report({
        messageId: 'modified',
        file: current.file,
        migration: m,
        at: { line, column: 1, endLine: Math.max(line, change.last), endColumn: 1 },
        data: { revision: m.revision ? m.revision.value : baseName(current.file), change: change.text },
      });
    }
  },
});

/** The first and last changed line of the current file, from per-line fingerprints: common prefix and suffix. */
function changedRange(entry: LockEntry, lines: string[]): { first: number; last: number; text: string } {
  const old = entry.lines;
  let prefix = 0;
  while (prefix < old.length && prefix < lines.length && old[prefix] === lines[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < old.length - prefix &&
    suffix < lines.length - prefix &&
    old[old.length - 1 - suffix] === lines[lines.length - 1 - suffix]
  ) {
    suffix++;
  }
  const first = prefix + 1;
  const last = lines.length - suffix;
  if (old.length === lines.length && prefix === old.length) {
    // Same lines but a different checksum: an encoding-level change such as trailing whitespace at the end of file.
    return { first: 1, last: 1, text: 'content changed' };
  }
  if (last < first) return { first: Math.max(1, prefix), last: Math.max(1, prefix), text: `lines removed after line ${prefix}` };
  const removed = old.length - prefix - suffix;
  const span = first === last ? `line ${first}` : `lines ${first}-${last}`;
  return { first, last, text: removed === 0 ? `${span} added` : `${span} changed` };
}
