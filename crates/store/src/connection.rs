//! Connections to the one database Histo runs on: SQLite (a file, the default) or PostgreSQL, chosen by
//! the URL's scheme — never by trial, since SQLite would take any string as a file name.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::StoreError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// WAL lets readers go on while the writer commits; `synchronous=FULL` makes every commit survive a
/// power cut, not only a crash of Histo.
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                            PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Runs the same code against whichever connection is open; each arm is type-checked on its own.
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::connection::DbConnection::Sqlite($c) => $body,
            $crate::connection::DbConnection::Postgres($c) => $body,
        }
    };
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A parsed `HISTO_DATABASE_URL`: `postgres://…`/`postgresql://…`, or a SQLite file given as a path
/// or as `sqlite://path`. Whatever else looks like a scheme (`postgress://…`, `sqlite:/x`) is refused,
/// as is a file in a folder that does not exist: a typo must not become a new, empty database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    target: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(StoreError::BadUrl("the database URL is empty".into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let looks_like_a_scheme = path.split_once(':').is_some_and(|(scheme, _)| {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
        if looks_like_a_scheme {
            return Err(StoreError::BadUrl(format!(
                "'{url}' is neither postgres://… nor a SQLite file (a path, or sqlite://path)"
            )));
        }
        if path.is_empty() {
            return Err(StoreError::BadUrl("the SQLite file path is empty".into()));
        }
        let folder = std::path::Path::new(path)
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty());
        if folder.is_some_and(|folder| !folder.is_dir()) {
            return Err(StoreError::BadUrl(format!(
                "the folder of the SQLite file '{path}' does not exist"
            )));
        }
        Ok(DatabaseUrl {
            backend: Backend::Sqlite,
            target: path.to_owned(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Opens one connection, set up for Histo.
    pub fn connect(&self) -> Result<DbConnection, StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                conn.batch_execute(SQLITE_SETUP)?;
                Ok(DbConnection::Sqlite(conn))
            }
            Backend::Postgres => Ok(DbConnection::Postgres(PgConnection::establish(
                &self.target,
            )?)),
        }
    }

    /// Brings the schema up to date; returns the names of the migrations applied.
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.connect()?;
        let applied: Vec<String> = with_backend!(&mut conn, |c| {
            let migrations = match self.backend {
                Backend::Sqlite => SQLITE_MIGRATIONS,
                Backend::Postgres => POSTGRES_MIGRATIONS,
            };
            c.run_pending_migrations(migrations)
                .map(|versions| versions.iter().map(|v| v.to_string()).collect())
                .map_err(|e| StoreError::Migration(e.to_string()))
        })?;
        if applied.iter().any(|v| v == crate::audit::CHAIN_MIGRATION) {
            crate::audit::chain_earlier_entries(&mut conn)?;
        }
        Ok(applied)
    }
}

/// Hands out connections to the readers' pool.
pub struct Connector(pub DatabaseUrl);

impl ManageConnection for Connector {
    type Connection = DbConnection;
    type Error = StoreError;

    fn connect(&self) -> Result<DbConnection, StoreError> {
        self.0.connect()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), StoreError> {
        ping(conn)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Connector>;

pub fn ping(conn: &mut DbConnection) -> Result<(), StoreError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_database() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("histo.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/histo.db").unwrap().target,
            "/tmp/histo.db"
        );
        assert!(DatabaseUrl::parse("./histo.db").is_ok());
        // Only what looks like a URL's scheme is refused: a drive letter, a name starting with a
        // digit or holding a space before its colon are file names.
        for file in ["c:histo.db", "9p:histo.db", "my copy:histo.db"] {
            assert_eq!(
                DatabaseUrl::parse(file).ok().map(|url| url.backend),
                Some(Backend::Sqlite),
                "{file}"
            );
        }
        for typo in [
            "mysql://h/db",
            "postgress://u@h/db",
            "postgres:/db",
            "sqlite:/x",
            "sqlite:histo.db",
            "/no/such/folder/histo.db",
            "  ",
        ] {
            assert!(
                matches!(DatabaseUrl::parse(typo), Err(StoreError::BadUrl(_))),
                "{typo}"
            );
        }
    }
}
