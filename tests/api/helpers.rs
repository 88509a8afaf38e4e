//! A Histo server per test, on a fresh SQLite file or a fresh PostgreSQL schema, reached over HTTP.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};
use histo_api_types::TokenClaims;
use histo_domain::{CompanyId, Scopes, UserCode};
use histo_server::alerts::webhook::{AllowList, Retries};
use histo_server::alerts::AlertSettings;
use histo_server::auth::claims_for;
use histo_server::{Limits, ThrottlePolicy, TokenVerifier};
use histo_store::{Backend, DatabaseUrl, Store, StoreOptions};
use serde_json::{json, Value};

pub const SECRET: &str = "histo-tests-secret-of-at-least-32-bytes!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use: `HISTO_TEST_POSTGRES_URL`, or the local one. Without TLS on
/// the loopback: the servers of finished tests keep their connections open until the test process
/// exits, and OpenSSL's clean-up at exit can crash under a connection still using it.
pub fn postgres_base_url() -> String {
    std::env::var("HISTO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?sslmode=disable".into())
}

/// Fails the test, saying how to start PostgreSQL, when it does not answer: its tests are never
/// skipped.
fn require_postgres() {
    static REACHABLE: OnceLock<Result<(), String>> = OnceLock::new();
    let reachable = REACHABLE.get_or_init(|| {
        DatabaseUrl::parse(&postgres_base_url())
            .and_then(|url| url.connect())
            .map(drop)
            .map_err(|e| e.to_string())
    });
    if let Err(error) = reachable {
        panic!(
            "PostgreSQL does not answer at {} ({error}): start it (scripts/ensure-postgres.sh, or \
             pg_ctlcluster VERSION main start) or set HISTO_TEST_POSTGRES_URL",
            postgres_base_url()
        );
    }
}

/// A fresh, empty database: a SQLite file in a temporary folder, or a new PostgreSQL schema.
pub struct TestDb {
    pub url: String,
    schema: Option<String>,
    _dir: Option<tempdir::Dir>,
}

mod tempdir {
    /// A temporary folder removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl TestDb {
    /// Fails when PostgreSQL does not answer: its tests never pass without it.
    pub fn new(db: Db) -> TestDb {
        let name = format!("histo_t_{}", uuid::Uuid::new_v4().simple());
        match db {
            Db::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("temporary folder");
                let url = dir.join("histo.db").to_string_lossy().into_owned();
                TestDb {
                    url,
                    schema: None,
                    _dir: Some(tempdir::Dir(dir)),
                }
            }
            Db::Postgres => {
                require_postgres();
                execute_on_postgres(&format!("CREATE SCHEMA {name}"));
                let base = postgres_base_url();
                let separator = if base.contains('?') { '&' } else { '?' };
                // Named after the schema, so that a test can find the server's connections.
                let url = format!(
                    "{base}{separator}options=-csearch_path%3D{name}&application_name={name}"
                );
                TestDb {
                    url,
                    schema: Some(name),
                    _dir: None,
                }
            }
        }
    }

    /// Runs a `SELECT COUNT(*) AS n …` or `SELECT SUM(…) AS n …` straight on the database.
    pub fn number(&self, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Number {
            #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
            n: Option<i64>,
        }
        let mut conn = DatabaseUrl::parse(&self.url)
            .and_then(|u| u.connect())
            .expect("test database");
        let rows: Vec<Number> = histo_store::with_backend!(&mut conn, |c| diesel::sql_query(sql)
            .load(c))
        .expect("query");
        rows.first().and_then(|r| r.n).unwrap_or(0)
    }

    /// The ids of a company's stored events.
    pub fn event_ids(&self, company: &str) -> Vec<uuid::Uuid> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Binary)]
            id: Vec<u8>,
        }
        let sql = format!("SELECT id FROM events WHERE company_id = '{company}'");
        let mut conn = DatabaseUrl::parse(&self.url)
            .and_then(|u| u.connect())
            .expect("test database");
        let rows: Vec<Id> = histo_store::with_backend!(&mut conn, |c| diesel::sql_query(&sql)
            .load(c))
        .expect("ids");
        rows.into_iter()
            .map(|r| uuid::Uuid::from_slice(&r.id).expect("16-byte id"))
            .collect()
    }
}

