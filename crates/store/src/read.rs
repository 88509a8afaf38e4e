//! Reading a company's figures: uses per month from the monthly counts (never from the events), pages
//! of log entries newest first, and the sites. Hidden sites are left out of every read here through
//! [`SiteSelection`], the one place that knows about them.

use chrono::{DateTime, Utc};
use diesel::dsl::{not, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use histo_domain::{
    Cause, CompanyId, Detail, Feature, Month, Outcome, Period, RetentionPolicy, SiteCode, TimeZone,
    UserCode,
};
use uuid::Uuid;

use crate::connection::DbConnection;
use crate::schema::{events, monthly_counts, monthly_totals, sites};
use crate::{Store, StoreError};

/// What every read tells besides its figures: the company's settings and how many sites it hides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyView {
    pub timezone: TimeZone,
    pub retention: RetentionPolicy,
    /// The oldest month whose entries are kept, as of the read.
    pub retained_from: Month,
    pub hidden_sites: usize,
}

/// The uses to count: one feature or all, over a range of months, on some sites or all.
#[derive(Debug, Clone)]
pub struct UsageQuery {
    pub feature: Option<Feature>,
    pub first: Month,
    pub last: Month,
    /// Empty: every visible site.
    pub sites: Vec<SiteCode>,
}

/// The uses of one feature in one month that ended with one outcome (and cause, for an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub feature: Feature,
    pub month: Month,
    pub outcome: Outcome,
    pub cause: Option<Cause>,
    pub count: u64,
}

/// The uses of one feature at one site (in a range of months) that ended with one outcome and cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUsage {
    pub site: String,
    /// The site's display name.
    pub name: String,
    pub outcome: Outcome,
    pub cause: Option<Cause>,
    pub count: u64,
}

/// The counts of one feature per visible site.
#[derive(Debug, Clone)]
pub struct SiteUsageReport {
    pub company: CompanyView,
    pub usage: Vec<SiteUsage>,
}

/// The counts of a [`UsageQuery`]; months, features and outcomes without a use are absent.
#[derive(Debug, Clone)]
pub struct UsageReport {
    pub company: CompanyView,
    pub usage: Vec<Usage>,
}

/// The entries behind one bar of a chart.
#[derive(Debug, Clone)]
pub struct EntrySelection {
    pub feature: Feature,
    pub period: Period,
    pub outcome: Option<Outcome>,
    /// Only the errors of this cause.
    pub cause: Option<Cause>,
    /// Only the entries of this user.
    pub user: Option<UserCode>,
    /// Empty: every visible site.
    pub sites: Vec<SiteCode>,
}

/// Where an entry sits in the newest-first order; a page continues after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryPosition {
    /// The entry's stored company-local month.
    pub month: Month,
    /// Microseconds since 1970-01-01 UTC.
    pub occurred_at: i64,
    pub id: Uuid,
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub site: String,
    pub user_code: String,
    pub feature: Feature,
    pub outcome: Outcome,
    pub cause: Option<Cause>,
    pub code: Option<String>,
    pub detail: Option<Detail>,
    position: EntryPosition,
}

impl StoredEntry {
    pub fn position(&self) -> EntryPosition {
        self.position
    }
}

/// A page of entries, newest first; `next` is set when more entries follow.
#[derive(Debug)]
pub struct EntryPage {
    pub company: CompanyView,
    pub entries: Vec<StoredEntry>,
    pub next: Option<NextPage>,
}

/// Where the next page of a selection starts: after an entry (what a cursor says), and, when the
/// same reader goes on (an export), with the rows that the page before read ahead of it, so that
/// nothing is read twice.
#[derive(Debug)]
pub struct NextPage {
    after: EntryPosition,
    read_ahead: Option<Walk>,
}

impl NextPage {
    /// The last entry before the page.
    pub fn after(&self) -> EntryPosition {
        self.after
    }
}

impl From<EntryPosition> for NextPage {
    /// The page after an entry, with nothing read ahead (a cursor brought back).
    fn from(after: EntryPosition) -> NextPage {
        NextPage {
            after,
            read_ahead: None,
        }
    }
}

