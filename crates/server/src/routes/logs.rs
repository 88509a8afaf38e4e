//! `GET /api/v1/logs` and `GET /api/v1/logs/export`: the log entries behind one bar of a chart,
//! newest first, as pages of JSON with a cursor or as one streamed CSV file.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::{stream, StreamExt};
use histo_api_types::{
    CsvQuery, ErrorBody, EventDetail, LogEntry, LogPage, LogsQuery, PageQuery, SiteFilter,
};
use histo_domain::{has_purged, Detail, Month, Period, TimeZone};
use histo_store::{EntryPage, EntryPosition, NextPage, StoreError, StoredEntry};
use uuid::Uuid;

use crate::auth::{Authorized, LogsRead};
use crate::error::ApiError;
use crate::export::CsvFormat;
use crate::query::{self, ReadQuery};
use crate::AppState;

/// Entries per page when the client does not say.
pub const DEFAULT_LIMIT: usize = 50;
/// The most entries one page holds.
pub const MAX_LIMIT: usize = 500;
/// Entries read per query while exporting: memory stays flat whatever the size of the export.
const EXPORT_PAGE: usize = 5_000;

/// Log entries behind a bar
///
/// The entries of one feature in one month (`period=2026-03`) or year (`period=2026`) of the company's
/// time zone, optionally of one outcome, one cause, one user and some sites, newest first. Pass `next_cursor` back as
/// `cursor` for the next page; pages stay stable while new events arrive. Hidden sites are left out.
/// `purged` says that the period lies before the retention limit, so its entries were removed.
#[utoipa::path(
    tag = "logs",
    params(LogsQuery, PageQuery, SiteFilter),
    responses(
        (status = 200, description = "A page of entries, newest first", body = LogPage),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/logs")]
pub async fn logs(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    query: ReadQuery<LogsQuery, PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let ReadQuery {
        params,
        shared: page,
        sites,
    } = query;
    let selection = query::drilldown(&params, sites)?;
    let limit = limit(&page.limit)?;
    let after = page
        .cursor
        .as_deref()
        .map(|cursor| decode_cursor(cursor, selection.period))
        .transpose()?
        .map(NextPage::from);
    let period = selection.period;
    let page = state
        .store
        .log_page(auth.caller.company, selection, after, limit)
        .await?;
    Ok(HttpResponse::Ok().json(LogPage {
        items: items(&page),
        next_cursor: page.next.as_ref().map(|next| encode_cursor(next.after())),
        purged: has_purged(period, page.company.retained_from),
        retained_from: page.company.retained_from.to_string(),
    }))
}

/// Log entries behind a bar, as CSV
///
/// The same entries as `GET /api/v1/logs` (without paging), streamed as a UTF-8 CSV file with a
/// header row. For French spreadsheets: `sep=semicolon&bom=true&lang=fr`.
#[utoipa::path(
    tag = "logs",
    params(LogsQuery, CsvQuery, SiteFilter),
    responses(
        (status = 200, description = "The entries, newest first, as CSV", content_type = "text/csv", body = String,
         example = json!("identifiant,date et heure,site,utilisateur,fonctionnalité,résultat,cause,code,détail\n0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01,2026-04-01T01:30:00+02:00,LYON,JDUPONT,vies,error,invalid_number,VIES_FORMAT,\n")),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/logs/export")]
pub async fn export(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    query: ReadQuery<LogsQuery, CsvQuery>,
) -> Result<HttpResponse, ApiError> {
    let ReadQuery {
        params,
        shared: csv,
        sites,
    } = query;
    let selection = query::drilldown(&params, sites)?;
    let format = CsvFormat::parse(&csv)?;
    let filename = match selection.outcome {
        Some(outcome) => format!(
            "histo-{}-{}-{outcome}.csv",
            selection.feature, selection.period
        ),
        None => format!("histo-{}-{}.csv", selection.feature, selection.period),
    };
    let store = state.store.clone();
    let company = auth.caller.company;
    // The first page is read before answering, so that an unavailable database is a clean 503.
    let first = store
        .log_page(company.clone(), selection.clone(), None, EXPORT_PAGE)
        .await?;
    let head = stream::once(std::future::ready(format.header(&HEADER_FR, &HEADER_EN)));
    let pages = stream::try_unfold(Some(ExportPage::Read(first)), move |next| {
        let (store, company, selection) = (store.clone(), company.clone(), selection.clone());
        async move {
            let mut page = match next {
                None => return Ok(None),
                Some(ExportPage::Read(page)) => page,
                Some(ExportPage::Reading(reading)) => reading
                    .await
                    .map_err(|_| StoreError::TaskFailed)
                    .and_then(|read| read)
                    .map_err(ApiError::from)?,
            };
            // The next page is read on the database's threads while this one is written out,
            // going on from what this one read ahead.
            let following = page.next.take().map(|next| {
                ExportPage::Reading(tokio::spawn(async move {
                    store
                        .log_page(company, selection, Some(next), EXPORT_PAGE)
                        .await
                }))
            });
            // Lets that read start before the writing.
            tokio::task::yield_now().await;
            let zone = page.company.timezone;
            let rows = format.rows(page.entries.iter().map(|entry| row(format, entry, zone)))?;
            Ok::<_, actix_web::Error>(Some((rows, following)))
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(head.chain(pages)))
}

/// The export's next page: already read, or being read.
enum ExportPage {
    Read(EntryPage),
    Reading(tokio::task::JoinHandle<Result<EntryPage, StoreError>>),
}

pub(crate) fn limit(value: &Option<String>) -> Result<usize, ApiError> {
    match value.as_deref() {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_field("limit", format!("must be a number from 1 to {MAX_LIMIT}"))
            }),
    }
}

fn items(page: &EntryPage) -> Vec<LogEntry> {
    page.entries
        .iter()
        .map(|entry| item(entry, page.company.timezone))
        .collect()
}

fn item(entry: &StoredEntry, zone: TimeZone) -> LogEntry {
    LogEntry {
        id: entry.id.to_string(),
        occurred_at: super::local_time(entry.occurred_at, zone),
        site: entry.site.clone(),
        user_code: entry.user_code.clone(),
        feature: entry.feature.code().into(),
        outcome: entry.outcome.code().into(),
        cause: entry.cause.map(|c| c.code().into()),
        code: entry.code.clone(),
        detail: entry.detail.map(|detail| match detail {
            Detail::DeaUpdate { changed } => EventDetail {
                changed: changed.code().into(),
            },
        }),
    }
}

/// Bytes of a cursor: the entry's month (4), time in microseconds (8) and id (16), big-endian.
const CURSOR_BYTES: usize = 28;

/// An opaque cursor: base64url of the last entry's position.
fn encode_cursor(position: EntryPosition) -> String {
    let mut bytes = Vec::with_capacity(CURSOR_BYTES);
    bytes.extend_from_slice(&position.month.key().to_be_bytes());
    bytes.extend_from_slice(&position.occurred_at.to_be_bytes());
    bytes.extend_from_slice(position.id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads a cursor back; one that is garbled, or that is not of an entry of `period`, is refused.
fn decode_cursor(cursor: &str, period: Period) -> Result<EntryPosition, ApiError> {
    let refused = || {
        ApiError::invalid_field(
            "cursor",
            "is not a cursor of this list (pass next_cursor back unchanged)",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    let bytes: [u8; CURSOR_BYTES] = bytes.try_into().map_err(|_| refused())?;
    let (month, rest) = bytes.split_at(4);
    let (occurred_at, id) = rest.split_at(8);
    let month = Month::from_key(i32::from_be_bytes(month.try_into().map_err(|_| refused())?))
        .map_err(|_| refused())?;
    let (first, last) = period.months();
    if !(first..=last).contains(&month) {
        return Err(refused());
    }
    Ok(EntryPosition {
        month,
        occurred_at: i64::from_be_bytes(occurred_at.try_into().map_err(|_| refused())?),
        id: Uuid::from_slice(id).map_err(|_| refused())?,
    })
}

const HEADER_FR: [&str; 9] = [
    "identifiant",
    "date et heure",
    "site",
    "utilisateur",
    "fonctionnalité",
    "résultat",
    "cause",
    "code",
    "détail",
];
const HEADER_EN: [&str; 9] = [
    "id",
    "date and time",
    "site",
    "user",
    "feature",
    "outcome",
    "cause",
    "code",
    "detail",
];

/// An entry as a row of the export, borrowing what it can.
fn row<'a>(format: CsvFormat, entry: &'a StoredEntry, zone: TimeZone) -> [Cow<'a, str>; 9] {
    [
        entry.id.to_string().into(),
        format.time(entry.occurred_at, zone).into(),
        entry.site.as_str().into(),
        entry.user_code.as_str().into(),
        format.feature(entry.feature).into(),
        format.outcome(entry.feature, entry.outcome).into(),
        entry.cause.map_or("", |cause| format.cause(cause)).into(),
        entry.code.as_deref().unwrap_or_default().into(),
        entry
            .detail
            .map_or(Cow::Borrowed(""), |Detail::DeaUpdate { changed }| {
                format.detail(changed).into()
            }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_only_within_its_period() {
        let position = EntryPosition {
            month: Month::new(2026, 3).unwrap(),
            occurred_at: 1_774_999_800_000_000,
            id: Uuid::now_v7(),
        };
        let cursor = encode_cursor(position);
        let march = Period::parse("2026-03").unwrap();
        assert_eq!(decode_cursor(&cursor, march).unwrap(), position);
        assert_eq!(
            decode_cursor(&cursor, Period::parse("2026").unwrap()).unwrap(),
            position
        );
        assert!(decode_cursor(&cursor, Period::parse("2026-04").unwrap()).is_err());
        assert!(decode_cursor("garbage!", march).is_err());
        assert!(decode_cursor(&cursor[..20], march).is_err());
    }
}
