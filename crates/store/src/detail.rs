//! How an event's detail is kept in the `detail` column: the JSON object the API shows.

use histo_domain::{DeaChange, Detail};

pub fn to_json(detail: Detail) -> String {
    match detail {
        Detail::DeaUpdate { changed } => format!(r#"{{"changed":"{}"}}"#, changed.code()),
    }
}

/// Reads back what [`to_json`] wrote; `None` for anything else.
pub fn from_json(text: &str) -> Option<Detail> {
    let changed = text
        .strip_prefix(r#"{"changed":""#)?
        .strip_suffix(r#""}"#)?;
    DeaChange::parse(changed).map(|changed| Detail::DeaUpdate { changed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_back() {
        for changed in DeaChange::ALL {
            let detail = Detail::DeaUpdate { changed: *changed };
            assert_eq!(from_json(&to_json(detail)), Some(detail));
        }
    }
}