impl Store {
    /// Counts uses per feature, month and outcome from the monthly counts: the cost depends on the
    /// number of months, sites and outcomes, never on the number of events.
    pub async fn usage(
        &self,
        company: CompanyId,
        query: UsageQuery,
    ) -> Result<UsageReport, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            let (company_view, sites) =
                read_company(conn, &company, default_timezone, &query.sites)?;
            let usage = count_usage(conn, &company, &query, &sites, company_view.hidden_sites)?;
            Ok(UsageReport {
                company: company_view,
                usage,
            })
        })
        .await
    }

    /// Counts the uses of `feature` per visible site, outcome and cause over a range of months, from
    /// the monthly counts, with each site's display name.
    pub async fn usage_by_site(
        &self,
        company: CompanyId,
        feature: Feature,
        first: Month,
        last: Month,
    ) -> Result<SiteUsageReport, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            let (company_view, sites) = read_company(conn, &company, default_timezone, &[])?;
            let usage = count_usage_by_site(conn, &company, feature, first, last, &sites)?;
            Ok(SiteUsageReport {
                company: company_view,
                usage,
            })
        })
        .await
    }

    /// Up to `limit` entries of a selection, newest first: the first page, or the one `start` says.
    pub async fn log_page(
        &self,
        company: CompanyId,
        selection: EntrySelection,
        start: Option<NextPage>,
        limit: usize,
    ) -> Result<EntryPage, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            let (company_view, sites) =
                read_company(conn, &company, default_timezone, &selection.sites)?;
            let ranges = ranges(&selection, &sites);
            let (after, read_ahead) = match start {
                Some(NextPage { after, read_ahead }) => (Some(after), read_ahead),
                None => (None, None),
            };
            let reader = RangeReader {
                company: &company,
                selection: &selection,
                sites: &sites,
                ranges: &ranges,
                after,
            };
            let (entries, next) = reader.page(conn, read_ahead, limit)?;
            Ok(EntryPage {
                company: company_view,
                entries,
                next,
            })
        })
        .await
    }
}

/// The sites a read covers. Built only by [`read_company`], so that no read can forget the hidden
/// ones, and applied to a query by [`only_selected_sites!`].
enum SiteSelection {
    /// Every site the company does not hide (found by a subquery, whatever their number).
    Visible(CompanyId),
    /// Only these (requested, and not hidden; possibly none).
    Only(Vec<String>),
}

/// Keeps the rows of a boxed query whose site `column` the [`SiteSelection`] covers.
macro_rules! only_selected_sites {
    ($query:expr, $column:expr, $selection:expr) => {
        match $selection {
            SiteSelection::Visible(company) => $query.filter(not(
                $column.eq_any(hidden_sites_of(company.as_str()).select(sites::code))
            )),
            SiteSelection::Only(sites) => $query.filter($column.eq_any(sites)),
        }
    };
}

/// The sites the company hides.
#[diesel::dsl::auto_type]
fn hidden_sites_of<'a>(company: &'a str) -> _ {
    sites::table
        .filter(sites::company_id.eq(company))
        .filter(sites::hidden.eq(true))
}

/// The company's settings (defaults when it has stored nothing yet) and the sites a read covers.
fn read_company(
    conn: &mut DbConnection,
    company: &CompanyId,
    default_timezone: TimeZone,
    requested_sites: &[SiteCode],
) -> Result<(CompanyView, SiteSelection), StoreError> {
    let settings = crate::company::load_settings(conn, company, default_timezone)?;
    let hidden = hidden_sites_of(company.as_str());
    let hidden_sites: i64 = hidden.count().get_result(conn)?;
    let view = CompanyView {
        timezone: settings.timezone,
        retention: settings.retention,
        retained_from: settings.retained_from(Utc::now()),
        hidden_sites: usize::try_from(hidden_sites).unwrap_or(0),
    };
    let selection = if requested_sites.is_empty() {
        SiteSelection::Visible(company.clone())
    } else {
        let requested: Vec<&str> = requested_sites.iter().map(SiteCode::as_str).collect();
        let hidden_requested: Vec<String> = hidden
            .filter(sites::code.eq_any(&requested))
            .select(sites::code)
            .load(conn)?;
        SiteSelection::Only(
            requested
                .into_iter()
                .filter(|code| !hidden_requested.iter().any(|h| h == code))
                .map(str::to_owned)
                .collect(),
        )
    };
    Ok((view, selection))
}

