import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'early';
export type Options = Record<string, never>;

/**
 * The reason prefix of the `unknown` operations a front end records for a completion callback
 * called where it should have been passed (`db.runSql(sql, callback())`). The model has no field
 * for it; src/frontends/ts/dbmigrate.ts writes the same literal.
 */
export const EARLY_CALLBACK_PREFIX = 'callback invoked early:';

export default defineRule<MessageIds, Options>({
  id: 'callback-invoked-early',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Disallow calling a migration\'s completion callback where it should be passed',
    docs: {
      why:
        'A callback-style db-migrate migration tells the runner it has finished by calling its callback. ' +
        'Writing `db.runSql(sql, callback())` instead of `db.runSql(sql, callback)` calls it at once: db-migrate ' +
        'records the migration as applied and moves on (committing, starting the next one) before the SQL has ' +
        'finished, and an error in that SQL no longer stops anything, so a failed migration is recorded as done. ' +
        'The mistake is easy to miss in review because the migration usually works on an empty development database.',
      bad: 'A db-migrate migration `exports.up = function (db, cb) { db.runSql(`ALTER TABLE users ADD COLUMN plan text`, cb()); };` (see test/rules/callback-invoked-early.test.ts).',
      good: 'The same migration passing the callback itself: `db.runSql(`ALTER TABLE users ADD COLUMN plan text`, cb);`, or an `async function (db)` that awaits db.runSql.',
    },
    help: 'Pass the callback itself (`cb`, not `cb()`), or write the migration as an async function that awaits each call.',
    messages: {
      early: 'The callback {{callee}} is invoked here instead of passed ({{detail}}); the runner is told the migration finished before it has.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const body of [migration.upgrade, migration.downgrade]) {
      for (const op of body.operations) {
        if (op.kind === 'unknown' && op.reason.startsWith(EARLY_CALLBACK_PREFIX)) {
          ctx.report({ messageId: 'early', at: op, data: { callee: op.callee, detail: op.reason.slice(EARLY_CALLBACK_PREFIX.length).trim() } });
        }
      }
    }
  },
});
