//! `histo`: runs the server and the operator's commands (migrations, tokens, accounts, the admin
//! password, the purge, the OpenAPI document).

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{Duration, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use histo::generate::{EventStream, Population};
use histo_domain::{month_of, CompanyId, Scope, Scopes, TimeZone, UserCode};
use histo_server::alerts::{webhook::AllowList, AlertSettings};
use histo_server::auth::{self, claims_for, TokenVerifier};
use histo_server::password::PasswordChecks;
use histo_server::{password, Limits};
use histo_store::{Actor, DatabaseUrl, Store, StoreOptions};

#[derive(Parser)]
#[command(name = "histo", version, about = "Feature-usage log and statistics")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines as text, or as one JSON object per line for log collectors.
    #[arg(long, global = true, env = "HISTO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API and the web app.
    Serve(Box<ServeArgs>),
    /// Bring the database schema up to date.
    Migrate(DatabaseArgs),
    /// Print a signed token (HS256 with HISTO_JWT_SECRET, with the configured issuer and audience) for
    /// integrators and tests.
    Token(TokenArgs),
    /// Manage the accounts that sign in with a password (POST /api/v1/auth/token).
    #[command(subcommand)]
    User(UserCommand),
    /// Set a company's admin password (read as one line from standard input).
    AdminPassword(AdminPasswordArgs),
    /// Remove the log entries older than each company's retention period (the counts stay).
    Purge(PurgeArgs),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute each company's audit chain and name the first entry that was changed, removed or
    /// added outside Histo; fails when one is found.
    Verify(AuditVerifyArgs),
}

