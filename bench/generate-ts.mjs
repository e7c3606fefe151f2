// Writes N generated knex/TypeORM migrations (mixed builders and raw SQL) into a directory.
// Usage: node bench/generate-ts.mjs <dir> [count=1000]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '.cache/bench-ts/migrations';
const count = Number(process.argv[3] ?? 1000);
mkdirSync(dir, { recursive: true });
for (let i = 0; i < count; i++) {
  const ts = String(20200101000000 + i * 100);
  const t = `table_${i % 50}`;
  const body =
    i % 2 === 0
      ? `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('${t}', (t) => {
    t.string('col_${i}', 100).nullable();
    t.integer('n_${i}').defaultTo(0).notNullable();
    t.index(['col_${i}'], '${t}_col_${i}_idx');
  });
  await knex.raw(\`UPDATE ${t} SET n_${i} = 1 WHERE id < \${1000}\`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('${t}', (t) => {
    t.dropColumn('col_${i}');
    t.dropColumn('n_${i}');
  });
}
`
      : `exports.up = function (knex) {
  return knex.schema.createTable('${t}_${i}', (t) => {
    t.bigIncrements('id');
    t.text('name').notNullable();
    t.timestamps(true, true);
  }).then(() => knex.raw('CREATE INDEX ${t}_${i}_name ON ${t}_${i} (name)'));
};

exports.down = function (knex) {
  return knex.schema.dropTable('${t}_${i}');
};
`;
  writeFileSync(path.join(dir, `${ts}_migration_${i}.${i % 2 === 0 ? 'ts' : 'js'}`), body);
}
console.log(`wrote ${count} migrations to ${dir}`);
