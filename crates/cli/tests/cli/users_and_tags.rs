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