/// Up to this many hidden sites are named in the query that takes their counts off the totals.
const NAMED_HIDDEN_SITES: usize = 100;

/// The uses per feature, month, outcome and cause. Every site together is read from the totals,
/// whatever the number of sites, with the hidden sites' counts taken off; chosen sites from their
/// own counts.
fn count_usage(
    conn: &mut DbConnection,
    company: &CompanyId,
    query: &UsageQuery,
    sites: &SiteSelection,
    hidden_sites: usize,
) -> Result<Vec<Usage>, StoreError> {
    // Every feature named, even for all of them: each one is then a range of the primary key.
    let features: Vec<&str> = match query.feature {
        Some(feature) => vec![feature.code()],
        None => Feature::ALL.iter().map(|f| f.code()).collect(),
    };
    let months = (query.first.key(), query.last.key());
    // CAST: PostgreSQL sums BIGINTs into NUMERIC, which SQLite does not know.
    macro_rules! per_site {
        (|$counts:ident| $selected:expr) => {{
            let $counts = monthly_counts::table
                .filter(monthly_counts::company_id.eq(company.as_str()))
                .filter(monthly_counts::feature.eq_any(&features))
                .filter(monthly_counts::month.between(months.0, months.1))
                .group_by((
                    monthly_counts::feature,
                    monthly_counts::month,
                    monthly_counts::outcome,
                    monthly_counts::cause,
                ))
                .select((
                    monthly_counts::feature,
                    monthly_counts::month,
                    monthly_counts::outcome,
                    monthly_counts::cause,
                    sql::<BigInt>("CAST(SUM(count) AS BIGINT)"),
                ))
                .into_boxed();
            let rows: Vec<CountedRow> = $selected.load(conn)?;
            rows
        }};
    }
    let rows = match sites {
        SiteSelection::Only(_) => {
            per_site!(|counts| only_selected_sites!(counts, monthly_counts::site, sites))
        }
        SiteSelection::Visible(_) => {
            let mut totals: Vec<CountedRow> = monthly_totals::table
                .filter(monthly_totals::company_id.eq(company.as_str()))
                .filter(monthly_totals::feature.eq_any(&features))
                .filter(monthly_totals::month.between(months.0, months.1))
                .select((
                    monthly_totals::feature,
                    monthly_totals::month,
                    monthly_totals::outcome,
                    monthly_totals::cause,
                    monthly_totals::count,
                ))
                .load(conn)?;
            if hidden_sites > 0 {
                let hidden_codes = hidden_sites_of(company.as_str()).select(sites::code);
                // A few hidden sites are named, each then a range of the by-site index whatever the
                // number of other sites; both databases' planners scan every site for a subquery.
                let hidden = if hidden_sites <= NAMED_HIDDEN_SITES {
                    let codes: Vec<String> = hidden_codes.load(conn)?;
                    per_site!(|counts| counts.filter(monthly_counts::site.eq_any(codes)))
                } else {
                    per_site!(|counts| counts.filter(monthly_counts::site.eq_any(hidden_codes)))
                };
                for (feature, month, outcome, cause, count) in hidden {
                    if let Some(total) = totals.iter_mut().find(|(f, m, o, c, _)| {
                        (f, *m, o, c) == (&feature, month, &outcome, &cause)
                    }) {
                        total.4 -= count;
                    }
                }
            }
            totals
        }
    };
    rows.into_iter()
        .map(|(feature, month, outcome, cause, count)| {
            Ok(Usage {
                feature: Feature::parse(&feature)
                    .ok_or_else(|| StoreError::BadRow(format!("unknown feature '{feature}'")))?,
                month: Month::from_key(month)
                    .map_err(|_| StoreError::BadRow(format!("bad month {month}")))?,
                outcome: parse_outcome(&outcome)?,
                cause: parse_cause(&cause)?,
                count: u64::try_from(count).unwrap_or(0),
            })
        })
        .collect()
}

/// A counter as read: feature, month, outcome, cause (`''` for none) and count.
type CountedRow = (String, i32, String, String, i64);

