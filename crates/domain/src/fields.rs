//! Reading the JSON of recorded events with bounded memory: only the fields an event can have are
//! kept, with their text; any other value is reduced to its kind, and of the unknown fields only the
//! first names are kept (the rest are counted). A body stuffed with a million unknown keys or deeply
//! nested values therefore costs no more memory than its own bytes, and a refusal stays short.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;

/// Unknown field names kept per object (the rest are only counted).
pub const MAX_UNKNOWN: usize = 10;
/// The most events one batch may hold.
pub const MAX_BATCH: usize = 10_000;

/// What a JSON object of a given place may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A request body: one event, or `{"events": [...]}`.
    Body,
    Event,
    /// The `detail` of an event.
    Detail,
}

const EVENT_FIELDS: &[&str] = &[
    "id",
    "feature",
    "outcome",
    "cause",
    "site",
    "user_code",
    "occurred_at",
    "code",
    "detail",
];

impl Shape {
    fn known(self, name: &str) -> Option<&'static str> {
        let (fields, extra): (&[&'static str], &[&'static str]) = match self {
            Shape::Body => (EVENT_FIELDS, &["events"]),
            Shape::Event => (EVENT_FIELDS, &[]),
            Shape::Detail => (&["changed"], &[]),
        };
        fields.iter().chain(extra).find(|f| **f == name).copied()
    }

    /// How the value of a known field is read.
    fn value(self, field: &str) -> ValueShape {
        match (self, field) {
            (Shape::Body | Shape::Event, "detail") => ValueShape::Object(Shape::Detail),
            (Shape::Body, "events") => ValueShape::Events,
            _ => ValueShape::Scalar,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum ValueShape {
    Scalar,
    Object(Shape),
    Events,
}

/// The value of a known field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Null,
    Text(String),
    Object(Fields),
    /// A batch's events: all of them, or none once there are more than [`MAX_BATCH`] (`total`
    /// counts them).
    Events {
        events: Vec<FieldValue>,
        total: usize,
    },
    /// Any other JSON value, named by its kind (`a number`, `an array`, …).
    Other(&'static str),
}

/// One JSON object, as much of it as an event may hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    known: Vec<(&'static str, FieldValue)>,
    /// The first unknown field names.
    unknown: Vec<String>,
    /// Every unknown field, those kept included.
    unknown_count: usize,
}

impl Fields {
    /// Reads a request body: an event, or `{"events": [...]}`.
    pub fn from_body(json: &[u8]) -> Result<FieldValue, serde_json::Error> {
        let mut reader = serde_json::Deserializer::from_slice(json);
        let value = ValueSeed(ValueShape::Object(Shape::Body)).deserialize(&mut reader)?;
        reader.end()?;
        Ok(value)
    }

    /// The value of a known field; the last one when the field is given twice.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.known
            .iter()
            .rev()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.known.iter().map(|(name, _)| *name)
    }

    /// The unknown field names kept, and how many unknown fields there were in all.
    pub fn unknown(&self) -> (&[String], usize) {
        (&self.unknown, self.unknown_count)
    }
}

impl FieldValue {
    /// What a refusal calls this value.
    pub fn kind(&self) -> &'static str {
        match self {
            FieldValue::Null => "null",
            FieldValue::Text(_) => "a string",
            FieldValue::Object(_) => "an object",
            FieldValue::Events { .. } => "an array",
            FieldValue::Other(kind) => kind,
        }
    }
}

