//! A posted form as name/value pairs: checkboxes repeat a name, which a
//! struct would lose.

use axum::extract::{FromRequest, Request};
use axum::Form;

use crate::pages::PageError;

#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field's value, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_string()
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A form's fields as they arrived. Control characters are not text
    /// (the archive's one rule): a form's are dropped as it arrives, so a
    /// stray one pasted into a field costs the writer nothing.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormData {
        FormData(
            pairs
                .into_iter()
                .map(|(name, value)| match quire_text::without_controls(&value) {
                    std::borrow::Cow::Borrowed(_) => (name, value),
                    std::borrow::Cow::Owned(clean) => (name, clean),
                })
                .collect(),
        )
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(Form(pairs)) => Ok(FormData::from_pairs(pairs)),
            Err(err) if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(PageError::TooLarge)
            }
            Err(err) => Err(PageError::BadForm(err.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_too_long_to_read_is_too_large_not_a_bad_form() {
        // Without the router's limit in place, axum's default (2 MB) holds.
        let body = format!("body={}", "a".repeat(3 * 1024 * 1024));
        let request = Request::builder()
            .method("POST")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .expect("a request");
        let refused = FormData::from_request(request, &()).await;
        assert!(matches!(refused, Err(PageError::TooLarge)), "{refused:?}");

        let request = Request::builder()
            .method("POST")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from("title=Short&body=words"))
            .expect("a request");
        let form = FormData::from_request(request, &()).await.expect("read");
        assert_eq!(form.get("title"), Some("Short"));
    }
}
