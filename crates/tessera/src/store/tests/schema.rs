//! Both engines' schemas, read back from the databases and compared: the same
//! tables, columns, keys and indexes, in types of the same meaning.

use std::collections::BTreeSet;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{PgPool, SqlitePool};

use super::engines::TestDb;

/// A schema as lines such as `column users.id integer not null`.
type Schema = BTreeSet<String>;

/// A foreign key: column, target table, target column, action on delete.
type ForeignKey = (String, String, String, String);

#[tokio::test]
async fn both_engines_have_the_same_schema() {
    let (sqlite_db, postgres_db) = (TestDb::sqlite(), TestDb::postgres().await);
    for db in [&sqlite_db, &postgres_db] {
        db.open().await.close().await;
    }
    let sqlite = SqlitePoolOptions::new()
        .connect(&sqlite_db.url)
        .await
        .unwrap();
    let postgres = PgPoolOptions::new()
        .connect(&postgres_db.url)
        .await
        .unwrap();
    let (lite, pg) = (
        sqlite_schema(&sqlite).await,
        postgres_schema(&postgres).await,
    );
    sqlite.close().await;
    postgres.close().await;

    let only_sqlite: Vec<&String> = lite.difference(&pg).collect();
    let only_postgres: Vec<&String> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:#?}\nonly on Postgres: {only_postgres:#?}"
    );
    assert!(lite.contains("column users.created_at integer not null"));
}

/// A column type by meaning: both engines' integers are 64-bit (SQLite's
/// INTEGER always; Postgres' BIGINT).
fn meaning(column_type: &str) -> String {
    match column_type.to_lowercase().as_str() {
        "integer" | "bigint" => "integer".to_owned(),
        other => other.to_owned(),
    }
}

/// An index key by meaning: both spell "ignoring letter case" their own way
/// (SQLite's NOCASE collation, Postgres' `lower(… COLLATE "C")`).
fn key(column: &str, sqlite_collation: Option<&str>) -> String {
    let folded = column
        .strip_prefix("lower(")
        .and_then(|rest| rest.strip_suffix(" COLLATE \"C\")"));
    match (folded, sqlite_collation) {
        (Some(column), _) => format!("{column} ignoring case"),
        (None, Some(collation)) if collation.eq_ignore_ascii_case("nocase") => {
            format!("{column} ignoring case")
        }
        (None, _) => column.to_owned(),
    }
}

/// An index line: unique indexes are described by their keys alone, since
/// SQLite names the index of a `UNIQUE` column itself.
fn index(table: &str, name: &str, unique: bool, keys: &[String]) -> String {
    let keys = keys.join(", ");
    if unique {
        format!("unique index {table} ({keys})")
    } else {
        format!("index {table}.{name} ({keys})")
    }
}

/// A foreign key line, from `(column, target table, target column, on delete)`.
fn foreign_key(table: &str, (column, target, target_column, on_delete): &ForeignKey) -> String {
    let on_delete = on_delete.to_lowercase();
    format!("foreign key {table}.{column} -> {target}.{target_column} on delete {on_delete}")
}

async fn sqlite_schema(pool: &SqlitePool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in &tables {
        schema.insert(format!("table {table}"));
        let columns: Vec<(String, String, bool, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut primary: Vec<(i64, &str)> = Vec::new();
        for (name, column_type, not_null, pk) in &columns {
            // A primary key is NOT NULL on Postgres, and Tessera writes none
            // NULL on SQLite (which would let a non-integer one be).
            let null = if *not_null || *pk > 0 {
                "not null"
            } else {
                "null"
            };
            schema.insert(format!(
                "column {table}.{name} {} {null}",
                meaning(column_type)
            ));
            if *pk > 0 {
                primary.push((*pk, name));
            }
        }
        primary.sort_unstable();
        let primary: Vec<&str> = primary.into_iter().map(|(_, name)| name).collect();
        schema.insert(format!("primary key {table} ({})", primary.join(", ")));

        // Primary keys are described above; SQLite has no index for an
        // INTEGER one.
        let indexes: Vec<(String, bool)> = sqlx::query_as(
            "SELECT name, \"unique\" FROM pragma_index_list($1) WHERE origin <> 'pk'",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for (name, unique) in &indexes {
            let keys: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT name, coll FROM pragma_index_xinfo($1) WHERE key = 1 ORDER BY seqno",
            )
            .bind(name)
            .fetch_all(pool)
            .await
            .unwrap();
            let keys: Vec<String> = keys
                .iter()
                .map(|(column, collation)| key(column, collation.as_deref()))
                .collect();
            schema.insert(index(table, name, *unique, &keys));
        }

        let foreign: Vec<ForeignKey> = sqlx::query_as(
            "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list($1)",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        schema.extend(foreign.iter().map(|key| foreign_key(table, key)));
    }
    schema
}

async fn postgres_schema(pool: &PgPool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in &tables {
        schema.insert(format!("table {table}"));
        let columns: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable = 'NO' \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for (name, column_type, not_null) in &columns {
            let null = if *not_null { "not null" } else { "null" };
            schema.insert(format!(
                "column {table}.{name} {} {null}",
                meaning(column_type)
            ));
        }

        // Every index's key columns (or expressions), in order.
        let indexes: Vec<(String, bool, bool, Vec<String>)> = sqlx::query_as(
            "SELECT c.relname::text, i.indisunique, i.indisprimary, \
             ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) \
                   FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = $1::regclass",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for (name, unique, primary, keys) in &indexes {
            let keys: Vec<String> = keys.iter().map(|column| key(column, None)).collect();
            if *primary {
                schema.insert(format!("primary key {table} ({})", keys.join(", ")));
            } else {
                schema.insert(index(table, name, *unique, &keys));
            }
        }

        let foreign: Vec<ForeignKey> = sqlx::query_as(
            "SELECT a.attname::text, t.relname::text, ta.attname::text, \
             CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'a' THEN 'no action' \
             ELSE c.confdeltype::text END \
             FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.confrelid \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = c.confkey[1] \
             WHERE c.contype = 'f' AND c.conrelid = $1::regclass",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        schema.extend(foreign.iter().map(|key| foreign_key(table, key)));
    }
    schema
}
