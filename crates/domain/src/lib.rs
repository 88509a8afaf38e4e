//! Histo's vocabulary: the features the host application reports, their outcomes and causes, the
//! identifiers of companies, sites and users, the periods statistics are counted in, and the scopes of
//! a token (defined with the API's types, which the web app shares). Everything here validates itself
//! in `parse` and does no IO.

mod alert;
mod event;
mod fields;
mod ids;
mod period;
mod retention;
mod taxonomy;

pub use alert::{AlertError, AlertRule, Condition, Window, MAX_RULES};
pub use event::{list, quoted, FieldError, NewEvent, OCCURRED_AT_EARLIEST_YEAR};
pub use fields::{FieldValue, Fields, MAX_BATCH};
pub use histo_api_types::{Scope, Scopes};
pub use ids::{CompanyId, IdError, NameError, SiteCode, SiteName, SupportCode, UserCode};
pub use period::{month_of, Month, Period, PeriodError, TimeZone, DEFAULT_TIMEZONE};
pub use retention::{has_purged, RetentionError, RetentionPolicy};
pub use taxonomy::{Cause, DeaChange, Detail, Feature, Label, Outcome};
