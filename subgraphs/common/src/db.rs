//! Database connection and migration, for SQLite (the default, nothing to install)
//! and PostgreSQL (production).

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, Statement, Value};
use sea_orm_migration::MigratorTrait;

/// Connects to `url`. For SQLite the file (and its folder) is created when missing,
/// WAL journaling lets readers proceed during a write, and a busy timeout makes
/// concurrent writers wait for each other instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if is_sqlite(url) {
        if let Some(dir) = sqlite_path(url).and_then(|path| std::path::Path::new(path).parent())
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        options.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// Connects and brings the schema up to date with the service's own migrator.
pub async fn connect_and_migrate<M: MigratorTrait>(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    M::up(&db, None).await?;
    Ok(db)
}

pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// The file behind a `sqlite:` URL, or `None` for an in-memory database.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// A SQLite URL for a file under `dir`, as the development run uses (`./data/<service>.db`).
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A statement for `backend` from SQL written with `?` placeholders, rewritten to
/// PostgreSQL's `$1, $2, …` there, so services write one SQL text for both backends.
/// The SQL given here never contains a literal `?` (values always travel as parameters).
pub fn statement(
    backend: DbBackend,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => numbered_placeholders(sql),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/users.db?mode=rwc"),
            Some("data/users.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert!(is_sqlite("sqlite:x.db"));
        assert!(!is_sqlite("postgres://postgres@127.0.0.1/x"));
    }

    #[test]
    fn postgres_gets_numbered_placeholders() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ? AND c > ?"),
            "SELECT a FROM t WHERE b = $1 AND c > $2"
        );
    }

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        let s = statement(
            DbBackend::Postgres,
            "SELECT ? , ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(s.sql, "SELECT $1 , $2");
        let s = statement(DbBackend::Sqlite, "SELECT ?", vec![1.into()]);
        assert_eq!(s.sql, "SELECT ?");
    }
}
