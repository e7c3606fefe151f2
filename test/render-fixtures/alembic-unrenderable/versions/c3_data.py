"""data"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

from myapp.types import MyType

revision = "c3"
down_revision = None


def upgrade():
    op.add_column("accounts", sa.Column("score", sa.Integer))
    for tier in ("free", "pro"):
        op.execute("UPDATE accounts SET score = 0 WHERE tier = '%s'" % tier)
    if op.get_context().opts.get("with_flags"):
        op.add_column("accounts", sa.Column("flag", sa.Boolean))
    accounts = sa.table("accounts", sa.column("id", sa.Integer))
    op.bulk_insert(accounts, [{"id": n} for n in range(3)])
    session = Session(bind=op.get_bind())
    session.add(object())
    name = "accounts"
    op.execute(f"ANALYZE {name}")
    op.add_column("accounts", sa.Column("kind", MyType()))
    op.create_index("ix_accounts_score", "accounts", ["score"], postgresql_include=["tier"])
    op.drop_column("accounts", "legacy")
