//! Blocking and muting in Chromium, as people do it: a writer blocks a
//! pest from their page, whose comment and kudos are then refused; the
//! writer mutes a loud commenter from the comment itself, which vanishes
//! with "1 hidden · show", and comes back on asking.

use fantoccini::{Client, Locator};

use super::{
    browser, click, fill, fits_width, screenshot, sign_up, start_a_work, text_of, visit,
    wait_for_text, Driver, Site,
};

async fn sign_out(b: &Client, site: &Site) {
    click(b, "header.site form[action='/logout'] button").await;
    wait_for_text(b, site, None, "Create an account", true).await;
}

async fn sign_in(b: &Client, site: &Site, login: &str) {
    visit(b, site, "/login").await;
    fill(b, "#login", login).await;
    fill(b, "#password", "correct horse battery").await;
    click(b, "form[action='/login'] button[type=submit]").await;
    wait_for_text(b, site, None, "Sign out", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_blocks_one_reader_and_mutes_another() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = browser(&driver, profile.path()).await;

    sign_up(&b, &site, "bw_pest").await;
    sign_out(&b, &site).await;
    sign_up(&b, &site, "bw_loud").await;
    sign_out(&b, &site).await;

    // The writer posts a story.
    sign_up(&b, &site, "bw_writer").await;
    start_a_work(
        &b,
        &site,
        "General Audiences",
        "No Archive Warnings Apply",
        "Original Work",
        "Guarded Garden",
    )
    .await;
    fill(&b, "#body", "A small story about a garden and its gate.").await;
    click(&b, "button[value=post]").await;
    wait_for_text(&b, &site, None, "Your work was posted", true).await;
    let work_path = b.current_url().await.unwrap().path().to_string();
    sign_out(&b, &site).await;

    // The loud one comments.
    sign_in(&b, &site, "bw_loud").await;
    visit(&b, &site, &work_path).await;
    fill(&b, ".new-comment textarea", "Loud words about the gate.").await;
    click(&b, ".new-comment button").await;
    wait_for_text(&b, &site, None, "Your comment was posted", true).await;
    sign_out(&b, &site).await;

    // The writer blocks the pest from the pest's own page.
    sign_in(&b, &site, "bw_writer").await;
    visit(&b, &site, "/users/bw_pest").await;
    click(&b, "form[action='/users/bw_pest/block'] button").await;
    wait_for_text(&b, &site, None, "Blocked.", true).await;
    sign_out(&b, &site).await;

    // The pest's comment and kudos are refused, and nothing is left.
    sign_in(&b, &site, "bw_pest").await;
    visit(&b, &site, &work_path).await;
    fill(&b, ".new-comment textarea", "Let me in.").await;
    click(&b, ".new-comment button").await;
    wait_for_text(&b, &site, None, "so you can't comment on it", true).await;
    visit(&b, &site, &work_path).await;
    click(&b, ".kudos-form button").await;
    wait_for_text(&b, &site, None, "so you can't leave it kudos", true).await;
    visit(&b, &site, &work_path).await;
    let page = text_of(&b, "main").await;
    assert!(!page.contains("Let me in."), "{page}");
    assert!(!page.contains("bw_pest left kudos"), "{page}");
    sign_out(&b, &site).await;

    // The writer mutes the loud one from their comment.
    sign_in(&b, &site, "bw_writer").await;
    visit(&b, &site, &work_path).await;
    assert!(text_of(&b, "ol.thread")
        .await
        .contains("Loud words about the gate."));
    click(
        &b,
        "li.comment .comment-actions details:last-of-type summary",
    )
    .await;
    click(&b, "form[action='/users/bw_loud/mute'] button").await;
    wait_for_text(&b, &site, None, "Muted.", true).await;
    let comments = text_of(&b, "section.comments").await;
    assert!(!comments.contains("Loud words"), "{comments}");
    let note = b
        .find(Locator::Css("section.comments .muted-note"))
        .await
        .expect("the hidden comment is counted");
    assert!(note.text().await.unwrap().contains("1 hidden · show"));
    // The count sits where the comments are, on screen at a phone's width.
    b.set_window_size(390, 844).await.expect("a phone's width");
    visit(&b, &site, &work_path).await;
    fits_width(&b).await;
    click(&b, "section.comments .muted-note a").await;
    wait_for_text(&b, &site, None, "Loud words about the gate.", true).await;
    screenshot(&b, "work-comments-shown-mobile.png").await;
    b.set_window_size(1280, 900).await.unwrap();

    b.close().await.expect("the browser closes");
}
