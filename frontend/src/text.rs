//! Every text the app shows, in French (the default) and English, and the formatting of numbers,
//! dates, plurals and French typography (a narrow no-break space, U+202F, before `%` `:` `;` `?` `!`;
//! typographic apostrophes). Feature, outcome and cause names come from `GET /api/v1/features`.

use histo_api_types::{
    AlertCondition, AlertEvent, AuditAction, AuditVerification, Label, WebhookState, CLI_ACTOR,
    PURGE_ACTOR,
};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The language of the interface, kept in localStorage across visits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

const LANG_KEY: &str = "histo.lang";

thread_local! {
    static LANG: RwSignal<Lang> = RwSignal::new(stored_lang());
}

fn stored_lang() -> Lang {
    let stored = crate::storage::local().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    match stored.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Fr,
    }
}

/// The current language, as a signal.
pub fn lang() -> RwSignal<Lang> {
    LANG.with(|l| *l)
}

/// Switches the language and remembers it.
pub fn set_lang(new: Lang) {
    if let Some(storage) = crate::storage::local() {
        let _ = storage.set_item(LANG_KEY, new.code());
    }
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", new.code());
    }
    lang().set(new);
}

/// Switches to the other language.
pub fn toggle_lang() {
    set_lang(match lang().get_untracked() {
        Lang::Fr => Lang::En,
        Lang::En => Lang::Fr,
    });
}

/// The texts of the current language (reactive: call it inside a closure).
pub fn t() -> &'static Texts {
    lang().get().texts()
}

/// A word whose form follows a count: French singular for 0 and 1, English singular for 1 only.
pub struct Noun {
    fr: (&'static str, &'static str),
    en: (&'static str, &'static str),
}

