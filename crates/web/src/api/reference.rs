//! The API reference for people: the OpenAPI document, read out as a page
//! of the site, so it can't say anything the document doesn't.

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use serde_json::Value;

use crate::pages::{render, Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

/// A stretch of a description: the document writes code between
/// backticks, which the page shows as code.
pub(crate) struct Span {
    pub code: bool,
    pub text: String,
}

type Prose = Vec<Span>;

fn prose(text: &str) -> Prose {
    text.split('`')
        .enumerate()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(at, piece)| Span {
            code: at % 2 == 1,
            text: piece.to_string(),
        })
        .collect()
}

pub(crate) struct Field {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description: Prose,
}

pub(crate) struct Answer {
    pub status: String,
    pub description: Prose,
    pub body: String,
}

pub(crate) struct Operation {
    pub method: String,
    pub path: String,
    pub anchor: String,
    pub summary: Prose,
    pub description: Prose,
    pub parameters: Vec<Field>,
    pub body: String,
    pub answers: Vec<Answer>,
}

pub(crate) struct Section {
    pub name: String,
    pub description: Prose,
    pub operations: Vec<Operation>,
}

pub(crate) struct Schema {
    pub name: String,
    pub description: Prose,
    pub fields: Vec<Field>,
}

#[derive(askama::Template)]
#[template(path = "api_reference.html")]
struct ReferencePage {
    layout: Layout,
    /// The archive's public address, for the example.
    base: String,
    version: String,
    introduction: Vec<Prose>,
    sections: Vec<Section>,
    schemas: Vec<Schema>,
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// A schema's type as a person reads it: `string`, `array of Problem`,
/// `integer or null`.
fn kind_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        return choices.iter().map(kind_of).collect::<Vec<_>>().join(" or ");
    }
    let kinds: Vec<String> = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec![],
    };
    let kinds: Vec<String> = kinds
        .into_iter()
        .map(|kind| {
            match (
                kind.as_str(),
                schema.get("items"),
                schema.get("additionalProperties"),
            ) {
                ("array", Some(items), _) => format!("array of {}", kind_of(items)),
                ("object", _, Some(values)) if values.is_object() => {
                    format!("map of {}", kind_of(values))
                }
                _ => kind,
            }
        })
        .collect();
    if kinds.is_empty() {
        "any".into()
    } else {
        kinds.join(" or ")
    }
}

fn body_of(content: Option<&Value>) -> String {
    content
        .and_then(Value::as_object)
        .map(|content| {
            content
                .iter()
                .map(|(media, body)| {
                    let schema = body.get("schema").map(kind_of).unwrap_or_default();
                    format!("{schema} ({media})")
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn sections_of(document: &Value) -> Vec<Section> {
    let mut sections: Vec<Section> = document
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|tag| Section {
            name: text(tag, "name"),
            description: prose(&text(tag, "description")),
            operations: vec![],
        })
        .collect();
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in ["get", "post", "put", "delete", "patch"] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let tag = operation
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .unwrap_or("");
            let parameters = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| Field {
                    name: format!("{} ({})", text(p, "name"), text(p, "in")),
                    kind: p.get("schema").map(kind_of).unwrap_or_default(),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    description: prose(&text(p, "description")),
                })
                .collect();
            let answers = operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(status, answer)| Answer {
                    status: status.clone(),
                    description: prose(&text(answer, "description")),
                    body: body_of(answer.get("content")),
                })
                .collect();
            let found = Operation {
                method: method.to_uppercase(),
                anchor: format!("{method}-{}", path.replace(['/', '{', '}'], "-")),
                path: path.clone(),
                summary: prose(&text(operation, "summary")),
                description: prose(&text(operation, "description")),
                parameters,
                body: body_of(operation.get("requestBody").and_then(|b| b.get("content"))),
                answers,
            };
            match sections.iter_mut().find(|s| s.name == tag) {
                Some(section) => section.operations.push(found),
                None => sections.push(Section {
                    name: tag.to_string(),
                    description: vec![],
                    operations: vec![found],
                }),
            }
        }
    }
    sections.retain(|s| !s.operations.is_empty());
    sections
}

fn schemas_of(document: &Value) -> Vec<Schema> {
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    schemas
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            // A flattened struct arrives as `allOf` of its parts.
            let parts: Vec<&Value> = match schema.get("allOf").and_then(Value::as_array) {
                Some(parts) => parts.iter().collect(),
                None => vec![schema],
            };
            let fields = parts
                .iter()
                .filter_map(|part| part.get("properties").and_then(Value::as_object))
                .flatten()
                .map(|(field, property)| Field {
                    name: field.clone(),
                    kind: kind_of(property),
                    required: required.contains(&field.as_str()),
                    description: prose(&text(property, "description")),
                })
                .collect();
            Schema {
                name: name.clone(),
                description: prose(&text(schema, "description")),
                fields,
            }
        })
        .collect()
}

/// `GET /api`: the reference.
pub(crate) async fn page(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
) -> Result<Response, PageError> {
    let document: Value = serde_json::from_str(&app.api_document).unwrap_or(Value::Null);
    let introduction = text(document.get("info").unwrap_or(&Value::Null), "description")
        .split("\n\n")
        .map(prose)
        .collect();
    render(&ReferencePage {
        layout: Layout::new(&visitor, "The JSON API"),
        base: app.downloads.public_url().to_string(),
        version: text(document.get("info").unwrap_or(&Value::Null), "version"),
        introduction,
        sections: sections_of(&document),
        schemas: schemas_of(&document),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_mark_code_and_the_rest_is_text() {
        let spans = prose("Send `Authorization: Bearer <token>`, then `GET` it.");
        let said: Vec<(bool, &str)> = spans.iter().map(|s| (s.code, s.text.as_str())).collect();
        assert_eq!(
            said,
            [
                (false, "Send "),
                (true, "Authorization: Bearer <token>"),
                (false, ", then "),
                (true, "GET"),
                (false, " it."),
            ]
        );
        assert!(prose("").is_empty());
    }
}
