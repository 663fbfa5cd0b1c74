//! How the site runs, declared once: each setting has one flag, one
//! environment name and one default, and `quire serve` and the tests start
//! the site from the same [`Settings`].

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The defaults, as `quire serve --help` shows them.
const PAGE_CACHE_MB: u64 = 64;
const COMMENTS_PER_MINUTE: u32 = 10;
const API_REQUESTS_PER_MINUTE: u32 = 300;
const REQUEST_TIMEOUT_SECONDS: &str = "60";
const UPLOAD_PICTURE_MB: u64 = 10;
const UPLOAD_RECORDING_MB: u64 = 200;
const UPLOAD_ACCOUNT_MB: u64 = 1024;
const UPLOAD_TIMEOUT_SECONDS: &str = "900";
const HEADER_TIMEOUT_SECONDS: &str = "10";
const CONNECTIONS_PER_ADDRESS: usize = 64;
const DOWNLOAD_WAIT_SECONDS: &str = "5";
/// The same default, as `Settings::new` takes it without parsing.
const DOWNLOAD_WAIT: Duration = Duration::from_secs(5);

/// The archive's public address, by its one name; the name it had before
/// is still read.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PublicUrl {
    /// The address readers reach the archive at, which links in downloads
    /// and feeds point to (default: http:// and the address `quire serve`
    /// listens on; for `quire export`, http://127.0.0.1:8080).
    #[arg(long = "public-url", env = "QUIRE_PUBLIC_URL", value_name = "URL")]
    pub url: Option<String>,
    /// The old name of --public-url (and QUIRE_BASE_URL of
    /// QUIRE_PUBLIC_URL), still read.
    #[arg(long = "base-url", env = "QUIRE_BASE_URL", hide = true)]
    pub old_name: Option<String>,
}

impl PublicUrl {
    /// Said once when only the old name gives the address.
    pub const OLD_NAME_WARNING: &'static str = "--base-url and QUIRE_BASE_URL are now \
        --public-url and QUIRE_PUBLIC_URL; the old names will stop working in a later release";

    /// The address given, without a trailing slash, and whether it came
    /// by the old name.
    pub fn given(&self) -> Option<(String, bool)> {
        let (url, old) = match (&self.url, &self.old_name) {
            (Some(url), _) => (url, false),
            (None, Some(url)) => (url, true),
            (None, None) => return None,
        };
        Some((url.trim_end_matches('/').to_string(), old))
    }
}

/// Everything the site is started with, apart from its archive and its
/// listening socket.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// The archive's data directory: the search index and downloads live
    /// under it. Given by `--data`, which every command shares.
    #[arg(skip)]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub public_url: PublicUrl,
    /// Memory for guests' ready-made pages, in MiB (0 keeps none). A
    /// quarter as much again goes to chapters' texts filled with readers'
    /// names, which every reader's page reuses.
    #[arg(long, env = "QUIRE_PAGE_CACHE_MB", default_value_t = PAGE_CACHE_MB, value_name = "MIB")]
    pub page_cache_mb: u64,
    /// A reverse proxy in front of quire, by address (repeat, or
    /// separate with commas): the reader's address is then taken from
    /// the X-Forwarded-For it adds, for rate limits, kudos and hits.
    /// Requests from anywhere else keep their own address.
    #[arg(
        long = "trusted-proxy",
        env = "QUIRE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "ADDRESS"
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// Comments one reader (an account, or a guest's address) may post
    /// in a minute; 0 sets no limit (for load tests on loopback).
    #[arg(
        long,
        env = "QUIRE_COMMENTS_PER_MINUTE",
        default_value_t = COMMENTS_PER_MINUTE,
        value_name = "COUNT"
    )]
    pub comments_per_minute: u32,
    /// JSON API requests one token (or, without one, one address) may
    /// make in a minute; 0 sets no limit.
    #[arg(
        long,
        env = "QUIRE_API_REQUESTS_PER_MINUTE",
        default_value_t = API_REQUESTS_PER_MINUTE,
        value_name = "COUNT"
    )]
    pub api_requests_per_minute: u32,
    /// Seconds a request may take, body included, before it is answered
    /// with 503 (fractions allowed).
    #[arg(
        long,
        env = "QUIRE_REQUEST_TIMEOUT",
        default_value = REQUEST_TIMEOUT_SECONDS,
        value_parser = seconds,
        value_name = "SECONDS"
    )]
    pub request_timeout: Duration,
    /// Seconds a download request waits for its file to be made. A
    /// download that takes longer (a PDF of a very long work) goes on
    /// being made in the background, and the reader gets a page that asks
    /// again (202) until it is ready; one with a reader's own names is
    /// always waited for, as it is never kept.
    #[arg(
        long,
        env = "QUIRE_DOWNLOAD_WAIT",
        default_value = DOWNLOAD_WAIT_SECONDS,
        value_parser = seconds,
        value_name = "SECONDS"
    )]
    pub download_wait: Duration,
    #[command(flatten)]
    pub connections: crate::ConnectionLimits,
    #[command(flatten)]
    pub mail: crate::mail::MailSettings,
    /// Where uploaded pictures and recordings are kept: `--media-dir`,
    /// which every command shares.
    #[arg(skip)]
    pub media_dir: PathBuf,
    /// An S3-compatible bucket to keep uploads in instead of `media_dir`
    /// (`--media-bucket`): what several nodes share.
    #[arg(skip)]
    pub media_bucket: Option<quire_archive::media::BucketSettings>,
    #[command(flatten)]
    pub uploads: UploadLimits,
}

