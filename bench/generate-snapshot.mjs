// Generated snapshot tables for the benchmarks (bench/snapshot.mjs, bench/trace-snapshot.mjs): each
// table with 8 columns, 3 indexes and 3 constraints, estimated rows from 10 to 200M. The first
// tables take the given names, the rest are table_NNNN.
export function snapshotTables(count, names = []) {
  const tables = [];
  for (let i = 0; i < count; i++) {
    const name = i < names.length ? names[i] : `table_${String(i).padStart(4, '0')}`;
    const rows = Math.round(10 ** (1 + (i % 8)) * (1 + (i % 3)));
    tables.push({
      name,
      rows,
      bytes: rows * 120 + 8192,
      columns: [
        { name: 'id', type: 'bigint', nullable: false, default: `nextval('${name}_id_seq'::regclass)` },
        { name: 'account_id', type: 'bigint', nullable: false, default: null },
        { name: 'owner_id', type: 'bigint', nullable: true, default: null },
        { name: 'status', type: 'character varying(20)', nullable: false, default: "'active'::character varying" },
        { name: 'payload', type: 'jsonb', nullable: false, default: "'{}'::jsonb" },
        { name: 'amount', type: 'integer', nullable: true, default: null },
        { name: 'created_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
        { name: 'updated_at', type: 'timestamp with time zone', nullable: true, default: null },
      ],
      indexes: [
        { name: `${name}_account_id_idx`, columns: ['account_id'], unique: false, valid: true, partial: false, method: 'btree' },
        { name: `${name}_created_at_idx`, columns: ['created_at'], unique: false, valid: true, partial: false, method: 'btree' },
        { name: `${name}_pkey`, columns: ['id'], unique: true, valid: true, partial: false, method: 'btree' },
      ],
      constraints: [
        { name: `${name}_account_id_fkey`, kind: 'foreign_key', validated: true, columns: ['account_id'], definition: 'FOREIGN KEY (account_id) REFERENCES accounts(id)' },
        { name: `${name}_amount_check`, kind: 'check', validated: true, columns: ['amount'], definition: 'CHECK (amount >= 0)' },
        { name: `${name}_pkey`, kind: 'primary_key', validated: true, columns: ['id'], definition: 'PRIMARY KEY (id)' },
      ],
    });
  }
  return tables;
}
