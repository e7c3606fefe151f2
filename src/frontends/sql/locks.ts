// The table lock PostgreSQL takes for statements and ALTER TABLE subcommands that have no
// dedicated model operation (those get `sql` operations with this `lock`).
//
// Sources: PostgreSQL's AlterTableGetLockLevel() (src/backend/commands/tablecmds.c) and the
// ALTER TABLE reference ("An ACCESS EXCLUSIVE lock is acquired unless explicitly noted"), the
// "Explicit Locking" chapter (13.3.1, table-level lock modes), and the reference pages of CLUSTER,
// VACUUM, REINDEX, LOCK, REFRESH MATERIALIZED VIEW, CREATE TRIGGER, CREATE STATISTICS, COMMENT.
//
// ALTER TABLE subcommand                                   lock
// -------------------------------------------------------  ----------------------
// SET STATISTICS, SET/RESET (attribute_option),            SHARE UPDATE EXCLUSIVE
//   CLUSTER ON, SET WITHOUT CLUSTER, VALIDATE CONSTRAINT,
//   ATTACH PARTITION (on the parent; ACCESS EXCLUSIVE on
//   the partition), DETACH PARTITION CONCURRENTLY,
//   DETACH PARTITION ... FINALIZE
// SET/RESET (storage_parameter) when every parameter is    SHARE UPDATE EXCLUSIVE
//   fillfactor, toast_tuple_target, parallel_workers,
//   an autovacuum_* / toast.autovacuum_* / vacuum_*
//   parameter or log_autovacuum_min_duration
// ENABLE/DISABLE TRIGGER (any form)                        SHARE ROW EXCLUSIVE
// ADD FOREIGN KEY (also on the referenced table)           SHARE ROW EXCLUSIVE
// everything else: SET TABLESPACE, SET LOGGED/UNLOGGED,    ACCESS EXCLUSIVE
//   SET ACCESS METHOD, SET STORAGE, SET COMPRESSION,
//   OWNER TO, REPLICA IDENTITY, [NO] INHERIT, [NOT] OF,
//   ENABLE/DISABLE RULE, ROW LEVEL SECURITY, identity and
//   generated-column changes, ALTER CONSTRAINT, DETACH
//   PARTITION (plain), other storage parameters, OPTIONS
//
// Other statements (the `sql` operation's `lock`, on the table it names):
// CLUSTER, VACUUM FULL, REFRESH MATERIALIZED VIEW,         ACCESS EXCLUSIVE
//   CREATE RULE, CREATE POLICY / ALTER POLICY, DROP TRIGGER / POLICY / RULE,
//   ALTER TABLE ... RENAME CONSTRAINT
// REFRESH MATERIALIZED VIEW CONCURRENTLY                   EXCLUSIVE
// CREATE TRIGGER                                           SHARE ROW EXCLUSIVE
// REINDEX (TABLE, INDEX, SCHEMA...)                        SHARE on the table ("locks out writes
//                                                          but not reads of the index's parent
//                                                          table"), plus ACCESS EXCLUSIVE on each
//                                                          index, which blocks planning of
//                                                          queries on the table
// REINDEX ... CONCURRENTLY, VACUUM (not FULL), ANALYZE,    SHARE UPDATE EXCLUSIVE
//   CREATE STATISTICS, COMMENT ON TABLE/COLUMN,
//   ALTER INDEX ... RENAME
// LOCK TABLE                                               the mode given (ACCESS EXCLUSIVE when none)
import type { AlterTableCmd, Node } from '@pgsql/types';
import type { LockMode } from '../../model/types.js';

const SHARE_UPDATE_EXCLUSIVE_SUBTYPES = new Set([
  'AT_SetStatistics',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_ValidateConstraint',
  'AT_AttachPartition',
  'AT_DetachPartitionFinalize',
]);

const SHARE_ROW_EXCLUSIVE_SUBTYPES = new Set([
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_EnableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrig',
  'AT_DisableTrigAll',
  'AT_DisableTrigUser',
]);

/** Storage parameters whose change takes only SHARE UPDATE EXCLUSIVE (reloptions.c). */
const LIGHT_RELOPTION = /^(?:toast\.)?(?:autovacuum_\w+|vacuum_\w+|log_autovacuum_min_duration|fillfactor|toast_tuple_target|parallel_workers)$/;

/** The lock an ALTER TABLE subcommand takes on the altered table. */
export function alterTableLock(cmd: AlterTableCmd): LockMode {
  const subtype = cmd.subtype ?? '';
  if (SHARE_UPDATE_EXCLUSIVE_SUBTYPES.has(subtype)) return 'SHARE UPDATE EXCLUSIVE';
  if (SHARE_ROW_EXCLUSIVE_SUBTYPES.has(subtype)) return 'SHARE ROW EXCLUSIVE';
  if (subtype === 'AT_DetachPartition') {
    const def = cmd.def;
    return def && 'PartitionCmd' in def && def.PartitionCmd.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  }
  if (subtype === 'AT_SetRelOptions' || subtype === 'AT_ResetRelOptions') {
    const def = cmd.def;
    const items: Node[] = def && 'List' in def ? (def.List.items ?? []) : [];
    const names = items.map((x) =>
      'DefElem' in x ? `${x.DefElem.defnamespace ? `${x.DefElem.defnamespace}.` : ''}${x.DefElem.defname ?? ''}` : '',
    );
    return names.length > 0 && names.every((x) => LIGHT_RELOPTION.test(x)) ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  }
  if (subtype === 'AT_AddConstraint') {
    const def = cmd.def;
    if (def && 'Constraint' in def && def.Constraint.contype === 'CONSTR_FOREIGN') return 'SHARE ROW EXCLUSIVE';
  }
  return 'ACCESS EXCLUSIVE';
}

/** LOCK TABLE's numeric mode (lockdefs.h: 1 AccessShareLock ... 8 AccessExclusiveLock). */
export function lockModeFromNumber(mode: number | undefined): LockMode {
  switch (mode) {
    case 1:
      return 'ACCESS SHARE';
    case 2:
      return 'ROW SHARE';
    case 3:
      return 'ROW EXCLUSIVE';
    case 4:
      return 'SHARE UPDATE EXCLUSIVE';
    case 5:
      return 'SHARE';
    case 6:
      return 'SHARE ROW EXCLUSIVE';
    case 7:
      return 'EXCLUSIVE';
    default:
      return 'ACCESS EXCLUSIVE';
  }
}
