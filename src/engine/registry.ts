// Every rule, by id. Keep the keys sorted; test/meta.test.ts checks that this map and rules/ agree.
// Rules are imported statically into one chunk: they are tiny, and loading 17 separate chunks
// lazily cost 13 ms more per run than loading them all at once (bench/run.mjs, 1 file: 126.8 ->
// 113.2 ms median). The registry module itself is still loaded only by commands that need rules.
import type { Rule } from '../rule-api/index.js';
import addNotNullColumn from '../../rules/add-not-null-column.js';
import appModelImport from '../../rules/app-model-import.js';
import appliedMigrationModified from '../../rules/applied-migration-modified.js';
import callbackInvokedEarly from '../../rules/callback-invoked-early.js';
import changingColumnType from '../../rules/changing-column-type.js';
import commitInMigration from '../../rules/commit-in-migration.js';
import concurrentIndexInTransaction from '../../rules/concurrent-index-in-transaction.js';
import constraintNotValid from '../../rules/constraint-not-valid.js';
import dropColumn from '../../rules/drop-column.js';
import dropTable from '../../rules/drop-table.js';
import duplicateRevision from '../../rules/duplicate-revision.js';
import emptyMigration from '../../rules/empty-migration.js';
import expiredWaiver from '../../rules/expired-waiver.js';
import incompleteDowngrade from '../../rules/incomplete-downgrade.js';
import invalidIgnore from '../../rules/invalid-ignore.js';
import irreversibleDowngrade from '../../rules/irreversible-downgrade.js';
import lossyDowngrade from '../../rules/lossy-downgrade.js';
import missingParent from '../../rules/missing-parent.js';
import mixedSchemaData from '../../rules/mixed-schema-data.js';
import multipleHeads from '../../rules/multiple-heads.js';
import parseError from '../../rules/parse-error.js';
import preferBigint from '../../rules/prefer-bigint.js';
import preferIdentity from '../../rules/prefer-identity.js';
import preferJsonb from '../../rules/prefer-jsonb.js';
import preferText from '../../rules/prefer-text.js';
import preferTimestamptz from '../../rules/prefer-timestamptz.js';
import renameColumn from '../../rules/rename-column.js';
import renameTable from '../../rules/rename-table.js';
import requireConcurrentIndex from '../../rules/require-concurrent-index.js';
import requireConcurrentIndexDrop from '../../rules/require-concurrent-index-drop.js';
import requireLockTimeout from '../../rules/require-lock-timeout.js';
import revisionCycle from '../../rules/revision-cycle.js';
import setNotNull from '../../rules/set-not-null.js';
import sqlSyntaxError from '../../rules/sql-syntax-error.js';
import sqliteNeedsBatch from '../../rules/sqlite-needs-batch.js';
import transactionNesting from '../../rules/transaction-nesting.js';
import unboundedDataChange from '../../rules/unbounded-data-change.js';
import uniqueConstraintWithoutIndex from '../../rules/unique-constraint-without-index.js';
import unknownOperation from '../../rules/unknown-operation.js';
import unreviewedAutogenerate from '../../rules/unreviewed-autogenerate.js';
import unusedIgnore from '../../rules/unused-ignore.js';
import unusedWaiver from '../../rules/unused-waiver.js';
import volatileDefault from '../../rules/volatile-default.js';


const rules: Record<string, Rule<string, any>> = {
  'add-not-null-column': addNotNullColumn,
  'app-model-import': appModelImport,
  'applied-migration-modified': appliedMigrationModified,
  'callback-invoked-early': callbackInvokedEarly,
  'changing-column-type': changingColumnType,
  'commit-in-migration': commitInMigration,
  'concurrent-index-in-transaction': concurrentIndexInTransaction,
  'constraint-not-valid': constraintNotValid,
  'drop-column': dropColumn,
  'drop-table': dropTable,
  'duplicate-revision': duplicateRevision,
  'empty-migration': emptyMigration,
  'expired-waiver': expiredWaiver,
  'incomplete-downgrade': incompleteDowngrade,
  'invalid-ignore': invalidIgnore,
  'irreversible-downgrade': irreversibleDowngrade,
  'lossy-downgrade': lossyDowngrade,
  'missing-parent': missingParent,
  'mixed-schema-data': mixedSchemaData,
  'multiple-heads': multipleHeads,
  'parse-error': parseError,
  'prefer-bigint': preferBigint,
  'prefer-identity': preferIdentity,
  'prefer-jsonb': preferJsonb,
  'prefer-text': preferText,
  'prefer-timestamptz': preferTimestamptz,
  'rename-column': renameColumn,
  'rename-table': renameTable,
  'require-concurrent-index': requireConcurrentIndex,
  'require-concurrent-index-drop': requireConcurrentIndexDrop,
  'require-lock-timeout': requireLockTimeout,
  'revision-cycle': revisionCycle,
  'set-not-null': setNotNull,
  'sql-syntax-error': sqlSyntaxError,
  'sqlite-needs-batch': sqliteNeedsBatch,
  'transaction-nesting': transactionNesting,
  'unbounded-data-change': unboundedDataChange,
  'unique-constraint-without-index': uniqueConstraintWithoutIndex,
  'unknown-operation': unknownOperation,
  'unreviewed-autogenerate': unreviewedAutogenerate,
  'unused-ignore': unusedIgnore,
  'unused-waiver': unusedWaiver,
  'volatile-default': volatileDefault,
};


export const ruleIds: readonly string[] = Object.keys(rules);

export function isRuleId(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(rules, id);
}

export async function loadRule(id: string): Promise<Rule<string, any>> {
  const rule = rules[id];
  if (!rule) throw new Error(`Unknown rule ${id}`);
  return rule;
}

export async function loadAllRules(): Promise<Rule<string, any>[]> {
  return ruleIds.map((id) => rules[id]!);
}
