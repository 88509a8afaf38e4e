//! The OpenAPI 3.1 document of the API, generated from the routes and types, served at
//! `/api-docs/openapi.json` with Swagger UI at `/docs`, and committed as `openapi/openapi.json`.

use std::sync::LazyLock;

use histo_domain::{Feature, Outcome};
use utoipa::openapi::path::{Operation, Parameter};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::ContentBuilder;
use utoipa::openapi::Ref;
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Histo",
        description = "Feature-usage log and statistics of a multi-site business application. Every \
                       request carries a bearer JWT naming one company; its scopes (`logs:read`, \
                       `events:write`, `sites:manage`, `settings:admin`) say what it may do.",
        license(name = "MIT"),
    ),
    modifiers(&BearerAuth),
    // What Histo sends to the host application's webhooks: no route answers them.
    components(schemas(
        histo_api_types::AlertWebhook,
        histo_api_types::DigestWebhook
    )),
    tags(
        (name = "events", description = "Recording uses of the host application's features"),
        (name = "statistics", description = "How often each feature was used, per outcome, per month or year"),
        (name = "logs", description = "The log entries behind the statistics, as pages or CSV"),
        (name = "sites", description = "The company's sites, and hiding them"),
        (name = "access", description = "Signing in with an account of Histo"),
        (name = "settings", description = "Retention period, admin password, audit trail"),
        (name = "alerts", description = "Alert rules, their firings and the monthly digest, told to the host application by signed webhooks"),
        (name = "operations", description = "Health and metrics of the service"),
    )
)]
pub struct ApiDoc;

/// The document: [`ApiDoc`]'s description, the paths and schemas of every route of
/// [`routes::api`], and what the routes share, described once.
pub fn document() -> utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| {
        let (_, mut document) = actix_web::App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(routes::api)
            .split_for_parts();
        SharedParameters.modify(&mut document);
        SharedResponses.modify(&mut document);
        document
    });
    DOCUMENT.clone()
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    }
}

/// The query parameters shared by several routes, described once: `feature` and `outcome` list the
/// codes of the taxonomy itself, `period` is a month or a year. The query types keep them as text, so
/// that a wrong value gets a clear 422 naming it.
struct SharedParameters;

impl Modify for SharedParameters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let rule = |name: &str| match name {
            "feature" => Some(text().enum_values(Some(Feature::ALL.iter().map(|f| f.code())))),
            "outcome" => Some(text().enum_values(Some(Outcome::ALL.iter().map(|o| o.code())))),
            "period" => Some(text().pattern(Some(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$"))),
            _ => None,
        };
        let parameters = operations(openapi)
            .flat_map(|operation: &mut Operation| operation.parameters.iter_mut().flatten());
        for parameter in parameters {
            let Parameter { name, schema, .. } = parameter;
            if let Some(described) = rule(name) {
                *schema = Some(RefOr::T(described.build().into()));
            }
        }
    }
}

/// The answers that every route needing a token shares: 401 without a valid token, 403 without the
/// route's scope (a route may describe them itself, when it has more to say).
struct SharedResponses;

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build()
        };
        for operation in operations(openapi) {
            let Some(scope) = operation.security.iter().flatten().find_map(|requirement| {
                let value = serde_json::to_value(requirement).ok()?;
                value["bearer"][0].as_str().map(str::to_owned)
            }) else {
                continue;
            };
            let responses = &mut operation.responses.responses;
            for (status, description) in [
                ("401", "No valid token".to_owned()),
                ("403", format!("The token lacks `{scope}`")),
            ] {
                responses.entry(status.to_owned()).or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(description)
                            .content("application/json", error())
                            .build(),
                    )
                });
            }
        }
    }
}

/// Every operation of the document.
fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
    })
}

/// The methods that the API takes at `path` (`/api/v1/sites/LYON` matches `/api/v1/sites/{code}`),
/// in the document's order; `None` when no route has that path.
pub fn methods_at(path: &str) -> Option<Vec<&'static str>> {
    static ROUTES: LazyLock<Vec<(String, Vec<&'static str>)>> = LazyLock::new(|| {
        document()
            .paths
            .paths
            .into_iter()
            .map(|(template, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                let taken = methods.into_iter().filter(|(_, taken)| *taken);
                (template, taken.map(|(method, _)| method).collect())
            })
            .collect()
    });
    let matches = |template: &str| {
        let (mut wanted, mut given) = (template.split('/'), path.split('/'));
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if w == g || (w.starts_with('{') && !g.is_empty()) => {}
                _ => return false,
            }
        }
    };
    ROUTES
        .iter()
        .find(|(template, _)| matches(template))
        .map(|(_, methods)| methods.clone())
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