/// What writers may upload, in MiB.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct UploadLimits {
    /// The largest picture one upload may be, in MiB.
    #[arg(long = "upload-picture-mb", env = "QUIRE_UPLOAD_PICTURE_MB", default_value_t = UPLOAD_PICTURE_MB, value_name = "MIB")]
    pub picture_mb: u64,
    /// The largest recording (a podfic) one upload may be, in MiB.
    #[arg(long = "upload-recording-mb", env = "QUIRE_UPLOAD_RECORDING_MB", default_value_t = UPLOAD_RECORDING_MB, value_name = "MIB")]
    pub recording_mb: u64,
    /// What one account's uploads may hold together, in MiB.
    #[arg(long = "upload-account-mb", env = "QUIRE_UPLOAD_ACCOUNT_MB", default_value_t = UPLOAD_ACCOUNT_MB, value_name = "MIB")]
    pub account_mb: u64,
    /// Seconds a request carrying uploads may take, body included
    /// (a long podfic on a slow connection).
    #[arg(long = "upload-timeout", env = "QUIRE_UPLOAD_TIMEOUT", default_value = UPLOAD_TIMEOUT_SECONDS, value_parser = seconds, value_name = "SECONDS")]
    pub timeout: Duration,
}

impl UploadLimits {
    pub fn media_limits(&self) -> quire_archive::media::MediaLimits {
        const MIB: u64 = 1024 * 1024;
        quire_archive::media::MediaLimits {
            image_bytes: self.picture_mb.saturating_mul(MIB),
            audio_bytes: self.recording_mb.saturating_mul(MIB),
            account_bytes: self.account_mb.saturating_mul(MIB),
            ..quire_archive::media::MediaLimits::default()
        }
    }
}

impl Settings {
    /// The defaults, with the site's data under `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Settings {
        let data_dir = data_dir.into();
        Settings {
            media_dir: data_dir.join("media"),
            media_bucket: None,
            uploads: UploadLimits {
                picture_mb: UPLOAD_PICTURE_MB,
                recording_mb: UPLOAD_RECORDING_MB,
                account_mb: UPLOAD_ACCOUNT_MB,
                timeout: seconds(UPLOAD_TIMEOUT_SECONDS).expect("a default in seconds"),
            },
            data_dir,
            public_url: PublicUrl::default(),
            page_cache_mb: PAGE_CACHE_MB,
            trusted_proxies: Vec::new(),
            comments_per_minute: COMMENTS_PER_MINUTE,
            api_requests_per_minute: API_REQUESTS_PER_MINUTE,
            request_timeout: seconds(REQUEST_TIMEOUT_SECONDS).expect("a default in seconds"),
            download_wait: DOWNLOAD_WAIT,
            connections: crate::ConnectionLimits {
                header_timeout: seconds(HEADER_TIMEOUT_SECONDS).expect("a default in seconds"),
                per_address: CONNECTIONS_PER_ADDRESS,
            },
            mail: crate::mail::MailSettings {
                smtp_url: None,
                from: None,
                digest_seconds: crate::mail::DIGEST_SECONDS,
            },
        }
    }

    /// Memory for guests' ready-made pages, in bytes.
    pub(crate) fn page_cache_bytes(&self) -> u64 {
        self.page_cache_mb.saturating_mul(1024 * 1024)
    }
}