/// The uses of `feature` per site, outcome and cause over a range of months, with the sites'
/// display names (read for the sites counted only).
fn count_usage_by_site(
    conn: &mut DbConnection,
    company: &CompanyId,
    feature: Feature,
    first: Month,
    last: Month,
    sites: &SiteSelection,
) -> Result<Vec<SiteUsage>, StoreError> {
    let mut counts = monthly_counts::table
        .filter(monthly_counts::company_id.eq(company.as_str()))
        .filter(monthly_counts::feature.eq(feature.code()))
        .filter(monthly_counts::month.between(first.key(), last.key()))
        .group_by((
            monthly_counts::site,
            monthly_counts::outcome,
            monthly_counts::cause,
        ))
        .select((
            monthly_counts::site,
            monthly_counts::outcome,
            monthly_counts::cause,
            sql::<BigInt>("CAST(SUM(count) AS BIGINT)"),
        ))
        .into_boxed();
    counts = only_selected_sites!(counts, monthly_counts::site, sites);
    let rows: Vec<(String, String, String, i64)> = counts.load(conn)?;
    let mut codes: Vec<&str> = rows.iter().map(|(site, ..)| site.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut names = std::collections::HashMap::new();
    for chunk in codes.chunks(1_000) {
        names.extend(
            sites::table
                .filter(sites::company_id.eq(company.as_str()))
                .filter(sites::code.eq_any(chunk))
                .select((sites::code, sites::name))
                .load::<(String, String)>(conn)?,
        );
    }
    rows.into_iter()
        .map(|(site, outcome, cause, count)| {
            Ok(SiteUsage {
                name: names.get(&site).cloned().unwrap_or_else(|| site.clone()),
                site,
                outcome: parse_outcome(&outcome)?,
                cause: parse_cause(&cause)?,
                count: u64::try_from(count).unwrap_or(0),
            })
        })
        .collect()
}

fn parse_outcome(outcome: &str) -> Result<Outcome, StoreError> {
    Outcome::parse(outcome)
        .ok_or_else(|| StoreError::BadRow(format!("unknown outcome '{outcome}'")))
}

/// A counter's cause: `''` when there is none.
fn parse_cause(cause: &str) -> Result<Option<Cause>, StoreError> {
    match cause {
        "" => Ok(None),
        code => Cause::parse(code)
            .map(Some)
            .ok_or_else(|| StoreError::BadRow(format!("unknown cause '{code}'"))),
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = events)]
struct EntryRow {
    id: Vec<u8>,
    occurred_at: i64,
    month: i32,
    feature: String,
    outcome: String,
    cause: Option<String>,
    site: String,
    user_code: String,
    code: Option<String>,
    detail: Option<String>,
}

/// The most chosen sites read as ranges of their own; beyond, one query takes them all.
const SITE_RANGES: usize = 10;

/// One range of an index that a drill-down reads newest first: the value it fixes after the company,
/// the feature and the month (always an equality, so that both databases read it in order).
enum Range<'a> {
    /// `events_by_user`.
    User(&'a UserCode),
    /// `events_by_cause`.
    Cause(Cause),
    /// `events_by_outcome`.
    Outcome(Outcome),
    /// `events_by_site`.
    StoredSite(&'a str),
}

/// The ranges that hold a selection's entries: the user's, else the cause's, else the outcome's
/// (rare ones are what users click on), else the few chosen sites', else every outcome of the feature.
/// Each is read in its own order, so a page costs the same whatever the size of the month and
/// however rare the filter.
fn ranges<'a>(selection: &'a EntrySelection, sites: &'a SiteSelection) -> Vec<Range<'a>> {
    if let Some(user) = &selection.user {
        return vec![Range::User(user)];
    }
    if let Some(cause) = selection.cause {
        return vec![Range::Cause(cause)];
    }
    if let Some(outcome) = selection.outcome {
        return vec![Range::Outcome(outcome)];
    }
    if let SiteSelection::Only(chosen) = sites {
        if chosen.len() <= SITE_RANGES {
            return chosen.iter().map(|site| Range::StoredSite(site)).collect();
        }
    }
    selection
        .feature
        .outcomes()
        .iter()
        .map(|outcome| Range::Outcome(*outcome))
        .collect()
}

/// `events.outcome`, `events.cause` and `events.site` as expressions that no index answers: what a
/// range leaves to check is written so, that no database takes another index for it (the range's own
/// order is the point).
const OUTCOME_UNINDEXED: &str = "(events.outcome || '')";
const CAUSE_UNINDEXED: &str = "(events.cause || '')";
const SITE_UNINDEXED: &str = "(events.site || '')";

/// What a drill-down reads: a selection's [`ranges`] merged newest first by (occurred_at, id), one
/// month at a time from the newest month of the period (or the month of `after`) back, each range
/// read in its own order a few entries at a time.
struct RangeReader<'a> {
    company: &'a CompanyId,
    selection: &'a EntrySelection,
    sites: &'a SiteSelection,
    ranges: &'a [Range<'a>],
    /// The entry that the walk starts after.
    after: Option<EntryPosition>,
}

