// Generates N synthetic but realistic Alembic revisions (one linear chain) for benchmarks.
// Usage: node bench/generate.mjs <dir> <count>
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const TEMPLATES = [
  (t, n) => `    op.add_column("${t}", sa.Column("note_${n}", sa.Text(), nullable=True))
    op.create_index(op.f("ix_${t}_note_${n}"), "${t}", ["note_${n}"], unique=False)
`,
  (t, n) => `    op.add_column(
        "${t}",
        sa.Column("status_${n}", sa.String(length=20), nullable=False, server_default=sa.text("'active'")),
    )
`,
  (t, n) => `    op.create_table(
        "${t}_${n}",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("payload", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
`,
  (t, n) => `    with op.get_context().autocommit_block():
        op.create_index("ix_${t}_created_${n}", "${t}", ["created_at"], postgresql_concurrently=True, if_not_exists=True)
`,
  (t, n) => `    op.execute(
        """
        UPDATE ${t}
        SET flag_${n} = false
        WHERE flag_${n} IS NULL
        """
    )
`,
  (t, n) => `    with op.batch_alter_table("${t}") as batch_op:
        batch_op.add_column(sa.Column("code_${n}", sa.String(length=8), nullable=True))
        batch_op.create_unique_constraint("uq_${t}_code_${n}", ["code_${n}"])
`,
  (t, n) => `    op.alter_column("${t}", "amount_${n}", type_=sa.Numeric(12, 2), existing_type=sa.Integer(), existing_nullable=True)
    op.create_foreign_key("fk_${t}_owner_${n}", "${t}", "accounts", ["owner_id"], ["id"], ondelete="CASCADE")
`,
  (t, n) => `    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO settings (key, value) VALUES ('k${n}', 'v') ON CONFLICT DO NOTHING"))
`,
];

const DOWNS = [
  (t, n) => `    op.drop_index(op.f("ix_${t}_note_${n}"), table_name="${t}")\n    op.drop_column("${t}", "note_${n}")\n`,
  (t, n) => `    op.drop_column("${t}", "status_${n}")\n`,
  (t, n) => `    op.drop_table("${t}_${n}")\n`,
  (t, n) => `    with op.get_context().autocommit_block():\n        op.drop_index("ix_${t}_created_${n}", table_name="${t}", postgresql_concurrently=True)\n`,
  () => `    pass\n`,
  (t, n) => `    with op.batch_alter_table("${t}") as batch_op:\n        batch_op.drop_constraint("uq_${t}_code_${n}", type_="unique")\n        batch_op.drop_column("code_${n}")\n`,
  (t, n) => `    op.drop_constraint("fk_${t}_owner_${n}", "${t}", type_="foreignkey")\n    op.alter_column("${t}", "amount_${n}", type_=sa.Integer(), existing_type=sa.Numeric(12, 2))\n`,
  () => `    pass\n`,
];

const TABLES = ['accounts', 'orders', 'invoices', 'events', 'users', 'projects'];

function id(n) {
  return (0x1000_0000_0000 + n * 7919).toString(16).slice(-12);
}

export function generate(dir, count) {
  rmSync(dir, { recursive: true, force: true });
  const versions = path.join(dir, 'migrations', 'versions');
  mkdirSync(versions, { recursive: true });
  writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\n');
  writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
  for (let n = 0; n < count; n++) {
    const k = n % TEMPLATES.length;
    const t = TABLES[n % TABLES.length];
    const text = `"""synthetic revision ${n}

Revision ID: ${id(n)}
Revises: ${n === 0 ? '' : id(n - 1)}
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "${id(n)}"
down_revision: str | None = ${n === 0 ? 'None' : `"${id(n - 1)}"`}
branch_labels = None
depends_on = None


def upgrade() -> None:
${TEMPLATES[k](t, n)}

def downgrade() -> None:
${DOWNS[k](t, n)}`;
    writeFileSync(path.join(versions, `${String(n).padStart(5, '0')}_${id(n)}_rev_${n}.py`), text);
  }
  return versions;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, count] = process.argv.slice(2);
  if (!dir || !count) {
    console.error('usage: node bench/generate.mjs <dir> <count>');
    process.exit(2);
  }
  console.log(generate(path.resolve(dir), Number(count)));
}
