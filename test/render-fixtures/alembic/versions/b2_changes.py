"""changes"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False, server_default="free"))
    op.add_column("accounts", sa.Column("seen_at", sa.DateTime()))
    op.add_column("accounts", sa.Column("owner_id", sa.Integer, sa.ForeignKey("accounts.id"), index=True))
    op.drop_column("accounts", "order")
    op.alter_column("accounts", "name", type_=sa.String(100), existing_type=sa.String(50), nullable=False, server_default=None)
    op.alter_column("accounts", "balance", type_=sa.Numeric(12, 2), postgresql_using="balance::numeric(12, 2)")
    op.alter_column("accounts", "tier", server_default="basic")
    op.alter_column("accounts", "seen_at", new_column_name="last_seen_at")
    op.create_foreign_key("fk_accounts_owner", "accounts", "accounts", ["owner_id"], ["id"], postgresql_not_valid=True)
    op.create_check_constraint("ck_accounts_tier", "accounts", "tier <> ''", postgresql_not_valid=True)
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])
    op.drop_constraint("uq_accounts_name_external", "accounts", type_="unique")
    op.create_index("ix_accounts_tier", "accounts", ["tier"], postgresql_where=sa.text("tier <> 'free'"), postgresql_using="btree")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text()))
        batch_op.alter_column("note", nullable=False)
        batch_op.drop_column("note")
    op.rename_table("accounts", "members")
    op.execute("UPDATE members SET tier = 'free' WHERE tier IS NULL")
    with op.get_context().autocommit_block():
        op.create_index("ix_members_email", "members", ["email"], postgresql_concurrently=True)
    op.drop_index("ix_accounts_tier", table_name="members")


def downgrade():
    op.rename_table("members", "accounts")
    op.drop_constraint("fk_accounts_owner", "accounts", type_="foreignkey")
    op.drop_column("accounts", "owner_id")
    op.drop_column("accounts", "tier")
