//! Who may do what. `authorization.txt` is the table: for every route the
//! router has, what each of eight kinds of visitor gets on each of four
//! kinds of work. This test asks the running site every cell.
//!
//! A cell is a status (`200`, `403`, `404`, …), `login` for a redirect to
//! the sign-in page, `shown` or `absent` for a listing that does or doesn't
//! carry that work, or `-` where the cell can't be (no comment on a draft).
//! A route's state-changing cells each get a work of their own (and, for
//! the routes marked `fresh-visitor`, an account of their own), so that one
//! cell's deletion or sign-out doesn't decide the next one's answer.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use quire_archive::model::{ArchiveWarning, Category, ChapterDraft, Rating, Warnings, WorkDraft};
use quire_archive::moderation::ReportTarget;
use quire_archive::{Commenter, PseudId, Roles, UserId};

use crate::harness::{eventually, router_routes, Client, Page, Site};

const TABLE: &str = include_str!("authorization.txt");
const VISITORS: [&str; 8] = [
    "guest",
    "member",
    "other-member",
    "author",
    "co-author",
    "wrangler",
    "admin",
    "suspended",
];
const KINDS: [&str; 4] = ["public", "registered", "draft", "hidden"];
const PASSWORD: &str = "correct horse battery";
/// The freeform every matrix work carries: the tag the tag routes use.
const TAG: &str = "Matrix Freeform";

struct Route {
    method: String,
    /// As the router spells it, `{id}` and all.
    pattern: String,
    fresh_visitor: bool,
    /// `cells[visitor][kind]`; one column for routes no work decides.
    cells: Vec<Vec<String>>,
}

fn table() -> Vec<Route> {
    let mut routes: Vec<Route> = Vec::new();
    for line in TABLE.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            let mut words = trimmed.split_whitespace();
            let method = words.next().unwrap_or_default().to_string();
            let pattern = words.next().unwrap_or_default().to_string();
            let fresh_visitor = words.next() == Some("fresh-visitor");
            routes.push(Route {
                method,
                pattern,
                fresh_visitor,
                cells: Vec::new(),
            });
            continue;
        }
        let route = routes.last_mut().expect("a visitor line under a route");
        let mut words = trimmed.split_whitespace();
        let visitor = words.next().unwrap_or_default();
        assert_eq!(
            visitor,
            VISITORS[route.cells.len()],
            "{} {}: visitors out of order",
            route.method,
            route.pattern
        );
        route.cells.push(words.map(str::to_string).collect());
    }
    for route in &routes {
        assert_eq!(route.cells.len(), VISITORS.len(), "{}", route.pattern);
        let width = route.cells[0].len();
        assert!(
            (width == 1 || width == KINDS.len()) && route.cells.iter().all(|r| r.len() == width),
            "{} {}: every visitor needs 1 or 4 cells",
            route.method,
            route.pattern
        );
    }
    routes
}

#[derive(Clone)]
struct Person {
    login: String,
    id: UserId,
    pseud: PseudId,
    /// A `write` token of theirs, for the JSON API.
    token: String,
    token_id: i64,
}

/// The standing cast: one of each kind of visitor, signed in once.
struct Cast {
    people: Vec<Option<Person>>,
    clients: Vec<Client>,
}

impl Cast {
    fn person(&self, visitor: &str) -> &Person {
        let at = VISITORS.iter().position(|v| *v == visitor).unwrap_or(0);
        self.people[at].as_ref().expect("a signed-in visitor")
    }
}

/// One kind of work with everything a route may be asked about: its
/// chapters, a member's comment, a series, a report and an invitation.
struct Target {
    work: i64,
    title: String,
    chapters: Vec<i64>,
    comment: Option<i64>,
    /// The member's bookmark of the work (none of a draft).
    bookmark: Option<i64>,
    series: i64,
    report: i64,
    /// The login of its first creator.
    author: String,
    /// An account the admin route may suspend.
    bystander: String,
    /// A picture uploaded with the work, by its id.
    media: String,
}

static NAMES: AtomicUsize = AtomicUsize::new(0);

fn fresh_name(stem: &str) -> String {
    format!("{stem}{}", NAMES.fetch_add(1, Ordering::Relaxed))
}

