//! The eight features of the host application, what each use of them can end with, and why an error
//! happened — with the French and English labels that charts and tables show.

use serde::Serialize;

/// A text in both languages of Histo's users; French first, the customers are French.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Label {
    pub fr: &'static str,
    pub en: &'static str,
}

const fn label(fr: &'static str, en: &'static str) -> Label {
    Label { fr, en }
}

/// Declares a closed set of codes with `ALL`, `code()` and `parse()`.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code used in the API and in storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Reads a code; `None` for anything that is not one of `ALL`.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

codes!(
    /// A feature of the host application whose uses Histo records.
    Feature {
        Email => "email",
        Sms => "sms",
        Attachment => "attachment",
        Sirene => "sirene",
        Vies => "vies",
        DeaUpdate => "dea_update",
        PhpWebApi => "php_web_api",
        GoogleCalendarSync => "google_calendar_sync",
    }
);

codes!(
    /// How one use of a feature ended.
    Outcome {
        Success => "success",
        NoResult => "no_result",
        Error => "error",
        Stopped => "stopped",
    }
);

codes!(
    /// Why a use of a feature ended in error.
    Cause {
        Configuration => "configuration",
        Execution => "execution",
        RemoteApi => "remote_api",
        InvalidNumber => "invalid_number",
    }
);

codes!(
    /// What a DEA update changed.
    DeaChange {
        Code => "code",
        Amount => "amount",
    }
);

/// The detail that a feature's events carry; only `dea_update` has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    DeaUpdate { changed: DeaChange },
}

impl Feature {
    pub fn label(self) -> Label {
        match self {
            Feature::Email => label("Envoi d'e-mails", "Sending e-mails"),
            Feature::Sms => label("Envoi de SMS", "Sending SMS"),
            Feature::Attachment => label("Ajout de pièces jointes", "Adding attached documents"),
            Feature::Sirene => label("API SIRENE", "SIRENE API"),
            Feature::Vies => label("API VIES EUROPA", "VIES EUROPA API"),
            Feature::DeaUpdate => label("Mise à jour DEA", "DEA update"),
            Feature::PhpWebApi => label("API Web PHP", "PHP web API"),
            Feature::GoogleCalendarSync => label(
                "Synchronisation Google Agenda",
                "Google Calendar synchronisation",
            ),
        }
    }

    /// The outcomes this feature can end with, in the order charts stack them.
    pub fn outcomes(self) -> &'static [Outcome] {
        use Outcome::*;
        match self {
            Feature::Email | Feature::Sms | Feature::Attachment | Feature::GoogleCalendarSync => {
                &[Success, Error, Stopped]
            }
            Feature::Sirene | Feature::Vies => &[Success, NoResult, Error, Stopped],
            Feature::DeaUpdate => &[Success],
            Feature::PhpWebApi => &[Success, Error],
        }
    }

    /// The causes an `error` of this feature can have; empty when the feature has no `error`.
    pub fn causes(self) -> &'static [Cause] {
        use Cause::*;
        match self {
            Feature::Email | Feature::Sms => &[Configuration],
            Feature::Attachment | Feature::PhpWebApi | Feature::GoogleCalendarSync => {
                &[Configuration, Execution]
            }
            Feature::Sirene => &[Configuration, RemoteApi],
            Feature::Vies => &[Configuration, InvalidNumber],
            Feature::DeaUpdate => &[],
        }
    }

    pub fn has_outcome(self, outcome: Outcome) -> bool {
        self.outcomes().contains(&outcome)
    }

    /// Whether this feature's events must carry a detail (and may carry no other).
    pub fn requires_detail(self) -> bool {
        self == Feature::DeaUpdate
    }

    /// What an outcome means for this feature, in the requirements' words.
    pub fn outcome_label(self, outcome: Outcome) -> Label {
        use Feature::*;
        use Outcome::*;
        match (self, outcome) {
            (Email | Sms, Success) => label("Envoyés", "Sent"),
            (Email | Sms, Error) => label("En erreur", "Errors"),
            (Email | Sms, Stopped) => label("Arrêtés par l'utilisateur", "Stopped by the user"),
            (Attachment, Success) => label("Insérées", "Inserted"),
            (Attachment, Error) => label("Non abouties", "Did not complete"),
            (Attachment, Stopped) => label("Arrêtées par l'utilisateur", "Stopped by the user"),
            (Sirene | Vies, Success) => label("Contrôles effectués", "Checks done"),
            (Sirene | Vies, NoResult) => label("Sans réponse", "No result"),
            (Sirene | Vies, Error) => label("En erreur", "Errors"),
            (Sirene | Vies, Stopped) => label("Arrêtés par l'utilisateur", "Stopped by the user"),
            (DeaUpdate, Success) => label("Mises à jour effectuées", "Updates done"),
            (PhpWebApi, Success) => label("Connexions effectuées", "Connections made"),
            (PhpWebApi, Error) => label("Connexions en erreur", "Connection errors"),
            (GoogleCalendarSync, Success) => label("Synchronisations effectuées", "Synchronised"),
            (GoogleCalendarSync, Error) => label("En erreur", "Errors"),
            (GoogleCalendarSync, Stopped) => {
                label("Arrêtées par l'utilisateur", "Stopped by the user")
            }
            (_, NoResult) => label("Sans résultat", "No result"),
            (_, Error) => label("En erreur", "Errors"),
            (_, Stopped) => label("Arrêtés", "Stopped"),
        }
    }
}

impl Cause {
    pub fn label(self) -> Label {
        match self {
            Cause::Configuration => label("Problème de configuration", "Configuration problem"),
            Cause::Execution => label("Erreur d'exécution", "Execution error"),
            Cause::RemoteApi => label("Erreur de l'API distante", "Remote API error"),
            Cause::InvalidNumber => label("Numéro mal formé", "Malformed number"),
        }
    }
}

impl DeaChange {
    pub fn label(self) -> Label {
        match self {
            DeaChange::Code => label("Code modifié", "Code changed"),
            DeaChange::Amount => label("Montant modifié", "Amount changed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself() {
        for f in Feature::ALL {
            assert_eq!(Feature::parse(f.code()), Some(*f));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.code()), Some(*o));
        }
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.code()), Some(*c));
        }
        assert_eq!(Feature::parse("Email"), None);
    }

    #[test]
    fn features_with_errors_have_causes_and_the_others_none() {
        for f in Feature::ALL {
            assert_eq!(f.has_outcome(Outcome::Error), !f.causes().is_empty(), "{f}");
        }
    }

    #[test]
    fn the_requirements_taxonomy_holds() {
        assert_eq!(Feature::ALL.len(), 8);
        assert_eq!(
            Feature::Vies.causes(),
            &[Cause::Configuration, Cause::InvalidNumber]
        );
        assert_eq!(Feature::DeaUpdate.outcomes(), &[Outcome::Success]);
        assert_eq!(
            Feature::PhpWebApi.outcomes(),
            &[Outcome::Success, Outcome::Error]
        );
        assert!(Feature::Sirene.has_outcome(Outcome::NoResult));
        assert!(!Feature::Email.has_outcome(Outcome::NoResult));
    }
}
