//! What a reader and a writer do on quire's pages: the forms of
//! crates/web (posting.rs, editing.rs, reading.rs) as a browser posts them.

use ureq::Agent;

use crate::http::{self, Answer, Outcome, Session};

/// How a write ended.
#[derive(Debug)]
pub enum Written {
    /// The server said it was done: a 303 to the page a browser lands on.
    Acked {
        work: i64,
        position: u32,
        again: bool,
    },
    /// An HTTP answer that is not the success redirect.
    Refused(Answer),
    /// No HTTP answer.
    Failed(http::Failure),
}

/// `/works/12?done=…` or `/works/12/chapters/3?done=…` → (12, 3).
fn work_and_position(location: &str) -> Option<(i64, u32)> {
    let rest = location.strip_prefix("/works/")?;
    let path = rest.split('?').next()?;
    let mut parts = path.split('/');
    let work = parts.next()?.parse().ok()?;
    let position = match (parts.next(), parts.next()) {
        (Some("chapters"), Some(n)) => n.parse().ok()?,
        _ => 0,
    };
    Some((work, position))
}

fn done_of(location: &str) -> &str {
    location.split("done=").nth(1).unwrap_or("")
}

fn judge(outcome: Outcome, done: &[&str]) -> (Written, std::time::Duration) {
    match outcome {
        Err(failure) => {
            let elapsed = failure.elapsed;
            (Written::Failed(failure), elapsed)
        }
        Ok(answer) => {
            let elapsed = answer.elapsed;
            let location = answer.location.clone().unwrap_or_default();
            let what = done_of(&location);
            if answer.status == 303 && done.contains(&what) {
                if let Some((work, position)) = work_and_position(&location) {
                    let again = what.ends_with("-again");
                    return (
                        Written::Acked {
                            work,
                            position,
                            again,
                        },
                        elapsed,
                    );
                }
            }
            (Written::Refused(answer), elapsed)
        }
    }
}

/// A few paragraphs of plain text with the marker in them.
pub fn body_text(marker: &str, paragraphs: usize) -> String {
    let mut text = String::new();
    for i in 0..paragraphs.max(1) {
        text.push_str(&format!(
            "Paragraph {} of {marker}. The lamps along the quay went out one by one, \
             and the ferryman counted them aloud as if they were owed to him.\n\n",
            i + 1
        ));
    }
    text
}

pub struct NewWork<'a> {
    pub title: &'a str,
    pub chapter_title: &'a str,
    pub body: &'a str,
    pub fandom: &'a str,
    pub freeform: &'a str,
}

/// `POST /works/new`: one chapter, not complete (more may follow).
pub fn post_work(
    agent: &Agent,
    base: &str,
    session: &Session,
    work: &NewWork,
) -> (Written, std::time::Duration) {
    let outcome = http::post(
        agent,
        &format!("{base}/works/new"),
        &[
            ("csrf", &session.csrf),
            ("title", work.title),
            ("chapter_title", work.chapter_title),
            ("format", "plain"),
            ("body", work.body),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("categories", "Gen"),
            ("fandoms", work.fandom),
            ("characters", "Load Tester"),
            ("freeforms", work.freeform),
            ("summary", "Posted by quire-load."),
            ("language", "en"),
            ("action", "post"),
        ],
    );
    judge(outcome, &["posted"])
}

/// `POST /works/{id}/chapters/new`.
pub fn add_chapter(
    agent: &Agent,
    base: &str,
    session: &Session,
    work: i64,
    title: &str,
    body: &str,
) -> (Written, std::time::Duration) {
    let outcome = http::post(
        agent,
        &format!("{base}/works/{work}/chapters/new"),
        &[
            ("csrf", &session.csrf),
            ("chapter_title", title),
            ("format", "plain"),
            ("body", body),
            ("action", "post"),
        ],
    );
    judge(outcome, &["chapter"])
}

/// `POST /works/{id}/comments` on chapter 1.
pub fn comment(
    agent: &Agent,
    base: &str,
    session: &Session,
    work: i64,
    body: &str,
) -> (Written, std::time::Duration) {
    let return_to = format!("/works/{work}");
    let outcome = http::post(
        agent,
        &format!("{base}/works/{work}/comments"),
        &[
            ("csrf", &session.csrf),
            ("return_to", &return_to),
            ("chapter", "1"),
            ("body", body),
        ],
    );
    judge(outcome, &["comment"])
}

/// `POST /works/{id}/kudos`: `again` when the account had left them.
pub fn kudos(
    agent: &Agent,
    base: &str,
    session: &Session,
    work: i64,
) -> (Written, std::time::Duration) {
    let return_to = format!("/works/{work}");
    let outcome = http::post(
        agent,
        &format!("{base}/works/{work}/kudos"),
        &[("csrf", &session.csrf), ("return_to", &return_to)],
    );
    judge(outcome, &["kudos", "kudos-again"])
}

/// A work the archive already holds, as the search API lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub chapters: u32,
}

/// Works to read, fandoms to filter by, title words to search for.
pub type Discovered = (Vec<Listed>, Vec<String>, Vec<String>);

/// Works every guest can see, and the fandoms and title words to search
/// for, from the search API's first pages.
pub fn discover(base: &str, pages: usize) -> Result<Discovered, String> {
    let agent = http::agent();
    let mut works = Vec::new();
    let mut fandoms = Vec::new();
    let mut words = std::collections::BTreeSet::new();
    for page in 1..=pages {
        let answer = http::get(
            &agent,
            &format!("{base}/api/v1/works?per_page=100&page={page}&sort=posted"),
        )
        .map_err(|f| f.detail)?;
        if answer.status != 200 {
            return Err(format!(
                "GET /api/v1/works answered {}: {}",
                answer.status,
                answer.body.chars().take(300).collect::<String>()
            ));
        }
        let json: serde_json::Value =
            serde_json::from_str(&answer.body).map_err(|e| e.to_string())?;
        let listed = json["works"].as_array().cloned().unwrap_or_default();
        if listed.is_empty() {
            break;
        }
        for w in listed {
            let title = w["title"].as_str().unwrap_or("").to_string();
            for word in title.split(|c: char| !c.is_alphabetic()) {
                if word.len() >= 5 {
                    words.insert(word.to_lowercase());
                }
            }
            works.push(Listed {
                id: w["id"].as_i64().unwrap_or(0),
                chapters: w["chapters"].as_u64().unwrap_or(1) as u32,
            });
        }
        if page == 1 {
            if let Some(facets) = json["facets"]["fandom"].as_array() {
                fandoms = facets
                    .iter()
                    .filter_map(|f| f["name"].as_str().or(f["tag"].as_str()))
                    .map(str::to_string)
                    .take(20)
                    .collect();
            }
        }
    }
    if works.is_empty() {
        return Err("the archive lists no works: import a corpus first".into());
    }
    Ok((works, fandoms, words.into_iter().collect()))
}