fn roles_of(visitor: &str) -> Roles {
    Roles {
        wrangler: visitor == "wrangler",
        admin: visitor == "admin",
    }
}

/// An account of the given kind, signed in on a client of its own. Each
/// signs in from its own address (the site trusts 127.0.0.1 as a proxy), or
/// the per-address limit on sign-ins would pace the whole table.
fn sign_in(site: &Site, visitor: &str) -> (Person, Client) {
    let login = fresh_name(&visitor.replace('-', "_"));
    let user = site.store(async {
        let user = site
            .archive
            .add_user(
                &login,
                &format!("{login}@example.org"),
                PASSWORD,
                roles_of(visitor),
            )
            .await
            .expect("an account");
        if visitor == "suspended" {
            site.archive
                .set_suspended(user.id, true)
                .await
                .expect("suspended");
        }
        user
    });
    let address = format!("10.9.{}.{}", user.id / 250, user.id % 250 + 1);
    let client = site.client().behind_proxy_as(&address);
    let token = client.get("/login").csrf();
    let signed_in = client.post(
        "/login",
        &[("csrf", &token), ("login", &login), ("password", PASSWORD)],
    );
    assert_eq!(
        signed_in.status, 303,
        "{login} signs in: {}",
        signed_in.body
    );
    let (token_id, token) = site.store(async {
        let (made, secret) = site
            .archive
            .create_api_token(user.id, "matrix", quire_archive::tokens::Scope::Write)
            .await
            .expect("a token");
        (made.id, secret)
    });
    let person = Person {
        login,
        id: user.id,
        pseud: user.default_pseud,
        token,
        token_id,
    };
    (person, client)
}

fn cast(site: &Site) -> Cast {
    let mut people = Vec::new();
    let mut clients = Vec::new();
    for visitor in VISITORS {
        if visitor == "guest" {
            people.push(None);
            clients.push(site.client());
        } else {
            let (person, client) = sign_in(site, visitor);
            people.push(Some(person));
            clients.push(client);
        }
    }
    Cast { people, clients }
}

fn draft_of(title: &str, kind: &str) -> WorkDraft {
    let chapter = |text: &str| ChapterDraft::from_manuscript(quire_text::analyze_str(text));
    WorkDraft {
        title: title.to_string(),
        summary: "Who may see this.".into(),
        notes_start: Default::default(),
        notes_end: Default::default(),
        language: "en".into(),
        rating: Rating::GeneralAudiences,
        warnings: Warnings::new([ArchiveWarning::NoneApply]).expect("one warning"),
        categories: BTreeSet::from([Category::Gen]),
        fandoms: vec!["Original Work".into()],
        relationships: vec![],
        characters: vec![],
        freeforms: vec![TAG.into()],
        complete: true,
        expected_chapters: Some(2),
        restricted: kind == "registered",
        draft: kind == "draft",
        chapters: vec![
            chapter("The first chapter's words."),
            chapter("The second chapter's words."),
        ],
    }
}