/// Every table of a company, each column as text, for [`TestDb::dump`].
const COMPANY_TABLES: [(&str, &str, &[&str]); 11] = [
    (
        "companies",
        "id",
        &[
            "id",
            "timezone",
            "retention_months",
            "admin_password_hash",
            "last_purge_at",
            "last_purge_removed",
            "created_at",
            "retained_from",
            "audit_last_seq",
            "audit_last_hash",
        ],
    ),
    ("sites", "company_id", &["code", "name", "hidden"]),
    (
        "events",
        "company_id",
        &[
            "#id",
            "occurred_at",
            "month",
            "feature",
            "outcome",
            "cause",
            "site",
            "user_code",
            "code",
            "detail",
            "recorded_at",
        ],
    ),
    (
        "monthly_counts",
        "company_id",
        &["feature", "month", "site", "outcome", "cause", "count"],
    ),
    (
        "monthly_totals",
        "company_id",
        &["feature", "month", "outcome", "cause", "count"],
    ),
    (
        "accounts",
        "company_id",
        &[
            "user_code",
            "password_hash",
            "scopes",
            "created_at",
            "password_changed_at",
        ],
    ),
    (
        "audit_entries",
        "company_id",
        &[
            "at",
            "#id",
            "actor",
            "action",
            "before_state",
            "after_state",
            "seq",
            "hash",
        ],
    ),
    (
        "alert_rules",
        "company_id",
        &[
            "#id",
            "feature",
            "site",
            "condition",
            "threshold",
            "window_size",
            "webhook_url",
            "secret",
            "firing",
            "created_at",
        ],
    ),
    (
        "alert_events",
        "company_id",
        &[
            "at", "#id", "#rule_id", "feature", "site", "state", "uses", "errors",
        ],
    ),
    (
        "webhook_deliveries",
        "company_id",
        &[
            "#id",
            "kind",
            "url",
            "body",
            "signature",
            "attempts",
            "state",
        ],
    ),
    (
        "alert_digests",
        "company_id",
        &["webhook_url", "secret", "last_month", "created_at"],
    ),
];

impl TestDb {
    /// Everything the database holds of `company`, row by row as text, in a stable order: two dumps
    /// are equal when nothing of the company changed.
    pub fn dump(&self, company: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = diesel::sql_types::Text)]
            line: String,
        }
        let postgres = self.backend() == Backend::Postgres;
        let mut conn = DatabaseUrl::parse(&self.url)
            .and_then(|u| u.connect())
            .expect("test database");
        let mut dump = Vec::new();
        for (table, key, columns) in COMPANY_TABLES {
            let cells: Vec<String> = columns
                .iter()
                .map(|column| match column.strip_prefix('#') {
                    Some(binary) if postgres => format!("encode({binary}, 'hex')"),
                    Some(binary) => format!("hex({binary})"),
                    None => format!("COALESCE(CAST({column} AS TEXT), '-')"),
                })
                .collect();
            let sql = format!(
                "SELECT '{table}|' || {} AS line FROM {table} WHERE {key} = '{company}' ORDER BY line",
                cells.join(" || '|' || ")
            );
            let lines: Vec<Line> =
                histo_store::with_backend!(&mut conn, |c| diesel::sql_query(&sql).load(c))
                    .expect(&sql);
            dump.extend(lines.into_iter().map(|l| l.line));
        }
        dump
    }

    /// Runs a statement straight on the database (to set what no route sets yet).
    pub fn execute(&self, sql: &str) {
        let mut conn = DatabaseUrl::parse(&self.url)
            .and_then(|u| u.connect())
            .expect("test database");
        histo_store::with_backend!(&mut conn, |c| diesel::sql_query(sql).execute(c)).expect(sql);
    }

    /// The database this is.
    pub fn backend(&self) -> Backend {
        if self.schema.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// Cuts every PostgreSQL connection open on this database, as a restart or a failover of the
    /// database would; how many there were.
    pub fn cut_connections(&self) -> usize {
        let schema = self.schema.as_ref().expect("a PostgreSQL database");
        execute_on_postgres(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{schema}'"
        ))
    }
}

