//! A forgotten password in Chromium, as a reader meets it: "Forgot your
//! password?" on the sign-in page, the link from the email (read back from
//! a real SMTP server), a new password, and signed in — on a phone.

use std::time::Duration;

use quire_testkit::smtp::SmtpSink;

use super::{
    browser, click, fill, fits_width, screenshot, sign_up, visit, wait_for_text, Driver, Site,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_who_forgot_their_password_gets_back_in_from_the_emailed_link() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let site = tokio::task::spawn_blocking(move || {
        Site::start_with(move |settings| settings.mail.smtp_url = Some(url))
    })
    .await
    .expect("the site starts");
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = browser(&driver, profile.path()).await;
    b.set_window_size(390, 844).await.expect("a phone's width");

    sign_up(&b, &site, "bw_forgetful").await;
    click(&b, "header.site form[action='/logout'] button").await;
    wait_for_text(&b, &site, None, "Create an account", true).await;

    visit(&b, &site, "/login").await;
    click(&b, "a[href='/password/forgot']").await;
    wait_for_text(&b, &site, None, "Login or email address", true).await;
    fits_width(&b).await;
    fill(&b, "#forgot-login", "bw_forgetful@example.org").await;
    click(&b, "form[action='/password/forgot'] button[type=submit]").await;
    wait_for_text(&b, &site, None, "we've sent a link", true).await;

    let mail = tokio::task::spawn_blocking(move || {
        let mail = sink.wait_for(1, Duration::from_secs(30));
        (mail, sink)
    })
    .await
    .expect("the email arrives")
    .0;
    let link = mail[0]
        .link("/password/reset/")
        .expect("a reset link in the email");
    visit(&b, &site, &link).await;
    wait_for_text(&b, &site, None, "Set a new password", true).await;
    fits_width(&b).await;
    screenshot(&b, "reset-password-390.png").await;
    fill(&b, "#new-password", "a fresh start here").await;
    fill(&b, "#new-password-again", "a fresh start here").await;
    click(&b, "form[action^='/password/reset/'] button[type=submit]").await;
    wait_for_text(&b, &site, None, "Your new password is set", true).await;
    wait_for_text(&b, &site, None, "Sign out", true).await;

    // The same link again: it has been used.
    visit(&b, &site, &link).await;
    wait_for_text(&b, &site, None, "has already been used", true).await;
    b.close().await.expect("the browser closes");
}
