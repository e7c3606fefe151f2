from alembic import context

config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_offline()
