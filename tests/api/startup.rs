//! Starting the real `histo serve` as `docker-compose.yml` does: configuration from the environment,
//! secrets from files, the schema made on an empty database, `/healthz`, recording and reading, and
//! a clean stop on SIGTERM or SIGINT.

use serde_json::json;

use crate::helpers::{answer, histo_command, token, Db, HistoProcess, TestDb, SECRET};

/// A temporary file holding one setting, removed when dropped.
struct SettingFile(std::path::PathBuf);

impl SettingFile {
    fn new(content: &str) -> SettingFile {
        let path = std::env::temp_dir().join(format!("histo-setting-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, content).expect("setting file");
        SettingFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 path")
    }
}

impl Drop for SettingFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Starts `histo serve` on `db` with `env` only, then checks that it is healthy with its schema
/// made, records an event and reads it back, and ends with exit status 0 on `signal`.
async fn serve_record_read_and_stop(db: &TestDb, env: &[(&str, &str)], signal: libc::c_int) {
    let y = crate::helpers::last_year();
    let server = HistoProcess::start_with(&[], env);
    let client = reqwest::Client::new();
    let (status, health) = answer(
        client
            .get(format!("{}/healthz", server.address))
            .send()
            .await
            .expect("healthz"),
    )
    .await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    let backend = db.backend().name();
    assert_eq!(health["database"], backend);
    let migrations = std::fs::read_dir(format!(
        "{}/migrations/{backend}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("migrations folder")
    .count();
    assert_eq!(
        db.number("SELECT COUNT(*) AS n FROM __diesel_schema_migrations") as usize,
        migrations,
        "every migration applied on start"
    );

    let id = uuid::Uuid::now_v7().to_string();
    let event = json!({"id": id, "feature": "sms", "outcome": "error", "cause": "configuration",
                       "site": "LYON", "user_code": "JDUPONT", "occurred_at": &format!("{y}-03-31T23:30:00Z")});
    let recorded = client
        .post(format!("{}/api/v1/events", server.address))
        .bearer_auth(token("acme", "events:write"))
        .json(&event)
        .send()
        .await
        .expect("record");
    assert_eq!(
        answer(recorded).await,
        (200, json!({"accepted": 1, "duplicates": 0, "expired": 0}))
    );
    let read = client
        .get(format!(
            "{}/api/v1/logs?feature=sms&period={y}-04",
            server.address
        ))
        .bearer_auth(token("acme", "logs:read"))
        .send()
        .await
        .expect("read");
    let (status, page) = answer(read).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(page["items"][0]["id"], id.as_str());

    let status = tokio::task::spawn_blocking(move || server.stop_with(signal))
        .await
        .expect("stop task");
    assert!(status.success(), "histo ended with {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_on_an_empty_postgres_schema_with_the_secret_in_a_file() {
    let db = TestDb::new(Db::Postgres);
    let secret = SettingFile::new(&format!("{SECRET}\n"));
    let env = [
        ("HISTO_DATABASE_URL", db.url.as_str()),
        ("HISTO_JWT_SECRET_FILE", secret.path()),
    ];
    serve_record_read_and_stop(&db, &env, libc::SIGTERM).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_the_database_url_from_a_file_and_stops_on_sigint() {
    let db = TestDb::new(Db::Sqlite);
    let url = SettingFile::new(&format!("{}\n", db.url));
    let env = [
        ("HISTO_DATABASE_URL_FILE", url.path()),
        ("HISTO_JWT_SECRET", SECRET),
    ];
    serve_record_read_and_stop(&db, &env, libc::SIGINT).await;
}

#[test]
fn a_setting_given_twice_or_in_a_missing_file_is_refused() {
    let db = TestDb::new(Db::Sqlite);
    let secret = SettingFile::new(SECRET);
    let token_args = [
        "token",
        "--company",
        "acme",
        "--user",
        "u1",
        "--scope",
        "logs:read",
    ];

    // `histo_command` sets HISTO_JWT_SECRET and HISTO_DATABASE_URL: a file for either is one too many.
    let twice = histo_command(
        &db.url,
        &[&token_args[..], &["--jwt-secret-file", secret.path()]].concat(),
        "",
    );
    assert!(!twice.status.success());
    assert!(
        String::from_utf8_lossy(&twice.stderr).contains("cannot be used with"),
        "{twice:?}"
    );
    let twice = histo_command(
        &db.url,
        &["migrate", "--database-url-file", secret.path()],
        "",
    );
    assert!(!twice.status.success());

    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_histo"))
        .arg("migrate")
        .env_remove("HISTO_DATABASE_URL")
        .env("HISTO_DATABASE_URL_FILE", "/nonexistent/histo-url")
        .output()
        .expect("histo runs");
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/histo-url"),
        "{missing:?}"
    );
}
