//! Every text the app shows, in French (the default) and English, and the formatting of numbers and
//! dates per language. Feature, outcome and cause names come from `GET /api/v1/features` instead.

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

    /// Picks the label of this language.
    pub fn pick(self, label: &histo_api_types::Label) -> String {
        match self {
            Lang::Fr => label.fr.clone(),
            Lang::En => label.en.clone(),
        }
    }

    /// A count, e.g. "1 234" in French, "1,234" in English.
    pub fn number(self, n: u64) -> String {
        String::from(js_sys::Number::from(n as f64).to_locale_string(self.locale()))
    }

    /// A share as a percentage with one decimal, e.g. "97,5 %".
    pub fn percent(self, part: u64, whole: u64) -> String {
        if whole == 0 {
            return "–".into();
        }
        let value = (part as f64 * 1000.0 / whole as f64).round() / 10.0;
        let text = String::from(js_sys::Number::from(value).to_locale_string(self.locale()));
        match self {
            Lang::Fr => format!("{text} %"),
            Lang::En => format!("{text}%"),
        }
    }

    /// An RFC 3339 instant as date and time in the company's time zone.
    pub fn date_time(self, rfc3339: &str, timezone: &str) -> String {
        let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
        if date.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        let options = js_sys::Object::new();
        for (key, value) in [
            ("timeZone", timezone),
            ("dateStyle", "short"),
            ("timeStyle", "medium"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        String::from(date.to_locale_string(self.locale(), &options))
    }

    /// A period of the API (`2026-03` or `2026`) as words: "mars 2026", "2026".
    pub fn period(self, period: &str) -> String {
        match period.split_once('-') {
            Some((year, month)) => {
                let index = month.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1;
                format!("{} {year}", self.texts().months[index])
            }
            None => period.to_owned(),
        }
    }
}

/// All the fixed texts of one language.
pub struct Texts {
    pub app_title: &'static str,
    pub loading: &'static str,
    pub sign_in_title: &'static str,
    pub company: &'static str,
    pub user_code: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub wrong_credentials: &'static str,
    pub session_expired: &'static str,
    pub framed_link_expired: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_sites: &'static str,
    pub nav_settings: &'static str,
    pub language_switch: &'static str,
    pub this_year: &'static str,
    pub success_rate: &'static str,
    pub by_month: &'static str,
    pub by_year: &'static str,
    pub chart: &'static str,
    pub table: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub sites_filter: &'static str,
    pub all_sites: &'static str,
    pub hidden_sites: &'static str,
    pub period: &'static str,
    pub total: &'static str,
    pub chart_hint: &'static str,
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
    pub error_network: &'static str,
    pub error_forbidden: &'static str,
    pub error_other: &'static str,
    pub sites_title: &'static str,
    pub name: &'static str,
    pub visible: &'static str,
    pub hidden: &'static str,
    pub hide: &'static str,
    pub show: &'static str,
    pub rename: &'static str,
    pub new_name: &'static str,
    pub no_sites: &'static str,
    pub settings_title: &'static str,
    pub retention: &'static str,
    pub months_unit: &'static str,
    pub timezone: &'static str,
    pub last_purge: &'static str,
    pub never: &'static str,
    pub removed_entries: &'static str,
    pub change_retention: &'static str,
    pub new_retention: &'static str,
    pub admin_password: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub wrong_admin_password: &'static str,
    pub too_many_attempts: &'static str,
    pub saved: &'static str,
    pub audit_title: &'static str,
    pub when: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub no_audit: &'static str,
    pub months: [&'static str; 12],
}

pub static FR: Texts = Texts {
    app_title: "Histo",
    loading: "Chargement…",
    sign_in_title: "Connexion",
    company: "Société",
    user_code: "Code utilisateur",
    password: "Mot de passe",
    sign_in: "Se connecter",
    sign_out: "Se déconnecter",
    wrong_credentials: "Société, code utilisateur ou mot de passe incorrect.",
    session_expired: "Votre session a expiré : reconnectez-vous pour revenir à la même page.",
    framed_link_expired: "Votre lien vers Histo a expiré : un nouveau est demandé à l’ERP. S’il ne vient pas, rouvrez Histo depuis le menu de l’ERP.",
    nav_dashboard: "Statistiques",
    nav_sites: "Sites",
    nav_settings: "Paramètres",
    language_switch: "English",
    this_year: "Cette année",
    success_rate: "de réussite",
    by_month: "Par mois",
    by_year: "Par année",
    chart: "Graphique",
    table: "Tableau",
    previous: "Période précédente",
    next: "Période suivante",
    sites_filter: "Sites",
    all_sites: "Tous les sites",
    hidden_sites: "site(s) masqué(s), exclu(s) des chiffres",
    period: "Période",
    total: "Total",
    chart_hint: "Cliquez sur une barre pour voir les entrées correspondantes. Au clavier : les flèches choisissent une barre et un résultat, Entrée ouvre ses entrées.",
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
    purged: "Le détail de cette période a été supprimé par la politique de conservation ; les totaux restent dans les statistiques.",
    error_network: "Le serveur ne répond pas. Réessayez dans un instant.",
    error_forbidden: "Vous n'avez pas le droit d'accéder à cette information.",
    error_other: "La demande a échoué",
    sites_title: "Sites",
    name: "Nom",
    visible: "Affiché",
    hidden: "Masqué",
    hide: "Masquer",
    show: "Afficher",
    rename: "Renommer",
    new_name: "Nouveau nom du site",
    no_sites: "Aucun site pour l'instant.",
    settings_title: "Paramètres",
    retention: "Durée de conservation",
    months_unit: "mois",
    timezone: "Fuseau horaire",
    last_purge: "Dernière purge",
    never: "jamais",
    removed_entries: "entrée(s) supprimée(s)",
    change_retention: "Modifier la durée de conservation",
    new_retention: "Nouvelle durée (mois, 1 à 120)",
    admin_password: "Mot de passe administrateur",
    save: "Enregistrer",
    cancel: "Annuler",
    wrong_admin_password: "Mot de passe administrateur incorrect.",
    too_many_attempts: "Trop d'essais : réessayez plus tard.",
    saved: "Enregistré.",
    audit_title: "Journal des modifications",
    when: "Quand",
    actor: "Qui",
    action: "Action",
    before: "Avant",
    after: "Après",
    no_audit: "Aucune modification enregistrée.",
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ],
};

pub static EN: Texts = Texts {
    app_title: "Histo",
    loading: "Loading…",
    sign_in_title: "Sign in",
    company: "Company",
    user_code: "User code",
    password: "Password",
    sign_in: "Sign in",
    sign_out: "Sign out",
    wrong_credentials: "Wrong company, user code or password.",
    session_expired: "Your session has expired: sign in again to come back to the same page.",
    framed_link_expired: "Your link to Histo has expired: the ERP is asked for a new one. If none comes, open Histo again from the ERP’s menu.",
    nav_dashboard: "Statistics",
    nav_sites: "Sites",
    nav_settings: "Settings",
    language_switch: "Français",
    this_year: "This year",
    success_rate: "success",
    by_month: "By month",
    by_year: "By year",
    chart: "Chart",
    table: "Table",
    previous: "Previous period",
    next: "Next period",
    sites_filter: "Sites",
    all_sites: "All sites",
    hidden_sites: "hidden site(s), left out of the figures",
    period: "Period",
    total: "Total",
    chart_hint: "Click a bar to see the entries behind it. By keyboard: the arrow keys pick a bar and an outcome, Enter opens its entries.",
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
    error_network: "The server does not answer. Try again in a moment.",
    error_forbidden: "You are not allowed to see this.",
    error_other: "The request failed",
    sites_title: "Sites",
    name: "Name",
    visible: "Shown",
    hidden: "Hidden",
    hide: "Hide",
    show: "Show",
    rename: "Rename",
    new_name: "New name of the site",
    no_sites: "No sites yet.",
    settings_title: "Settings",
    retention: "Retention period",
    months_unit: "months",
    timezone: "Time zone",
    last_purge: "Last purge",
    never: "never",
    removed_entries: "entries removed",
    change_retention: "Change the retention period",
    new_retention: "New period (months, 1 to 120)",
    admin_password: "Administrator password",
    save: "Save",
    cancel: "Cancel",
    wrong_admin_password: "Wrong administrator password.",
    too_many_attempts: "Too many attempts: try again later.",
    saved: "Saved.",
    audit_title: "Audit trail",
    when: "When",
    actor: "Who",
    action: "Action",
    before: "Before",
    after: "After",
    no_audit: "No changes recorded.",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
};

/// The message for a failed request, in the current language.
pub fn error_message(error: &crate::api::ApiError) -> String {
    use crate::api::ApiError;
    let texts = t();
    match error {
        ApiError::Network => texts.error_network.to_owned(),
        ApiError::Forbidden(_) => texts.error_forbidden.to_owned(),
        ApiError::Unauthorized => texts.session_expired.to_owned(),
        ApiError::Refused(status, message) => {
            format!("{} (HTTP {status}) : {message}", texts.error_other)
        }
        ApiError::Decode(message) => format!("{} : {message}", texts.error_other),
    }
}

/// The name of an audit action (`GET /api/v1/audit`); the code itself when unknown.
pub fn audit_action(lang: Lang, action: &str) -> String {
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
        other => return other.to_owned(),
    };
    match lang {
        Lang::Fr => fr.to_owned(),
        Lang::En => en.to_owned(),
    }
}
