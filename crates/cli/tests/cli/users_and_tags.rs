//! `quire user` and `quire tag`: accounts and wrangling from the command
//! line.

use crate::support::{assert_one_line_error, quire, quire_with_stdin, stdout, DataDir, TempFile};

#[test]
fn users_and_tags_from_the_command_line() {
    let data = DataDir::dir("users");
    let output = quire_with_stdin(
        &[
            "user",
            "add",
            "kylo",
            "--email",
            "kylo@example.org",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"a long password\n",
    );
    assert!(stdout(&output).starts_with("created user kylo"));
    let again = quire_with_stdin(
        &[
            "user",
            "add",
            "KYLO",
            "--email",
            "k@example.org",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"a long password\n",
    );
    assert_one_line_error(&again, "taken");

    // An operator lets someone locked out back in, and changes an address.
    let reset = quire_with_stdin(
        &[
            "user",
            "password",
            "kylo",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"another long password\n",
    );
    assert!(
        stdout(&reset).contains("every session of the account has ended"),
        "{}",
        stdout(&reset)
    );
    let weak = quire_with_stdin(
        &[
            "user",
            "password",
            "kylo",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"short\n",
    );
    assert_one_line_error(&weak, "password");
    let nobody = quire_with_stdin(
        &[
            "user",
            "password",
            "rey",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"another long password\n",
    );
    assert_one_line_error(&nobody, "no account `rey`");
    let moved = stdout(&quire(&[
        "user",
        "email",
        "kylo",
        "ren@example.org",
        "--data",
        data.path(),
    ]));
    assert!(moved.contains("ren@example.org"), "{moved}");
    assert_one_line_error(
        &quire(&["user", "email", "kylo", "nowhere", "--data", data.path()]),
        "email",
    );
    // The new password signs in, to the account at its new address.
    let signed_in = tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let archive = quire_archive::Archive::open_data_dir(&data.0)
                .await
                .expect("the archive opens");
            let user = archive
                .authenticate("kylo", "another long password")
                .await
                .expect("no error");
            archive.close().await;
            user
        });
    assert_eq!(
        signed_in.map(|u| u.email),
        Some("ren@example.org".to_string())
    );

    let story = TempFile::new(
        "tagged.txt",
        b"Title: Ashes\nPairing: Kylo Ren/Rey\n\nThe halls burned.",
    );
    stdout(&quire(&["import", "--data", data.path(), story.path()]));
    stdout(&quire(&[
        "tag",
        "canonical",
        "fandom",
        "Unspecified Fandom",
        "--data",
        data.path(),
    ]));
    let shown = stdout(&quire(&[
        "tag",
        "show",
        "fandom",
        "unspecified fandom",
        "--data",
        data.path(),
    ]));
    assert!(shown.contains("canonical: yes"), "{shown}");
    assert_one_line_error(
        &quire(&["tag", "show", "ship", "x", "--data", data.path()]),
        "not a tag kind",
    );
    assert_one_line_error(
        &quire(&[
            "tag",
            "synonym",
            "fandom",
            "Nope",
            "--of",
            "Unspecified Fandom",
            "--data",
            data.path(),
        ]),
        "no fandom tag named `Nope`",
    );
}
