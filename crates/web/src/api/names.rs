//! The names the API takes and gives for AO3's fixed sets (ratings,
//! warnings, categories, kinds of tag, content notes, text formats), as
//! string enums in the OpenAPI document, listed from the model itself so
//! that the document can't drift from what is accepted.

use quire_archive::model::{ArchiveWarning, Category, Rating, TagKind};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

fn names(description: &str, values: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// Declares a schema-only type whose values are a fixed set's names.
macro_rules! name_schema {
    ($name:ident, $description:literal, $values:expr) => {
        pub(crate) struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                names($description, $values)
            }
        }

        impl ToSchema for $name {}
    };
}

name_schema!(
    RatingName,
    "A rating, as AO3 names it.",
    Rating::ALL.map(Rating::name)
);
name_schema!(
    WarningName,
    "An archive warning, as AO3 names it.",
    ArchiveWarning::ALL.map(ArchiveWarning::name)
);
name_schema!(
    CategoryName,
    "A category, as AO3 names it.",
    Category::ALL.map(Category::name)
);
name_schema!(
    TagKindCode,
    "A kind of tag.",
    TagKind::ALL.map(TagKind::code)
);
name_schema!(
    SuggestedKindCode,
    "A kind of tag that takes suggestions.",
    TagKind::ALL
        .into_iter()
        .filter(|kind| !kind.is_fixed())
        .map(TagKind::code)
);
name_schema!(
    ContentNoteName,
    "A content note quire reads from the text, by machine name.",
    quire_text::NoteKind::ALL.map(quire_text::NoteKind::name)
);
name_schema!(
    TextFormatName,
    "How a chapter's text is written: `plain` (raw text: quire finds the paragraphs, repairs the encoding and sets the notes apart), `markdown`, or `html` as typed into AO3's HTML box: a blank line starts a paragraph and a single line break is a `<br />`, and only AO3's elements and attributes are kept (formatting, links, images, tables, lists; not scripts, styles, forms or embeds).",
    crate::work_input::TEXT_FORMATS
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_set_is_listed_in_full_from_the_model() {
        let listed = |schema: RefOr<Schema>| -> Vec<String> {
            let json = serde_json::to_value(schema).unwrap_or_default();
            json["enum"]
                .as_array()
                .map(|values| {
                    values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(listed(RatingName::schema()).len(), 5);
        assert!(listed(WarningName::schema()).contains(&"No Archive Warnings Apply".to_string()));
        assert!(listed(CategoryName::schema()).contains(&"F/M".to_string()));
        assert_eq!(
            listed(SuggestedKindCode::schema()),
            ["fandom", "relationship", "character", "freeform"]
        );
        assert_eq!(
            listed(TextFormatName::schema()),
            ["plain", "markdown", "html"]
        );
    }
}