/// Where a walk through the ranges stands: the month, and for each range the rows read and not yet
/// taken, and whether the range holds no more of the month (empty: the month is not read yet).
#[derive(Debug)]
struct Walk {
    month: Month,
    heads: Vec<(std::collections::VecDeque<EntryRow>, bool)>,
}

impl RangeReader<'_> {
    /// Up to `limit` entries after `after`, and where the next page starts when more follow. The
    /// walk of the page before goes on where it stopped when it was `read_ahead`.
    fn page(
        &self,
        conn: &mut DbConnection,
        read_ahead: Option<Walk>,
        limit: usize,
    ) -> Result<(Vec<StoredEntry>, Option<NextPage>), StoreError> {
        let (_, last) = self.selection.period.months();
        let mut walk = read_ahead
            .filter(|walk| walk.heads.len() == self.ranges.len())
            .unwrap_or(Walk {
                month: self.after.map_or(last, |after| after.month.min(last)),
                heads: Vec::new(),
            });
        let mut entries = Vec::new();
        while entries.len() < limit {
            match self.take(conn, &mut walk, limit - entries.len())? {
                Some(row) => entries.push(entry(row)?),
                None => break,
            }
        }
        let more = self.newest(conn, &mut walk, 1)?.is_some();
        let next = match entries.last() {
            Some(last) if more => Some(NextPage {
                after: last.position(),
                read_ahead: Some(walk),
            }),
            _ => None,
        };
        Ok((entries, next))
    }

    /// Takes the newest row not yet taken. A range whose rows are all taken reads its next ones at
    /// once, a share of the `wanted` entries still to come, so that a merge reads little more than
    /// the page.
    fn take(
        &self,
        conn: &mut DbConnection,
        walk: &mut Walk,
        wanted: usize,
    ) -> Result<Option<EntryRow>, StoreError> {
        let Some(n) = self.newest(conn, walk, wanted)? else {
            return Ok(None);
        };
        let (rows, done) = &mut walk.heads[n];
        let Some(row) = rows.pop_front() else {
            return Ok(None);
        };
        if rows.is_empty() && !*done {
            let id = Uuid::from_slice(&row.id).map_err(|_| bad_id(&row.id))?;
            let share = self.share(wanted);
            let more = self.read(
                conn,
                &self.ranges[n],
                walk.month,
                Some((row.occurred_at, id)),
                share,
            )?;
            *done = more.len() < share;
            rows.extend(more);
        }
        Ok(Some(row))
    }

    /// The range whose next row is the newest, reading the walk's month when it is not read yet and
    /// going back a month while nothing is left; `None` once the period is done.
    fn newest(
        &self,
        conn: &mut DbConnection,
        walk: &mut Walk,
        wanted: usize,
    ) -> Result<Option<usize>, StoreError> {
        let (first, _) = self.selection.period.months();
        // No range: every site asked for is hidden.
        while !self.ranges.is_empty() && walk.month >= first {
            if walk.heads.is_empty() {
                let start = self
                    .after
                    .filter(|after| after.month == walk.month)
                    .map(|after| (after.occurred_at, after.id));
                let share = self.share(wanted);
                for range in self.ranges {
                    let rows = self.read(conn, range, walk.month, start, share)?;
                    let done = rows.len() < share;
                    walk.heads.push((rows.into(), done));
                }
            }
            let newest = walk
                .heads
                .iter()
                .enumerate()
                .filter_map(|(n, (rows, _))| rows.front().map(|row| (n, row)))
                .max_by(|(_, a), (_, b)| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)))
                .map(|(n, _)| n);
            if newest.is_some() {
                return Ok(newest);
            }
            walk.month = walk.month.plus(-1);
            walk.heads.clear();
        }
        Ok(None)
    }

    /// Rows read from a range at a time: its share of the entries wanted, at least 50.
    fn share(&self, wanted: usize) -> usize {
        (wanted / self.ranges.len()).max(50).min(wanted)
    }

    /// Up to `limit` entries of one range of one month, newest first, after `start` when given.
    fn read(
        &self,
        conn: &mut DbConnection,
        range: &Range<'_>,
        month: Month,
        start: Option<(i64, Uuid)>,
        limit: usize,
    ) -> Result<Vec<EntryRow>, StoreError> {
        let (selection, sites) = (self.selection, self.sites);
        let mut query = events::table
            .filter(events::company_id.eq(self.company.as_str()))
            .filter(events::feature.eq(selection.feature.code()))
            .filter(events::month.eq(month.key()))
            .into_boxed();
        query = match range {
            Range::User(user) => query.filter(events::user_code.eq(user.as_str())),
            Range::Cause(cause) => query.filter(events::cause.eq(cause.code())),
            Range::Outcome(outcome) => query.filter(events::outcome.eq(outcome.code())),
            Range::StoredSite(site) => query.filter(events::site.eq(*site)),
        };
        if let (Some(outcome), false) = (selection.outcome, matches!(range, Range::Outcome(_))) {
            query = query.filter(sql::<Text>(OUTCOME_UNINDEXED).eq(outcome.code()));
        }
        if let (Some(cause), false) = (selection.cause, matches!(range, Range::Cause(_))) {
            query = query.filter(sql::<Text>(CAUSE_UNINDEXED).eq(cause.code()));
        }
        query = match (range, sites) {
            // The range is one of the sites chosen, none of them hidden: a second condition on the
            // site would only make PostgreSQL think the range rare and sort all of it.
            (Range::StoredSite(_), _) => query,
            (_, SiteSelection::Only(chosen)) => {
                query.filter(sql::<Text>(SITE_UNINDEXED).eq_any(chosen))
            }
            (_, SiteSelection::Visible(_)) => only_selected_sites!(query, events::site, sites),
        };
        if let Some((occurred_at, id)) = start {
            // (occurred_at, id) < start: written so that both databases range over the index.
            query = query.filter(events::occurred_at.le(occurred_at)).filter(
                events::occurred_at
                    .lt(occurred_at)
                    .or(events::id.lt(id.as_bytes().to_vec())),
            );
        }
        Ok(query
            .order((events::occurred_at.desc(), events::id.desc()))
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .select(EntryRow::as_select())
            .load(conn)?)
    }
}

