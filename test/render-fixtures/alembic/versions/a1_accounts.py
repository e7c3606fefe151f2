"""accounts"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "a1"
down_revision = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200), nullable=False, unique=True),
        sa.Column("name", sa.String(length=50), server_default="anon"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("balance", sa.Numeric(10, 2)),
        sa.Column("external_id", postgresql.UUID(as_uuid=True)),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE")),
        sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
        sa.Column("tags", postgresql.ARRAY(sa.Text)),
        sa.Column("order", sa.SmallInteger),
        sa.CheckConstraint("balance >= 0", name="ck_accounts_balance"),
        sa.UniqueConstraint("name", "external_id", name="uq_accounts_name_external"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime()),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_events_account", ondelete="SET NULL"),
        schema="audit",
    )
    op.create_index("ix_accounts_lower_email", "accounts", [sa.text("lower(email)")], unique=True)
    op.execute("INSERT INTO accounts (email) VALUES ('root@example.com')")


def downgrade():
    op.drop_index("ix_accounts_lower_email", table_name="accounts")
    op.drop_table("events", schema="audit")
    op.drop_table("accounts")
