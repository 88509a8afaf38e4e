//! The CSV export: the drill-down's entries, streamed, with the header in French or English and the
//! `;` + BOM variant for French spreadsheets.

use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};

use crate::helpers::{event, token, TestApp};

const HEADER_FR: &str =
    "identifiant,date et heure,site,utilisateur,fonctionnalité,résultat,cause,code,détail";
const HEADER_EN: &str = "id,date and time,site,user,feature,outcome,cause,code,detail";

/// Every entry of a drill-down, through the JSON pages.
async fn drilldown(app: &TestApp, query: &str) -> Vec<Value> {
    let reader = token("acme", "logs:read");
    let mut items = Vec::new();
    let mut path = format!("/api/v1/logs?{query}&limit=500");
    loop {
        let (status, page) = app.get(&path, Some(&reader)).await;
        assert_eq!(status, 200, "{page}");
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => path = format!("/api/v1/logs?{query}&limit=500&cursor={next}"),
            None => return items,
        }
    }
}

/// The CSV line of an entry, as the JSON shows it (detail as its JSON text, quoted).
fn line(item: &Value, separator: char) -> String {
    let text = |field: &str| item[field].as_str().unwrap_or_default().to_owned();
    let detail = match &item["detail"] {
        Value::Null => String::new(),
        detail => format!("\"{}\"", detail.to_string().replace('"', "\"\"")),
    };
    [
        text("id"),
        text("occurred_at"),
        text("site"),
        text("user_code"),
        text("feature"),
        text("outcome"),
        text("cause"),
        text("code"),
        detail,
    ]
    .join(&separator.to_string())
}

async fn export(app: &TestApp, query: &str) -> (u16, String, String, Vec<u8>) {
    let response = app
        .get_raw(
            &format!("/api/v1/logs/export?{query}"),
            &token("acme", "logs:read"),
        )
        .await;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    (status, content_type, disposition, body)
}

async fn the_export_holds_the_drilldown_entries(app: TestApp) {
    let y = crate::helpers::last_year();
    // More entries than one page of the export's reading, many sharing a time.
    let mut rng = StdRng::seed_from_u64(11);
    // 1 January of last year, 00:00 UTC.
    let start = chrono::NaiveDate::from_ymd_opt(crate::helpers::last_year(), 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("1 January")
        .and_utc()
        .timestamp();
    let events: Vec<Value> = (0..6_500)
        .map(|_| {
            let at = chrono::DateTime::from_timestamp(start + rng.gen_range(0..3_000) * 10_000, 0)
                .unwrap_or_default();
            let mut e = event(
                "email",
                ["success", "error"][rng.gen_range(0..2)],
                ["LYON", "PARIS"][rng.gen_range(0..2)],
                &at.to_rfc3339(),
            );
            if rng.gen_bool(0.3) {
                e["code"] = json!("SMTP_AUTH");
            }
            e
        })
        .collect();
    let writer = token("acme", "events:write");
    assert_eq!(
        app.record(&writer, &json!({ "events": events })).await.0,
        200
    );
    let dea = json!({"events": [event("dea_update", "success", "LYON", &format!("{y}-05-01T10:00:00Z"))]});
    assert_eq!(app.record(&writer, &dea).await.0, 200);

    let items = drilldown(&app, &format!("feature=email&period={y}")).await;
    assert_eq!(items.len(), 6_500);
    let expected = |header: &str, separator: char| {
        let mut text = format!("{header}\n");
        for item in &items {
            text.push_str(&line(item, separator));
            text.push('\n');
        }
        text
    };

    let (status, content_type, disposition, body) =
        export(&app, &format!("feature=email&period={y}&lang=en")).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(
        disposition,
        format!("attachment; filename=\"histo-email-{y}.csv\"")
    );
    assert_eq!(String::from_utf8(body).unwrap(), expected(HEADER_EN, ','));

    let (_, _, _, body) = export(&app, &format!("feature=email&period={y}")).await;
    assert_eq!(String::from_utf8(body).unwrap(), expected(HEADER_FR, ','));

    let (_, _, _, body) = export(
        &app,
        &format!("feature=email&period={y}&sep=semicolon&bom=true"),
    )
    .await;
    let french = expected(&HEADER_FR.replace(',', ";"), ';');
    assert_eq!(&body[..3], b"\xEF\xBB\xBF");
    assert_eq!(String::from_utf8(body[3..].to_vec()).unwrap(), french);

    // A selection: one month, one outcome, one site.
    let query = &format!("feature=email&period={y}-03&outcome=error&site=PARIS");
    let items = drilldown(&app, query).await;
    assert!(!items.is_empty());
    let (_, _, disposition, body) = export(&app, &format!("{query}&lang=en")).await;
    assert_eq!(
        disposition,
        format!("attachment; filename=\"histo-email-{y}-03-error.csv\"")
    );
    let lines: Vec<String> = items.iter().map(|i| line(i, ',')).collect();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        format!("{HEADER_EN}\n{}\n", lines.join("\n"))
    );

    // The detail of a DEA update, as its JSON text.
    let items = drilldown(&app, &format!("feature=dea_update&period={y}-05")).await;
    let (_, _, _, body) = export(&app, &format!("feature=dea_update&period={y}-05&lang=en")).await;
    let text = String::from_utf8(body).unwrap();
    assert_eq!(text, format!("{HEADER_EN}\n{}\n", line(&items[0], ',')));
    assert!(
        text.ends_with(",\"{\"\"changed\"\":\"\"code\"\"}\"\n"),
        "{text}"
    );

    // Nothing to export: the header alone.
    let (status, _, _, body) = export(&app, &format!("feature=sms&period={y}&lang=en")).await;
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (200, format!("{HEADER_EN}\n"))
    );
}

crate::on_both_databases!(the_export_holds_the_drilldown_entries);
