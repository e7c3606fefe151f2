"""column options

One column declares index=True: Alembic creates the indexes of a new table in no fixed order.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "c3"
down_revision = "b2"


def upgrade():
    op.add_column("members", sa.Column("handle", sa.Text(), unique=True))
    op.add_column("members", sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False))
    op.add_column("members", sa.Column("total", sa.Integer(), sa.Computed("balance * 2")))
    op.add_column("members", sa.Column("prefs", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column("members", sa.Column("note", sa.Text(), comment="free text"))
    op.add_column("members", sa.Column("Nick", sa.String(20)))
    op.add_column("members", sa.Column("hidden", sa.Boolean(), server_default=sa.false()))
    op.add_column("members", sa.Column("rank", sa.Integer(), server_default="0"), schema="audit")
    op.create_table(
        "badges",
        sa.Column("id", sa.Integer(), sa.Identity(start=10, increment=5)),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("label", sa.Text(), index=True, comment="shown to users"),
        sa.PrimaryKeyConstraint("id", name="pk_badges"),
        comment="badges members earn",
    )
    op.create_foreign_key(None, "members", "badges", ["rank"], ["id"], onupdate="CASCADE", deferrable=True, initially="DEFERRED")
    op.create_unique_constraint(None, "badges", ["label", "code"])
    op.drop_index("ix_badges_label", table_name="badges", schema="audit")
    op.create_check_constraint("ck_badges_code", "badges", sa.text("code <> ''"))
    op.alter_column("members", "note", comment="longer text", existing_type=sa.Text(), new_column_name="remark")


def downgrade():
    op.drop_table("badges")
