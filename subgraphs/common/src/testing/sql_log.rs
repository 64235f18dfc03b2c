//! The SQL a connection runs, for tests that hold a resolver to a number of
//! statements (a DataLoader must turn N entity lookups into one query).

use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::DatabaseConnection;

/// Every statement run on one connection (pool), in order, recorded through
/// sea-orm's metric callback. Clones share the log.
#[derive(Clone, Default)]
pub struct SqlLog(Arc<Mutex<Vec<String>>>);

impl SqlLog {
    /// Records what `db` runs from now on (replacing any metric callback it had).
    /// Attach before handing the connection to the service: clones made earlier
    /// keep the old callback.
    pub fn attach(db: &mut DatabaseConnection) -> SqlLog {
        let log = SqlLog::default();
        let recorded = log.0.clone();
        db.set_metric_callback(move |info| {
            recorded
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(info.statement.sql.clone());
        });
        log
    }

    /// The `SELECT`s recorded so far.
    pub fn selects(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|sql| is_select(sql))
            .cloned()
            .collect()
    }

    /// The `SELECT`s recorded so far that read `table`: a service's background
    /// tasks (an outbox relay, a sweep) query other tables meanwhile.
    pub fn selects_from(&self, table: &str) -> Vec<String> {
        self.selects()
            .into_iter()
            .filter(|sql| reads(sql, table))
            .collect()
    }
}

fn is_select(sql: &str) -> bool {
    sql.trim_start()
        .get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("SELECT"))
}

/// Whether `sql` names `table` right after a `FROM`, quoted or not.
fn reads(sql: &str, table: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .map(|word| word.trim_matches(['"', '`']).to_ascii_lowercase())
        .collect();
    words
        .windows(2)
        .any(|pair| pair[0] == "from" && pair[1] == table.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_are_told_apart_by_the_table_they_read() {
        let log = SqlLog::default();
        log.0.lock().unwrap().extend(
            [
                r#"SELECT "stock"."product_id" FROM "stock" WHERE "stock"."product_id" IN ($1)"#,
                "select id from outbox where published_at is null",
                r#"UPDATE "stock" SET "available" = "available" - $1"#,
                "  SELECT n FROM stock_history",
            ]
            .map(str::to_owned),
        );
        assert_eq!(log.selects().len(), 3);
        assert_eq!(log.selects_from("stock").len(), 1);
        assert_eq!(log.selects_from("outbox").len(), 1);
    }
}
