//! The JSON API: its OpenAPI document, tokens, every endpoint's answers,
//! and its refusals (no token, a read-only token, someone else's work,
//! what the forms would refuse too).

use quire_archive::tokens::Scope;
use serde_json::{json, Value};

use crate::harness::{
    account_with_token, eventually, post_work, router_routes, seed, Client, Page, Site,
};

fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {} {}", page.status, page.body))
}

/// A problem answer of this status and type.
fn assert_problem(page: &Page, status: u16, kind: &str) {
    assert_eq!(page.status, status, "{}", page.body);
    assert_eq!(
        page.header("content-type"),
        Some("application/problem+json"),
        "{}",
        page.body
    );
    let problem = json_of(page);
    assert_eq!(
        problem["type"],
        format!("https://quire.invalid/problems/{kind}"),
        "{}",
        page.body
    );
    assert_eq!(problem["status"], status);
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.len() > 10),
        "a sentence to act on: {}",
        page.body
    );
}

fn a_work(title: &str) -> Value {
    json!({
        "title": title,
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": ["Original Work"],
        "freeforms": ["Fluff"],
        "body": "The first line of the story.\n\nAnd the second paragraph of it.",
    })
}

fn post(client: &Client, token: &str, work: &Value) -> i64 {
    let posted = client.api("POST", "/api/v1/works", Some(token), Some(work));
    assert_eq!(posted.status, 201, "{}", posted.body);
    json_of(&posted)["id"].as_i64().expect("an id")
}

#[test]
fn the_openapi_document_lists_every_api_route_and_the_reference_page_reads_it() {
    let site = Site::start();
    let guest = site.client();
    let answer = guest.get("/api/v1/openapi.json");
    assert_eq!(answer.status, 200);
    let document = json_of(&answer);
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        document["openapi"]
    );
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("an item").keys() {
            documented.push((method.to_uppercase(), path.clone()));
            // Every operation says how it answers a bad token and a limit.
            let responses = &item[method]["responses"];
            for status in ["401", "429"] {
                assert!(
                    responses.get(status).is_some(),
                    "{method} {path} doesn't document {status}"
                );
            }
        }
    }
    let mut routed: Vec<(String, String)> = router_routes()
        .into_iter()
        .filter(|(_, path)| {
            (path.starts_with("/api/v1/") && path != "/api/v1/openapi.json") || path == "/healthz"
        })
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
    // Every parameter says what it is for, and the search documents
    // exactly the parameters it reads.
    let mut undescribed = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("an item") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let described = parameter["description"]
                    .as_str()
                    .is_some_and(|d| d.split_whitespace().count() >= 2);
                if !described {
                    undescribed.push(format!("{method} {path} {}", parameter["name"]));
                }
            }
        }
    }
    assert!(undescribed.is_empty(), "undescribed: {undescribed:#?}");
    let mut search: Vec<&str> = document["paths"]["/api/v1/works"]["get"]["parameters"]
        .as_array()
        .expect("the search's parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut read = quire_web::search_params::PARAMETERS.to_vec();
    search.sort_unstable();
    read.sort_unstable();
    assert_eq!(search, read, "the search reads what the document lists");
    assert!(documented.len() >= 24, "{documented:?}");
    // Every reference points at something the document holds.
    fn references(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target.clone());
                }
                map.values().for_each(|v| references(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, found)),
            _ => {}
        }
    }
    let mut targets = Vec::new();
    references(&document, &mut targets);
    assert!(targets.len() > 50, "{targets:?}");
    for target in targets {
        let pointer = target.trim_start_matches('#');
        assert!(
            document.pointer(pointer).is_some(),
            "{target} leads nowhere"
        );
    }
    // Each documented body names a schema the document holds.
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    for name in [
        "Problem",
        "WorkOut",
        "NewWork",
        "ChapterOut",
        "SearchPage",
        "Mutes",
    ] {
        assert!(schemas.contains_key(name), "no schema {name}");
    }

    let reference = guest.get("/api");
    assert_eq!(reference.status, 200);
    for said in [
        "<h1>The JSON API</h1>",
        "<code>POST /api/v1/works</code>",
        "<code>PUT /api/v1/me/reader-insert</code>",
        "id=\"schema-Problem\"",
        "Authorization: Bearer",
        "/api/v1/openapi.json",
    ] {
        assert!(reference.body.contains(said), "the reference lacks {said}");
    }
    // An address the API doesn't have is a problem, not an HTML page.
    assert_problem(&guest.get("/api/v1/nothing-here"), 404, "not-found");
}