#[derive(Args)]
struct AuditVerifyArgs {
    /// Only this company (every company with an audit trail when absent).
    #[arg(long)]
    company: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account, or replace its password and scopes (the password is read as one line from
    /// standard input); a new password ends the account's earlier sign-ins.
    Add(UserAddArgs),
    /// Remove an account; its sign-ins end at once.
    Remove(UserRemoveArgs),
}

/// A user of a company and the scopes of their tokens: for `histo token` and `histo user add`.
#[derive(Args)]
struct AccountArgs {
    #[arg(long)]
    company: String,
    /// The user code, the `sub` of the tokens.
    #[arg(long)]
    user: String,
    /// Space-separated scopes the tokens carry, e.g. "logs:read sites:manage".
    #[arg(long)]
    scope: String,
}

impl AccountArgs {
    fn parse(&self) -> Result<(CompanyId, UserCode, Scopes)> {
        let company =
            CompanyId::parse(&self.company).map_err(|e| anyhow::anyhow!("--company {e}"))?;
        let user = UserCode::parse(&self.user).map_err(|e| anyhow::anyhow!("--user {e}"))?;
        Ok((company, user, parse_scopes(&self.scope)?))
    }
}

#[derive(Args)]
struct UserAddArgs {
    #[command(flatten)]
    account: AccountArgs,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct UserRemoveArgs {
    #[arg(long)]
    company: String,
    /// The account's user code.
    #[arg(long)]
    user: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct AdminPasswordArgs {
    #[arg(long)]
    company: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct PurgeArgs {
    /// Only this company (every company when absent).
    #[arg(long)]
    company: Option<String>,
    /// Say what would be removed, and remove nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct StoreArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Time zone of companies that have not chosen one (IANA name).
    #[arg(long, env = "HISTO_DEFAULT_TIMEZONE", default_value = histo_domain::DEFAULT_TIMEZONE)]
    default_timezone: String,
    /// Sites one company may have; an event naming one more is refused (422).
    #[arg(long, env = "HISTO_MAX_SITES", default_value_t = StoreOptions::default().max_sites,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_sites: usize,
}

impl StoreArgs {
    fn open(&self) -> Result<Store> {
        let default_timezone = TimeZone::parse(&self.default_timezone)?;
        Store::open(
            &self.database.url()?,
            StoreOptions {
                default_timezone,
                max_sites: self.max_sites,
                ..Default::default()
            },
        )
        .with_context(|| "cannot open the database")
    }
}

#[derive(Args)]
struct DatabaseArgs {
    /// A SQLite file path (histo.db by default) or postgres://user:password@host/db.
    #[arg(long, env = "HISTO_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// A file holding the database URL (a Docker or Kubernetes secret), instead of --database-url.
    #[arg(long, env = "HISTO_DATABASE_URL_FILE", conflicts_with = "database_url")]
    database_url_file: Option<PathBuf>,
}

impl DatabaseArgs {
    fn url(&self) -> Result<String> {
        Ok(value_or_file(&self.database_url, &self.database_url_file)?
            .unwrap_or_else(|| "histo.db".into()))
    }
}

/// The HS256 secret that signs and checks tokens.
#[derive(Args)]
struct SecretArgs {
    /// HS256 secret of at least 32 bytes.
    #[arg(long, env = "HISTO_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// A file holding the HS256 secret (a Docker or Kubernetes secret), instead of --jwt-secret.
    #[arg(long, env = "HISTO_JWT_SECRET_FILE", conflicts_with = "jwt_secret")]
    jwt_secret_file: Option<PathBuf>,
}

impl SecretArgs {
    fn secret(&self) -> Result<Option<String>> {
        value_or_file(&self.jwt_secret, &self.jwt_secret_file)
    }
}

/// A setting given as a value, or as the path of a file holding it (one line; its line break is
/// not part of the value), so that secrets need not sit in the environment.
fn value_or_file(value: &Option<String>, file: &Option<PathBuf>) -> Result<Option<String>> {
    match (value, file) {
        (Some(value), _) => Ok(Some(value.clone())),
        (None, Some(path)) => Ok(Some(read_setting_file(path)?)),
        (None, None) => Ok(None),
    }
}

fn read_setting_file(path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value = text.strip_suffix('\n').unwrap_or(&text);
    let value = value.strip_suffix('\r').unwrap_or(value);
    if value.is_empty() {
        bail!("{} is empty", path.display());
    }
    Ok(value.to_owned())
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "HISTO_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    #[command(flatten)]
    store: StoreArgs,
    /// Add a demo company with generated data and print how to sign in.
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    keys: KeyArgs,
    /// Largest body of a recording request, in bytes.
    #[arg(long, env = "HISTO_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Largest body of every other request (sign-in, settings, sites), in bytes.
    #[arg(long, env = "HISTO_MAX_JSON_BODY_BYTES", default_value_t = Limits::default().max_json_body_bytes)]
    max_json_body_bytes: usize,
    /// Bytes of recording requests held in memory at once, all together; beyond, 503 + Retry-After.
    #[arg(long, env = "HISTO_MAX_PENDING_BYTES", default_value_t = Limits::default().max_pending_bytes)]
    max_pending_bytes: usize,
    /// Slowest average rate of a request body after 5 seconds, in bytes a second; slower ones get 408.
    #[arg(long, env = "HISTO_MIN_BODY_RATE", default_value_t = Limits::default().min_body_bytes_per_second,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    min_body_rate: usize,
    /// Password checks (Argon2) run at once; by default one per core but one.
    #[arg(long, env = "HISTO_PASSWORD_CHECKS", default_value_t = PasswordChecks::default_size().0,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    password_checks: usize,
    /// Password checks that may wait for a free place; beyond, sign-ins answer 503 + Retry-After.
    #[arg(long, env = "HISTO_PASSWORD_QUEUE", default_value_t = PasswordChecks::default_size().1)]
    password_queue: usize,
    /// Reverse proxies (comma-separated IP addresses) whose X-Forwarded-For names the client, for
    /// counting wrong passwords per address; none by default.
    #[arg(long, env = "HISTO_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,
    /// Largest request head (target and headers), in bytes.
    #[arg(long, env = "HISTO_MAX_HEADER_BYTES", default_value_t = Limits::default().max_header_bytes)]
    max_header_bytes: usize,
    /// Numbered rights of the host application and the scope each grants, e.g. "2=logs:read,7=sites:manage".
    #[arg(long, env = "HISTO_RIGHTS", default_value = "2=logs:read")]
    rights: String,
    /// Connections open at once; further clients wait until one closes.
    #[arg(long, env = "HISTO_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections as u32,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Seconds a client has to send a request's headers (slow clients are cut off).
    #[arg(long, env = "HISTO_CLIENT_REQUEST_TIMEOUT", default_value_t = Limits::default().client_request_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    client_request_timeout: u64,
    /// Seconds a closing connection has to shut down before it is dropped.
    #[arg(long, env = "HISTO_CLIENT_DISCONNECT_TIMEOUT", default_value_t = Limits::default().client_disconnect_timeout.as_secs())]
    client_disconnect_timeout: u64,
    /// Origins of other web sites whose pages may call the API (CORS), comma-separated, e.g.
    /// "https://erp.example.com"; none by default.
    #[arg(long, env = "HISTO_CORS_ORIGINS", default_value = "")]
    cors_origins: String,
    /// Origins whose pages may show the web app in an iframe (the host application's),
    /// comma-separated, e.g. "https://erp.example.com"; none by default.
    #[arg(long, env = "HISTO_FRAME_ANCESTORS", default_value = "")]
    frame_ancestors: String,
    /// Address prefixes alert webhooks may go to, comma-separated, e.g.
    /// "https://erp.example.com/histo/"; none by default, so no rule can have a webhook.
    #[arg(long, env = "HISTO_WEBHOOK_ALLOW", default_value = "")]
    webhook_allow: String,
    /// The web app's address as users reach it, e.g. "https://histo.example.com/", for the links
    /// in webhooks; without it, webhooks carry no link.
    #[arg(long, env = "HISTO_PUBLIC_URL")]
    public_url: Option<String>,
}

impl ServeArgs {
    fn limits(&self) -> Result<Limits> {
        Ok(Limits {
            max_body_bytes: self.max_body_bytes,
            max_json_body_bytes: self.max_json_body_bytes,
            max_pending_bytes: self.max_pending_bytes,
            min_body_bytes_per_second: self.min_body_rate,
            password_checks: (self.password_checks, self.password_queue),
            trusted_proxies: histo_server::peer::parse_proxies(&self.trusted_proxies)
                .map_err(|e| anyhow::anyhow!("HISTO_TRUSTED_PROXIES: {e}"))?,
            max_header_bytes: self.max_header_bytes,
            max_connections: self.max_connections as usize,
            client_request_timeout: std::time::Duration::from_secs(self.client_request_timeout),
            client_disconnect_timeout: std::time::Duration::from_secs(
                self.client_disconnect_timeout,
            ),
            cors_origins: histo_server::headers::parse_origins(&self.cors_origins)
                .map_err(|e| anyhow::anyhow!("HISTO_CORS_ORIGINS: {e}"))?,
            frame_ancestors: histo_server::headers::parse_origins(&self.frame_ancestors)
                .map_err(|e| anyhow::anyhow!("HISTO_FRAME_ANCESTORS: {e}"))?,
            alerts: AlertSettings {
                allow: AllowList::parse(&self.webhook_allow)
                    .map_err(|e| anyhow::anyhow!("HISTO_WEBHOOK_ALLOW: {e}"))?,
                public_url: self
                    .public_url
                    .as_deref()
                    .map(histo_server::alerts::public_url)
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("HISTO_PUBLIC_URL: {e}"))?,
                ..AlertSettings::default()
            },
            ..Limits::default()
        })
    }
}

#[derive(Args)]
struct KeyArgs {
    #[command(flatten)]
    secret: SecretArgs,
    /// RS256 or EdDSA public key: PEM text or the path of a PEM file.
    #[arg(long, env = "HISTO_JWT_PUBLIC_KEY")]
    jwt_public_key: Option<String>,
    /// Expected `iss` claim.
    #[arg(long, env = "HISTO_JWT_ISSUER")]
    jwt_issuer: Option<String>,
    /// Expected `aud` claim.
    #[arg(long, env = "HISTO_JWT_AUDIENCE")]
    jwt_audience: Option<String>,
}

#[derive(Args)]
struct TokenArgs {
    #[command(flatten)]
    account: AccountArgs,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    ttl: u64,
    #[command(flatten)]
    secret: SecretArgs,
    /// The `iss` claim, as the server expects it.
    #[arg(long, env = "HISTO_JWT_ISSUER")]
    jwt_issuer: Option<String>,
    /// The `aud` claim, as the server expects it.
    #[arg(long, env = "HISTO_JWT_AUDIENCE")]
    jwt_audience: Option<String>,
}

fn main() -> Result<()> {
    return_large_buffers_to_the_system();
    let cli = Cli::parse();
    init_logs(cli.log_format);
    match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Migrate(args) => {
            let applied = DatabaseUrl::parse(&args.url()?)?.migrate()?;
            println!("{} migration(s) applied", applied.len());
            for name in applied {
                println!("  {name}");
            }
            Ok(())
        }
        Command::Token(args) => {
            let (company, user, scopes) = args.account.parse()?;
            let secret = args.secret.secret()?.context(
                "histo token signs with HISTO_JWT_SECRET (or the file named by HISTO_JWT_SECRET_FILE)",
            )?;
            let signer = with_issuer_and_audience(
                TokenVerifier::hs256(secret.as_bytes())?,
                &args.jwt_issuer,
                &args.jwt_audience,
            );
            println!(
                "{}",
                signer.sign(&claims_for(&company, &user, scopes, args.ttl))?
            );
            Ok(())
        }
        Command::User(UserCommand::Add(args)) => add_user(args),
        Command::User(UserCommand::Remove(args)) => remove_user(args),
        Command::AdminPassword(args) => set_admin_password(args),
        Command::Purge(args) => purge(args),
        Command::Audit(AuditCommand::Verify(args)) => verify_audit(args),
        Command::Openapi => {
            print!("{}", histo_server::openapi::document_json());
            Ok(())
        }
    }
}

/// Large buffers (the 19 MiB that Argon2 takes for each password checked, request bodies of
/// megabytes) go back to the system once freed. glibc's default raises its mmap threshold after the
/// first such buffer is freed, and the later ones, aligned, then stay in a fragmented heap: measured,
/// 19 MiB more resident memory for every password checked, without end.
fn return_large_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator, before any thread starts.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Runs an operator's command on the store, in a runtime of its own.
fn with_store<T>(args: &StoreArgs, work: impl AsyncFnOnce(Store) -> Result<T>) -> Result<T> {
    let store = args.open()?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(work(store))
}

/// A password read as one line from standard input (a prompt first when it is a terminal), never
/// from a flag, so that it stays out of the shell's history and the process list.
fn read_password(prompt: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}: ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
}

fn add_user(args: UserAddArgs) -> Result<()> {
    let (company, user, scopes) = args.account.parse()?;
    let hash = password::hash(&read_password("Password")?)?;
    let added = with_store(&args.store, async |store| {
        Ok(store
            .save_account(company.clone(), user.clone(), hash, scopes)
            .await?)
    })?;
    let what = if added { "added" } else { "updated" };
    println!(
        "account {user} of company {company} {what}, scopes: {}",
        scopes.to_claim()
    );
    Ok(())
}

fn remove_user(args: UserRemoveArgs) -> Result<()> {
    let company = CompanyId::parse(&args.company).map_err(|e| anyhow::anyhow!("--company {e}"))?;
    let user = UserCode::parse(&args.user).map_err(|e| anyhow::anyhow!("--user {e}"))?;
    let removed = with_store(&args.store, async |store| {
        Ok(store.remove_account(company.clone(), user.clone()).await?)
    })?;
    if !removed {
        bail!("company {company} has no account {user}");
    }
    println!("account {user} of company {company} removed; its sign-ins have ended");
    Ok(())
}

fn set_admin_password(args: AdminPasswordArgs) -> Result<()> {
    let company = CompanyId::parse(&args.company).map_err(|e| anyhow::anyhow!("--company {e}"))?;
    let hash = password::hash(&read_password("Admin password")?)?;
    with_store(&args.store, async |store| {
        Ok(store
            .set_admin_password(company.clone(), hash, Actor::Cli)
            .await?)
    })?;
    println!("admin password of company {company} set");
    Ok(())
}

fn purge(args: PurgeArgs) -> Result<()> {
    let company = args
        .company
        .as_deref()
        .map(CompanyId::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--company {e}"))?;
    let reports = with_store(&args.store, async |store| {
        Ok(store.purge(company, args.dry_run, Actor::Cli).await?)
    })?;
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    for report in &reports {
        println!(
            "{}: {verb} {} entries before {} (retention {} months)",
            report.company, report.removed, report.oldest_kept, report.retention_months
        );
    }
    if reports.is_empty() {
        println!("no company to purge");
    }
    Ok(())
}

fn verify_audit(args: AuditVerifyArgs) -> Result<()> {
    let company = args
        .company
        .as_deref()
        .map(CompanyId::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--company {e}"))?;
    let lines = with_store(&args.store, async |store| {
        let companies = match company {
            Some(company) => vec![company],
            None => store.companies_with_audit_trail().await?,
        };
        let mut lines = Vec::new();
        for company in companies {
            let zone = store.settings(company.clone()).await?.timezone;
            let check = store.verify_audit_trail(company.clone()).await?;
            lines.push((company, histo_server::routes::audit::describe(&check, zone)));
        }
        Ok(lines)
    })?;
    let mut broken = 0;
    for (company, (intact, text)) in &lines {
        println!("{company}: {text}");
        broken += usize::from(!intact);
    }
    match (lines.is_empty(), broken) {
        (true, _) => println!("no company has an audit trail"),
        (false, 0) => {}
        (false, n) => bail!("the audit trail of {n} company(ies) was tampered with"),
    }
    Ok(())
}

/// Logs to standard error, filtered by `HISTO_LOG`; as JSON, each line is one object whose fields
/// (`request_id`, `status`, …) are at the top level.
fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HISTO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).with_span_list(false).init(),
    }
}