/// A work of the given kind by the cast's author and co-author.
/// `invite`: the other member is asked to be credited too.
fn target(
    site: &Site,
    cast: &Cast,
    kind: &str,
    creators: [(PseudId, UserId, String); 2],
    invite: bool,
) -> Target {
    // Ends in a word, so that "work 1" is never found inside "work 10".
    let title = format!("{} (matrix)", fresh_name(&format!("Matrix {kind} work ")));
    let member = cast.person("member").clone();
    let bystander = fresh_name("bystander");
    site.store(async {
        let archive = &site.archive;
        let work = archive
            .post_work(&[creators[0].0, creators[1].0], &draft_of(&title, kind))
            .await
            .expect("the work posts");
        let chapters: Vec<i64> = archive
            .work(work)
            .await
            .expect("it reads")
            .expect("it is there")
            .chapters
            .iter()
            .map(|c| c.id)
            .collect();
        // Nobody can comment on a draft.
        let comment = if kind == "draft" {
            None
        } else {
            Some(
                archive
                    .add_comment(
                        chapters[0],
                        &Commenter::Pseud(member.pseud),
                        None,
                        "Lovely.",
                    )
                    .await
                    .expect("the member comments"),
            )
        };
        let bookmark = if kind == "draft" {
            None
        } else {
            Some(
                archive
                    .add_bookmark(work, member.pseud, &quire_archive::BookmarkNote::default())
                    .await
                    .expect("the member bookmarks"),
            )
        };
        let series = archive
            .add_to_series(work, &fresh_name("Matrix series "), None)
            .await
            .expect("a series");
        let report = archive
            .report(
                ReportTarget::Work(work),
                Some(member.id),
                "spam",
                "It links to a shop.",
            )
            .await
            .expect("a report");
        archive
            .add_user(
                &bystander,
                &format!("{bystander}@example.org"),
                PASSWORD,
                Roles::default(),
            )
            .await
            .expect("a bystander");
        if invite {
            let other = cast.person("other-member").pseud;
            archive
                .invite_creators(work, &[other], creators[0].1)
                .await
                .expect("the other member is invited");
        }
        // A picture uploaded into its first chapter.
        let store = quire_archive::media::MediaStore::new(site.data_dir().join("media"));
        let upload = site.data_dir().join(format!("{work}.png"));
        let mut png = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(image::RgbImage::new(40, 20))
            .write_to(&mut png, image::ImageFormat::Png)
            .expect("a picture");
        std::fs::write(&upload, png.into_inner()).expect("written");
        let prepared = quire_archive::media::prepare(&upload, "art.png", &Default::default())
            .expect("a picture");
        store.keep(&prepared).await.expect("kept");
        let media = quire_archive::media::new_media_id();
        let rows = vec![prepared.row(media.clone(), "A grey field".into())];
        archive
            .edit_chapter_with_media(
                work,
                chapters[0],
                &draft_of(&title, kind).chapters[0],
                Some(quire_archive::media::MediaUpload {
                    owner: creators[0].1,
                    account_limit: u64::MAX,
                    media: &rows,
                }),
            )
            .await
            .expect("the picture is kept with the work");
        if kind == "hidden" {
            archive.set_work_hidden(work, true).await.expect("hidden");
        }
        Target {
            media,
            work,
            title,
            chapters,
            comment,
            bookmark,
            series,
            report,
            author: creators[0].2.clone(),
            bystander,
        }
    })
}

/// The path with the target's ids in place of the router's names.
fn path_for(pattern: &str, target: &Target) -> Option<String> {
    let id = if pattern.starts_with("/media/") {
        target.media.clone()
    } else if pattern.starts_with("/works/")
        || pattern.starts_with("/admin/works/")
        || pattern.starts_with("/api/v1/works/")
    {
        target.work.to_string()
    } else if pattern.starts_with("/comments/")
        || pattern.starts_with("/api/v1/comments/")
        || pattern.starts_with("/admin/comments/")
    {
        target.comment?.to_string()
    } else if pattern.starts_with("/bookmarks/") || pattern.starts_with("/api/v1/bookmarks/") {
        target.bookmark?.to_string()
    } else if pattern.starts_with("/series/") || pattern.starts_with("/api/v1/series/") {
        target.series.to_string()
    } else if pattern.starts_with("/inbox/") || pattern.starts_with("/api/v1/me/inbox/") {
        // A notice nobody has: a visitor's own are theirs alone, and what
        // this checks is that no one reaches another's.
        "999999999".to_string()
    } else {
        target.report.to_string()
    };
    // Someone other than the visitor: nobody may suspend, block or mute
    // themselves.
    let login = if pattern.ends_with("/suspended")
        || pattern.ends_with("/block")
        || pattern.ends_with("/mute")
        || pattern.starts_with("/api/v1/me/blocks/")
        || pattern.ends_with("/comments/delete")
        || pattern == "/api/v1/users/{login}/comments"
        || pattern.ends_with("{login}/subscription")
    {
        &target.bystander
    } else {
        &target.author
    };
    Some(
        pattern
            .replace("{id}", &id)
            .replace("{work}", &target.work.to_string())
            .replace("{position}", "1")
            .replace("{tag}", &TAG.replace(' ', "%20"))
            .replace("{file}", "quire.css")
            .replace("{size}", "w320")
            .replace("{name}", "art.png")
            .replace("{pseud}", &target.author)
            .replace("{kind}", "freeform")
            .replace("{user}", "1")
            .replace("{signature}", &"0".repeat(32))
            .replace("{token}", &"0".repeat(64))
            .replace("{login}", login),
    )
}