fn bad_id(id: &[u8]) -> StoreError {
    StoreError::BadRow(format!("event {}: the id is not 16 bytes", hex(id)))
}

fn entry(row: EntryRow) -> Result<StoredEntry, StoreError> {
    let bad = |what: &str| StoreError::BadRow(format!("event {}: {what}", hex(&row.id)));
    let id = Uuid::from_slice(&row.id).map_err(|_| bad("the id is not 16 bytes"))?;
    let occurred_at = DateTime::from_timestamp_micros(row.occurred_at)
        .ok_or_else(|| bad("occurred_at is out of range"))?;
    let month = Month::from_key(row.month).map_err(|_| bad("bad month"))?;
    let feature = Feature::parse(&row.feature).ok_or_else(|| bad("unknown feature"))?;
    let outcome = Outcome::parse(&row.outcome).ok_or_else(|| bad("unknown outcome"))?;
    let cause = match row.cause.as_deref() {
        None => None,
        Some(text) => Some(Cause::parse(text).ok_or_else(|| bad("unknown cause"))?),
    };
    let detail = match row.detail.as_deref() {
        None => None,
        Some(text) => Some(crate::detail::from_json(text).ok_or_else(|| bad("unreadable detail"))?),
    };
    Ok(StoredEntry {
        id,
        occurred_at,
        site: row.site,
        user_code: row.user_code,
        feature,
        outcome,
        cause,
        code: row.code,
        detail,
        position: EntryPosition {
            month,
            occurred_at: row.occurred_at,
            id,
        },
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