pub const ENTRIES: Noun = Noun {
    fr: ("entrée", "entrées"),
    en: ("entry", "entries"),
};
pub const REMOVED_ENTRIES: Noun = Noun {
    fr: ("entrée supprimée", "entrées supprimées"),
    en: ("entry removed", "entries removed"),
};
pub const ANONYMISED_ENTRIES: Noun = Noun {
    fr: ("entrée anonymisée", "entrées anonymisées"),
    en: ("entry anonymised", "entries anonymised"),
};
pub const ERRORS: Noun = Noun {
    fr: ("erreur", "erreurs"),
    en: ("error", "errors"),
};
pub const USES: Noun = Noun {
    fr: ("utilisation", "utilisations"),
    en: ("use", "uses"),
};
pub const MINUTES: Noun = Noun {
    fr: ("minute", "minutes"),
    en: ("minute", "minutes"),
};
pub const HIDDEN_SITES: Noun = Noun {
    fr: (
        "site masqué, exclu des chiffres",
        "sites masqués, exclus des chiffres",
    ),
    en: (
        "hidden site, left out of the figures",
        "hidden sites, left out of the figures",
    ),
};
pub const MONTHS: Noun = Noun {
    fr: ("mois", "mois"),
    en: ("month", "months"),
};
pub const SITES: Noun = Noun {
    fr: ("site", "sites"),
    en: ("site", "sites"),
};

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    fn locale(self) -> &'static str {
        match self {
            Lang::Fr => "fr-FR",
            Lang::En => "en-GB",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// Picks the label of this language, with typographic apostrophes.
    pub fn pick(self, label: &Label) -> String {
        match self {
            Lang::Fr => label.fr.replace('\'', "’"),
            Lang::En => label.en.replace('\'', "’"),
        }
    }

    /// `": "` in English, `"\u{202F}: "` in French.
    pub fn colon(self) -> &'static str {
        match self {
            Lang::Fr => "\u{202F}: ",
            Lang::En => ": ",
        }
    }

    /// A count, e.g. "1 234" in French (narrow no-break space), "1,234" in English.
    pub fn number(self, n: u64) -> String {
        self.decimal(n as f64)
    }

    /// A number with at most one decimal, e.g. "12,5".
    pub fn decimal(self, value: f64) -> String {
        let rounded = (value * 10.0).round() / 10.0;
        String::from(js_sys::Number::from(rounded).to_locale_string(self.locale()))
    }

    /// A count and its noun: "1 entrée", "0 entrée", "133 entrées"; "0 entries", "1 entry".
    pub fn count(self, n: u64, noun: &Noun) -> String {
        let (one, many) = match self {
            Lang::Fr => noun.fr,
            Lang::En => noun.en,
        };
        let singular = match self {
            Lang::Fr => n < 2,
            Lang::En => n == 1,
        };
        format!("{} {}", self.number(n), if singular { one } else { many })
    }

    /// A share as a percentage with one decimal, e.g. "97,5 %" (narrow no-break space).
    pub fn percent(self, part: u64, whole: u64) -> String {
        if whole == 0 {
            return "–".into();
        }
        let value = part as f64 * 100.0 / whole as f64;
        // One use among thousands is not "0 %".
        if part > 0 && value < 0.05 {
            return format!("< {}", self.percent_value(0.1));
        }
        self.percent_value(value)
    }

    /// A percentage already computed, e.g. "33,3 %".
    pub fn percent_value(self, value: f64) -> String {
        let text = self.decimal(value);
        match self {
            Lang::Fr => format!("{text}\u{202F}%"),
            Lang::En => format!("{text}%"),
        }
    }

    /// The change from `before` to `now` in %, signed: "+12,5 %", "−25 %" ("+12.5%" in English);
    /// "—" when there was nothing before.
    pub fn change(self, now: u64, before: u64) -> String {
        if before == 0 {
            return "—".into();
        }
        let value = (now as f64 - before as f64) * 100.0 / before as f64;
        let sign = match value {
            v if v >= 0.05 => "+",
            v if v <= -0.05 => "\u{2212}",
            _ => "",
        };
        format!("{sign}{}", self.percent_value(value.abs()))
    }

    /// What the view by site shows: "Utilisations par site en mars 2026.", and when the span is
    /// longer, that this is its last month (or year).
    pub fn by_site_note(self, period: &str, whole: bool) -> String {
        let when = self.period_long(period);
        let unit = match (self, period.contains('-')) {
            (Lang::Fr, true) => "le dernier mois",
            (Lang::Fr, false) => "la dernière année",
            (Lang::En, true) => "the last month",
            (Lang::En, false) => "the last year",
        };
        match (self, whole) {
            (Lang::Fr, true) => format!("Utilisations par site en {when}."),
            (Lang::En, true) => format!("Uses by site in {when}."),
            (Lang::Fr, false) => format!(
                "Utilisations par site en {when}\u{202F}: {unit} de la période choisie (la vue par site montre un mois ou une année)."
            ),
            (Lang::En, false) => format!(
                "Uses by site in {when}: {unit} of the span chosen (the view by site shows one month or one year)."
            ),
        }
    }

    /// "Entrées conservées depuis novembre 2024" for the first month kept, `2024-11`.
    pub fn kept_since(self, month: &str) -> String {
        let month = self.period_long(month);
        match self {
            Lang::Fr => format!("Entrées conservées depuis {month}"),
            Lang::En => format!("Entries kept since {month}"),
        }
    }

    /// A date and time that Histo wrote in the company's time (RFC 3339 with the company's offset),
    /// shown as written: its offset is dropped rather than converted, so that neither the browser's
    /// zone nor a company zone still loading can shift it.
    pub fn date_time(self, rfc3339: &str) -> String {
        let Some(wall_time) = rfc3339.get(..19) else {
            return rfc3339.to_owned();
        };
        // Read as UTC and shown in UTC, the wall time stays as written.
        self.format_date(
            &format!("{wall_time}Z"),
            &[
                ("timeZone", "UTC"),
                ("dateStyle", "short"),
                ("timeStyle", "medium"),
            ],
        )
    }

    /// Today as day and short month, never split across lines: "30 nov." / "30 Nov".
    pub fn today(self) -> String {
        let date = js_sys::Date::new_0();
        self.format_date(
            &String::from(date.to_iso_string()),
            &[("day", "numeric"), ("month", "short")],
        )
        .replace(' ', "\u{A0}")
    }

    fn format_date(self, rfc3339: &str, fields: &[(&str, &str)]) -> String {
        let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
        if date.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        let options = js_sys::Object::new();
        for (key, value) in fields {
            let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
        }
        String::from(date.to_locale_string(self.locale(), &options))
    }

    /// A period of the API (`2026-03` or `2026`) as words: "mars 2026", "2026".
    pub fn period(self, period: &str) -> String {
        match period.split_once('-') {
            Some((year, month)) => format!("{} {year}", self.month_name(month)),
            None => period.to_owned(),
        }
    }

    /// A period in full words, for sentences: "novembre 2024", "November 2024".
    pub fn period_long(self, period: &str) -> String {
        match period.split_once('-') {
            Some((year, month)) => {
                format!("{} {year}", self.texts().months_long[month_index(month)])
            }
            None => period.to_owned(),
        }
    }

    /// The short name of a month given as `03`.
    pub fn month_name(self, month: &str) -> &'static str {
        self.texts().months[month_index(month)]
    }

    /// "de mars 2025 à …" / "d’avr. 2025 à …" / "from Mar 2025 to …".
    pub fn between(self, from: &str, to: &str) -> String {
        match self {
            Lang::Fr => {
                let de = if from.starts_with(['a', 'e', 'i', 'o', 'u', 'é']) {
                    "d’"
                } else {
                    "de "
                };
                format!("{de}{from} à {to}")
            }
            Lang::En => format!("from {from} to {to}"),
        }
    }

    /// The sentence of the retention dialog before a shorter period is saved.
    pub fn removal_warning(self, oldest_kept: &str, entries: u64) -> String {
        let month = self.period_long(oldest_kept);
        let n = self.number(entries);
        match self {
            Lang::Fr => format!(
                "Les entrées antérieures à {month} (≈\u{202F}{n}) seront supprimées définitivement. Les totaux mensuels restent dans les statistiques."
            ),
            Lang::En => format!(
                "The entries before {month} (about {n}) will be removed for good. The monthly totals stay in the statistics."
            ),
        }
    }

    /// The same dialog when nothing would be removed.
    pub fn nothing_removed(self, oldest_kept: &str) -> String {
        let month = self.period_long(oldest_kept);
        match self {
            Lang::Fr => {
                format!("Aucune entrée n’est antérieure à {month}\u{202F}: rien ne sera supprimé.")
            }
            Lang::En => format!("No entry is older than {month}: nothing will be removed."),
        }
    }

    /// The check box that confirms a removal.
    pub fn confirm_removal(self, entries: u64) -> String {
        let n = self.count(entries, &ENTRIES);
        match self {
            Lang::Fr => format!("Je confirme la suppression définitive de ces {n}."),
            Lang::En => format!("I confirm that these {n} will be removed for good."),
        }
    }

    /// After saving, while the purge runs.
    pub fn purging(self, entries: u64) -> String {
        match self {
            Lang::Fr => format!(
                "Enregistré. Suppression de ≈\u{202F}{} en cours…",
                self.count(entries, &ENTRIES)
            ),
            Lang::En => format!("Saved. Removing about {}…", self.count(entries, &ENTRIES)),
        }
    }

    /// After saving, once the purge has run.
    pub fn purged_after_saving(self, removed: u64) -> String {
        match self {
            Lang::Fr => format!(
                "Enregistré\u{202F}: {}.",
                self.count(removed, &REMOVED_ENTRIES)
            ),
            Lang::En => format!("Saved: {}.", self.count(removed, &REMOVED_ENTRIES)),
        }
    }

    /// The entries panel's count: "133 entrées", "50 sur 133".
    pub fn shown_of(self, shown: u64, total: Option<u64>) -> String {
        match total {
            Some(total) if shown >= total => self.count(total, &ENTRIES),
            Some(total) => match self {
                Lang::Fr => format!("{} sur {}", self.number(shown), self.number(total)),
                Lang::En => format!("{} of {}", self.number(shown), self.number(total)),
            },
            None => match self {
                Lang::Fr if shown < 2 => format!("{} affichée", self.count(shown, &ENTRIES)),
                Lang::Fr => format!("{} affichées", self.count(shown, &ENTRIES)),
                Lang::En => format!("{} shown", self.count(shown, &ENTRIES)),
            },
        }
    }

    /// The note of an empty period: "Aucune utilisation de « Envoi d’e-mails » en 2023.", with when
    /// the counts start (`Some(None)`: nothing counted yet; `None`: not known yet) and how long the
    /// entries are kept.
    pub fn no_uses(
        self,
        feature: &str,
        span: &str,
        first: Option<Option<&str>>,
        retention: Option<u32>,
    ) -> String {
        let mut note = match self {
            Lang::Fr => format!("Aucune utilisation de «\u{202F}{feature}\u{202F}» {span}."),
            Lang::En => format!("No use of “{feature}” {span}."),
        };
        let first = first.map(|first| first.map(|period| self.period_long(period)));
        let kept = retention.map(|months| self.count(months.into(), &MONTHS));
        note.push_str(&match (self, first) {
            (_, None) => String::new(),
            (Lang::Fr, Some(Some(first))) => {
                format!(" Première utilisation comptée\u{202F}: {first}.")
            }
            (Lang::Fr, Some(None)) => " Aucune utilisation n’a encore été comptée.".to_owned(),
            (Lang::En, Some(Some(first))) => format!(" First use counted: {first}."),
            (Lang::En, Some(None)) => " No use has been counted yet.".to_owned(),
        });
        if let Some(kept) = kept {
            note.push_str(&match self {
                Lang::Fr => format!(" Les entrées sont conservées {kept}."),
                Lang::En => format!(" Entries are kept for {kept}."),
            });
        }
        note
    }

    /// The confirmation asked before an erasure (no API tells the number of entries beforehand).
    pub fn erasure_warning(self, user_code: &str) -> String {
        match self {
            Lang::Fr => format!(
                "Toutes les entrées du code utilisateur «\u{202F}{user_code}\u{202F}» seront anonymisées (leur code devient ERASED). C’est définitif."
            ),
            Lang::En => format!(
                "Every entry of the user code “{user_code}” will be anonymised (its code becomes ERASED). This cannot be undone."
            ),
        }
    }

    /// What an erasure did.
    pub fn erased(self, user_code: &str, entries: u64) -> String {
        let n = self.count(entries, &ANONYMISED_ENTRIES);
        match self {
            Lang::Fr => format!("«\u{202F}{user_code}\u{202F}» effacé\u{202F}: {n}."),
            Lang::En => format!("“{user_code}” erased: {n}."),
        }
    }

    /// What the verification of the audit chain found (`GET /api/v1/audit/verification`).
    pub fn trail_verification(self, check: &AuditVerification) -> String {
        let verified = match (&check.verified_up_to, self) {
            (Some(at), Lang::Fr) => {
                format!("Journal vérifié jusqu’au {}.", self.date_time(at))
            }
            (Some(at), Lang::En) => {
                format!("Trail verified up to {}.", self.date_time(at))
            }
            (None, Lang::Fr) => "Aucune entrée du journal n’a pu être vérifiée.".to_owned(),
            (None, Lang::En) => "No entry of the trail could be verified.".to_owned(),
        };
        let Some(found) = &check.first_break else {
            return verified;
        };
        let place = match (found.entry, self) {
            (Some(n), Lang::Fr) => format!("L’entrée n°\u{A0}{n}"),
            (Some(n), Lang::En) => format!("Entry #{n}"),
            (None, Lang::Fr) => "Une entrée".to_owned(),
            (None, Lang::En) => "An entry".to_owned(),
        };
        let what = match (&found.action, &found.at) {
            (Some(action), Some(at)) => {
                format!(" ({}, {})", self.audit_action(action), self.date_time(at))
            }
            _ => String::new(),
        };
        let problem = match (found.problem.as_str(), self) {
            ("removed", Lang::Fr) => "a été supprimée",
            ("removed", Lang::En) => "was removed",
            ("added", Lang::Fr) => "a été ajoutée hors de Histo",
            ("added", Lang::En) => "was added outside Histo",
            (_, Lang::Fr) => "a été modifiée hors de Histo",
            (_, Lang::En) => "was changed outside Histo",
        };
        match self {
            Lang::Fr => format!(
                "Attention\u{202F}: le journal n’est plus tel que Histo l’a écrit. {place}{what} {problem}. {verified}"
            ),
            Lang::En => format!(
                "Warning: the trail is no longer as Histo wrote it. {place}{what} {problem}. {verified}"
            ),
        }
    }

    /// An alert rule's condition in words: "au moins 5 erreurs en 10 minutes", "error share above
    /// 20% over the last 50 uses".
    pub fn condition(self, condition: &AlertCondition) -> String {
        match *condition {
            AlertCondition::Errors { errors, minutes } => {
                let (errors, minutes) = (
                    self.count(errors.into(), &ERRORS),
                    self.count(minutes.into(), &MINUTES),
                );
                match self {
                    Lang::Fr => format!("au moins {errors} en {minutes}"),
                    Lang::En => format!("at least {errors} within {minutes}"),
                }
            }
            AlertCondition::ErrorShare { percent, uses } => {
                let share = self.percent_value(percent.into());
                let uses = self.number(uses.into());
                match self {
                    Lang::Fr => {
                        format!("plus de {share} d’erreurs sur les {uses} dernières utilisations")
                    }
                    Lang::En => format!("error share above {share} over the last {uses} uses"),
                }
            }
        }
    }

    /// A rule in a few words: "Envoi d’e-mails, LYON, au moins 5 erreurs en 10 minutes".
    pub fn rule_words(self, feature: &str, site: &str, condition: &AlertCondition) -> String {
        format!("{feature}, {site}, {}", self.condition(condition))
    }

    /// The question before a rule is removed.
    pub fn remove_rule_warning(self, rule: &str) -> String {
        match self {
            Lang::Fr => format!(
                "Supprimer la règle «\u{202F}{rule}\u{202F}»\u{202F}? Ses webhooks déjà en route partent quand même\u{202F}; son historique reste."
            ),
            Lang::En => format!(
                "Remove the rule “{rule}”? Its webhooks already on their way still go; its history stays."
            ),
        }
    }

    /// A firing or a recovery in a sentence, with the counts that made it change.
    pub fn alert_event(self, feature: &str, site: &str, event: &AlertEvent) -> String {
        let counts = match self {
            Lang::Fr => format!(
                "{} sur {}",
                self.count(event.window.errors, &ERRORS),
                self.count(event.window.uses, &USES)
            ),
            Lang::En => format!(
                "{} out of {}",
                self.count(event.window.errors, &ERRORS),
                self.count(event.window.uses, &USES)
            ),
        };
        let condition = self.condition(&event.condition);
        match (event.state.as_str(), self) {
            ("firing", Lang::Fr) => format!(
                "{feature}, {site}\u{202F}: alerte déclenchée, {counts} ({condition})."
            ),
            ("firing", Lang::En) => {
                format!("{feature}, {site}: alert fired, {counts} ({condition}).")
            }
            (_, Lang::Fr) => format!(
                "{feature}, {site}\u{202F}: retour à la normale, {counts} (la règle\u{202F}: {condition})."
            ),
            (_, Lang::En) => {
                format!("{feature}, {site}: back to normal, {counts} (the rule: {condition}).")
            }
        }
    }

    /// Where an alert's webhook is.
    pub fn webhook_state(self, webhook: Option<&WebhookState>) -> String {
        let Some(webhook) = webhook else {
            return "–".to_owned();
        };
        let fr = self == Lang::Fr;
        match (webhook.state.as_str(), &webhook.last_error) {
            ("delivered", _) if fr => "Reçu par l’ERP".to_owned(),
            ("delivered", _) => "Received by the ERP".to_owned(),
            ("failed", error) if fr => format!(
                "Abandonné après une journée d’essais{}",
                error
                    .as_ref()
                    .map(|e| format!("\u{202F}: {e}"))
                    .unwrap_or_default()
            ),
            ("failed", error) => format!(
                "Given up after a day of tries{}",
                error.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
            ),
            (_, None) if fr => "En cours d’envoi".to_owned(),
            (_, None) => "Being sent".to_owned(),
            (_, Some(error)) if fr => format!("Nouvel essai à venir\u{202F}: {error}"),
            (_, Some(error)) => format!("To be tried again: {error}"),
        }
    }

    /// Where the monthly digest goes, and the month that the next one tells.
    pub fn digest_going(self, address: &str, last_month: &str) -> String {
        let next = last_month
            .split_once('-')
            .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
            .map(|(y, m)| {
                if m >= 12 {
                    format!("{}-01", y + 1)
                } else {
                    format!("{y}-{:02}", m + 1)
                }
            })
            .map(|month| self.period_long(&month))
            .unwrap_or_default();
        match self {
            Lang::Fr => format!(
                "Envoyé le 1er de chaque mois à {address}\u{202F}; le prochain portera sur {next}."
            ),
            Lang::En => {
                format!("Sent on the 1st of each month to {address}; the next one covers {next}.")
            }
        }
    }

    /// A readable account of an audit entry's change, from its `before` and `after`.
    pub fn audit_change(
        self,
        action: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> String {
        let field =
            |state: Option<&serde_json::Value>, key: &str| state.and_then(|s| s.get(key)).cloned();
        let number = |state, key| field(state, key).and_then(|v| v.as_u64());
        let text = |state, key| field(state, key).and_then(|v| v.as_str().map(str::to_owned));
        let fr = self == Lang::Fr;
        match AuditAction::parse(action) {
            Some(AuditAction::RetentionChanged) => {
                let months =
                    |state| number(state, "retention_months").map(|n| self.count(n, &MONTHS));
                match (months(before), months(after)) {
                    (Some(old), Some(new)) if fr => format!("De {old} à {new}."),
                    (Some(old), Some(new)) => format!("From {old} to {new}."),
                    _ => String::new(),
                }
            }
            Some(AuditAction::Purge) => {
                let removed = self.count(number(after, "removed").unwrap_or(0), &REMOVED_ENTRIES);
                match text(after, "removed_before") {
                    Some(month) if fr => {
                        format!("{removed}, antérieures à {}.", self.period_long(&month))
                    }
                    Some(month) => format!("{removed}, older than {}.", self.period_long(&month)),
                    None => format!("{removed}."),
                }
            }
            Some(
                action @ (AuditAction::SiteHidden
                | AuditAction::SiteShown
                | AuditAction::SiteRenamed),
            ) => {
                let code = text(after, "code").unwrap_or_default();
                let (old, new) = (
                    text(before, "name").unwrap_or_default(),
                    text(after, "name").unwrap_or_default(),
                );
                // The site by its code, and by its name where that says more.
                let site = if new == code {
                    code.clone()
                } else {
                    format!("{code} ({new})")
                };
                match (action, fr) {
                    (AuditAction::SiteHidden, true) => {
                        format!("{site}\u{202F}: exclu des statistiques, listes et exports.")
                    }
                    (AuditAction::SiteHidden, false) => {
                        format!("{site}: left out of statistics, lists and exports.")
                    }
                    (AuditAction::SiteShown, true) => format!("{site}\u{202F}: de nouveau compté."),
                    (AuditAction::SiteShown, false) => format!("{site}: counted again."),
                    (_, true) => format!(
                        "{code}\u{202F}: «\u{202F}{old}\u{202F}» devient «\u{202F}{new}\u{202F}»."
                    ),
                    (_, false) => format!("{code}: “{old}” becomes “{new}”."),
                }
            }
            Some(AuditAction::AdminPasswordChanged) => {
                let was_set = field(before, "admin_password_set")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true);
                match (was_set, fr) {
                    (false, true) => "Premier mot de passe administrateur défini.".to_owned(),
                    (false, false) => "First admin password set.".to_owned(),
                    (true, true) => "Le mot de passe administrateur a changé.".to_owned(),
                    (true, false) => "The admin password changed.".to_owned(),
                }
            }
            Some(AuditAction::UserErased) => {
                let n = self.count(number(after, "entries").unwrap_or(0), &ENTRIES);
                if fr {
                    format!("Code utilisateur effacé de {n}.")
                } else {
                    format!("User code erased from {n}.")
                }
            }
            Some(action @ (AuditAction::AlertRuleAdded | AuditAction::AlertRuleRemoved)) => {
                let rule = if action == AuditAction::AlertRuleAdded {
                    after
                } else {
                    before
                };
                let (threshold, window) = (
                    number(rule, "threshold").unwrap_or(0) as u32,
                    number(rule, "window").unwrap_or(0) as u32,
                );
                let condition = match text(rule, "condition").as_deref() {
                    Some("error_share") => AlertCondition::ErrorShare {
                        percent: threshold,
                        uses: window,
                    },
                    _ => AlertCondition::Errors {
                        errors: threshold,
                        minutes: window,
                    },
                };
                let site = text(rule, "site").unwrap_or_else(|| self.texts().all_sites.to_owned());
                let words = self.rule_words(
                    &text(rule, "feature").unwrap_or_default(),
                    &site,
                    &condition,
                );
                format!(
                    "{words} → {}",
                    text(rule, "webhook_url").unwrap_or_default()
                )
            }
            Some(AuditAction::DigestChanged) => match (text(after, "webhook_url"), fr) {
                (Some(address), true) => format!("Envoyé à {address}."),
                (Some(address), false) => format!("Sent to {address}."),
                (None, true) => "Arrêté.".to_owned(),
                (None, false) => "Stopped.".to_owned(),
            },
            _ => [before, after]
                .into_iter()
                .flatten()
                .filter_map(|state| state.as_object())
                .flat_map(|object| {
                    object
                        .iter()
                        .map(|(key, value)| format!("{key}{}{value}", self.colon()))
                })
                .collect::<Vec<_>>()
                .join(if fr { "\u{202F}; " } else { "; " }),
        }
    }

    /// Who made an audited change: a user code, or Histo's own purge, or an operator's command.
    pub fn actor(self, actor: &str) -> String {
        match (actor, self) {
            (PURGE_ACTOR, Lang::Fr) => "Histo (purge automatique)".to_owned(),
            (PURGE_ACTOR, Lang::En) => "Histo (automatic purge)".to_owned(),
            (CLI_ACTOR, Lang::Fr) => "commande histo (serveur)".to_owned(),
            (CLI_ACTOR, Lang::En) => "histo command (server)".to_owned(),
            (user, _) => user.to_owned(),
        }
    }

    /// The name of an audit action (`GET /api/v1/audit`); the code itself when unknown.
    pub fn audit_action(self, action: &str) -> String {
        let Some(known) = AuditAction::parse(action) else {
            return action.to_owned();
        };
        let (fr, en) = match known {
            AuditAction::RetentionChanged => {
                ("Durée de conservation modifiée", "Retention period changed")
            }
            AuditAction::Purge => ("Purge", "Purge"),
            AuditAction::SiteHidden => ("Site masqué", "Site hidden"),
            AuditAction::SiteShown => ("Site affiché", "Site shown"),
            AuditAction::SiteRenamed => ("Site renommé", "Site renamed"),
            AuditAction::AdminPasswordChanged => (
                "Mot de passe administrateur changé",
                "Admin password changed",
            ),
            AuditAction::AdminPasswordRefused => (
                "Mot de passe administrateur refusé",
                "Admin password refused",
            ),
            AuditAction::AdminPasswordLocked => (
                "Trop d’essais\u{202F}: mot de passe administrateur bloqué",
                "Too many attempts: admin password locked",
            ),
            AuditAction::UserErased => ("Effacement d’un code utilisateur", "User code erased"),
            AuditAction::AlertRuleAdded => ("Règle d’alerte ajoutée", "Alert rule added"),
            AuditAction::AlertRuleRemoved => ("Règle d’alerte supprimée", "Alert rule removed"),
            AuditAction::DigestChanged => {
                ("Récapitulatif mensuel modifié", "Monthly digest changed")
            }
        };
        match self {
            Lang::Fr => fr.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

fn month_index(month: &str) -> usize {
    month.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1
}

/// All the fixed texts of one language.
pub struct Texts {
    pub app_title: &'static str,
    pub loading: &'static str,
    pub skip_to_content: &'static str,
    pub skip_to_figures: &'static str,
    pub sign_in_title: &'static str,
    pub company: &'static str,
    pub user_code: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub wrong_credentials: &'static str,
    pub session_expired: &'static str,
    pub link_invalid: &'static str,
    pub link_expired: &'static str,
    pub framed_link_expired: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_sites: &'static str,
    pub nav_settings: &'static str,
    pub language_switch: &'static str,
    pub uses: &'static str,
    pub until: &'static str,
    pub last_twelve: &'static str,
    pub over_last_twelve: &'static str,
    pub this_year: &'static str,
    pub this_month: &'static str,
    pub last_month: &'static str,
    pub in_period: &'static str,
    pub success_rate: &'static str,
    pub per_month: &'static str,
    pub per_year: &'static str,
    pub by_month: &'static str,
    pub by_year: &'static str,
    pub chart: &'static str,
    pub table: &'static str,
    pub counts: &'static str,
    pub shares: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub no_earlier: &'static str,
    pub no_later: &'static str,
    pub presets: &'static str,
    pub span_kind: &'static str,
    pub view_kind: &'static str,
    pub scale_kind: &'static str,
    pub all_sites: &'static str,
    pub site_filter: &'static str,
    pub period: &'static str,
    pub total: &'static str,
    pub chart_hint: &'static str,
    pub chosen: &'static str,
    pub entries_of: &'static str,
    pub close: &'static str,
    pub date_time: &'static str,
    pub site: &'static str,
    pub outcome: &'static str,
    pub cause: &'static str,
    pub code: &'static str,
    pub detail: &'static str,
    pub more: &'static str,
    pub download_csv: &'static str,
    pub no_entries: &'static str,
    pub purged: &'static str,
    pub error_causes: &'static str,
    pub filters: &'static str,
    pub remove_filter: &'static str,
    pub only_user: &'static str,
    pub compare: &'static str,
    pub year_before: &'static str,
    pub change_percent: &'static str,
    pub by_site: &'static str,
    pub download_table: &'static str,
    pub save_png: &'static str,
    pub save_svg: &'static str,
    pub older_totals_only: &'static str,
    pub older_entries_gone: &'static str,
    pub error_network: &'static str,
    pub error_forbidden: &'static str,
    pub error_other: &'static str,
    pub sites_title: &'static str,
    pub name: &'static str,
    pub visibility: &'static str,
    pub visible: &'static str,
    pub hidden: &'static str,
    pub hide: &'static str,
    pub show: &'static str,
    pub rename: &'static str,
    pub new_name: &'static str,
    pub actions: &'static str,
    pub no_sites: &'static str,
    pub sites_read_only: &'static str,
    pub settings_title: &'static str,
    pub retention: &'static str,
    pub timezone: &'static str,
    pub last_purge: &'static str,
    pub never: &'static str,
    pub change_retention: &'static str,
    pub new_retention: &'static str,
    pub longer_retention: &'static str,
    pub same_retention: &'static str,
    pub admin_password: &'static str,
    pub save: &'static str,
    pub remove_and_save: &'static str,
    pub cancel: &'static str,
    pub wrong_admin_password: &'static str,
    pub too_many_attempts: &'static str,
    pub saved: &'static str,
    pub settings_read_only: &'static str,
    pub audit_title: &'static str,
    pub when: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub change: &'static str,
    pub no_audit: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub new_password_again: &'static str,
    pub admin_password_purpose: &'static str,
    pub change_admin_password: &'static str,
    pub password_length: &'static str,
    pub passwords_differ: &'static str,
    pub wrong_current_password: &'static str,
    pub admin_password_already_set: &'static str,
    pub admin_password_changed_meanwhile: &'static str,
    pub admin_password_saved: &'static str,
    pub no_admin_password_yet: &'static str,
    pub erasure_title: &'static str,
    pub erasure_purpose: &'static str,
    pub erase: &'static str,
    pub erase_for_good: &'static str,
    pub alerts_title: &'static str,
    pub alerts_purpose: &'static str,
    pub feature: &'static str,
    pub condition: &'static str,
    pub webhook_url: &'static str,
    pub state: &'static str,
    pub firing: &'static str,
    pub quiet: &'static str,
    pub remove: &'static str,
    pub remove_rule: &'static str,
    pub no_rules: &'static str,
    pub add_rule: &'static str,
    pub choose: &'static str,
    pub errors_condition: &'static str,
    pub share_condition: &'static str,
    pub errors_at_least: &'static str,
    pub within_minutes: &'static str,
    pub share_percent: &'static str,
    pub last_uses: &'static str,
    pub webhook_refused: &'static str,
    pub secret_once: &'static str,
    pub copy_key: &'static str,
    pub copied: &'static str,
    pub refresh: &'static str,
    pub alert_history_title: &'static str,
    pub alert: &'static str,
    pub webhook: &'static str,
    pub no_alert_events: &'static str,
    pub digest_title: &'static str,
    pub digest_purpose: &'static str,
    pub no_digest: &'static str,
    pub digest_address: &'static str,
    pub stop_digest: &'static str,
    pub digest_stopped: &'static str,
    pub months: [&'static str; 12],
    pub months_long: [&'static str; 12],
}

pub static FR: Texts = Texts {
    app_title: "Histo",
    loading: "Chargement…",
    skip_to_content: "Aller au contenu",
    skip_to_figures: "Aller au graphique",
    sign_in_title: "Connexion",
    company: "Société",
    user_code: "Code utilisateur",
    password: "Mot de passe",
    sign_in: "Se connecter",
    sign_out: "Se déconnecter",
    wrong_credentials: "Société, code utilisateur ou mot de passe incorrect.",
    session_expired: "Votre session a expiré\u{202F}: reconnectez-vous pour revenir à la même page.",
    link_invalid: "Ce lien de connexion n’est pas valide\u{202F}: rouvrez Histo depuis le menu de l’ERP, ou connectez-vous ci-dessous.",
    link_expired: "Ce lien de connexion a expiré\u{202F}: rouvrez Histo depuis le menu de l’ERP, ou connectez-vous ci-dessous.",
    framed_link_expired: "Votre lien vers Histo a expiré\u{202F}: un nouveau est demandé à l’ERP. S’il ne vient pas, rouvrez Histo depuis le menu de l’ERP.",
    nav_dashboard: "Statistiques",
    nav_sites: "Sites",
    nav_settings: "Paramètres",
    language_switch: "English",
    uses: "Utilisations",
    until: "au",
    last_twelve: "12 derniers mois",
    over_last_twelve: "sur les 12 derniers mois",
    this_year: "Cette année",
    this_month: "Ce mois",
    last_month: "Mois dernier",
    in_period: "en",
    success_rate: "de réussite",
    per_month: "par mois en moyenne",
    per_year: "par an en moyenne",
    by_month: "Par mois",
    by_year: "Par année",
    chart: "Graphique",
    table: "Tableau",
    counts: "Nombres",
    shares: "Parts (%)",
    previous: "Période précédente",
    next: "Période suivante",
    no_earlier: "Aucune utilisation comptée avant cette période",
    no_later: "La période suivante n’a pas encore commencé",
    presets: "Périodes",
    span_kind: "Découpage",
    view_kind: "Affichage",
    scale_kind: "Échelle",
    all_sites: "Tous les sites",
    site_filter: "Sites",
    period: "Période",
    total: "Total",
    chart_hint: "Cliquez ou touchez une barre pour voir ses entrées. Au clavier\u{202F}: les flèches choisissent une barre et un résultat, Entrée ouvre ses entrées.",
    chosen: "Sélection",
    entries_of: "Entrées",
    close: "Fermer",
    date_time: "Date et heure",
    site: "Site",
    outcome: "Résultat",
    cause: "Cause",
    code: "Code",
    detail: "Détail",
    more: "Afficher plus",
    download_csv: "Télécharger (CSV)",
    no_entries: "Aucune entrée.",
    purged: "Le détail de cette période a été supprimé par la politique de conservation\u{202F}; les totaux restent dans les statistiques.",
    error_causes: "Causes des erreurs",
    filters: "Filtres",
    remove_filter: "Retirer le filtre",
    only_user: "Seulement les entrées de",
    compare: "Comparer à l’année précédente",
    year_before: "Total un an plus tôt",
    change_percent: "Évolution",
    by_site: "Par site",
    download_table: "Télécharger le tableau (CSV)",
    save_png: "Graphique en PNG",
    save_svg: "Graphique en SVG",
    older_totals_only: "des mois plus anciens, seuls les totaux restent.",
    older_entries_gone: "les plus anciennes de cette période ont été supprimées.",
    error_network: "Le serveur ne répond pas. Réessayez dans un instant.",
    error_forbidden: "Vous n’avez pas le droit d’accéder à cette information.",
    error_other: "La demande a échoué",
    sites_title: "Sites",
    name: "Nom",
    visibility: "Affichage",
    visible: "Affiché",
    hidden: "Masqué",
    hide: "Masquer",
    show: "Afficher",
    rename: "Renommer",
    new_name: "Nouveau nom du site",
    actions: "Actions",
    no_sites: "Aucun site pour l’instant.",
    sites_read_only: "Seules les personnes autorisées à gérer les sites peuvent les masquer ou les renommer.",
    settings_title: "Paramètres",
    retention: "Durée de conservation",
    timezone: "Fuseau horaire",
    last_purge: "Dernière purge",
    never: "jamais",
    change_retention: "Modifier la durée de conservation",
    new_retention: "Nouvelle durée (mois, 1 à 120)",
    longer_retention: "Les entrées seront gardées plus longtemps. Celles déjà supprimées ne reviennent pas.",
    same_retention: "C’est la durée actuelle.",
    admin_password: "Mot de passe administrateur",
    save: "Enregistrer",
    remove_and_save: "Supprimer et enregistrer",
    cancel: "Annuler",
    wrong_admin_password: "Mot de passe administrateur incorrect.",
    too_many_attempts: "Trop d’essais\u{202F}: réessayez plus tard.",
    saved: "Enregistré.",
    settings_read_only: "Seul l’administrateur de la société peut modifier ces paramètres, effacer un code utilisateur, gérer les alertes et lire le journal des modifications.",
    audit_title: "Journal des modifications",
    when: "Quand",
    actor: "Qui",
    action: "Action",
    change: "Changement",
    no_audit: "Aucune modification enregistrée.",
    current_password: "Mot de passe actuel",
    new_password: "Nouveau mot de passe (8 caractères au moins)",
    new_password_again: "Nouveau mot de passe, à nouveau",
    admin_password_purpose: "Il est demandé pour changer la durée de conservation et pour effacer un code utilisateur. Laissez le mot de passe actuel vide tant qu’aucun n’est défini.",
    change_admin_password: "Enregistrer le mot de passe",
    password_length: "Le nouveau mot de passe doit compter de 8 à 1\u{202F}024 caractères.",
    passwords_differ: "Les deux nouveaux mots de passe ne sont pas identiques.",
    wrong_current_password: "Mot de passe actuel incorrect.",
    admin_password_already_set: "Un mot de passe administrateur est déjà défini\u{202F}: tapez-le dans «\u{202F}Mot de passe actuel\u{202F}».",
    admin_password_changed_meanwhile: "Le mot de passe administrateur vient d’être changé ailleurs\u{202F}: réessayez.",
    admin_password_saved: "Mot de passe administrateur enregistré.",
    no_admin_password_yet: "Aucun mot de passe administrateur n’est encore défini\u{202F}: choisissez-en un dans «\u{202F}Mot de passe administrateur\u{202F}».",
    erasure_title: "Droit à l’effacement",
    erasure_purpose: "Le code utilisateur de chaque entrée d’une personne est remplacé par ERASED. Les totaux des statistiques ne changent pas.",
    erase: "Effacer…",
    erase_for_good: "Effacer définitivement",
    alerts_title: "Alertes",
    alerts_purpose: "Une règle prévient l’ERP par un webhook signé quand une fonctionnalité se met à échouer, puis quand elle fonctionne de nouveau.",
    feature: "Fonctionnalité",
    condition: "Condition",
    webhook_url: "Adresse du webhook",
    state: "État",
    firing: "En alerte",
    quiet: "Normal",
    remove: "Supprimer",
    remove_rule: "Supprimer la règle",
    no_rules: "Aucune règle d’alerte.",
    add_rule: "Ajouter une règle",
    choose: "Choisir…",
    errors_condition: "Au moins N erreurs en M minutes",
    share_condition: "Plus de P\u{202F}% d’erreurs sur les K dernières utilisations",
    errors_at_least: "Erreurs, au moins (N)",
    within_minutes: "En minutes (M)",
    share_percent: "Part d’erreurs, plus de (P, en\u{202F}%)",
    last_uses: "Dernières utilisations (K, de 5 à 1\u{202F}000)",
    webhook_refused: "Le serveur n’autorise pas cette adresse\u{202F}: seules celles que son exploitant a permises (HISTO_WEBHOOK_ALLOW) peuvent recevoir des webhooks.",
    secret_once: "Clé de signature des webhooks (en-tête X-Histo-Signature, HMAC-SHA256 du corps)\u{202F}: copiez-la maintenant, elle ne sera plus jamais affichée.",
    copy_key: "Copier la clé",
    copied: "Clé copiée",
    refresh: "Actualiser",
    alert_history_title: "Historique des alertes",
    alert: "Alerte",
    webhook: "Webhook",
    no_alert_events: "Aucune alerte pour l’instant.",
    digest_title: "Récapitulatif mensuel",
    digest_purpose: "Le 1er de chaque mois, les chiffres du mois écoulé par fonctionnalité, comparés au même mois de l’année précédente, et les sites aux erreurs les plus nombreuses, envoyés par un webhook signé.",
    no_digest: "Aucun récapitulatif mensuel n’est envoyé.",
    digest_address: "Adresse du webhook du récapitulatif",
    stop_digest: "Arrêter le récapitulatif",
    digest_stopped: "Récapitulatif arrêté.",
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ],
    months_long: [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre",
    ],
};

pub static EN: Texts = Texts {
    app_title: "Histo",
    loading: "Loading…",
    skip_to_content: "Skip to content",
    skip_to_figures: "Skip to the chart",
    sign_in_title: "Sign in",
    company: "Company",
    user_code: "User code",
    password: "Password",
    sign_in: "Sign in",
    sign_out: "Sign out",
    wrong_credentials: "Wrong company, user code or password.",
    session_expired: "Your session has expired: sign in again to come back to the same page.",
    link_invalid: "This sign-in link is not valid: open Histo again from the ERP’s menu, or sign in below.",
    link_expired: "This sign-in link has expired: open Histo again from the ERP’s menu, or sign in below.",
    framed_link_expired: "Your link to Histo has expired: the ERP is asked for a new one. If none comes, open Histo again from the ERP’s menu.",
    nav_dashboard: "Statistics",
    nav_sites: "Sites",
    nav_settings: "Settings",
    language_switch: "Français",
    uses: "Uses",
    until: "to",
    last_twelve: "Last 12 months",
    over_last_twelve: "over the last 12 months",
    this_year: "This year",
    this_month: "This month",
    last_month: "Last month",
    in_period: "in",
    success_rate: "success",
    per_month: "a month on average",
    per_year: "a year on average",
    by_month: "By month",
    by_year: "By year",
    chart: "Chart",
    table: "Table",
    counts: "Counts",
    shares: "Shares (%)",
    previous: "Previous period",
    next: "Next period",
    no_earlier: "No use counted before this period",
    no_later: "The next period has not started yet",
    presets: "Periods",
    span_kind: "Breakdown",
    view_kind: "View",
    scale_kind: "Scale",
    all_sites: "All sites",
    site_filter: "Sites",
    period: "Period",
    total: "Total",
    chart_hint: "Click or tap a bar to see its entries. By keyboard: the arrow keys pick a bar and an outcome, Enter opens its entries.",
    chosen: "Selected",
    entries_of: "Entries",
    close: "Close",
    date_time: "Date and time",
    site: "Site",
    outcome: "Outcome",
    cause: "Cause",
    code: "Code",
    detail: "Detail",
    more: "Show more",
    download_csv: "Download (CSV)",
    no_entries: "No entries.",
    purged: "The details of this period were removed by the retention policy; its totals stay in the statistics.",
    error_causes: "Causes of errors",
    filters: "Filters",
    remove_filter: "Remove the filter",
    only_user: "Only the entries of",
    compare: "Compare with the year before",
    year_before: "Total a year earlier",
    change_percent: "Change",
    by_site: "By site",
    download_table: "Download the table (CSV)",
    save_png: "Chart as PNG",
    save_svg: "Chart as SVG",
    older_totals_only: "of older months, only the totals remain.",
    older_entries_gone: "the oldest of this period were removed.",
    error_network: "The server does not answer. Try again in a moment.",
    error_forbidden: "You are not allowed to see this.",
    error_other: "The request failed",
    sites_title: "Sites",
    name: "Name",
    visibility: "Visibility",
    visible: "Shown",
    hidden: "Hidden",
    hide: "Hide",
    show: "Show",
    rename: "Rename",
    new_name: "New name of the site",
    actions: "Actions",
    no_sites: "No sites yet.",
    sites_read_only: "Only the people allowed to manage sites can hide or rename them.",
    settings_title: "Settings",
    retention: "Retention period",
    timezone: "Time zone",
    last_purge: "Last purge",
    never: "never",
    change_retention: "Change the retention period",
    new_retention: "New period (months, 1 to 120)",
    longer_retention: "Entries will be kept longer. Those already removed do not come back.",
    same_retention: "This is the current period.",
    admin_password: "Administrator password",
    save: "Save",
    remove_and_save: "Remove and save",
    cancel: "Cancel",
    wrong_admin_password: "Wrong administrator password.",
    too_many_attempts: "Too many attempts: try again later.",
    saved: "Saved.",
    settings_read_only: "Only the company’s administrator can change these settings, erase a user code, manage alerts and read the audit trail.",
    audit_title: "Audit trail",
    when: "When",
    actor: "Who",
    action: "Action",
    change: "Change",
    no_audit: "No changes recorded.",
    current_password: "Current password",
    new_password: "New password (at least 8 characters)",
    new_password_again: "New password again",
    admin_password_purpose: "It is asked for to change the retention period and to erase a user code. Leave the current password empty while none is set.",
    change_admin_password: "Save the password",
    password_length: "The new password must have 8 to 1,024 characters.",
    passwords_differ: "The two new passwords are not the same.",
    wrong_current_password: "Wrong current password.",
    admin_password_already_set: "An administrator password is already set: type it in “Current password”.",
    admin_password_changed_meanwhile: "The administrator password has just been changed elsewhere: try again.",
    admin_password_saved: "Administrator password saved.",
    no_admin_password_yet: "No administrator password is set yet: choose one under “Administrator password”.",
    erasure_title: "Right to erasure",
    erasure_purpose: "Every entry of a person gets the user code ERASED instead of theirs. The statistics’ totals do not change.",
    erase: "Erase…",
    erase_for_good: "Erase for good",
    alerts_title: "Alerts",
    alerts_purpose: "A rule tells the ERP by a signed webhook when a feature starts failing, and again when it works again.",
    feature: "Feature",
    condition: "Condition",
    webhook_url: "Webhook address",
    state: "State",
    firing: "Firing",
    quiet: "Normal",
    remove: "Remove",
    remove_rule: "Remove the rule",
    no_rules: "No alert rules.",
    add_rule: "Add a rule",
    choose: "Choose…",
    errors_condition: "At least N errors within M minutes",
    share_condition: "Error share above P% over the last K uses",
    errors_at_least: "Errors, at least (N)",
    within_minutes: "Within minutes (M)",
    share_percent: "Error share above (P, in %)",
    last_uses: "Last uses (K, 5 to 1,000)",
    webhook_refused: "The server does not allow this address: only those its operator allowed (HISTO_WEBHOOK_ALLOW) can receive webhooks.",
    secret_once: "The key of the webhooks’ signature (header X-Histo-Signature, HMAC-SHA256 of the body): copy it now, it will not be shown again.",
    copy_key: "Copy the key",
    copied: "Key copied",
    refresh: "Refresh",
    alert_history_title: "Alert history",
    alert: "Alert",
    webhook: "Webhook",
    no_alert_events: "No alerts yet.",
    digest_title: "Monthly digest",
    digest_purpose: "On the 1st of each month, last month’s figures per feature, against the same month a year earlier, and the sites with the most errors, sent by a signed webhook.",
    no_digest: "No monthly digest is sent.",
    digest_address: "The digest’s webhook address",
    stop_digest: "Stop the digest",
    digest_stopped: "Digest stopped.",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    months_long: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
};

/// The message for a failed request, in the current language.
pub fn error_message(error: &crate::api::ApiError) -> String {
    use crate::api::ApiError;
    let lang = lang().get();
    let texts = lang.texts();
    match error {
        ApiError::Network => texts.error_network.to_owned(),
        ApiError::Forbidden(_) => texts.error_forbidden.to_owned(),
        ApiError::Unauthorized => texts.session_expired.to_owned(),
        ApiError::Refused(status, message) => {
            format!(
                "{} (HTTP {status}){}{message}",
                texts.error_other,
                lang.colon()
            )
        }
        ApiError::Decode(message) => format!("{}{}{message}", texts.error_other, lang.colon()),
    }
}
