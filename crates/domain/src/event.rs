//! One use of one feature as the host application reports it, read field by field from JSON so that a
//! refusal names every bad field, and unknown fields (possible free text) are refused, not dropped.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::fields::{FieldValue, Fields};

use crate::ids::{IdError, SiteCode, SupportCode, UserCode};
use crate::taxonomy::{Cause, DeaChange, Detail, Feature, Outcome};

/// Events dated before this year are refused: they are typing mistakes, not history.
pub const OCCURRED_AT_EARLIEST_YEAR: i32 = 2000;
/// 2000-01-01T00:00:00Z.
const EARLIEST_TIMESTAMP: i64 = 946_684_800;

/// How far in the future a clock may run and its events still be taken.
const CLOCK_SKEW: Duration = Duration::days(1);

/// A field of an event that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// A valid event, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub id: Uuid,
    pub feature: Feature,
    pub outcome: Outcome,
    pub cause: Option<Cause>,
    pub site: SiteCode,
    pub user_code: UserCode,
    pub occurred_at: DateTime<Utc>,
    pub code: Option<SupportCode>,
    pub detail: Option<Detail>,
}

/// A value of the caller's, quoted in a refusal: cut to 64 characters, so that an answer never
/// grows with what was sent.
pub fn quoted(text: &str) -> String {
    match text.char_indices().nth(64) {
        None => format!("'{text}'"),
        Some((end, _)) => format!("'{}…'", &text[..end]),
    }
}

/// Codes separated by commas, for the "expected one of: …" part of a refusal.
pub fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Collects the errors of one event while its fields are read.
struct Reader<'a> {
    object: &'a Fields,
    errors: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// The field as a string; `None` (after noting why) when it is absent, null or not a string.
    fn text(&mut self, field: &str, required: bool) -> Option<&'a str> {
        match self.object.get(field) {
            Some(FieldValue::Text(s)) => Some(s.as_str()),
            None | Some(FieldValue::Null) => {
                if required {
                    self.fail(field, "is required");
                }
                None
            }
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }

    fn token<T>(
        &mut self,
        field: &str,
        required: bool,
        parse: fn(&str) -> Result<T, IdError>,
    ) -> Option<T> {
        let text = self.text(field, required)?;
        parse(text)
            .map_err(|e| self.fail(field, e.to_string()))
            .ok()
    }
}

impl NewEvent {
    /// Reads one event; every bad field is reported, not only the first.
    pub fn parse(value: &FieldValue, now: DateTime<Utc>) -> Result<NewEvent, Vec<FieldError>> {
        let FieldValue::Object(object) = value else {
            return Err(vec![FieldError::new("", "an event must be a JSON object")]);
        };
        let mut r = Reader {
            object,
            errors: Vec::new(),
        };
        refuse_unknown(&mut r, object, "");

        let id = match r.text("id", false) {
            None => Some(Uuid::now_v7()),
            Some(text) => match Uuid::try_parse(text) {
                Ok(id) if !id.is_nil() => Some(id),
                _ => {
                    r.fail("id", "must be a UUID (a time-ordered UUIDv7 is best)");
                    None
                }
            },
        };

        let feature = r.text("feature", true).and_then(|text| {
            let feature = Feature::parse(text);
            if feature.is_none() {
                r.fail(
                    "feature",
                    format!(
                        "unknown feature {} (expected one of: {})",
                        quoted(text),
                        list(Feature::ALL)
                    ),
                );
            }
            feature
        });

        let outcome =
            r.text("outcome", true)
                .and_then(|text| match (Outcome::parse(text), feature) {
                    (Some(o), Some(f)) if !f.has_outcome(o) => {
                        r.fail(
                            "outcome",
                            format!(
                                "'{f}' has no outcome {} (expected one of: {})",
                                quoted(text),
                                list(f.outcomes())
                            ),
                        );
                        None
                    }
                    (Some(o), _) => Some(o),
                    (None, _) => {
                        let expected = feature.map_or(Outcome::ALL, Feature::outcomes);
                        r.fail(
                            "outcome",
                            format!(
                                "unknown outcome {} (expected one of: {})",
                                quoted(text),
                                list(expected)
                            ),
                        );
                        None
                    }
                });

        let cause_given = object.get("cause").is_some_and(|v| *v != FieldValue::Null);
        let cause = match (outcome, feature, r.text("cause", false)) {
            (Some(Outcome::Error), Some(f), Some(text)) => match Cause::parse(text) {
                Some(c) if f.causes().contains(&c) => Some(c),
                _ => {
                    r.fail(
                        "cause",
                        format!(
                            "'{f}' has no cause {} (expected one of: {})",
                            quoted(text),
                            list(f.causes())
                        ),
                    );
                    None
                }
            },
            (Some(Outcome::Error), Some(f), None) if !cause_given => {
                r.fail(
                    "cause",
                    format!(
                        "is required when the outcome is 'error' (one of: {})",
                        list(f.causes())
                    ),
                );
                None
            }
            (Some(o), _, Some(_)) if o != Outcome::Error => {
                r.fail("cause", format!("only an 'error' has a cause, not '{o}'"));
                None
            }
            _ => None,
        };

        let site = r.token("site", true, SiteCode::parse);
        let user_code = r.token("user_code", true, UserCode::parse);
        let code = r.token("code", false, SupportCode::parse);

        let occurred_at = r.text("occurred_at", true).and_then(|text| {
            match DateTime::parse_from_rfc3339(text) {
                Err(_) => r.fail("occurred_at", "must be an RFC 3339 date and time with an offset, such as 2026-03-31T23:30:00+02:00"),
                Ok(at) => {
                    let at = at.with_timezone(&Utc);
                    if at.timestamp() < EARLIEST_TIMESTAMP {
                        r.fail("occurred_at", format!("must not be before {OCCURRED_AT_EARLIEST_YEAR}"));
                    } else if at > now + CLOCK_SKEW {
                        r.fail("occurred_at", "must not be more than a day in the future");
                    } else {
                        return Some(at);
                    }
                }
            }
            None
        });

        let detail = read_detail(&mut r, feature);

        match (
            id,
            feature,
            outcome,
            site,
            user_code,
            occurred_at,
            r.errors.is_empty(),
        ) {
            (
                Some(id),
                Some(feature),
                Some(outcome),
                Some(site),
                Some(user_code),
                Some(occurred_at),
                true,
            ) => Ok(NewEvent {
                id,
                feature,
                outcome,
                cause,
                site,
                user_code,
                occurred_at,
                code,
                detail,
            }),
            _ => Err(r.errors),
        }
    }
}

