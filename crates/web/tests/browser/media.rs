//! Fanart and podfic as readers meet them: a work whose picture is on
//! another site, and a podfic whose audio is, each posted through the form
//! and opened in Chromium, where the picture must load and the audio play
//! its first second under the page's own Content-Security-Policy. The
//! other site is a real HTTPS server (Python's, with a certificate made by
//! openssl for the test; Chromium trusts that one key and nothing else).
//! And the same two uploaded through the posting form's file fields, kept
//! and served by the archive itself.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::harness::{post_work, Site};
use crate::{
    browser_with, click, fill, screenshot, sign_up, start_a_work, visit, wait_for_text, Driver,
};

/// Writes a picture and a second and a half of sound, then serves its
/// folder over HTTPS on a free port, which it prints.
const MEDIA_HOST: &str = r#"
import http.server, math, ssl, struct, sys, wave, zlib
folder, cert, key = sys.argv[1:4]
width, height = 64, 48
rows = b"".join(b"\x00" + bytes([40 + y * 4, 90, 140]) * width for y in range(height))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
open(folder + "/tide.png", "wb").write(png)
sound = wave.open(folder + "/tide.wav", "wb")
sound.setnchannels(1); sound.setsampwidth(2); sound.setframerate(8000)
sound.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(i / 4))) for i in range(12000)))
sound.close()
class Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=folder, **kwargs)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// The media host, stopped when dropped.
struct MediaHost {
    child: Child,
    port: u16,
    /// The base64 SHA-256 of its key, for Chromium to trust.
    key_hash: String,
    _folder: tempfile::TempDir,
}

impl Drop for MediaHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl(args: &[&str], input: Option<&[u8]>) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl runs (Debian: apt-get install openssl; scripts/test installs it)");
    if let Some(input) = input {
        child
            .stdin
            .take()
            .expect("its input")
            .write_all(input)
            .expect("written");
    }
    let output = child.wait_with_output().expect("openssl finishes");
    assert!(output.status.success(), "openssl {args:?} failed");
    output.stdout
}

fn media_host() -> MediaHost {
    let folder = tempfile::tempdir().expect("a folder for the media host");
    let cert = folder.path().join("cert.pem");
    let key = folder.path().join("key.pem");
    let (cert, key) = (cert.to_str().expect("UTF-8"), key.to_str().expect("UTF-8"));
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        None,
    );
    let public = openssl(&["x509", "-in", cert, "-pubkey", "-noout"], None);
    let der = openssl(&["pkey", "-pubin", "-outform", "der"], Some(&public));
    let digest = openssl(&["dgst", "-sha256", "-binary"], Some(&der));
    let key_hash =
        String::from_utf8(openssl(&["base64", "-A"], Some(&digest))).expect("base64 is ASCII");
    let mut child = Command::new("python3")
        .args(["-c", MEDIA_HOST])
        .arg(folder.path())
        .args([cert, key])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its output"))
        .read_line(&mut line)
        .expect("the media host prints its port");
    let port = line.trim().parse().expect("a port");
    MediaHost {
        child,
        port,
        key_hash: key_hash.trim().to_string(),
        _folder: folder,
    }
}