fn parse_scopes(text: &str) -> Result<Scopes> {
    for word in text.split_ascii_whitespace() {
        if Scope::parse(word).is_none() {
            bail!("unknown scope '{word}' (known: logs:read events:write sites:manage settings:admin)");
        }
    }
    Ok(Scopes::parse_claim(text))
}

fn parse_rights(text: &str) -> Result<HashMap<i64, Scope>> {
    text.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (right, scope) = pair
                .split_once('=')
                .context("HISTO_RIGHTS takes pairs like 2=logs:read")?;
            let right = right
                .trim()
                .parse()
                .with_context(|| format!("'{right}' is not a right number"))?;
            let scope =
                Scope::parse(scope.trim()).with_context(|| format!("unknown scope '{scope}'"))?;
            Ok((right, scope))
        })
        .collect()
}

/// The verifier from the configured key; `--demo` without a key makes a secret for this run only.
fn verifier(keys: &KeyArgs, demo: bool) -> Result<TokenVerifier> {
    let verifier = match (keys.secret.secret()?, &keys.jwt_public_key) {
        (Some(_), Some(_)) => bail!("set HISTO_JWT_SECRET or HISTO_JWT_PUBLIC_KEY, not both"),
        (Some(secret), None) => TokenVerifier::hs256(secret.as_bytes())?,
        (None, Some(key)) => {
            let pem = if key.trim_start().starts_with("-----BEGIN") {
                key.clone()
            } else {
                std::fs::read_to_string(key)
                    .with_context(|| format!("cannot read the public key file {key}"))?
            };
            TokenVerifier::public_key(&pem)?
        }
        (None, None) if demo => {
            let secret: String = uuid::Uuid::new_v4().simple().to_string()
                + &uuid::Uuid::new_v4().simple().to_string();
            tracing::warn!("no HISTO_JWT_SECRET: the demo signs its tokens with a secret made for this run only");
            TokenVerifier::hs256(secret.as_bytes())?
        }
        (None, None) => bail!(auth::KeyError::Missing),
    };
    Ok(with_issuer_and_audience(
        verifier,
        &keys.jwt_issuer,
        &keys.jwt_audience,
    ))
}

