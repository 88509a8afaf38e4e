//! The stretch of time that the statistics page shows: the last twelve months (the default, which
//! follows the calendar), any run of months (a calendar year, one month), or a range of years; how
//! it reads in the URL, moves by one step, is named on screen, and which API periods it covers.

use histo_api_types::limits::STATS_MAX_YEARS;

use crate::api::Query;
use crate::text::Lang;

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    /// The current month, by the browser's clock.
    pub fn now() -> Month {
        let today = js_sys::Date::new_0();
        Month {
            year: today.get_full_year() as i32,
            month: today.get_month() + 1,
        }
    }

    /// Reads `2026-03`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        let (year, month) = (year.parse().ok()?, month.parse().ok()?);
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// `2026-03`, as the API writes it.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + n;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// How many months from `self` to `later`, both counted.
    fn months_to(self, later: Month) -> i32 {
        (later.year - self.year) * 12 + later.month as i32 - self.month as i32 + 1
    }
}

/// The longest run of months a URL may ask for (the API counts one year per call).
const MAX_MONTHS: i32 = 36;
/// The years shown when switching from months to years.
pub const DEFAULT_YEARS: i32 = 5;

/// What the figures cover.
#[derive(Clone, Debug, PartialEq)]
pub enum Span {
    /// The twelve months up to the current one: the default view, which moves with the calendar.
    LastTwelve,
    /// The months from `from` to `to`, both included.
    Months { from: Month, to: Month },
    /// The years from `from` to `to`, both included.
    Years { from: i32, to: i32 },
}

impl Span {
    /// Reads the span of the page's URL query: `granularity=year&from=Y1&to=Y2`,
    /// `granularity=month&year=Y`, `…&month=YYYY-MM`, `…&from=YYYY-MM&to=YYYY-MM`, or nothing (the
    /// last twelve months).
    pub fn read(query: &Query, now: Month) -> Span {
        let year = |key| query.get(key).and_then(|v| v.parse::<i32>().ok());
        let month = |key| query.get(key).and_then(Month::parse);
        if query.get("granularity") == Some("year") {
            let to = year("to").unwrap_or(now.year);
            let from = year("from")
                .unwrap_or(to - DEFAULT_YEARS + 1)
                .clamp(to - STATS_MAX_YEARS + 1, to);
            return Span::Years { from, to };
        }
        if let Some(year) = year("year") {
            return Span::calendar_year(year);
        }
        if let Some(one) = month("month") {
            return Span::Months { from: one, to: one };
        }
        match (month("from"), month("to")) {
            (Some(from), Some(to)) if from <= to => Span::Months {
                from: from.max(to.plus(1 - MAX_MONTHS)),
                to,
            },
            _ => Span::LastTwelve,
        }
    }

    /// Adds the span to the page's URL query.
    pub fn write(&self, query: Query) -> Query {
        match self {
            Span::LastTwelve => query.add("granularity", "month"),
            Span::Years { from, to } => query
                .add("granularity", "year")
                .add("from", from)
                .add("to", to),
            Span::Months { from, to } if from == to => {
                query.add("granularity", "month").add("month", from.key())
            }
            Span::Months { from, to }
                if from.month == 1 && to.month == 12 && from.year == to.year =>
            {
                query.add("granularity", "month").add("year", from.year)
            }
            Span::Months { from, to } => query
                .add("granularity", "month")
                .add("from", from.key())
                .add("to", to.key()),
        }
    }

    pub fn calendar_year(year: i32) -> Span {
        Span::Months {
            from: Month { year, month: 1 },
            to: Month { year, month: 12 },
        }
    }

    pub fn one_month(month: Month) -> Span {
        Span::Months {
            from: month,
            to: month,
        }
    }

    /// The months covered, or `None` for years.
    pub fn months(&self, now: Month) -> Option<(Month, Month)> {
        match *self {
            Span::LastTwelve => Some((now.plus(-11), now)),
            Span::Months { from, to } => Some((from, to)),
            Span::Years { .. } => None,
        }
    }

    /// The first and last years touched.
    pub fn years(&self, now: Month) -> (i32, i32) {
        match (self, self.months(now)) {
            (Span::Years { from, to }, _) => (*from, *to),
            (_, Some((from, to))) => (from.year, to.year),
            _ => (now.year, now.year),
        }
    }

    /// The same length of time, one step earlier (-1) or later (+1). A run of months that ends up
    /// as the last twelve months becomes that view again.
    pub fn shifted(&self, step: i32, now: Month) -> Span {
        match (self, self.months(now)) {
            (Span::Years { from, to }, _) => {
                let width = to - from + 1;
                Span::Years {
                    from: from + step * width,
                    to: to + step * width,
                }
            }
            (_, Some((from, to))) => {
                let width = from.months_to(to);
                let (from, to) = (from.plus(step * width), to.plus(step * width));
                if to == now && width == 12 {
                    Span::LastTwelve
                } else {
                    Span::Months { from, to }
                }
            }
            _ => self.clone(),
        }
    }