/// Notes the unknown fields of `object` (named under `prefix`): the first few by name, the rest as
/// a count.
fn refuse_unknown(r: &mut Reader<'_>, object: &Fields, prefix: &str) {
    let (names, count) = object.unknown();
    for name in names {
        r.fail(
            &format!("{prefix}{name}"),
            "unknown field (Histo takes no free text)",
        );
    }
    if count > names.len() {
        r.fail(
            &format!("{prefix}…"),
            format!("{} more unknown fields", count - names.len()),
        );
    }
}

fn read_detail(r: &mut Reader<'_>, feature: Option<Feature>) -> Option<Detail> {
    let value = r.object.get("detail").filter(|v| **v != FieldValue::Null);
    let feature = feature?;
    match (feature.requires_detail(), value) {
        (false, None) => None,
        (false, Some(_)) => {
            r.fail("detail", format!("'{feature}' takes no detail"));
            None
        }
        (true, None) => {
            r.fail(
                "detail.changed",
                format!(
                    "is required for '{feature}' (one of: {})",
                    list(DeaChange::ALL)
                ),
            );
            None
        }
        (true, Some(FieldValue::Object(detail))) => {
            refuse_unknown(r, detail, "detail.");
            let changed = match detail.get("changed") {
                Some(FieldValue::Text(text)) => DeaChange::parse(text),
                _ => None,
            };
            if changed.is_none() {
                r.fail(
                    "detail.changed",
                    format!(
                        "is required for '{feature}' (one of: {})",
                        list(DeaChange::ALL)
                    ),
                );
            }
            changed.map(|changed| Detail::DeaUpdate { changed })
        }
        (true, Some(_)) => {
            r.fail(
                "detail",
                "must be an object such as {\"changed\": \"code\"}",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn now() -> DateTime<Utc> {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    fn read(value: &Value) -> Result<NewEvent, Vec<FieldError>> {
        NewEvent::parse(
            &Fields::from_body(value.to_string().as_bytes()).unwrap(),
            now(),
        )
    }

    fn fields(value: Value) -> Vec<String> {
        read(&value)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn messages(value: Value) -> Vec<(String, String)> {
        read(&value)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    fn email() -> Value {
        json!({"feature": "email", "outcome": "success", "site": "LYON", "user_code": "u1",
               "occurred_at": "2026-03-31T23:30:00Z"})
    }

    #[test]
    fn a_plain_event_is_read_and_given_an_id() {
        let event = read(&email()).unwrap();
        assert_eq!(event.feature, Feature::Email);
        assert_eq!(event.id.get_version_num(), 7);
        assert_eq!(event.cause, None);
    }

    #[test]
    fn an_error_needs_a_cause_of_its_feature() {
        let mut e = email();
        e["outcome"] = json!("error");
        assert_eq!(fields(e.clone()), ["cause"]);
        e["cause"] = json!("remote_api");
        assert_eq!(fields(e.clone()), ["cause"]);
        e["cause"] = json!("configuration");
        assert_eq!(read(&e).unwrap().cause, Some(Cause::Configuration));
    }

    #[test]
    fn other_outcomes_refuse_a_cause() {
        let mut e = email();
        e["cause"] = json!("configuration");
        assert_eq!(fields(e), ["cause"]);
    }

    #[test]
    fn a_null_cause_is_no_cause_and_a_bad_one_is_named_once() {
        let mut e = email();
        e["outcome"] = json!("error");
        e["cause"] = json!(null);
        assert_eq!(fields(e.clone()), ["cause"]);
        e["cause"] = json!(5);
        assert_eq!(
            messages(e),
            [("cause".to_owned(), "must be a string".to_owned())]
        );
    }

    #[test]
    fn an_unknown_feature_leaves_its_error_cause_alone() {
        let mut e = email();
        e["feature"] = json!("fax");
        e["outcome"] = json!("error");
        e["cause"] = json!("configuration");
        assert_eq!(fields(e), ["feature"]);
    }

    #[test]
    fn an_outcome_of_another_feature_is_refused_with_the_feature_s_own() {
        let mut e = email();
        e["outcome"] = json!("no_result");
        assert_eq!(
            messages(e),
            [(
                "outcome".to_owned(),
                "'email' has no outcome 'no_result' (expected one of: success, error, stopped)"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn dea_update_needs_what_changed() {
        let dea = json!({"feature": "dea_update", "outcome": "success", "site": "S", "user_code": "u",
                         "occurred_at": "2026-01-01T00:00:00+01:00"});
        assert_eq!(fields(dea.clone()), ["detail.changed"]);
        let mut with = dea.clone();
        with["detail"] = json!({"changed": "amount"});
        assert_eq!(
            read(&with).unwrap().detail,
            Some(Detail::DeaUpdate {
                changed: DeaChange::Amount
            })
        );
        with["detail"] = json!({"changed": "amount", "old": "12"});
        assert_eq!(fields(with), ["detail.old"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = json!({"feature": "fax", "outcome": "sent", "site": "a b", "user_code": "x".repeat(65),
                         "occurred_at": "yesterday", "recipient": "jean@example.fr", "code": "no spaces"});
        let mut got = fields(bad);
        got.sort();
        assert_eq!(
            got,
            [
                "code",
                "feature",
                "occurred_at",
                "outcome",
                "recipient",
                "site",
                "user_code"
            ]
        );
    }

    #[test]
    fn dates_must_be_plausible() {
        let mut e = email();
        e["occurred_at"] = json!("1999-12-31T23:59:59Z");
        assert_eq!(fields(e.clone()), ["occurred_at"]);
        e["occurred_at"] = json!("2026-11-28T12:00:01Z");
        assert_eq!(fields(e.clone()), ["occurred_at"]);
        // The bounds themselves are accepted: 1 January 2000, and a day after now.
        for at in [
            "2000-01-01T00:00:00Z",
            "2026-11-28T12:00:00Z",
            "2026-11-28T11:00:00Z",
        ] {
            e["occurred_at"] = json!(at);
            assert_eq!(
                read(&e).map(|event| event.occurred_at.to_rfc3339()),
                Ok(at.replace('Z', "+00:00"))
            );
        }
        e["occurred_at"] = json!("2026-03-31 23:30:00");
        assert_eq!(fields(e), ["occurred_at"]);
    }

    #[test]
    fn refused_values_are_quoted_short() {
        let mut e = email();
        e["feature"] = json!("x".repeat(100_000));
        let errors = read(&e).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.len() < 300, "{}", errors[0].message);
        assert!(errors[0]
            .message
            .contains(&format!("'{}…'", "x".repeat(64))));
    }

    #[test]
    fn many_unknown_fields_are_named_a_few_then_counted() {
        let mut e = email();
        for n in 0..1_000 {
            e[format!("free{n:04}")] = json!("text");
        }
        let got = fields(e);
        assert_eq!(got.len(), crate::fields::MAX_UNKNOWN + 1);
        assert_eq!(got.last().map(String::as_str), Some("…"));
    }

    #[test]
    fn ids_must_be_uuids() {
        let mut e = email();
        e["id"] = json!("0190b6e4-1d2a-7c3b-8e5f-0123456789ab");
        assert!(read(&e).is_ok());
        e["id"] = json!("42");
        assert_eq!(fields(e.clone()), ["id"]);
        e["id"] = json!("00000000-0000-0000-0000-000000000000");
        assert_eq!(fields(e), ["id"]);
    }
}