/// The verifier (and signer) of tokens carrying the configured `iss` and `aud`.
fn with_issuer_and_audience(
    verifier: TokenVerifier,
    issuer: &Option<String>,
    audience: &Option<String>,
) -> TokenVerifier {
    let verifier = match issuer {
        Some(issuer) => verifier.with_issuer(issuer),
        None => verifier,
    };
    match audience {
        Some(audience) => verifier.with_audience(audience),
        None => verifier,
    }
}

fn serve(args: ServeArgs) -> Result<()> {
    let verifier = verifier(&args.keys, args.demo)?.with_rights(parse_rights(&args.rights)?);
    let store = args.store.open()?;
    let listener =
        TcpListener::bind(&args.bind).with_context(|| format!("cannot listen on {}", args.bind))?;
    let address = listener.local_addr()?;
    let limits = args.limits()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async {
        let demo_passwords = if args.demo {
            add_demo_data(&store).await?;
            Some(add_demo_access(&store).await?)
        } else {
            None
        };
        let demo_token = if args.demo && verifier.can_sign() {
            let (company, user) = (CompanyId::parse(DEMO_COMPANY)?, UserCode::parse(DEMO_USER)?);
            let every_scope = Scope::ALL.into_iter().collect();
            Some(verifier.sign(&claims_for(&company, &user, every_scope, 12 * 3600))?)
        } else {
            None
        };
        let server = histo_server::serve(listener, store.clone(), verifier, limits)?;
        let (handle, stop) = (server.handle(), stop_signal()?);
        tokio::spawn(async move {
            let name = stop.await;
            tracing::info!("{name} received: finishing the requests in flight, then stopping");
            handle.stop(true).await;
        });
        tracing::info!(database = store.backend().name(), "Histo listens on http://{address}");
        if let Some(token) = demo_token {
            println!("\nHisto demo: open http://{address}/#access_token={token}\n(company '{DEMO_COMPANY}', every scope, valid 12 hours)");
        }
        if let Some(passwords) = demo_passwords {
            println!("Sign in: company '{DEMO_COMPANY}', user '{DEMO_USER}', password '{}' (every scope)\nAdmin password of '{DEMO_COMPANY}' (to change the retention): '{}'\n", passwords.user, passwords.admin);
        }
        server.await?;
        Ok::<_, anyhow::Error>(())
    });
    // Every request is answered (or was given up after the server's shutdown timeout): the writer
    // commits what it still holds before the process ends.
    store.close();
    tracing::info!("Histo has stopped");
    served
}