struct ValueSeed(ValueShape);

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = FieldValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<FieldValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = FieldValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(text))
    }

    fn visit_unit<E: de::Error>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<FieldValue, E> {
        Ok(FieldValue::Other("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<FieldValue, E> {
        Ok(FieldValue::Other("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<FieldValue, E> {
        Ok(FieldValue::Other("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<FieldValue, E> {
        Ok(FieldValue::Other("a number"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<FieldValue, A::Error> {
        let ValueShape::Events = self.0 else {
            while items.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(FieldValue::Other("an array"));
        };
        let (mut events, mut total) = (Vec::new(), 0);
        while total <= MAX_BATCH {
            match items.next_element_seed(ValueSeed(ValueShape::Object(Shape::Event)))? {
                Some(event) => {
                    total += 1;
                    events.push(event);
                }
                None => return Ok(FieldValue::Events { events, total }),
            }
        }
        // Too many: the rest is only counted.
        while items.next_element::<IgnoredAny>()?.is_some() {
            total += 1;
        }
        events.clear();
        Ok(FieldValue::Events { events, total })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<FieldValue, A::Error> {
        let ValueShape::Object(shape) = self.0 else {
            while entries.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(FieldValue::Other("an object"));
        };
        let mut fields = Fields::default();
        while let Some(name) = entries.next_key::<std::borrow::Cow<'de, str>>()? {
            match shape.known(&name) {
                Some(field) => {
                    let value = entries.next_value_seed(ValueSeed(shape.value(field)))?;
                    fields.known.push((field, value));
                }
                None => {
                    entries.next_value::<IgnoredAny>()?;
                    if fields.unknown.len() < MAX_UNKNOWN {
                        fields.unknown.push(name.chars().take(64).collect());
                    }
                    fields.unknown_count += 1;
                }
            }
        }
        Ok(FieldValue::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> FieldValue {
        Fields::from_body(json.as_bytes()).unwrap()
    }

    #[test]
    fn known_fields_keep_their_text_and_others_their_kind() {
        let FieldValue::Object(event) = body(
            r#"{"site": "LYON", "code": 5, "cause": null, "detail": {"changed": "code", "x": [1]},
                "recipient": "jean@example.fr", "outcome": {"a": 1}}"#,
        ) else {
            panic!("an object")
        };
        assert_eq!(event.get("site"), Some(&FieldValue::Text("LYON".into())));
        assert_eq!(event.get("code"), Some(&FieldValue::Other("a number")));
        assert_eq!(event.get("cause"), Some(&FieldValue::Null));
        assert_eq!(event.get("outcome"), Some(&FieldValue::Other("an object")));
        let Some(FieldValue::Object(detail)) = event.get("detail") else {
            panic!("a detail object")
        };
        assert_eq!(
            detail.get("changed"),
            Some(&FieldValue::Text("code".into()))
        );
        assert_eq!(detail.unknown(), (&["x".to_owned()][..], 1));
        assert_eq!(event.unknown(), (&["recipient".to_owned()][..], 1));
    }

    #[test]
    fn a_million_unknown_keys_keep_only_a_few_names() {
        let mut json = String::from("{");
        for n in 0..1_000_000 {
            json.push_str(&format!("\"k{n}\":{{\"deep\":[1,2,3]}},"));
        }
        json.push_str("\"site\":\"LYON\"}");
        let FieldValue::Object(event) = body(&json) else {
            panic!("an object")
        };
        let (kept, count) = event.unknown();
        assert_eq!((kept.len(), count), (MAX_UNKNOWN, 1_000_000));
        assert_eq!(event.get("site"), Some(&FieldValue::Text("LYON".into())));
    }

    #[test]
    fn a_batch_keeps_its_events_and_names_its_fields() {
        let FieldValue::Object(batch) = body(r#"{"events": [{"site": "LYON"}, {}]}"#) else {
            panic!("an object")
        };
        assert_eq!(batch.names().collect::<Vec<_>>(), ["events"]);
        let Some(FieldValue::Events { events, total }) = batch.get("events") else {
            panic!("events")
        };
        assert_eq!((events.len(), *total), (2, 2));
        let kinds: Vec<_> = [r#"null"#, r#""x""#, r#"{}"#, r#"[1]"#, r#"true"#, r#"1.5"#]
            .iter()
            .map(|json| {
                let FieldValue::Object(event) = body(&format!(r#"{{"site": {json}}}"#)) else {
                    panic!("an object")
                };
                event.get("site").map(FieldValue::kind)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "null",
                "a string",
                "an object",
                "an array",
                "a boolean",
                "a number"
            ]
            .map(Some)
        );
    }

    #[test]
    fn a_batch_beyond_the_limit_is_counted_not_kept() {
        let events = vec!["{}"; MAX_BATCH + 5].join(",");
        let FieldValue::Object(batch) = body(&format!(r#"{{"events": [{events}]}}"#)) else {
            panic!("an object")
        };
        assert_eq!(
            batch.get("events"),
            Some(&FieldValue::Events {
                events: Vec::new(),
                total: MAX_BATCH + 5
            })
        );
    }

    #[test]
    fn what_is_not_json_is_an_error() {
        assert!(Fields::from_body(b"{\"site\": ").is_err());
        assert!(Fields::from_body(b"{} {}").is_err());
    }
}
