//! The `products` table and its search index.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite: `seq` is an explicit rowid alias, so the FTS5 external-content table can
/// point at rows by a rowid that `VACUUM` never renumbers. `bm25` ranks with the
/// column weights given at query time; the triggers keep the index in step with
/// every insert, update and delete, so no code path can forget to.
const SQLITE: &[&str] = &[
    "CREATE TABLE products (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sku TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
        currency TEXT NOT NULL,
        weight_grams INTEGER NOT NULL CHECK (weight_grams >= 0),
        category TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE INDEX products_category_id ON products (category, id)",
    "CREATE VIRTUAL TABLE products_fts USING fts5(
        name, description,
        content = 'products', content_rowid = 'seq',
        tokenize = 'porter unicode61'
    )",
    "CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
        INSERT INTO products_fts (rowid, name, description)
        VALUES (new.seq, new.name, new.description);
    END",
    "CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
        INSERT INTO products_fts (products_fts, rowid, name, description)
        VALUES ('delete', old.seq, old.name, old.description);
    END",
    "CREATE TRIGGER products_fts_update AFTER UPDATE ON products BEGIN
        INSERT INTO products_fts (products_fts, rowid, name, description)
        VALUES ('delete', old.seq, old.name, old.description);
        INSERT INTO products_fts (rowid, name, description)
        VALUES (new.seq, new.name, new.description);
    END",
];

/// PostgreSQL: the weighted vector is a generated column (name = A, description =
/// B), so it is always in step with the row without triggers.
const POSTGRES: &[&str] = &[
    "CREATE TABLE products (
        id TEXT PRIMARY KEY,
        sku TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
        currency TEXT NOT NULL,
        weight_grams INTEGER NOT NULL CHECK (weight_grams >= 0),
        category TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', name), 'A') ||
            setweight(to_tsvector('english', description), 'B')
        ) STORED
    )",
    "CREATE INDEX products_category_id ON products (category, id)",
    "CREATE INDEX products_search ON products USING GIN (search)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Sqlite => SQLITE,
            DbBackend::Postgres => POSTGRES,
            other => {
                return Err(DbErr::Migration(format!(
                    "products supports SQLite and PostgreSQL, not {other:?}"
                )));
            }
        };
        let db = manager.get_connection();
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("DROP TABLE IF EXISTS products_fts")
                .await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS products")
            .await?;
        Ok(())
    }
}