/// Listens for SIGTERM (`docker stop`, systemd) and SIGINT (Ctrl-C) from now on; the future ends
/// at the first of them and says which it was.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = &'static str>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        }
    })
}

const DEMO_COMPANY: &str = "demo";
const DEMO_USER: &str = "DEMO";

/// The passwords made for this run of the demo.
struct DemoPasswords {
    user: String,
    admin: String,
}

/// The demo company's account (every scope) and admin password, new at each start.
async fn add_demo_access(store: &Store) -> Result<DemoPasswords> {
    let made = || uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let passwords = DemoPasswords {
        user: made(),
        admin: made(),
    };
    let company = CompanyId::parse(DEMO_COMPANY)?;
    store
        .save_account(
            company.clone(),
            UserCode::parse(DEMO_USER)?,
            password::hash(&passwords.user)?,
            Scope::ALL.into_iter().collect(),
        )
        .await?;
    store
        .set_admin_password(company, password::hash(&passwords.admin)?, Actor::System)
        .await?;
    Ok(passwords)
}

/// Events of the demo company from January 2024 up to now, one every 40 minutes; the same ids at each
/// start, so nothing doubles and only the time since the last start is added.
async fn add_demo_data(store: &Store) -> Result<()> {
    let company = CompanyId::parse(DEMO_COMPANY)?;
    let start = "2024-01-01T08:00:00Z".parse::<chrono::DateTime<Utc>>()?;
    let step = Duration::minutes(40);
    let count = ((Utc::now() - start).num_minutes() / step.num_minutes()).max(0) as u64;
    // Entries already past the retention period would be purged again; adding them back would count
    // them twice.
    let settings = store.settings(company.clone()).await?;
    let oldest_kept = settings
        .retention
        .oldest_kept(month_of(Utc::now(), settings.timezone));
    let mut events = EventStream::new(2026, Population::demo(), start, step, count)
        .filter(|event| month_of(event.occurred_at, settings.timezone) >= oldest_kept)
        .peekable();
    let mut stored = 0;
    while events.peek().is_some() {
        let batch: Vec<_> = events.by_ref().take(5_000).collect();
        stored += store.record(company.clone(), batch).await?.accepted;
    }
    tracing::info!(new_events = stored, "demo company ready");
    Ok(())
}