/// A number of seconds above 0, as a flag or environment variable gives
/// it.
pub(crate) fn seconds(given: &str) -> Result<Duration, String> {
    let refused = || format!("`{given}` is not a number of seconds above 0, such as 10 or 0.5");
    let value: f64 = given.trim().parse().map_err(|_| refused())?;
    match Duration::try_from_secs_f64(value) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(refused()),
    }
}

pub(crate) const DEFAULT_HEADER_TIMEOUT_SECONDS: &str = HEADER_TIMEOUT_SECONDS;
pub(crate) const DEFAULT_CONNECTIONS_PER_ADDRESS: usize = CONNECTIONS_PER_ADDRESS;

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        settings: Settings,
    }

    /// The defaults `quire serve` parses are the ones the tests start
    /// with: there is one of each.
    #[test]
    fn the_flags_defaults_are_the_settings_defaults() {
        let parsed = Serve::try_parse_from(["quire"]).expect("no flags parse");
        let made = Settings::new("");
        // Environment variables may be set where the tests run; compare
        // only what none of them set.
        for (name, same) in [
            (
                "QUIRE_PAGE_CACHE_MB",
                parsed.settings.page_cache_mb == made.page_cache_mb,
            ),
            (
                "QUIRE_COMMENTS_PER_MINUTE",
                parsed.settings.comments_per_minute == made.comments_per_minute,
            ),
            (
                "QUIRE_API_REQUESTS_PER_MINUTE",
                parsed.settings.api_requests_per_minute == made.api_requests_per_minute,
            ),
            (
                "QUIRE_REQUEST_TIMEOUT",
                parsed.settings.request_timeout == made.request_timeout,
            ),
            (
                "QUIRE_UPLOAD_PICTURE_MB",
                parsed.settings.uploads.picture_mb == made.uploads.picture_mb,
            ),
            (
                "QUIRE_UPLOAD_RECORDING_MB",
                parsed.settings.uploads.recording_mb == made.uploads.recording_mb,
            ),
            (
                "QUIRE_UPLOAD_ACCOUNT_MB",
                parsed.settings.uploads.account_mb == made.uploads.account_mb,
            ),
            (
                "QUIRE_UPLOAD_TIMEOUT",
                parsed.settings.uploads.timeout == made.uploads.timeout,
            ),
            (
                "QUIRE_DOWNLOAD_WAIT",
                parsed.settings.download_wait == made.download_wait,
            ),
            (
                "QUIRE_HEADER_TIMEOUT",
                parsed.settings.connections.header_timeout == made.connections.header_timeout,
            ),
            (
                "QUIRE_CONNECTIONS_PER_ADDRESS",
                parsed.settings.connections.per_address == made.connections.per_address,
            ),
        ] {
            assert!(same || std::env::var_os(name).is_some(), "{name}");
        }
    }

    #[test]
    fn seconds_are_whole_or_fractions_and_never_negative() {
        assert_eq!(
            seconds(DOWNLOAD_WAIT_SECONDS),
            Ok(DOWNLOAD_WAIT),
            "one default, two spellings"
        );
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(seconds("0.05"), Ok(Duration::from_millis(50)));
        assert!(seconds("-1").is_err());
        assert!(seconds("0").is_err());
        assert!(seconds("soon").is_err());
    }

    #[test]
    fn the_public_url_is_read_by_its_old_name_too() {
        let both = PublicUrl {
            url: Some("https://new.example/".into()),
            old_name: Some("https://old.example".into()),
        };
        assert_eq!(both.given(), Some(("https://new.example".into(), false)));
        let old = PublicUrl {
            url: None,
            old_name: Some("https://old.example".into()),
        };
        assert_eq!(old.given(), Some(("https://old.example".into(), true)));
        assert_eq!(PublicUrl::default().given(), None);
    }
}