/// A form that the route takes when the visitor may use it, so that a
/// refusal can only be the route saying no to this visitor.
fn form_for(pattern: &str, target: &Target, person: Option<&Person>) -> Vec<(String, String)> {
    let pattern = without_query(pattern);
    let pairs: &[(&str, &str)] = match pattern {
        "/works/new" => &[
            ("title", "A new work"),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("fandoms", "Original Work"),
            ("format", "plain"),
            ("body", "Some words."),
            ("action", "post"),
        ],
        "/works/{id}/edit" => &[
            ("title", "An edited title"),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("fandoms", "Original Work"),
            ("freeforms", TAG),
        ],
        "/works/{id}/delete" | "/works/{id}/orphan" => &[("confirm", "1")],
        "/works/{id}/chapters/new" | "/works/{id}/chapters/{position}/edit" => {
            &[("body", "A chapter's words."), ("format", "plain")]
        }
        "/works/{id}/comments" => &[("body", "A comment."), ("name", "A guest")],
        "/comments/{id}/edit" => &[("body", "An edited comment.")],
        "/works/{id}/bookmarks" => &[("note", "A note.")],
        "/bookmarks/{id}/edit" => &[("note", "An edited note.")],
        "/bookmarks/external/new" => &[("url", "https://example.org/fic/1"), ("title", "Far Away")],
        "/series/{id}/description" => &[("description", "A <i>described</i> series.")],
        "/works/{id}/subscription"
        | "/series/{id}/subscription"
        | "/users/{login}/subscription" => &[("action", "subscribe")],
        "/inbox/{id}" => &[("action", "read")],
        "/inbox/{id}/reply" => &[("body", "A reply.")],
        "/preferences/email" => &[("mail_kudos", "off")],
        "/works/{id}/read-as" => &[("fill:Y/N", "Sam")],
        "/works/{id}/creators" => &[("action", "leave")],
        "/works/{id}/report" | "/comments/{id}/report" => {
            &[("reason", "spam"), ("details", "It links to a shop.")]
        }
        "/admin/reports/{id}/resolve" => &[("resolution", "Looked at it.")],
        "/admin/works/{id}/hidden" => &[("action", "hide")],
        "/admin/users/{login}/suspended" => &[("action", "suspend")],
        "/admin/users/{login}/comments/delete" => &[("confirm", "1")],
        "/works/{id}/comment-settings" => &[("comment_policy", "everyone")],
        "/dashboard/invitations/{work}" => &[("answer", "accept")],
        "/tags/{tag}" => &[("action", "canonical")],
        "/account/password" => &[
            ("current_password", PASSWORD),
            ("new_password", "a different horse battery"),
            ("new_password_confirmation", "a different horse battery"),
        ],
        "/account/pseuds" => &[("pseud", "another_name")],
        "/account/delete" => &[("works", "orphan"), ("password", PASSWORD)],
        "/preferences" => &[("theme", "dark")],
        "/account/tokens" => &[("name", "An app"), ("scope", "read")],
        _ => &[],
    };
    let mut form: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    match pattern {
        "/works/{id}/chapters/order" => {
            // The two chapters swap places.
            let count = target.chapters.len();
            for (at, chapter) in target.chapters.iter().enumerate() {
                form.push((format!("order:{chapter}"), (count - at).to_string()));
            }
        }
        "/works/{id}/chapters/delete" => {
            form.push(("chapter".into(), target.chapters[1].to_string()));
            form.push(("confirm".into(), "1".into()));
        }
        "/signup" => {
            let login = fresh_name("newcomer");
            form.push(("email".into(), format!("{login}@example.org")));
            form.push(("login".into(), login));
            form.push(("password".into(), PASSWORD.into()));
            form.push(("password_confirmation".into(), PASSWORD.into()));
        }
        "/preferences/block" | "/password/forgot" => {
            form.push(("login".into(), target.bystander.clone()))
        }
        "/account/login" => {
            form.push(("login".into(), fresh_name("renamed")));
            form.push(("password".into(), PASSWORD.into()));
        }
        "/account/email" => {
            form.push(("email".into(), "moved@example.org".into()));
            form.push(("password".into(), PASSWORD.into()));
        }
        "/account/tokens/revoke" => {
            if let Some(person) = person {
                form.push(("token".into(), person.token_id.to_string()));
            }
        }
        "/login" => {
            // A guest signs in to an account of its own; a member signs in
            // again as itself.
            let login = person.map_or_else(|| target.bystander.clone(), |p| p.login.clone());
            form.push(("login".into(), login));
            form.push(("password".into(), PASSWORD.into()));
        }
        _ => {}
    }
    form
}