#[test]
fn tokens_are_made_shown_once_and_revoked_on_the_account_page() {
    let site = Site::start();
    let member = site.member("tokenmaker");
    let made = member.submit(
        "/account",
        "/account/tokens",
        &[("name", "my e-reader"), ("scope", "write")],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let start = made
        .body
        .find("value=\"quire_")
        .expect("the token is shown")
        + 7;
    let token = made.body[start..start + 70].to_string();
    assert!(made.body.contains("only time it is shown"));
    assert!(
        made.body.contains("<td>my e-reader</td><td>write</td>"),
        "{}",
        made.body
    );

    let me = site.client().api("GET", "/api/v1/me", Some(&token), None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(json_of(&me)["login"], "tokenmaker");
    assert_eq!(json_of(&me)["scope"], "write");
    // The account page lists it, without the secret.
    let account = member.get("/account");
    assert!(account.body.contains("my e-reader"));
    assert!(!account.body.contains(&token));

    let nameless = member.submit("/account", "/account/tokens", &[("name", " ")]);
    assert_eq!(nameless.status, 400);
    assert!(
        nameless.body.contains("Name the token"),
        "{}",
        nameless.body
    );

    let id_marker = "name=\"token\" value=\"";
    let at = account.body.find(id_marker).expect("a revoke form") + id_marker.len();
    let id: String = account.body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    // Another account can't revoke it.
    let other = site.member("someoneelse");
    let refused = other.submit("/account", "/account/tokens/revoke", &[("token", &id)]);
    assert_eq!(refused.status, 404);
    let revoked = member.submit("/account", "/account/tokens/revoke", &[("token", &id)]);
    assert_eq!(revoked.status, 200);
    assert!(revoked.body.contains("The token is revoked"));
    assert_problem(
        &site.client().api("GET", "/api/v1/me", Some(&token), None),
        401,
        "bad-token",
    );
}

#[test]
fn a_write_token_posts_edits_and_deletes_works_and_chapters_by_the_forms_rules() {
    let site = Site::start();
    let token = account_with_token(&site, "writer", Scope::Write);
    let client = site.client();

    // A raw seed, as fans paste it: the same repair the form gives.
    let raw = json!({
        "rating": "Mature",
        "warnings": ["Graphic Depictions Of Violence"],
        "fandoms": ["Original Work"],
        "body": seed("003"),
        "title": "From the API",
        "complete": true,
    });
    let posted = client.api("POST", "/api/v1/works", Some(&token), Some(&raw));
    assert_eq!(posted.status, 201, "{}", posted.body);
    let work = json_of(&posted);
    let id = work["id"].as_i64().expect("an id");
    assert_eq!(
        posted.location.as_deref(),
        Some(format!("/api/v1/works/{id}").as_str())
    );
    assert_eq!(work["rating"], "Mature");
    assert_eq!(work["creators"], json!(["writer"]));
    assert_eq!(work["links"]["epub"], format!("/works/{id}/download.epub"));
    assert_eq!(work["links"]["pdf"], format!("/works/{id}/download.pdf"));
    let chapter =
        json_of(&client.api("GET", &format!("/api/v1/works/{id}/chapters/1"), None, None));
    assert!(
        chapter["html"]
            .as_str()
            .is_some_and(|h| h.matches("<p>").count() > 3),
        "the run-on text is laid out in paragraphs: {}",
        chapter["html"]
    );

    // What the posting form refuses, the API refuses, in the same words.
    let refusals: [(Value, &str); 6] = [
        (json!({"warnings": []}), "Choose the archive warnings"),
        (json!({"fandoms": []}), "Name at least one fandom"),
        (json!({"body": "  "}), "needs some text"),
        (json!({"rating": "Spicy"}), "Spicy"),
        (json!({"freeforms": ["Angst, Fluff"]}), "can't hold a comma"),
        (json!({"format": "docx"}), "not a format"),
    ];
    for (change, said) in refusals {
        let mut bad = a_work("Refused");
        for (key, value) in change.as_object().expect("an object") {
            bad[key] = value.clone();
        }
        let refused = client.api("POST", "/api/v1/works", Some(&token), Some(&bad));
        assert_problem(&refused, 422, "invalid");
        assert!(refused.body.contains(said), "{change}: {}", refused.body);
    }
    // No title and no text to take one from is the form's refusal too;
    // a body that isn't JSON, or isn't said to be, is told apart.
    let not_json = client.api("POST", "/api/v1/works", Some(&token), None);
    assert_problem(&not_json, 415, "not-json");
    let mut broken = a_work("Broken");
    broken["warnings"] = json!("not a list");
    assert_problem(
        &client.api("POST", "/api/v1/works", Some(&token), Some(&broken)),
        400,
        "bad-json",
    );

    // Edit: the tags and preface, chapters untouched.
    let mut edited = a_work("A New Title");
    edited["rating"] = json!("Teen And Up Audiences");
    let saved = client.api(
        "PUT",
        &format!("/api/v1/works/{id}"),
        Some(&token),
        Some(&edited),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let reread = json_of(&client.api("GET", &format!("/api/v1/works/{id}"), None, None));
    assert_eq!(reread["title"], "A New Title");
    assert_eq!(reread["rating"], "Teen And Up Audiences");
    assert_eq!(reread["chapters"].as_array().map(Vec::len), Some(1));
    edited["warnings"] = json!([]);
    assert_problem(
        &client.api(
            "PUT",
            &format!("/api/v1/works/{id}"),
            Some(&token),
            Some(&edited),
        ),
        422,
        "invalid",
    );

    // Chapters: added at the end, replaced, deleted; never the last one.
    let added = client.api(
        "POST",
        &format!("/api/v1/works/{id}/chapters"),
        Some(&token),
        Some(&json!({"title": "Two", "body": "The *second* chapter.", "format": "markdown"})),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(json_of(&added)["position"], 2);
    let second = format!("/api/v1/works/{id}/chapters/2");
    assert!(client
        .api("GET", &second, None, None)
        .body
        .contains("<em>second</em>"));
    let replaced = client.api(
        "PUT",
        &second,
        Some(&token),
        Some(&json!({"body": "<p>Written <b>again</b>.</p><script>alert(1)</script>", "format": "html"})),
    );
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let reread = client.api("GET", &second, None, None).body;
    assert!(
        reread.contains("<b>again</b>") && !reread.contains("<script"),
        "{reread}"
    );
    assert_problem(
        &client.api("PUT", &second, Some(&token), Some(&json!({"body": ""}))),
        422,
        "invalid",
    );
    assert_problem(
        &client.api("GET", &format!("/api/v1/works/{id}/chapters/9"), None, None),
        404,
        "no-such-chapter",
    );
    assert_eq!(
        client.api("DELETE", &second, Some(&token), None).status,
        204
    );
    let last = client.api(
        "DELETE",
        &format!("/api/v1/works/{id}/chapters/1"),
        Some(&token),
        None,
    );
    assert_problem(&last, 422, "invalid");

    // Delete the work.
    assert_eq!(
        client
            .api("DELETE", &format!("/api/v1/works/{id}"), Some(&token), None)
            .status,
        204
    );
    assert_problem(
        &client.api("GET", &format!("/api/v1/works/{id}"), None, None),
        404,
        "no-such-work",
    );
}

#[test]
fn writing_needs_a_write_token_of_an_active_account_on_its_own_work() {
    let site = Site::start();
    let author = account_with_token(&site, "author", Scope::Write);
    let reader = account_with_token(&site, "reader", Scope::Read);
    let stranger = account_with_token(&site, "stranger", Scope::Write);
    let client = site.client();
    let id = post(&client, &author, &a_work("Someone's Work"));
    let path = format!("/api/v1/works/{id}");

    assert_problem(
        &client.api("POST", "/api/v1/works", None, Some(&a_work("No token"))),
        401,
        "token-needed",
    );
    assert_problem(
        &client.api(
            "POST",
            "/api/v1/works",
            Some(&reader),
            Some(&a_work("Read only")),
        ),
        403,
        "read-only-token",
    );
    assert_problem(
        &client.api("GET", "/api/v1/works", Some("quire_0000"), None),
        401,
        "bad-token",
    );
    let basic = client.get_with("/api/v1/works", &[("authorization", "Basic dXNlcjpwYXNz")]);
    assert_problem(&basic, 401, "bad-token");
    // Someone else's work is as if it weren't there.
    assert_problem(
        &client.api("PUT", &path, Some(&stranger), Some(&a_work("Mine now"))),
        404,
        "no-such-work",
    );
    assert_problem(
        &client.api("DELETE", &path, Some(&stranger), None),
        404,
        "no-such-work",
    );
    assert_problem(
        &client.api(
            "POST",
            &format!("{path}/chapters"),
            Some(&stranger),
            Some(&json!({"body": "More."})),
        ),
        404,
        "no-such-work",
    );
    // A suspended account reads, and writes nothing.
    site.store(async {
        let user = site.archive.user_id_of("author").await.unwrap().unwrap();
        site.archive.set_suspended(user, true).await.unwrap();
    });
    assert_eq!(client.api("GET", &path, Some(&author), None).status, 200);
    assert_problem(
        &client.api("PUT", &path, Some(&author), Some(&a_work("Suspended"))),
        403,
        "suspended",
    );
    assert_problem(
        &client.api(
            "POST",
            "/api/v1/works",
            Some(&author),
            Some(&a_work("Suspended")),
        ),
        403,
        "suspended",
    );
}

#[test]
fn readers_leave_kudos_comments_bookmarks_and_subscribe_through_the_api() {
    let site = Site::start();
    let author = account_with_token(&site, "author", Scope::Write);
    let reader = account_with_token(&site, "reader", Scope::Write);
    let client = site.client();
    let id = post(&client, &author, &a_work("Loved Work"));
    let work = format!("/api/v1/works/{id}");

    let kudos = client.api("POST", &format!("{work}/kudos"), Some(&reader), None);
    assert_eq!(kudos.status, 201, "{}", kudos.body);
    assert_eq!(json_of(&kudos), json!({"kudos": 1, "new": true}));
    let again = client.api("POST", &format!("{work}/kudos"), Some(&reader), None);
    assert_eq!(again.status, 200);
    assert_eq!(json_of(&again)["new"], false);
    let own = client.api("POST", &format!("{work}/kudos"), Some(&author), None);
    assert_problem(&own, 422, "invalid");
    assert_eq!(json_of(&client.api("GET", &work, None, None))["kudos"], 1);

    let comment = client.api(
        "POST",
        &format!("{work}/comments"),
        Some(&reader),
        Some(&json!({"body": "This made my day."})),
    );
    assert_eq!(comment.status, 201, "{}", comment.body);
    let comment_id = json_of(&comment)["id"].as_i64().expect("an id");
    let reply = client.api(
        "POST",
        &format!("{work}/comments"),
        Some(&author),
        Some(&json!({"body": "Thank you!", "parent": comment_id, "chapter": 1})),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let listed = json_of(&client.api("GET", &format!("{work}/chapters/1/comments"), None, None));
    let comments = listed["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["writer"], "reader");
    assert_eq!(comments[0]["body"], "<p>This made my day.</p>");
    assert_eq!(comments[1]["parent"], comment_id);
    assert_eq!(
        json_of(&client.api("GET", &work, None, None))["comments"],
        2
    );
    assert_problem(
        &client.api(
            "POST",
            &format!("{work}/comments"),
            Some(&reader),
            Some(&json!({"body": " "})),
        ),
        422,
        "invalid",
    );
    assert_problem(
        &client.api(
            "POST",
            &format!("{work}/comments"),
            Some(&reader),
            Some(&json!({"body": "Hello?", "parent": comment_id + 100})),
        ),
        404,
        "no-such-comment",
    );
    assert_problem(
        &client.api(
            "POST",
            &format!("{work}/comments"),
            None,
            Some(&json!({"body": "A guest"})),
        ),
        401,
        "token-needed",
    );

    // A comment is edited by its writer only, and deleted by its writer,
    // the work's creators or an admin.
    let comment_path = format!("/api/v1/comments/{comment_id}");
    let edit = json!({"body": "This made my week."});
    assert_problem(
        &client.api("PUT", &comment_path, Some(&author), Some(&edit)),
        403,
        "forbidden",
    );
    let edited = client.api("PUT", &comment_path, Some(&reader), Some(&edit));
    assert_eq!(edited.status, 200, "{}", edited.body);
    let listed = json_of(&client.api("GET", &format!("{work}/chapters/1/comments"), None, None));
    assert_eq!(listed["comments"][0]["body"], "<p>This made my week.</p>");
    assert_eq!(listed["comments"][0]["edited"], true);
    assert_problem(
        &client.api(
            "PUT",
            &comment_path,
            Some(&reader),
            Some(&json!({"body": ""})),
        ),
        422,
        "invalid",
    );
    let reply_id = json_of(&reply)["id"].as_i64().expect("an id");
    assert_problem(
        &client.api(
            "DELETE",
            &format!("/api/v1/comments/{reply_id}"),
            Some(&reader),
            None,
        ),
        403,
        "forbidden",
    );
    assert_eq!(
        client
            .api(
                "DELETE",
                &format!("/api/v1/comments/{reply_id}"),
                Some(&author),
                None
            )
            .status,
        204
    );
    assert_problem(
        &client.api("DELETE", "/api/v1/comments/999999", Some(&author), None),
        404,
        "no-such-comment",
    );

    let bookmark = client.api(
        "POST",
        &format!("{work}/bookmarks"),
        Some(&reader),
        Some(&json!({"note": "Read it twice.", "tags": ["comfort read"], "rec": true})),
    );
    assert_eq!(bookmark.status, 201, "{}", bookmark.body);
    let person = json_of(&client.api("GET", "/api/v1/users/reader", None, None));
    assert_eq!(person["bookmarks"][0]["note"], "<p>Read it twice.</p>");
    assert_eq!(person["bookmarks"][0]["tags"], json!(["comfort read"]));
    assert_eq!(person["bookmarks"][0]["work"], id);

    let subscription = format!("{work}/subscription");
    assert_eq!(
        client.api("PUT", &subscription, Some(&reader), None).status,
        204
    );
    let subscribed = site.store(async {
        let user = site.archive.user_id_of("reader").await.unwrap().unwrap();
        site.archive.work_subscriptions(user).await.unwrap()
    });
    assert_eq!(subscribed.len(), 1, "{subscribed:?}");
    assert_eq!(
        client
            .api("DELETE", &subscription, Some(&reader), None)
            .status,
        204
    );
    let subscribed = site.store(async {
        let user = site.archive.user_id_of("reader").await.unwrap().unwrap();
        site.archive.work_subscriptions(user).await.unwrap()
    });
    assert!(subscribed.is_empty());
    assert_problem(
        &client.api(
            "PUT",
            "/api/v1/works/999999/subscription",
            Some(&reader),
            None,
        ),
        404,
        "no-such-work",
    );
}

#[test]
fn a_reader_insert_work_reads_with_the_callers_names_and_the_mute_list_applies() {
    let site = Site::start();
    let author = account_with_token(&site, "author", Scope::Write);
    let reader = account_with_token(&site, "reader", Scope::Write);
    let client = site.client();
    let mut insert = a_work("Your Story");
    insert["body"] = json!("Y/N looked up. \"Hello, Y/N,\" said the stranger.");
    let id = post(&client, &author, &insert);
    let chapter = format!("/api/v1/works/{id}/chapters/1");

    let plain = json_of(&client.api("GET", &chapter, None, None));
    assert_eq!(plain["placeholders"], json!([{"code": "Y/N", "count": 2}]));
    let filled = json_of(&client.api("GET", &format!("{chapter}?fill=Y/N:Sam"), None, None));
    assert!(
        filled["html"]
            .as_str()
            .is_some_and(|h| h.contains(">Sam</span>,") && !h.contains("Y/N looked")),
        "{}",
        filled["html"]
    );
    assert_problem(
        &client.api("GET", &format!("{chapter}?fill=Sam"), None, None),
        400,
        "bad-parameter",
    );

    // The profile, saved once, fills wherever the token reads.
    let saved = client.api(
        "PUT",
        "/api/v1/me/reader-insert",
        Some(&reader),
        Some(&json!({"fill": {"Y/N": "Alex"}})),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        json_of(&client.api("GET", "/api/v1/me/reader-insert", Some(&reader), None)),
        json!({"fill": {"Y/N": "Alex"}})
    );
    let as_reader = json_of(&client.api("GET", &chapter, Some(&reader), None));
    assert!(as_reader["html"]
        .as_str()
        .is_some_and(|h| h.contains(">Alex</span>,")));
    assert_problem(
        &client.api(
            "PUT",
            "/api/v1/me/reader-insert",
            Some(&reader),
            Some(&json!({"fill": {"Q/Q": "x"}})),
        ),
        422,
        "invalid",
    );
    assert_problem(
        &client.api("GET", "/api/v1/me/reader-insert", None, None),
        401,
        "token-needed",
    );

    // Mutes: an explicit work leaves the reader's searches.
    let mut explicit = a_work("Muted Work");
    explicit["rating"] = json!("Explicit");
    post(&client, &author, &explicit);
    eventually("both works are indexed", || {
        json_of(&client.api("GET", "/api/v1/works", None, None))["total"] == 2
    });
    let muted = client.api(
        "PUT",
        "/api/v1/me/mutes",
        Some(&reader),
        Some(&json!({"ratings": ["Explicit"], "tags": ["Nothing Muted Yet"]})),
    );
    assert_eq!(muted.status, 200, "{}", muted.body);
    assert_eq!(json_of(&muted)["ratings"], json!(["Explicit"]));
    let found = json_of(&client.api("GET", "/api/v1/works", Some(&reader), None));
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["works"][0]["title"], "Your Story");
    assert_eq!(
        json_of(&client.api("GET", "/api/v1/works", None, None))["total"],
        2
    );
    assert_problem(
        &client.api(
            "PUT",
            "/api/v1/me/mutes",
            Some(&reader),
            Some(&json!({"ratings": ["Spicy"]})),
        ),
        422,
        "invalid",
    );
    assert_problem(
        &client.api(
            "PUT",
            "/api/v1/me/mutes",
            Some(&reader),
            Some(&json!({"content_notes": ["spiders"]})),
        ),
        422,
        "invalid",
    );
}

#[test]
fn a_token_reads_what_its_account_may_and_people_and_series_are_there() {
    let site = Site::start();
    let author = account_with_token(&site, "author", Scope::Write);
    let reader = account_with_token(&site, "reader", Scope::Read);
    let client = site.client();
    let mut registered = a_work("Members Work");
    registered["restricted"] = json!(true);
    registered["series"] = json!("The Long Series");
    let members = post(&client, &author, &registered);
    let mut draft = a_work("Unposted Work");
    draft["draft"] = json!(true);
    let unposted = post(&client, &author, &draft);

    let path = format!("/api/v1/works/{members}");
    assert_problem(&client.api("GET", &path, None, None), 401, "token-needed");
    assert_eq!(client.api("GET", &path, Some(&reader), None).status, 200);
    let drafted = format!("/api/v1/works/{unposted}");
    assert_problem(
        &client.api("GET", &drafted, Some(&reader), None),
        404,
        "no-such-work",
    );
    let own = json_of(&client.api("GET", &drafted, Some(&author), None));
    assert_eq!(own["draft"], true);

    let person = json_of(&client.api("GET", "/api/v1/users/author", None, None));
    assert_eq!(person["pseuds"], json!(["author"]));
    assert_eq!(person["works"], "/api/v1/works?author=author");
    let series_id = person["series"][0]["id"].as_i64().expect("a series");
    assert_problem(
        &client.api("GET", "/api/v1/users/nobody", None, None),
        404,
        "no-such-user",
    );
    let pseud = json_of(&client.api("GET", "/api/v1/users/author/pseuds/AUTHOR", None, None));
    assert_eq!(
        pseud,
        json!({"name": "author", "login": "author", "default": true, "works": "/api/v1/works?author=author"})
    );
    assert_problem(
        &client.api("GET", "/api/v1/users/author/pseuds/someone", None, None),
        404,
        "no-such-pseud",
    );

    // The series' only work is for members: guests don't see the series.
    let series = format!("/api/v1/series/{series_id}");
    assert_problem(
        &client.api("GET", &series, None, None),
        404,
        "no-such-series",
    );
    let listed = json_of(&client.api("GET", &series, Some(&reader), None));
    assert_eq!(listed["title"], "The Long Series");
    assert_eq!(listed["works"][0]["part"], 1);
    assert_eq!(listed["works"][0]["work"]["title"], "Members Work");

    let me = json_of(&client.api("GET", "/api/v1/me", Some(&reader), None));
    assert_eq!(
        me,
        json!({"login": "reader", "pseuds": ["reader"], "scope": "read"})
    );
    assert_problem(
        &client.api("GET", "/api/v1/me", None, None),
        401,
        "token-needed",
    );
    // Reads answer 304 to a copy still current.
    let first = client.api("GET", &path, Some(&reader), None);
    let etag = first.header("etag").expect("an etag").to_string();
    let again = client.get_with(
        &path,
        &[
            ("authorization", &format!("Bearer {reader}")),
            ("if-none-match", &etag),
        ],
    );
    assert_eq!(again.status, 304);
}

#[test]
fn each_token_has_its_own_rate_limit_told_in_headers() {
    let site = Site::start_with(|config| config.api_requests_per_minute = 3);
    let first = account_with_token(&site, "first", Scope::Read);
    let second = account_with_token(&site, "second", Scope::Read);
    let client = site.client();
    for remaining in ["2", "1", "0"] {
        let answer = client.api("GET", "/api/v1/me", Some(&first), None);
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.header("ratelimit-limit"), Some("3"));
        assert_eq!(answer.header("ratelimit-remaining"), Some(remaining));
        let reset: u64 = answer
            .header("ratelimit-reset")
            .and_then(|r| r.parse().ok())
            .expect("a reset");
        assert!((1..=60).contains(&reset), "{reset}");
    }
    let refused = client.api("GET", "/api/v1/me", Some(&first), None);
    assert_problem(&refused, 429, "rate-limited");
    let wait: u64 = refused
        .header("retry-after")
        .and_then(|r| r.parse().ok())
        .expect("a Retry-After");
    assert!((1..=20).contains(&wait), "{wait}");
    // Another token, and callers without one, have budgets of their own.
    assert_eq!(
        client.api("GET", "/api/v1/me", Some(&second), None).status,
        200
    );
    assert_eq!(client.api("GET", "/api/v1/works", None, None).status, 200);
    // Health checks are never limited.
    for _ in 0..5 {
        assert_eq!(client.get("/healthz").status, 200);
    }
}

#[test]
fn every_operation_says_whether_it_needs_a_token() {
    let site = Site::start();
    let guest = site.client();
    let document = json_of(&guest.get("/api/v1/openapi.json"));
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("an item") {
            let security = operation["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} says nothing of tokens"));
            // `{}` among the requirements: a token is optional.
            let optional = security
                .iter()
                .any(|requirement| requirement.as_object().is_some_and(|r| r.is_empty()));
            let concrete = path
                .replace("{kind}", "freeform")
                .split('/')
                .map(|part| if part.starts_with('{') { "1" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            // The body the document gives as its example, so that only the
            // token can be what is refused.
            let body = (method != "get" && method != "delete").then(|| {
                let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
                schema["$ref"]
                    .as_str()
                    .and_then(|target| document.pointer(target.trim_start_matches('#')))
                    .map(|component| component["example"].clone())
                    .filter(|example| !example.is_null())
                    .unwrap_or_else(|| json!({}))
            });
            let answer = guest.api(&method.to_uppercase(), &concrete, None, body.as_ref());
            if optional {
                assert_ne!(
                    answer.status, 401,
                    "{method} {path} is documented as open without a token: {}",
                    answer.body
                );
            } else {
                assert_eq!(
                    answer.status, 401,
                    "{method} {path} is documented as needing a token: {}",
                    answer.body
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked} operations");
}

#[test]
fn the_json_api_pages_with_next_links_and_answers_304_to_a_copy_still_current() {
    let site = Site::start();
    let author = site.member("paging_author");
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(post_work(
            &author,
            &[("title", &format!("Paged {n}")), ("body", "Lantern words.")],
        ));
    }
    let guest = site.client();
    eventually("the three works are indexed", || {
        guest
            .get("/api/v1/works?q=lantern")
            .body
            .contains("\"total\":3")
    });

    let first = guest.get("/api/v1/works?q=lantern&per_page=2");
    assert_eq!(first.status, 200);
    let page: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    let next = page["next"].as_str().expect("a next link").to_string();
    assert_eq!(next, "/api/v1/works?q=lantern&per_page=2&page=2");
    assert_eq!(
        first.header("link"),
        Some(format!("<{next}>; rel=\"next\"").as_str())
    );
    let second: serde_json::Value = serde_json::from_str(&guest.get(&next).body).unwrap();
    assert_eq!(second["works"].as_array().map(Vec::len), Some(1));
    assert!(second["next"].is_null(), "the last page has no next");
    let seen: Vec<i64> = [&page, &second]
        .iter()
        .flat_map(|p| p["works"].as_array().cloned().unwrap_or_default())
        .filter_map(|w| w["id"].as_i64())
        .collect();
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    let mut expected = ids.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "every work once, across the pages");

    // A client holding the current copy gets 304 and no body.
    let path = format!("/api/v1/works/{}", ids[0]);
    let fetched = guest.get(&path);
    let etag = fetched.header("etag").expect("an ETag").to_string();
    let again = guest.get_with(&path, &[("if-none-match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let listing_etag = first.header("etag").expect("listings too").to_string();
    let listing = guest.get_with(
        "/api/v1/works?q=lantern&per_page=2",
        &[("if-none-match", &listing_etag)],
    );
    assert_eq!(listing.status, 304);
    // Once the work changes, the old copy is no longer current.
    site.store(async {
        let chapter = quire_archive::model::ChapterDraft::from_manuscript(quire_text::analyze_str(
            "A second chapter.",
        ));
        site.archive.add_chapter(ids[0], &chapter).await.unwrap();
    });
    let changed = guest.get_with(&path, &[("if-none-match", &etag)]);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

#[test]
fn the_json_api_tells_a_tags_place_in_the_wrangling_and_where_its_works_are() {
    let site = Site::start();
    let author = site.member("tag_api_author");
    post_work(
        &author,
        &[
            ("title", "Droids"),
            ("body", "Beeps."),
            ("fandoms", "Star Wars, SW"),
        ],
    );
    site.store(async {
        use quire_archive::model::TagKind;
        site.archive
            .make_canonical(TagKind::Fandom, "Star Wars")
            .await
            .unwrap();
        site.archive
            .merge_as_synonym(TagKind::Fandom, "SW", "Star Wars")
            .await
            .unwrap();
    });
    let guest = site.client();
    let found = guest.get("/api/v1/tags/fandom/star%20wars");
    assert_eq!(found.status, 200, "{}", found.body);
    let tag: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!(tag["name"], "Star Wars");
    assert_eq!(tag["canonical"], true);
    assert_eq!(tag["synonyms"], serde_json::json!(["SW"]));
    assert_eq!(tag["works"], "/api/v1/works?include=Star+Wars");
    eventually("the work is found through its tag", || {
        guest
            .get("/api/v1/works?include=Star+Wars")
            .body
            .contains("\"total\":1")
    });

    let synonym: serde_json::Value =
        serde_json::from_str(&guest.get("/api/v1/tags/fandom/SW").body).unwrap();
    assert_eq!(synonym["synonym_of"], "Star Wars");
    assert_eq!(synonym["canonical"], false);

    let missing = guest.get("/api/v1/tags/fandom/Nothing%20Here");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert!(missing.body.contains("no-such-tag"));
    let bad = guest.get("/api/v1/tags/colour/Blue");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("\"parameter\":\"kind\""));
}

/// A work posted through the API says what quire repaired in its text, as
/// the posting form's preview does; so do a chapter added or edited.
#[test]
fn a_post_through_the_api_says_what_it_repaired() {
    let site = Site::start();
    let token = account_with_token(&site, "repaired_writer", Scope::Write);
    let client = site.client();
    let posted = client.api(
        "POST",
        "/api/v1/works",
        Some(&token),
        Some(&json!({
            "rating": "Teen And Up Audiences",
            "warnings": ["Creator Chose Not To Use Archive Warnings"],
            "fandoms": ["Original Work"],
            "title": "Repaired",
            "body": seed("000"),
        })),
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let work = json_of(&posted);
    let repairs = work["chapters"][0]["repairs"]
        .as_array()
        .expect("the chapter's repairs");
    assert!(
        repairs
            .iter()
            .any(|r| r["before"] == "√Ø" && r["after"] == "ï" && r["misread_as"] == "macintosh"),
        "{repairs:?}"
    );
    let id = work["id"].as_i64().expect("an id");
    // The chapter's own answer says the same.
    let chapter =
        json_of(&client.api("GET", &format!("/api/v1/works/{id}/chapters/1"), None, None));
    assert_eq!(chapter["repairs"], work["chapters"][0]["repairs"]);

    let added = client.api(
        "POST",
        &format!("/api/v1/works/{id}/chapters"),
        Some(&token),
        Some(&json!({"body": "She said \u{93}no\u{94} and left."})),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(
        json_of(&added)["repairs"],
        json!([
            {"before": "\u{93}", "after": "“", "misread_as": "iso-8859-1"},
            {"before": "\u{94}", "after": "”", "misread_as": "iso-8859-1"},
        ])
    );
    let edited = client.api(
        "PUT",
        &format!("/api/v1/works/{id}/chapters/2"),
        Some(&token),
        Some(&json!({"body": "Nothing garbled here."})),
    );
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(json_of(&edited)["repairs"], json!([]));
    // Kept as typed: nothing repaired, the text as it came.
    let kept = client.api(
        "PUT",
        &format!("/api/v1/works/{id}/chapters/2"),
        Some(&token),
        Some(&json!({"body": "She ordered a cafÃ©.", "keep_as_typed": true})),
    );
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert_eq!(json_of(&kept)["repairs"], json!([]));
    let page = client.get(&format!("/works/{id}/chapters/2"));
    assert!(page.body.contains("She ordered a cafÃ©."), "{}", page.body);
}

/// A search of more words and phrases than the archive looks for at once
/// is refused with the limit, naming `q`, on the site and in the API; a
/// long quotation in quotes is one phrase and is searched.
#[test]
fn a_search_of_too_many_words_is_refused_naming_q() {
    let site = Site::start();
    let client = site.client();
    let words = |n: usize| {
        (0..n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join("+")
    };
    let api = client.api("GET", &format!("/api/v1/works?q={}", words(65)), None, None);
    assert_problem(&api, 400, "bad-parameter");
    let problem = json_of(&api);
    assert_eq!(problem["parameter"], "q", "{problem}");
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains("64")),
        "{problem}"
    );
    let page = client.get(&format!("/works?q={}", words(65)));
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("at most 64"), "{}", page.body);
    eventually("a long quotation is searched as one phrase", || {
        client
            .api(
                "GET",
                &format!("/api/v1/works?q=%22{}%22", words(200)),
                None,
                None,
            )
            .status
            == 200
    });
}