/// Asks the page `script` (which returns a string) until it says `done`.
async fn until(b: &fantoccini::Client, what: &str, script: &str) {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(20) {
        let answer = b.execute(script, vec![]).await.expect("the script runs");
        last = answer.as_str().unwrap_or("").to_string();
        if last == "done" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: still {last:?} after 20 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fanart_work_shows_its_picture_and_a_podfic_plays_its_first_second() {
    let host = media_host();
    let base = format!("https://127.0.0.1:{}", host.port);
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    let (art, podfic) = tokio::task::block_in_place(|| {
        let creator = site.member("fanworker");
        let art = post_work(
            &creator,
            &[
                ("title", "Low Tide, in Pencil"),
                ("format", "html"),
                (
                    "body",
                    &format!("<p>For the exchange.</p><img src=\"{base}/tide.png\" alt=\"Boats at low tide\">"),
                ),
            ],
        );
        let podfic = post_work(
            &creator,
            &[
                ("title", "The Harbour, Read Aloud"),
                ("format", "html"),
                (
                    "body",
                    &format!("<p>Read by its writer.</p><audio src=\"{base}/tide.wav\">No audio here.</audio>"),
                ),
            ],
        );
        (art, podfic)
    });
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = browser_with(
        &driver,
        profile.path(),
        &[
            format!("--ignore-certificate-errors-spki-list={}", host.key_hash),
            "--autoplay-policy=no-user-gesture-required".into(),
        ],
    )
    .await;

    visit(&b, &site, &format!("/works/{art}")).await;
    until(
        &b,
        "the picture loads",
        "const img = document.querySelector('.userstuff img');
         if (!img) return 'no image';
         if (!img.complete) return 'loading';
         return img.naturalWidth === 64 ? 'done' : `broken (${img.naturalWidth} px wide)`;",
    )
    .await;
    screenshot(&b, "fanart-work.png").await;

    visit(&b, &site, &format!("/works/{podfic}")).await;
    b.execute(
        "const a = document.querySelector('.userstuff audio'); a.muted = true; a.play().catch(e => { window.playError = String(e); });",
        vec![],
    )
    .await
    .expect("play is asked for");
    until(
        &b,
        "the podfic plays its first second",
        "const a = document.querySelector('.userstuff audio');
         if (!a) return 'no player';
         if (window.playError) return window.playError;
         if (!a.controls) return 'no controls';
         return a.currentTime >= 1 ? 'done' : `at ${a.currentTime} s, ready state ${a.readyState}, error ${a.error && a.error.code}`;",
    )
    .await;
    screenshot(&b, "podfic-work.png").await;
    b.close().await.expect("Chromium closes");
}

/// A 64 × 48 PNG and a second and a half of 8 kHz WAV, as files on disk
/// for the browser's file fields.
fn fanart_and_podfic(folder: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let picture = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([40 + y as u8 * 4, x as u8 * 3, 140])
    });
    let png = folder.join("harbour.png");
    image::DynamicImage::ImageRgb8(picture)
        .save_with_format(&png, image::ImageFormat::Png)
        .expect("the picture is written");
    let wav = quire_testkit::tone_wav(1_500);
    let recording = folder.join("harbour.wav");
    std::fs::write(&recording, wav).expect("the recording is written");
    (png, recording)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_uploads_fanart_and_a_podfic_through_the_form_and_both_play() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    let files = tempfile::tempdir().expect("a folder for the files");
    let (png, recording) = fanart_and_podfic(files.path());
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = browser_with(
        &driver,
        profile.path(),
        &["--autoplay-policy=no-user-gesture-required".into()],
    )
    .await;
    sign_up(&b, &site, "uploading_artist").await;
    start_a_work(
        &b,
        &site,
        "General Audiences",
        "No Archive Warnings Apply",
        "Original Work",
        "The Harbour, Drawn and Read",
    )
    .await;
    // The browser's own file fields, as a writer fills them: no script.
    b.find(Locator::Css("#media_1"))
        .await
        .expect("the first file field")
        .send_keys(&png.to_string_lossy())
        .await
        .expect("the picture is chosen");
    fill(&b, "#media_1_description", "Boats in the harbour at dusk").await;
    b.find(Locator::Css("#media_2"))
        .await
        .expect("the second file field")
        .send_keys(&recording.to_string_lossy())
        .await
        .expect("the recording is chosen");
    fill(&b, "#media_2_description", "The harbour, read aloud.").await;
    screenshot(&b, "upload-form.png").await;
    click(&b, "button[name=action][value=post]").await;
    wait_for_text(&b, &site, None, "Transcript", true).await;

    until(
        &b,
        "the uploaded picture loads",
        "const img = document.querySelector('.userstuff img');
         if (!img) return 'no image';
         if (!img.complete) return 'loading';
         if (!img.src.includes('/media/')) return `not the archive's copy: ${img.src}`;
         return img.naturalWidth === 64 ? 'done' : `broken (${img.naturalWidth} px wide)`;",
    )
    .await;
    b.execute(
        "const a = document.querySelector('.userstuff audio'); a.muted = true; a.play().catch(e => { window.playError = String(e); });",
        vec![],
    )
    .await
    .expect("play is asked for");
    until(
        &b,
        "the uploaded podfic plays its first second",
        "const a = document.querySelector('.userstuff audio');
         if (!a) return 'no player';
         if (window.playError) return window.playError;
         return a.currentTime >= 1 ? 'done' : `at ${a.currentTime} s, ready state ${a.readyState}, error ${a.error && a.error.code}`;",
    )
    .await;
    screenshot(&b, "uploaded-fanart-and-podfic.png").await;
    b.close().await.expect("Chromium closes");
}