/// The JSON body an API route takes when the caller may use it.
fn json_for(method: &str, pattern: &str) -> Option<serde_json::Value> {
    use serde_json::json;
    let work = json!({
        "title": "A work from the API",
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": ["Original Work"],
        "freeforms": [TAG],
        "body": "Some words.",
    });
    match (method, pattern) {
        ("POST", "/api/v1/works") | ("PUT", "/api/v1/works/{id}") => Some(work),
        ("POST", "/api/v1/works/{id}/chapters")
        | ("PUT", "/api/v1/works/{id}/chapters/{position}") => {
            Some(json!({"body": "A chapter's words."}))
        }
        ("POST", "/api/v1/works/{id}/comments") => Some(json!({"body": "A comment."})),
        ("PUT", "/api/v1/comments/{id}") => Some(json!({"body": "An edited comment."})),
        ("POST", "/api/v1/works/{id}/bookmarks") => Some(json!({"note": "A note."})),
        ("PUT", "/api/v1/bookmarks/{id}") => Some(json!({"note": "An edited note."})),
        ("POST", "/api/v1/series/{id}/bookmarks") => Some(json!({"note": "A note."})),
        ("POST", "/api/v1/bookmarks/external") => Some(json!({
            "work": {"url": "https://example.org/fic/1", "title": "Far Away"},
        })),
        ("PUT", "/api/v1/me/mutes") => Some(json!({"tags": ["Muted"]})),
        ("PUT", "/api/v1/works/{id}/comment-settings") => {
            Some(json!({"policy": "everyone", "moderated": false}))
        }
        ("PUT", "/api/v1/me/reader-insert") => Some(json!({"fill": {"Y/N": "Sam"}})),
        _ => None,
    }
}

/// What the site answered, said as a cell says it.
fn outcome(page: &Page, expected: &str, title: &str) -> String {
    match (page.status, expected) {
        (200, "shown" | "absent") => {
            let shown = page.body.contains(title);
            if shown { "shown" } else { "absent" }.to_string()
        }
        (303 | 302, _)
            if page
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login?return_to=")) =>
        {
            "login".to_string()
        }
        (status, _) => status.to_string(),
    }
}

fn token_of(client: &Client) -> String {
    client.get("/preferences").csrf()
}