    /// Whether the span reaches the current period (nothing later has been counted yet).
    pub fn reaches(&self, now: Month) -> bool {
        match (self, self.months(now)) {
            (Span::Years { to, .. }, _) => *to >= now.year,
            (_, Some((_, to))) => to >= now,
            _ => true,
        }
    }

    /// Whether the span starts at or before `first` (the first period with uses).
    pub fn starts_by(&self, first: Month, now: Month) -> bool {
        match (self, self.months(now)) {
            (Span::Years { from, .. }, _) => *from <= first.year,
            (_, Some((from, _))) => from <= first,
            _ => true,
        }
    }

    /// The same span month by month (`true`) or year by year.
    pub fn by(&self, years: bool, now: Month) -> Span {
        match (self, years) {
            (Span::Years { to, .. }, false) if *to >= now.year => Span::LastTwelve,
            (Span::Years { to, .. }, false) => Span::calendar_year(*to),
            (Span::Years { .. }, true) => self.clone(),
            (months, true) => {
                let (_, last) = months.years(now);
                Span::Years {
                    from: last - DEFAULT_YEARS + 1,
                    to: last,
                }
            }
            (months, false) => months.clone(),
        }
    }

    /// The periods of `GET /api/v1/stats/overview` that add up to the span: whole years where the
    /// span is whole years, else each month.
    pub fn overview_periods(&self, now: Month) -> Vec<String> {
        match self.months(now) {
            None => {
                let (from, to) = self.years(now);
                (from..=to).map(|y| y.to_string()).collect()
            }
            Some((from, to)) if from.month == 1 && to.month == 12 => {
                (from.year..=to.year).map(|y| y.to_string()).collect()
            }
            Some((from, to)) => (0..from.months_to(to))
                .map(|i| from.plus(i).key())
                .collect(),
        }
    }

    /// The span's name on its own: "12 derniers mois", "2026", "mars 2026", "avr. 2025 – mars 2026",
    /// "2022 – 2026".
    pub fn label(&self, lang: Lang, now: Month) -> String {
        match (self, self.months(now)) {
            (Span::LastTwelve, _) => lang.texts().last_twelve.to_owned(),
            (Span::Years { from, to }, _) if from == to => from.to_string(),
            (Span::Years { from, to }, _) => format!("{from} – {to}"),
            (_, Some((from, to))) if from == to => lang.period(&from.key()),
            (_, Some((from, to))) if from.year == to.year && from.month == 1 && to.month == 12 => {
                from.year.to_string()
            }
            (_, Some((from, to))) => {
                format!("{} – {}", lang.period(&from.key()), lang.period(&to.key()))
            }
            _ => String::new(),
        }
    }

    /// The span in a sentence: "sur les 12 derniers mois", "en 2026", "en mars 2026",
    /// "d’avr. 2025 à mars 2026", "de 2022 à 2026".
    pub fn phrase(&self, lang: Lang, now: Month) -> String {
        let texts = lang.texts();
        match (self, self.months(now)) {
            (Span::LastTwelve, _) => texts.over_last_twelve.to_owned(),
            (Span::Years { from, to }, _) if from != to => {
                lang.between(&from.to_string(), &to.to_string())
            }
            (_, Some((from, to)))
                if from != to && !(from.year == to.year && from.month == 1 && to.month == 12) =>
            {
                lang.between(&lang.period(&from.key()), &lang.period(&to.key()))
            }
            _ => format!("{} {}", texts.in_period, self.label(lang, now)),
        }
    }

    /// How many months or years of the span have begun (for averages).
    pub fn elapsed(&self, now: Month) -> u32 {
        match self.months(now) {
            Some((from, to)) => from.months_to(to.min(now)).max(1) as u32,
            None => {
                let (from, to) = self.years(now);
                (to.min(now.year) - from + 1).max(1) as u32
            }
        }
    }

    /// The one period (`YYYY-MM` or `YYYY`) of a view that shows one: the span itself when it is
    /// one month or one calendar year, else its last month or year (`false`: not the whole span).
    pub fn single_period(&self, now: Month) -> (String, bool) {
        match (self, self.months(now)) {
            (Span::Years { from, to }, _) => (to.to_string(), from == to),
            (_, Some((from, to))) if from == to => (to.key(), true),
            (Span::Months { from, to }, _)
                if from.year == to.year && from.month == 1 && to.month == 12 =>
            {
                (to.year.to_string(), true)
            }
            (_, Some((_, to))) => (to.key(), false),
            (_, None) => (now.key(), false),
        }
    }

    pub fn is_years(&self) -> bool {
        matches!(self, Span::Years { .. })
    }
}