fn execute_on_postgres(sql: &str) -> usize {
    let mut conn = DatabaseUrl::parse(&postgres_base_url())
        .and_then(|u| u.connect())
        .expect("PostgreSQL");
    histo_store::with_backend!(&mut conn, |c| diesel::sql_query(sql).execute(c)).expect(sql)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(schema) = &self.schema {
            execute_on_postgres(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A running server on its own database: in the test's process, or the real `histo` binary.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The `histo serve` process, when the server is the real binary (stopped before its database
    /// is removed).
    _process: Option<HistoProcess>,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        TestApp::spawn_with(db, test_limits()).await
    }

    /// A server with other limits than the tests' usual ones.
    pub async fn spawn_with(db: Db, limits: Limits) -> TestApp {
        let db = TestDb::new(db);
        let url = db.url.clone();
        let store = tokio::task::spawn_blocking(move || Store::open(&url, StoreOptions::default()))
            .await
            .expect("open task")
            .expect("store opens");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let verifier = TokenVerifier::hs256(SECRET.as_bytes()).expect("secret");
        let server = histo_server::serve(listener, store, verifier, limits).expect("server starts");
        tokio::spawn(server);
        TestApp {
            address,
            client: reqwest::Client::new(),
            _process: None,
            db,
        }
    }

    /// The real `histo serve` on a fresh database, signing with the tests' secret, with more flags
    /// and `HISTO_*` variables (which may replace the secret).
    pub fn spawn_binary(db: Db, args: &[&str], env: &[(&str, &str)]) -> TestApp {
        let db = TestDb::new(db);
        let args: Vec<&str> = ["--database-url", db.url.as_str()]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        let env: Vec<(&str, &str)> = [("HISTO_JWT_SECRET", SECRET)]
            .into_iter()
            .filter(|(name, _)| !env.iter().any(|(given, _)| given == name))
            .chain(env.iter().copied())
            .collect();
        let process = HistoProcess::start_with(&args, &env);
        TestApp {
            address: process.address.clone(),
            client: reqwest::Client::new(),
            _process: Some(process),
            db,
        }
    }

    /// Sends `method` to `path` with an optional token and JSON body; the status and the JSON answer.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(request.send().await.expect("request")).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, Some(token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Runs `histo ARGS` on this app's database with `stdin` as standard input.
    pub fn histo(&self, args: &[&str], stdin: &str) -> std::process::Output {
        histo_command(&self.db.url, args, stdin)
    }

    /// Adds the account `user` of `company` with `scope` and `password` through `histo user add`,
    /// which must succeed.
    pub fn add_user(
        &self,
        company: &str,
        user: &str,
        scope: &str,
        password: &str,
    ) -> std::process::Output {
        let output = self.histo(
            &[
                "user",
                "add",
                "--company",
                company,
                "--user",
                user,
                "--scope",
                scope,
            ],
            &format!("{password}\n"),
        );
        assert!(output.status.success(), "histo user add: {output:?}");
        output
    }

    /// Makes `company` keep its entries for 120 months (the longest), as its administrator does
    /// (with [`KEEPING_PASSWORD`] as its admin password), so that events of past years are stored.
    pub async fn keep_ten_years(&self, company: &str) {
        self.set_admin_password(company, KEEPING_PASSWORD);
        let (status, body) = self
            .put(
                "/api/v1/settings/retention",
                &token(company, "settings:admin"),
                &serde_json::json!({"months": 120, "admin_password": KEEPING_PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Sets a company's admin password as `histo admin-password` does.
    pub fn set_admin_password(&self, company: &str, password: &str) {
        let output = self.histo(&["admin-password", "--company", company], password);
        assert!(output.status.success(), "{output:?}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Sends the requests all at once, as concurrent clients do; their statuses, in their order.
    pub async fn send_at_once(&self, requests: Vec<reqwest::RequestBuilder>) -> Vec<u16> {
        let sent: Vec<_> = requests
            .into_iter()
            .map(|request| {
                tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
            })
            .collect();
        let mut statuses = Vec::new();
        for request in sent {
            statuses.push(request.await.expect("task").expect("answer"));
        }
        statuses
    }

    /// Posts to `path` with an optional bearer token; returns the status and the JSON body (or Null).
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("request")).await
    }

    /// A `200` answer to a GET, decoded into its shape in `histo_api_types`: the test fails naming
    /// the path, the status and the body when either is not what the API promises.
    #[track_caller]
    pub fn read<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
    ) -> impl std::future::Future<Output = T> + '_ {
        let caller = std::panic::Location::caller();
        let (path, token) = (path.to_owned(), token.to_owned());
        async move {
            let (status, body) = self.get(&path, Some(&token)).await;
            assert_eq!(status, 200, "GET {path} (from {caller}): {body}");
            serde_json::from_value(body.clone())
                .unwrap_or_else(|e| panic!("GET {path} (from {caller}): {e}: {body}"))
        }
    }

    /// The raw answer to a GET, for bodies that are not JSON.
    pub async fn get_raw(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// The raw answer to recording `body`, for its headers.
    pub async fn record_raw(&self, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/events"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Hides a site as a user holding `sites:manage` does.
    pub async fn hide_site(&self, company: &str, site: &str) {
        let (status, body) = self
            .patch(
                &format!("/api/v1/sites/{site}"),
                &token(company, "sites:manage"),
                &serde_json::json!({ "hidden": true }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    pub async fn record(&self, token: &str, body: &Value) -> (u16, Value) {
        answer(self.record_raw(token, body).await).await
    }

    /// Signs in with a password, as `POST /api/v1/auth/token`.
    pub async fn sign_in(&self, company: &str, user: &str, password: &str) -> (u16, Value) {
        self.post(
            "/api/v1/auth/token",
            None,
            &sign_in_body(company, user, password),
        )
        .await
    }

    /// Events stored for a company.
    pub fn stored_events(&self, company: &str) -> i64 {
        self.db.number(&format!(
            "SELECT COUNT(*) AS n FROM events WHERE company_id = '{company}'"
        ))
    }

    /// The sum of a company's monthly counters.
    pub fn counted_events(&self, company: &str) -> i64 {
        self.db.number(&format!("SELECT CAST(SUM(count) AS BIGINT) AS n FROM monthly_counts WHERE company_id = '{company}'"))
    }
}

/// Last year: every month of it is past, and within the 24 months a company keeps by default, so
/// that tests record known dates that never expire, whatever today's date.
pub fn last_year() -> i32 {
    use chrono::Datelike;
    Utc::now().year() - 1
}

/// The month `n` months before the current one, as the company counts it (Paris).
pub fn months_ago(n: i32) -> histo_domain::Month {
    histo_domain::month_of(Utc::now(), histo_domain::TimeZone::default()).plus(-n)
}

/// Mid-month, at noon UTC, as an RFC 3339 time.
pub fn in_month(month: histo_domain::Month) -> String {
    use chrono::TimeZone as _;
    Utc.with_ymd_and_hms(month.year, month.month, 15, 12, 0, 0)
        .single()
        .expect("a time")
        .to_rfc3339()
}

/// The oldest month a company keeps entries of by default (24 months), as of now.
pub fn default_retained_from() -> String {
    months_ago(24).to_string()
}

/// The admin password that [`TestApp::keep_ten_years`] sets.
pub const KEEPING_PASSWORD: &str = "the admin password of the tests";

/// The wrong-password throttle of the tests: five in a row lock out for two seconds.
pub const TEST_LOCKOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The server's limits in tests: a short lockout, and no scheduled purge (tests purge when they mean to).
pub fn test_limits() -> Limits {
    Limits {
        wrong_passwords: ThrottlePolicy {
            max_failures: 5,
            lockout: TEST_LOCKOUT,
            slowdown: std::time::Duration::from_millis(20),
            ..ThrottlePolicy::default()
        },
        purge_every: None,
        alerts: test_alerts("http://127.0.0.1:9/hooks/"),
        ..Limits::default()
    }
}

/// Alerts in tests: webhooks allowed under `allowed` (the discard port, where nothing answers,
/// unless a test starts a receiver), rules looked at every 100 ms and changed at most once a
/// second, webhooks tried again after 200 ms, 400 ms… for 3 seconds, digests checked every 200 ms.
pub fn test_alerts(allowed: &str) -> AlertSettings {
    AlertSettings {
        allow: AllowList::parse(allowed).expect("allowed prefix"),
        public_url: Some(
            histo_server::alerts::public_url("https://histo.example.com/").expect("url"),
        ),
        retries: Retries {
            first_wait: Duration::from_millis(200),
            for_how_long: Duration::from_secs(3),
        },
        look_every: Duration::from_millis(100),
        digest_every: Duration::from_millis(200),
        least_between_changes: Duration::from_secs(1),
    }
}

/// A `histo serve` process, listening on a free port of the loopback.
pub struct HistoProcess {
    child: Child,
    pub address: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl HistoProcess {
    /// `histo serve --database-url URL`, signing with the tests' secret.
    pub fn start(database_url: &str) -> HistoProcess {
        HistoProcess::start_with(
            &["--database-url", database_url],
            &[("HISTO_JWT_SECRET", SECRET)],
        )
    }

    /// `histo serve ARGS` with only the `HISTO_*` variables of `env`; waits until it listens.
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> HistoProcess {
        let mut command = Command::new(env!("CARGO_BIN_EXE_histo"));
        command.args(["serve", "--bind", "127.0.0.1:0"]).args(args);
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("HISTO_")) {
            command.env_remove(name);
        }
        let mut child = command
            .envs(env.iter().copied())
            .env("HISTO_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("histo starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let address = loop {
            let line = lines
                .next()
                .expect("histo says where it listens")
                .expect("log line");
            log.lock().unwrap().push(line.clone());
            if let Some((_, rest)) = line.split_once("listens on ") {
                // The address ends the text, or the JSON string of the message.
                let end = rest.find([' ', '"']).unwrap_or(rest.len());
                break rest[..end].to_owned();
            }
        };
        // Keep reading the log so that the server never blocks on a full pipe.
        let kept = log.clone();
        std::thread::spawn(move || {
            lines
                .map_while(Result::ok)
                .for_each(|line| kept.lock().unwrap().push(line))
        });
        HistoProcess {
            child,
            address,
            log,
        }
    }

    /// The lines logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Sends `signal` and waits (30 seconds at most) for the process to end; how it ended.
    pub fn stop_with(mut self, signal: libc::c_int) -> ExitStatus {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) only sends a signal, to our own child.
        #[allow(unsafe_code)]
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(sent, 0, "signal sent");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "histo still runs 30 s after the signal"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for HistoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the `histo` binary on the database at `url`, with `stdin` as standard input.
pub fn histo_command(url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    histo_command_with(url, args, stdin, &[])
}

/// [`histo_command`] with more environment variables, such as `HISTO_LOG_FORMAT=json`.
pub fn histo_command_with(
    url: &str,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_histo"))
        .args(args)
        .env("HISTO_DATABASE_URL", url)
        .env("HISTO_JWT_SECRET", SECRET)
        .env("HISTO_LOG", "warn")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("histo runs");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("histo ends")
}

/// The body of a sign-in (`POST /api/v1/auth/token`).
pub fn sign_in_body(company: &str, user: &str, password: &str) -> Value {
    json!({"company": company, "user_code": user, "password": password})
}

/// The `Retry-After` of an answer, if it has one.
pub fn retry_after(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
}

pub async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// An event of `feature` ending with `outcome` on `site` at `occurred_at`: an error gets the
/// feature's first cause, a DEA update a detail.
pub fn event(feature: &str, outcome: &str, site: &str, occurred_at: &str) -> Value {
    let feature_type = histo_domain::Feature::parse(feature).expect("feature");
    let mut event = serde_json::json!({"id": uuid::Uuid::now_v7().to_string(), "feature": feature,
        "outcome": outcome, "site": site, "user_code": "JDUPONT", "occurred_at": occurred_at});
    if outcome == "error" {
        event["cause"] = feature_type.causes()[0].code().into();
    }
    if feature_type.requires_detail() {
        event["detail"] = serde_json::json!({"changed": "code"});
    }
    event
}

/// A token of `company` for user `u1` with `scope`, signed with the tests' secret.
pub fn token(company: &str, scope: &str) -> String {
    token_with(company, scope, 3600, SECRET)
}

/// A token of `company` (any text, to try refused ones) for user `u1`, expiring `ttl` seconds from
/// now (in the past when negative), signed with `secret`.
pub fn token_with(company: &str, scope: &str, ttl: i64, secret: &str) -> String {
    let placeholder = CompanyId::parse("placeholder").expect("company");
    let user = UserCode::parse("u1").expect("user");
    let claims = TokenClaims {
        company: company.into(),
        exp: Utc::now().timestamp() + ttl,
        ..claims_for(&placeholder, &user, Scopes::parse_claim(scope), 0)
    };
    sign(&claims, secret)
}

/// Signs claims as Histo does, with `secret` (and no issuer or audience).
pub fn sign(claims: &TokenClaims, secret: &str) -> String {
    TokenVerifier::hs256(secret.as_bytes())
        .expect("secret")
        .sign(claims)
        .expect("token")
}

/// Generates `#[tokio::test]`s running each listed `async fn(TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::helpers::TestApp::spawn($crate::helpers::Db::Sqlite).await).await
            })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::helpers::TestApp::spawn($crate::helpers::Db::Postgres).await).await
            })+
        }
    };
}
