//! The CSV files of the exports (the entries behind a bar, the statistics table): separator, byte
//! order mark and language from the query, and cells that a spreadsheet would run as a formula
//! defused. In French (`lang=fr`) a file is for people: French header, labels instead of codes, dates
//! as `dd/mm/yyyy hh:mm:ss` in the company's time; in English (`lang=en`) it is for machines and
//! English readers: codes and RFC 3339. Without `lang`, a French header over codes and RFC 3339.

use std::borrow::Cow;

use actix_web::web;
use chrono::{DateTime, Utc};
use histo_api_types::CsvQuery;
use histo_domain::{Cause, DeaChange, Feature, Label, Outcome, TimeZone};

use crate::error::ApiError;

/// How a CSV file is written.
#[derive(Debug, Clone, Copy)]
pub struct CsvFormat {
    separator: u8,
    bom: bool,
    lang: Option<Lang>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Fr,
    En,
}

impl CsvFormat {
    pub fn parse(params: &CsvQuery) -> Result<CsvFormat, ApiError> {
        let separator = match params.sep.as_deref() {
            None | Some("comma") => b',',
            Some("semicolon") => b';',
            Some(_) => {
                return Err(ApiError::invalid_field(
                    "sep",
                    "must be 'comma' or 'semicolon'",
                ))
            }
        };
        let bom = match params.bom.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::invalid_field("bom", "must be 'true' or 'false'")),
        };
        let lang = match params.lang.as_deref() {
            None => None,
            Some("fr") => Some(Lang::Fr),
            Some("en") => Some(Lang::En),
            Some(_) => return Err(ApiError::invalid_field("lang", "must be 'fr' or 'en'")),
        };
        Ok(CsvFormat {
            separator,
            bom,
            lang,
        })
    }

    /// The header row (after the byte order mark, when asked for): English names with `lang=en`,
    /// French ones otherwise.
    pub fn header<S: AsRef<str>>(
        self,
        french: &[S],
        english: &[S],
    ) -> Result<web::Bytes, actix_web::Error> {
        let mut bytes = Vec::new();
        if self.bom {
            bytes.extend_from_slice("\u{feff}".as_bytes());
        }
        let names = if self.lang == Some(Lang::En) {
            english
        } else {
            french
        };
        self.write(bytes, std::iter::once(names))
    }

    /// Rows of cells.
    pub fn rows<R, S>(self, rows: impl Iterator<Item = R>) -> Result<web::Bytes, actix_web::Error>
    where
        R: AsRef<[S]>,
        S: AsRef<str>,
    {
        self.write(Vec::with_capacity(4096), rows)
    }

    fn for_french_readers(self) -> bool {
        self.lang == Some(Lang::Fr)
    }

    /// A label in French for French readers, else `code`.
    fn label(self, label: Label, code: &'static str) -> &'static str {
        if self.for_french_readers() {
            label.fr
        } else {
            code
        }
    }

    pub fn feature(self, feature: Feature) -> &'static str {
        self.label(feature.label(), feature.code())
    }

    pub fn outcome(self, feature: Feature, outcome: Outcome) -> &'static str {
        self.label(feature.outcome_label(outcome), outcome.code())
    }

    pub fn cause(self, cause: Cause) -> &'static str {
        self.label(cause.label(), cause.code())
    }

    /// What a DEA update changed: its label for French readers, else the detail's JSON.
    pub fn detail(self, changed: DeaChange) -> String {
        if self.for_french_readers() {
            changed.label().fr.to_owned()
        } else {
            format!(r#"{{"changed":"{}"}}"#, changed.code())
        }
    }

    /// The change from `before` to `now`, in %: `+12,5 %` for French readers, `12.5` otherwise;
    /// empty when there was nothing before.
    pub fn change(self, now: u64, before: u64) -> String {
        if before == 0 {
            return String::new();
        }
        let percent = (now as f64 - before as f64) * 100.0 / before as f64;
        if self.for_french_readers() {
            format!("{percent:+.1}\u{a0}%").replace('.', ",")
        } else {
            format!("{percent:.1}")
        }
    }

    /// A time in the company's zone: `dd/mm/yyyy hh:mm:ss` for French readers, RFC 3339 otherwise.
    pub fn time(self, at: DateTime<Utc>, zone: TimeZone) -> String {
        if self.for_french_readers() {
            at.with_timezone(&zone.tz())
                .format("%d/%m/%Y %H:%M:%S")
                .to_string()
        } else {
            crate::routes::local_time(at, zone)
        }
    }

    fn write<R, S>(
        self,
        into: Vec<u8>,
        rows: impl Iterator<Item = R>,
    ) -> Result<web::Bytes, actix_web::Error>
    where
        R: AsRef<[S]>,
        S: AsRef<str>,
    {
        let failed = |e: &dyn std::fmt::Display| {
            tracing::error!(error = %e, "writing CSV failed");
            actix_web::error::ErrorInternalServerError("the export failed")
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(self.separator)
            .from_writer(into);
        for row in rows {
            for cell in row.as_ref() {
                writer
                    .write_field(spreadsheet_safe(cell.as_ref()).as_bytes())
                    .map_err(|e| failed(&e))?;
            }
            writer.write_record(None::<&[u8]>).map_err(|e| failed(&e))?;
        }
        let bytes = writer.into_inner().map_err(|e| failed(&e))?;
        Ok(web::Bytes::from(bytes))
    }
}

/// A cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return
/// first) is given a leading `'`, as OWASP advises against CSV injection: site, user and support
/// codes may start with `-`. A signed number alone (`+12,5 %`, `-3`) is no formula and stays as it is.
fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'+' | b'-') if signed_number(cell) => cell.into(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// `+12,5 %`, `-3`, `+200.0`: a sign, digits with one decimal mark, and a percent sign at most.
fn signed_number(cell: &str) -> bool {
    let number = cell[1..]
        .trim_end_matches('%')
        .trim_end_matches(['\u{a0}', '\u{202f}', ' ']);
    let (whole, decimals) = number.split_once([',', '.']).unwrap_or((number, "0"));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !decimals.is_empty()
        && decimals.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_defused() {
        for formula in [
            "-A1", "=1+2", "+A2", "@SUM(A1)", "\tx", "\rx", "-2-3", "+1,2,3", "-", "+%", "-1e5",
        ] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        for plain in [
            "LYON",
            "2026-03-31T23:30:00+02:00",
            "",
            "a-b",
            "+12,5\u{a0}%",
            "-25.0",
            "+33",
        ] {
            assert_eq!(spreadsheet_safe(plain), plain);
        }
    }

    #[test]
    fn french_readers_get_labels_and_french_dates() {
        let format = |lang: Option<&str>| {
            CsvFormat::parse(&CsvQuery {
                lang: lang.map(str::to_owned),
                ..CsvQuery::default()
            })
            .unwrap()
        };
        let at: DateTime<Utc> = "2026-03-31T23:30:00Z".parse().unwrap();
        let paris = TimeZone::default();
        let fr = format(Some("fr"));
        assert_eq!(fr.time(at, paris), "01/04/2026 01:30:00");
        assert_eq!(fr.outcome(Feature::Email, Outcome::Success), "Envoyés");
        assert_eq!(fr.cause(Cause::Configuration), "Problème de configuration");
        for machine in [format(Some("en")), format(None)] {
            assert_eq!(machine.time(at, paris), "2026-04-01T01:30:00+02:00");
            assert_eq!(machine.outcome(Feature::Email, Outcome::Success), "success");
            assert_eq!(machine.cause(Cause::Configuration), "configuration");
            assert_eq!(machine.change(9, 8), "12.5");
            assert_eq!(machine.change(1, 0), "");
        }
        assert_eq!(fr.change(9, 8), "+12,5\u{a0}%");
        assert_eq!(fr.change(6, 8), "-25,0\u{a0}%");
    }
}
