//! `GET /api/v1/features`: the features, their outcomes, causes and details with French and English
//! labels, so that clients draw legends and tables without hard-coding them.

use actix_web::{get, web, HttpResponse};
use histo_api_types::{DetailInfo, ErrorBody, FeatureInfo, Label, Labelled};
use histo_domain::{DeaChange, Feature};

use crate::auth::{Authorized, LogsRead};
use crate::error::ApiError;
use crate::query::NoParams;

/// The features and their labels
///
/// The eight features in the order charts and tables show them, each with its outcomes (labelled for
/// that feature, in the order bars stack them), the causes of its errors and its detail, in French and
/// English.
#[utoipa::path(
    tag = "statistics",
    responses(
        (status = 200, description = "Every feature", body = [FeatureInfo]),
        (status = 422, description = "An unknown parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/features")]
pub async fn features(
    _auth: Authorized<LogsRead>,
    _query: web::Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Feature::ALL.iter().map(|f| info(*f)).collect::<Vec<_>>()))
}

fn info(feature: Feature) -> FeatureInfo {
    FeatureInfo {
        code: feature.code().into(),
        label: label(feature.label()),
        outcomes: feature
            .outcomes()
            .iter()
            .map(|o| labelled(o.code(), feature.outcome_label(*o)))
            .collect(),
        causes: feature
            .causes()
            .iter()
            .map(|c| labelled(c.code(), c.label()))
            .collect(),
        detail: feature.requires_detail().then(|| DetailInfo {
            field: "changed".into(),
            values: DeaChange::ALL
                .iter()
                .map(|c| labelled(c.code(), c.label()))
                .collect(),
        }),
    }
}

fn label(label: histo_domain::Label) -> Label {
    Label {
        fr: label.fr.into(),
        en: label.en.into(),
    }
}

fn labelled(code: &str, text: histo_domain::Label) -> Labelled {
    Labelled {
        code: code.into(),
        label: label(text),
    }
}