#[test]
fn every_route_answers_each_kind_of_visitor_as_the_table_says() {
    let site = Site::start_with(|config| {
        config.trusted_proxies = vec![std::net::IpAddr::from([127, 0, 0, 1])];
    });
    let routes = table();

    let listed: BTreeSet<(String, String)> = routes
        .iter()
        .map(|r| (r.method.clone(), without_query(&r.pattern).to_string()))
        .collect();
    let router: BTreeSet<(String, String)> = router_routes().into_iter().collect();
    assert!(
        router.len() > 60,
        "the router's routes were not all read: {router:?}"
    );
    let missing: Vec<_> = router.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&router).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "authorization.txt and the router disagree; not in the table: {missing:?}; \
         not in the router: {extra:?}"
    );

    let cast = cast(&site);
    let credit = |p: &Person| (p.pseud, p.id, p.login.clone());
    let creators = [
        credit(cast.person("author")),
        credit(cast.person("co-author")),
    ];
    // One standing work of each kind for the routes that change nothing.
    let standing: Vec<Target> = KINDS
        .iter()
        .map(|kind| target(&site, &cast, kind, creators.clone(), false))
        .collect();
    // Listings come from the search index, which follows the store in
    // order: once a work posted after the standing ones is listed, they
    // have all been seen.
    let last = target(&site, &cast, "public", creators.clone(), false);
    let guest = site.client();
    eventually("the standing works are indexed", || {
        guest.get("/works").body.contains(&last.title)
    });

    let mut wrong = Vec::new();
    let mut asked = 0;
    // Every read first: the state-changing cells post works of their own,
    // which would push the standing ones off the first page of a listing.
    let reads = routes.iter().filter(|r| r.method == "GET");
    let writes = routes.iter().filter(|r| r.method != "GET");
    for route in reads.chain(writes) {
        let mut observed: Vec<Vec<String>> = Vec::new();
        for (v, visitor) in VISITORS.iter().enumerate() {
            let mut row = Vec::new();
            for (k, expected) in route.cells[v].iter().enumerate() {
                let kind = if route.cells[v].len() == 1 {
                    "public"
                } else {
                    KINDS[k]
                };
                if expected == "-" {
                    row.push("-".to_string());
                    continue;
                }
                let changes = route.method != "GET";
                let fresh = changes && route.fresh_visitor;
                let (person, client, creators) = if fresh && *visitor == "guest" {
                    let address = format!("10.8.0.{}", NAMES.fetch_add(1, Ordering::Relaxed) % 250);
                    (
                        None,
                        site.client().behind_proxy_as(&address),
                        creators.clone(),
                    )
                } else if fresh {
                    let (person, client) = sign_in(&site, visitor);
                    // A fresh author or co-author has a work to its name.
                    let creators = match *visitor {
                        "author" => [credit(&person), creators[1].clone()],
                        "co-author" => [creators[0].clone(), credit(&person)],
                        _ => creators.clone(),
                    };
                    (Some(person), client, creators)
                } else {
                    (
                        cast.people[v].clone(),
                        cast.clients[v].clone(),
                        creators.clone(),
                    )
                };
                let own;
                let target = if changes {
                    let invite = route.pattern.starts_with("/dashboard/invitations/");
                    own = target(&site, &cast, kind, creators, invite);
                    &own
                } else {
                    &standing[KINDS.iter().position(|k| *k == kind).unwrap_or(0)]
                };
                let Some(path) = path_for(&route.pattern, target) else {
                    row.push("-".to_string());
                    continue;
                };
                let api = route.pattern.starts_with("/api/") || route.pattern == "/healthz";
                let page = if api {
                    // The API knows its callers by their tokens, never by
                    // the browser's cookies.
                    let token = person.as_ref().map(|p| p.token.as_str());
                    let body = json_for(&route.method, &route.pattern);
                    client.api(&route.method, &path, token, body.as_ref())
                } else if changes {
                    let token = token_of(&client);
                    let mut form = vec![("csrf".to_string(), token)];
                    form.extend(form_for(&route.pattern, target, person.as_ref()));
                    let form: Vec<(&str, &str)> =
                        form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    client.post(&path, &form)
                } else {
                    client.get(&path)
                };
                asked += 1;
                let said = outcome(&page, expected, &target.title);
                if said != *expected {
                    wrong.push(format!(
                        "{} {path} as {visitor} on a {kind} work: the table says {expected}, \
                         the site said {said}{}",
                        route.method,
                        if page.status >= 400 && page.status != 404 {
                            format!(" ({})", first_words(&page.body))
                        } else {
                            String::new()
                        }
                    ));
                }
                row.push(said);
            }
            observed.push(row);
        }
        if observed != route.cells {
            let mut block = format!("{} {}\n", route.method, route.pattern);
            for (visitor, row) in VISITORS.iter().zip(&observed) {
                block.push_str(&format!("  {visitor:<13}{}\n", row.join("  ")));
            }
            eprintln!("{block}");
        }
    }
    assert!(asked > 500, "only {asked} cells were asked");
    assert!(
        wrong.is_empty(),
        "{} of {asked} cells differ from authorization.txt:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A table route may carry a query (a search's words); the router's
/// doesn't.
fn without_query(pattern: &str) -> &str {
    pattern.split('?').next().unwrap_or(pattern)
}

/// The start of an error page's message, to say why a cell was refused.
fn first_words(body: &str) -> String {
    let text = body
        .split("<main")
        .nth(1)
        .unwrap_or(body)
        .split('<')
        .filter_map(|piece| piece.split('>').nth(1))
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    text.chars().take(120).collect()
}
