//! Every text the app shows, in French (the default) and English, and the formatting of numbers,
//! dates, plurals and French typography (a narrow no-break space, U+202F, before `%` `:` `;` `?` `!`;
//! typographic apostrophes). Feature, outcome and cause names come from `GET /api/v1/features`.

use histo_api_types::Label;
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

    /// An RFC 3339 instant as date and time in the company's time zone.
    pub fn date_time(self, rfc3339: &str, timezone: &str) -> String {
        self.format_date(
            rfc3339,
            &[
                ("timeZone", timezone),
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
        match action {
            "retention_changed" => {
                let months =
                    |state| number(state, "retention_months").map(|n| self.count(n, &MONTHS));
                match (months(before), months(after)) {
                    (Some(old), Some(new)) if fr => format!("De {old} à {new}."),
                    (Some(old), Some(new)) => format!("From {old} to {new}."),
                    _ => String::new(),
                }
            }
            "purge" => {
                let removed = self.count(number(after, "removed").unwrap_or(0), &REMOVED_ENTRIES);
                match text(after, "removed_before") {
                    Some(month) if fr => {
                        format!("{removed}, antérieures à {}.", self.period_long(&month))
                    }
                    Some(month) => format!("{removed}, older than {}.", self.period_long(&month)),
                    None => format!("{removed}."),
                }
            }
            "site_hidden" | "site_shown" | "site_renamed" => {
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
                    ("site_hidden", true) => {
                        format!("{site}\u{202F}: exclu des statistiques, listes et exports.")
                    }
                    ("site_hidden", false) => {
                        format!("{site}: left out of statistics, lists and exports.")
                    }
                    ("site_shown", true) => format!("{site}\u{202F}: de nouveau compté."),
                    ("site_shown", false) => format!("{site}: counted again."),
                    (_, true) => format!(
                        "{code}\u{202F}: «\u{202F}{old}\u{202F}» devient «\u{202F}{new}\u{202F}»."
                    ),
                    (_, false) => format!("{code}: “{old}” becomes “{new}”."),
                }
            }
            "admin_password_changed" => {
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
            "user_erased" => {
                let n = self.count(number(after, "entries").unwrap_or(0), &ENTRIES);
                if fr {
                    format!("Code utilisateur effacé de {n}.")
                } else {
                    format!("User code erased from {n}.")
                }
            }
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
            ("system", Lang::Fr) => "Histo (purge automatique)".to_owned(),
            ("system", Lang::En) => "Histo (automatic purge)".to_owned(),
            ("cli", Lang::Fr) => "commande histo (serveur)".to_owned(),
            ("cli", Lang::En) => "histo command (server)".to_owned(),
            (user, _) => user.to_owned(),
        }
    }

    /// The name of an audit action (`GET /api/v1/audit`); the code itself when unknown.
    pub fn audit_action(self, action: &str) -> String {
        let (fr, en) = match action {
            "retention_changed" => ("Durée de conservation modifiée", "Retention period changed"),
            "purge" => ("Purge", "Purge"),
            "site_hidden" => ("Site masqué", "Site hidden"),
            "site_shown" => ("Site affiché", "Site shown"),
            "site_renamed" => ("Site renommé", "Site renamed"),
            "admin_password_changed" => (
                "Mot de passe administrateur changé",
                "Admin password changed",
            ),
            "admin_password_refused" => (
                "Mot de passe administrateur refusé",
                "Admin password refused",
            ),
            "admin_password_locked" => (
                "Trop d’essais\u{202F}: mot de passe administrateur bloqué",
                "Too many attempts: admin password locked",
            ),
            "user_erased" => ("Effacement d’un code utilisateur", "User code erased"),
            other => return other.to_owned(),
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
    settings_read_only: "Seul l’administrateur de la société peut modifier la durée de conservation et lire le journal des modifications.",
    audit_title: "Journal des modifications",
    when: "Quand",
    actor: "Qui",
    action: "Action",
    change: "Changement",
    no_audit: "Aucune modification enregistrée.",
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
    settings_read_only: "Only the company’s administrator can change the retention period and read the audit trail.",
    audit_title: "Audit trail",
    when: "When",
    actor: "Who",
    action: "Action",
    change: "Change",
    no_audit: "No changes recorded.",
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
