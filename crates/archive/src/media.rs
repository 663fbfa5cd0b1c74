//! Pictures and recordings the archive keeps itself, uploaded with a work.
//!
//! What a file is comes from its bytes, never its name. A picture is
//! decoded under limits (a small file that claims a huge canvas is refused
//! before anything is allocated for it) and written anew: what reaches
//! readers is quire's own encoding of the pixels, so EXIF (a phone's GPS
//! position, the camera's serial number) and anything riding in the file
//! beside the picture (a script, a zip) stay behind. Smaller copies are
//! made for listings and phones. A recording is kept as it came, served
//! only as the audio type it was sniffed as.
//!
//! Files are named by their SHA-256 under the media directory and written
//! whole before they are renamed into place; a row in `media` makes one
//! readable through one work, and a file no row names is swept.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::people::UserId;

use crate::{now, Archive, ArchiveError, Result, WorkId};
/// The bucket client, for the site to serve files from it.
pub use object_store;

/// Every format quire keeps, by what its bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaFormat {
    Png,
    Jpeg,
    Webp,
    Mp3,
    M4a,
    Ogg,
    Flac,
    Wav,
}

/// A picture or a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Audio,
}

impl MediaFormat {
    pub const ALL: [MediaFormat; 8] = [
        MediaFormat::Png,
        MediaFormat::Jpeg,
        MediaFormat::Webp,
        MediaFormat::Mp3,
        MediaFormat::M4a,
        MediaFormat::Ogg,
        MediaFormat::Flac,
        MediaFormat::Wav,
    ];

    /// The name stored, and the file extension.
    pub fn extension(self) -> &'static str {
        match self {
            MediaFormat::Png => "png",
            MediaFormat::Jpeg => "jpg",
            MediaFormat::Webp => "webp",
            MediaFormat::Mp3 => "mp3",
            MediaFormat::M4a => "m4a",
            MediaFormat::Ogg => "ogg",
            MediaFormat::Flac => "flac",
            MediaFormat::Wav => "wav",
        }
    }

    pub fn from_extension(name: &str) -> Option<MediaFormat> {
        MediaFormat::ALL
            .into_iter()
            .find(|format| format.extension() == name)
    }

    /// The Content-Type it is served as.
    pub fn mime(self) -> &'static str {
        match self {
            MediaFormat::Png => "image/png",
            MediaFormat::Jpeg => "image/jpeg",
            MediaFormat::Webp => "image/webp",
            MediaFormat::Mp3 => "audio/mpeg",
            MediaFormat::M4a => "audio/mp4",
            MediaFormat::Ogg => "audio/ogg",
            MediaFormat::Flac => "audio/flac",
            MediaFormat::Wav => "audio/wav",
        }
    }

    pub fn kind(self) -> MediaKind {
        match self {
            MediaFormat::Png | MediaFormat::Jpeg | MediaFormat::Webp => MediaKind::Image,
            _ => MediaKind::Audio,
        }
    }

    /// What the first bytes of a file say it is, if it is something quire
    /// keeps.
    pub fn sniff(head: &[u8]) -> Option<MediaFormat> {
        let found = infer::get(head)?;
        Some(match found.mime_type() {
            "image/png" => MediaFormat::Png,
            "image/jpeg" => MediaFormat::Jpeg,
            "image/webp" => MediaFormat::Webp,
            "audio/mpeg" => MediaFormat::Mp3,
            "audio/m4a" | "audio/x-m4a" | "audio/mp4" => MediaFormat::M4a,
            "audio/ogg" | "audio/opus" => MediaFormat::Ogg,
            "audio/x-flac" | "audio/flac" => MediaFormat::Flac,
            "audio/x-wav" | "audio/wav" => MediaFormat::Wav,
            _ => return None,
        })
    }

    /// A picture's encoding once quire has written it anew: a photograph
    /// stays a JPEG; anything else (which may be transparent) becomes a PNG,
    /// since the image crate writes WebP only losslessly.
    fn kept_as(self) -> MediaFormat {
        match self {
            MediaFormat::Jpeg => MediaFormat::Jpeg,
            MediaFormat::Png | MediaFormat::Webp => MediaFormat::Png,
            audio => audio,
        }
    }
}

impl MediaKind {
    pub fn noun(self) -> &'static str {
        match self {
            MediaKind::Image => "picture",
            MediaKind::Audio => "recording",
        }
    }
}

/// What one upload and one account may hold; the archive's operator sets
/// them (`quire serve --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    pub image_bytes: u64,
    pub audio_bytes: u64,
    pub account_bytes: u64,
    /// Width × height of the largest picture decoded.
    pub image_pixels: u64,
}

impl Default for MediaLimits {
    fn default() -> MediaLimits {
        MediaLimits {
            image_bytes: 10 * 1024 * 1024,
            audio_bytes: 200 * 1024 * 1024,
            account_bytes: 1024 * 1024 * 1024,
            image_pixels: 40_000_000,
        }
    }
}

impl MediaLimits {
    /// The most one uploaded file of any kind may hold: what a request is
    /// read up to before its kind is known.
    pub fn largest_file(&self) -> u64 {
        self.image_bytes.max(self.audio_bytes)
    }
}

/// Widths of the smaller copies kept of a picture wider than them: one for
/// listings' thumbnails, one for a phone's column.
pub const SIZES: [u32; 2] = [320, COLUMN_WIDTH];

/// The widest a picture is shown in a chapter, and in a book.
pub const COLUMN_WIDTH: u32 = 800;

/// The widest a kept picture's side may be, whatever its pixel count.
const LONGEST_SIDE: u32 = 16_384;

/// Bytes as people read a file's size: `10 MB`, `1.5 MB`.
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 10.0 || mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// Why an upload was refused: each names the file and what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error(
        "{name} isn't a picture or a recording this archive keeps: upload a PNG, JPEG or WebP \
         picture, or an MP3, M4A, Ogg, FLAC or WAV recording"
    )]
    NotMedia { name: String },
    #[error(
        "{name} is larger than {limit}, the most this archive takes for one {noun}: make it \
         smaller and choose it again"
    )]
    TooLarge {
        name: String,
        noun: &'static str,
        limit: String,
    },
    #[error(
        "{name} is {width} × {height} pixels, more than this archive takes (up to {limit} \
         million pixels, {LONGEST_SIDE} on a side): save a smaller copy and choose it again"
    )]
    TooManyPixels {
        name: String,
        width: u32,
        height: u32,
        limit: u64,
    },
    #[error(
        "{name} carries more than a picture or a recording (a page, a script or a document \
         hidden in it), so it isn't kept: export it again from the program that made it, and \
         choose that file"
    )]
    CarriesMore { name: String },
    #[error(
        "{name} can't be read as a picture ({reason}); open it in an image editor, save it \
         again, and choose it again"
    )]
    Damaged { name: String, reason: String },
    #[error(
        "these uploads would take your media past {limit}, the most this archive keeps for one \
         account (you have {used} already): remove some from your works, or upload smaller files"
    )]
    AccountFull { used: String, limit: String },
}

/// Whether `adding` bytes fit in an account that holds `used` of `limit`.
pub fn within_allowance(used: u64, adding: u64, limit: u64) -> Result<(), MediaError> {
    if used.saturating_add(adding) > limit {
        return Err(MediaError::AccountFull {
            used: megabytes(used),
            limit: megabytes(limit),
        });
    }
    Ok(())
}

/// A file checked and made ready to keep: a picture written anew with its
/// smaller copies, or a recording waiting in its upload file.
#[derive(Debug)]
pub struct Prepared {
    pub name: String,
    pub format: MediaFormat,
    pub sha256: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    body: PreparedBody,
}

#[derive(Debug)]
enum PreparedBody {
    Image {
        encoded: Vec<u8>,
        sizes: Vec<(u32, Vec<u8>)>,
    },
    Audio {
        upload: PathBuf,
    },
}

impl Prepared {
    pub fn kind(&self) -> MediaKind {
        self.format.kind()
    }

    /// Its row, once it has an id and a description; the work it belongs
    /// to is set as it is stored with one.
    pub fn row(&self, id: String, description: String) -> Media {
        Media {
            id,
            work: 0,
            format: self.format,
            sha256: self.sha256.clone(),
            bytes: self.bytes,
            width: self.width,
            height: self.height,
            sizes: self.sizes(),
            name: self.name.clone(),
            description,
        }
    }

    /// Widths of the smaller copies made.
    pub fn sizes(&self) -> Vec<u32> {
        match &self.body {
            PreparedBody::Image { sizes, .. } => sizes.iter().map(|(w, _)| *w).collect(),
            PreparedBody::Audio { .. } => Vec::new(),
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex(&Sha256::digest(bytes))
}

/// A name for a file as a reader may see it: its last path part, with
/// nothing that could mean anything in a URL or a header.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    let trimmed = cleaned.trim_matches(['.', '-']);
    if trimmed.is_empty() {
        "upload".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Checks the upload at `upload` (named `name` by its sender) and makes it
/// ready to keep. The upload file is left where it is for a picture (the
/// caller removes it); a recording's is moved into the store by
/// [`MediaStore::keep`].
pub fn prepare(upload: &Path, name: &str, limits: &MediaLimits) -> Result<Prepared, MediaError> {
    let name = clean_name(name);
    let damaged = |reason: String| MediaError::Damaged {
        name: name.clone(),
        reason,
    };
    let mut file = std::fs::File::open(upload).map_err(|e| damaged(e.to_string()))?;
    let mut head = [0u8; 64];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(damaged(e.to_string())),
        }
    }
    let format = MediaFormat::sniff(&head[..read])
        .ok_or_else(|| MediaError::NotMedia { name: name.clone() })?;
    let bytes = std::fs::metadata(upload)
        .map_err(|e| damaged(e.to_string()))?
        .len();
    let limit = match format.kind() {
        MediaKind::Image => limits.image_bytes,
        MediaKind::Audio => limits.audio_bytes,
    };
    if bytes > limit {
        return Err(MediaError::TooLarge {
            name,
            noun: format.kind().noun(),
            limit: megabytes(limit),
        });
    }
    match format.kind() {
        MediaKind::Image => {
            let original = std::fs::read(upload).map_err(|e| damaged(e.to_string()))?;
            let mut scan = MarkupScan::default();
            scan.feed(&original);
            if scan.found {
                return Err(MediaError::CarriesMore { name });
            }
            prepare_image(&original, name, format, limits)
        }
        MediaKind::Audio => {
            let mut hasher = Sha256::new();
            let mut scan = MarkupScan::default();
            let mut reader = std::fs::File::open(upload).map_err(|e| damaged(e.to_string()))?;
            let mut chunk = vec![0u8; 1 << 20];
            loop {
                let n = reader
                    .read(&mut chunk)
                    .map_err(|e| damaged(e.to_string()))?;
                if n == 0 {
                    break;
                }
                hasher.update(&chunk[..n]);
                scan.feed(&chunk[..n]);
            }
            if scan.found {
                return Err(MediaError::CarriesMore { name });
            }
            Ok(Prepared {
                name,
                format,
                sha256: crate::hex(&hasher.finalize()),
                bytes,
                width: None,
                height: None,
                body: PreparedBody::Audio {
                    upload: upload.to_path_buf(),
                },
            })
        }
    }
}

/// What a page or a script says of itself, in any case: found inside a
/// picture or a recording, the file is a polyglot (one file that is two,
/// read as a picture here and as a page or a document elsewhere). Seven
/// bytes or more each, so that compressed pixels or sound match one by
/// chance about once in a hundred thousand of the largest uploads.
const MARKUP: [&[u8]; 9] = [
    b"<script",
    b"<iframe",
    b"<!doctype",
    b"<object",
    b"<?php ",
    b"javascript:",
    b"onerror=",
    b"onload=",
    b"%pdf-1.",
];

/// Looks for [`MARKUP`] in a file read in pieces, across their seams.
#[derive(Default)]
struct MarkupScan {
    /// The end of the last piece, lowercased: a marker may straddle two.
    tail: Vec<u8>,
    found: bool,
}

impl MarkupScan {
    fn feed(&mut self, piece: &[u8]) {
        if self.found {
            return;
        }
        let mut text = std::mem::take(&mut self.tail);
        text.extend(piece.iter().map(u8::to_ascii_lowercase));
        self.found = MARKUP
            .iter()
            .any(|marker| memchr::memmem::find(&text, marker).is_some());
        let longest = MARKUP.iter().map(|m| m.len()).max().unwrap_or(1);
        let keep = text.len().min(longest - 1);
        self.tail = text[text.len() - keep..].to_vec();
    }
}

/// Decodes a picture under `limits`, upright by its EXIF orientation, and
/// writes it anew with nothing but its pixels.
fn prepare_image(
    original: &[u8],
    name: String,
    format: MediaFormat,
    limits: &MediaLimits,
) -> Result<Prepared, MediaError> {
    use image::ImageDecoder;
    let damaged = |e: image::ImageError| MediaError::Damaged {
        name: name.clone(),
        reason: e.to_string(),
    };
    let image_format = match format {
        MediaFormat::Png => image::ImageFormat::Png,
        MediaFormat::Jpeg => image::ImageFormat::Jpeg,
        _ => image::ImageFormat::WebP,
    };
    let mut reader = image::ImageReader::new(Cursor::new(original));
    reader.set_format(image_format);
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(LONGEST_SIDE);
    decoder_limits.max_image_height = Some(LONGEST_SIDE);
    // Four bytes a pixel, and as much again for the decoder's own work.
    decoder_limits.max_alloc = Some(limits.image_pixels.saturating_mul(8));
    reader.limits(decoder_limits);
    let mut decoder = match reader.into_decoder() {
        Ok(decoder) => decoder,
        Err(image::ImageError::Limits(_)) => {
            // Its header alone says how large it claims to be.
            let mut header = image::ImageReader::new(Cursor::new(original));
            header.set_format(image_format);
            let (width, height) = header.into_dimensions().unwrap_or((0, 0));
            return Err(MediaError::TooManyPixels {
                name: name.clone(),
                width,
                height,
                limit: limits.image_pixels / 1_000_000,
            });
        }
        Err(e) => return Err(damaged(e)),
    };
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.image_pixels
        || width > LONGEST_SIDE
        || height > LONGEST_SIDE
    {
        return Err(MediaError::TooManyPixels {
            name: name.clone(),
            width,
            height,
            limit: limits.image_pixels / 1_000_000,
        });
    }
    let orientation = decoder.orientation().map_err(damaged)?;
    let mut picture = image::DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => MediaError::TooManyPixels {
            name: name.clone(),
            width,
            height,
            limit: limits.image_pixels / 1_000_000,
        },
        e => damaged(e),
    })?;
    picture.apply_orientation(orientation);
    let kept_as = format.kept_as();
    let encoded = encode(&picture, kept_as).map_err(damaged)?;
    let mut sizes = Vec::new();
    for size in SIZES {
        if picture.width() > size {
            let smaller = picture.resize(size, u32::MAX, image::imageops::FilterType::Triangle);
            sizes.push((size, encode(&smaller, kept_as).map_err(damaged)?));
        }
    }
    Ok(Prepared {
        name: with_extension(&name, kept_as),
        format: kept_as,
        sha256: sha256_hex(&encoded),
        bytes: encoded.len() as u64,
        width: Some(picture.width()),
        height: Some(picture.height()),
        body: PreparedBody::Image { encoded, sizes },
    })
}

fn encode(picture: &image::DynamicImage, format: MediaFormat) -> image::ImageResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    match format {
        MediaFormat::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            image::DynamicImage::ImageRgb8(picture.to_rgb8()).write_with_encoder(encoder)?;
        }
        _ => picture.write_to(&mut out, image::ImageFormat::Png)?,
    }
    Ok(out.into_inner())
}

/// `name` ending in `format`'s extension (a WebP kept as a PNG is named so).
fn with_extension(name: &str, format: MediaFormat) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    format!("{stem}.{}", format.extension())
}

/// Where the media files live: `<dir>/<first two hex digits>/<sha256>.<ext>`,
/// smaller copies beside them as `<sha256>-w<width>.<ext>`, uploads still
/// arriving under `<dir>/incoming` — or, with a bucket, the same names in
/// an S3-compatible bucket that every node shares (uploads still arrive on
/// the node's own disk).
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
    bucket: Option<std::sync::Arc<dyn object_store::ObjectStore>>,
}

/// An S3-compatible bucket to keep uploads in. Credentials and region not
/// given here come from the usual `AWS_*` environment variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketSettings {
    /// `s3://bucket` or `s3://bucket/prefix`.
    pub url: String,
    /// Another S3-compatible service than Amazon's (MinIO, Garage, R2…):
    /// its address, `http://` allowed.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
}

fn bucket_error(what: &'static str, err: object_store::Error) -> ArchiveError {
    ArchiveError::Io {
        action: what,
        path: PathBuf::from("the media bucket"),
        source: std::io::Error::other(err.to_string()),
    }
}

/// How long a kept file no row names is left alone: the moment between
/// a file renamed into place and its row committed.
const SWEEP_GRACE_SECONDS: u64 = 3_600;

impl MediaStore {
    pub fn new(root: impl Into<PathBuf>) -> MediaStore {
        MediaStore {
            root: root.into(),
            bucket: None,
        }
    }

    /// Uploads kept in a bucket; `root` holds only uploads arriving.
    pub fn in_bucket(root: impl Into<PathBuf>, settings: &BucketSettings) -> Result<MediaStore> {
        let mut builder =
            object_store::aws::AmazonS3Builder::from_env().with_url(settings.url.trim());
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint.trim())
                .with_allow_http(endpoint.trim_start().starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        // A bucket that doesn't answer is told at once, not after minutes
        // of retries behind a reader's request.
        builder = builder.with_retry(object_store::RetryConfig {
            max_retries: 2,
            retry_timeout: std::time::Duration::from_secs(10),
            ..Default::default()
        });
        if let Some(region) = &settings.region {
            builder = builder.with_region(region);
        }
        if let Some(key) = &settings.access_key {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &settings.secret_key {
            builder = builder.with_secret_access_key(secret);
        }
        let bucket = builder.build().map_err(|e| ArchiveError::Io {
            action: "use the media bucket",
            path: PathBuf::from(format!(
                "{} (--media-bucket s3://bucket/prefix)",
                settings.url
            )),
            source: std::io::Error::other(e.to_string()),
        })?;
        // A prefix in the URL keeps quire's files under it.
        let prefix = settings
            .url
            .trim()
            .strip_prefix("s3://")
            .and_then(|rest| rest.split_once('/'))
            .map(|(_, prefix)| prefix.trim_matches('/').to_string())
            .unwrap_or_default();
        let bucket: std::sync::Arc<dyn object_store::ObjectStore> = if prefix.is_empty() {
            std::sync::Arc::new(bucket)
        } else {
            std::sync::Arc::new(object_store::prefix::PrefixStore::new(
                bucket,
                prefix.as_str(),
            ))
        };
        Ok(MediaStore {
            root: root.into(),
            bucket: Some(bucket),
        })
    }

    /// Whether the bucket answers (a name it doesn't hold is an answer):
    /// asked once at start, so a wrong address or key is a clear error
    /// then, not a missing picture later.
    pub async fn check(&self) -> Result<()> {
        let Some(bucket) = &self.bucket else {
            return Ok(());
        };
        match bucket
            .head(&object_store::path::Path::from("quire-check"))
            .await
        {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(bucket_error("reach", err)),
        }
    }

    /// The bucket uploads are kept in, if not on this node's disk.
    pub fn bucket(&self) -> Option<&std::sync::Arc<dyn object_store::ObjectStore>> {
        self.bucket.as_ref()
    }

    /// A file's name in the store (`ab/ab12….png`).
    pub fn key(&self, sha256: &str, format: MediaFormat, width: Option<u32>) -> String {
        let shard = sha256.get(..2).unwrap_or("00");
        match width {
            Some(width) => format!("{shard}/{sha256}-w{width}.{}", format.extension()),
            None => format!("{shard}/{sha256}.{}", format.extension()),
        }
    }

    /// A kept file's bytes, wherever it is kept.
    pub async fn read(
        &self,
        sha256: &str,
        format: MediaFormat,
        width: Option<u32>,
    ) -> Result<Vec<u8>> {
        let key = self.key(sha256, format, width);
        match &self.bucket {
            Some(bucket) => {
                let found = bucket
                    .get(&object_store::path::Path::from(key))
                    .await
                    .map_err(|e| bucket_error("read", e))?;
                Ok(found
                    .bytes()
                    .await
                    .map_err(|e| bucket_error("read", e))?
                    .to_vec())
            }
            None => {
                let path = self.root.join(key);
                std::fs::read(&path).map_err(ArchiveError::io("read", path))
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A new, empty file for an upload to arrive in, removed when the
    /// returned guard goes unless it was kept.
    pub fn incoming(&self) -> Result<IncomingFile> {
        let dir = self.root.join("incoming");
        std::fs::create_dir_all(&dir).map_err(ArchiveError::io("create", &dir))?;
        let path = dir.join(crate::sessions::random_token());
        let file = std::fs::File::create(&path).map_err(ArchiveError::io("create", &path))?;
        Ok(IncomingFile { path, file })
    }

    /// The file of `sha256` in `format`, or of its copy `width` wide, on
    /// this node's disk (kept there unless the store has a bucket).
    pub fn path(&self, sha256: &str, format: MediaFormat, width: Option<u32>) -> PathBuf {
        self.root.join(self.key(sha256, format, width))
    }

    /// Puts a prepared file (and its smaller copies) in place: in the
    /// bucket, or on disk by [`MediaStore::keep_on_disk`].
    pub async fn keep(&self, prepared: &Prepared) -> Result<()> {
        let Some(bucket) = &self.bucket else {
            return self.keep_on_disk(prepared);
        };
        let key = |width| {
            object_store::path::Path::from(self.key(&prepared.sha256, prepared.format, width))
        };
        match &prepared.body {
            PreparedBody::Image { encoded, sizes } => {
                for (width, bytes) in sizes {
                    bucket
                        .put(&key(Some(*width)), bytes.clone().into())
                        .await
                        .map_err(|e| bucket_error("keep", e))?;
                }
                bucket
                    .put(&key(None), encoded.clone().into())
                    .await
                    .map_err(|e| bucket_error("keep", e))?;
            }
            PreparedBody::Audio { upload } => {
                // In parts, never the whole recording in memory.
                use tokio::io::AsyncWriteExt;
                let mut file = tokio::fs::File::open(upload)
                    .await
                    .map_err(ArchiveError::io("read", upload))?;
                let mut writer = object_store::buffered::BufWriter::new(
                    std::sync::Arc::clone(bucket),
                    key(None),
                );
                let copied = tokio::io::copy(&mut file, &mut writer).await;
                match copied {
                    Ok(_) => writer
                        .shutdown()
                        .await
                        .map_err(ArchiveError::io("keep", upload))?,
                    Err(err) => {
                        let _ = writer.abort().await;
                        return Err(ArchiveError::io("keep", upload)(err));
                    }
                }
            }
        }
        Ok(())
    }

    /// Puts a prepared file (and its smaller copies) on disk, each written
    /// whole under a temporary name first. Bytes already kept are kept once.
    pub fn keep_on_disk(&self, prepared: &Prepared) -> Result<()> {
        let target = self.path(&prepared.sha256, prepared.format, None);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(ArchiveError::io("create", dir))?;
        }
        match &prepared.body {
            PreparedBody::Image { encoded, sizes } => {
                for (width, bytes) in sizes {
                    let path = self.path(&prepared.sha256, prepared.format, Some(*width));
                    write_whole(&path, bytes)?;
                }
                write_whole(&target, encoded)?;
            }
            PreparedBody::Audio { upload } => {
                if !target.exists() {
                    std::fs::rename(upload, &target).map_err(ArchiveError::io("keep", &target))?;
                }
            }
        }
        Ok(())
    }

    /// Removes kept files that no `media` row names, once they are older
    /// than an hour, and uploads abandoned as long ago. Returns how many
    /// files went.
    pub async fn sweep(&self, archive: &Archive) -> Result<usize> {
        let mut removed = self.sweep_disk(archive).await?;
        if let Some(bucket) = &self.bucket {
            use futures_util::StreamExt;
            let mut candidates: HashMap<String, Vec<object_store::path::Path>> = HashMap::new();
            let mut listed = bucket.list(None);
            while let Some(object) = listed.next().await {
                let object = object.map_err(|e| bucket_error("list", e))?;
                let age = chrono_age(object.last_modified.timestamp());
                if age < SWEEP_GRACE_SECONDS as i64 {
                    continue;
                }
                let name = object.location.filename().unwrap_or("").to_string();
                let sha: String = name.chars().take_while(char::is_ascii_hexdigit).collect();
                if sha.len() == 64 {
                    candidates.entry(sha).or_default().push(object.location);
                }
            }
            let shas: Vec<String> = candidates.keys().cloned().collect();
            let named = archive.media_files_named(&shas).await?;
            for (sha, keys) in candidates {
                if named.contains(&sha) {
                    continue;
                }
                for key in keys {
                    if bucket.delete(&key).await.is_ok() {
                        removed += 1;
                    }
                }
            }
        }
        Ok(removed)
    }

    async fn sweep_disk(&self, archive: &Archive) -> Result<usize> {
        let mut candidates: HashMap<String, Vec<PathBuf>> = HashMap::new();
        let old_enough = |path: &Path| {
            std::fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() >= SWEEP_GRACE_SECONDS)
        };
        let mut removed = 0;
        let Ok(shards) = std::fs::read_dir(&self.root) else {
            return Ok(0);
        };
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            let incoming = shard.file_name() == "incoming";
            for file in files.flatten() {
                let path = file.path();
                if !old_enough(&path) {
                    continue;
                }
                if incoming {
                    if std::fs::remove_file(&path).is_ok() {
                        removed += 1;
                    }
                    continue;
                }
                let name = file.file_name().to_string_lossy().to_string();
                let sha: String = name.chars().take_while(char::is_ascii_hexdigit).collect();
                if sha.len() == 64 {
                    candidates.entry(sha).or_default().push(path);
                }
            }
        }
        let shas: Vec<String> = candidates.keys().cloned().collect();
        let named = archive.media_files_named(&shas).await?;
        for (sha, paths) in candidates {
            if named.contains(&sha) {
                continue;
            }
            for path in paths {
                if std::fs::remove_file(&path).is_ok() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Removes at once the files of `shas` that no row names any more (a
    /// work deleted): its readers lost them with the row, and its creator's
    /// allowance with it. A second upload of the same bytes caught between
    /// its file and its row at this moment would lose its file; the chance
    /// is taken rather than keeping a deleted work's files for an hour.
    pub async fn remove_unnamed(&self, archive: &Archive, media: &[Media]) -> Result<usize> {
        let shas: Vec<String> = media.iter().map(|m| m.sha256.clone()).collect();
        let named = archive.media_files_named(&shas).await?;
        let mut removed = 0;
        for file in media.iter().filter(|m| !named.contains(&m.sha256)) {
            let widths = file.sizes.iter().copied().map(Some);
            for width in std::iter::once(None).chain(widths) {
                let gone = match &self.bucket {
                    Some(bucket) => {
                        let key = object_store::path::Path::from(self.key(
                            &file.sha256,
                            file.format,
                            width,
                        ));
                        bucket.delete(&key).await.is_ok()
                    }
                    None => {
                        std::fs::remove_file(self.path(&file.sha256, file.format, width)).is_ok()
                    }
                };
                if gone {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Every kept file, as (path under the store, bytes), in name order:
    /// what a backup copies. None for a bucket, which is backed up by its
    /// own service's means (versioning, replication).
    pub fn files(&self) -> Result<Vec<(PathBuf, u64)>> {
        let mut found = Vec::new();
        if self.bucket.is_some() {
            return Ok(found);
        }
        let Ok(shards) = std::fs::read_dir(&self.root) else {
            return Ok(found);
        };
        for shard in shards.flatten() {
            if shard.file_name() == "incoming" || !shard.path().is_dir() {
                continue;
            }
            let dir = shard.path();
            for file in std::fs::read_dir(&dir)
                .map_err(ArchiveError::io("read", &dir))?
                .flatten()
            {
                let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
                found.push((
                    PathBuf::from(shard.file_name()).join(file.file_name()),
                    bytes,
                ));
            }
        }
        found.sort();
        Ok(found)
    }
}

/// Seconds since `unix_seconds`.
fn chrono_age(unix_seconds: i64) -> i64 {
    now() - unix_seconds
}

fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let partial = path.with_extension("part");
    std::fs::write(&partial, bytes).map_err(ArchiveError::io("write", &partial))?;
    std::fs::rename(&partial, path).map_err(ArchiveError::io("write", path))
}

/// An upload arriving: removed when dropped, unless [`MediaStore::keep`]
/// moved it into place first.
#[derive(Debug)]
pub struct IncomingFile {
    pub path: PathBuf,
    pub file: std::fs::File,
}

impl Drop for IncomingFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A kept picture or recording, as one work holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Media {
    pub id: String,
    pub work: WorkId,
    pub format: MediaFormat,
    pub sha256: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sizes: Vec<u32>,
    pub name: String,
    pub description: String,
}

impl Media {
    /// Where readers fetch it: the same under every node and in the
    /// chapter's HTML, whatever the archive's address.
    pub fn address(&self) -> String {
        format!("/media/{}/{}", self.id, self.name)
    }

    /// Where its copy `width` wide is fetched.
    pub fn sized_address(&self, width: u32) -> String {
        format!("/media/{}/w{width}/{}", self.id, self.name)
    }

    /// What a page shows of a picture: its copy as wide as a reading
    /// column ([`COLUMN_WIDTH`]) when it is wider, with that copy's size;
    /// else itself. The original is a link away.
    pub fn shown(&self) -> (String, Option<(u32, u32)>) {
        let size = self.width.zip(self.height);
        match size {
            Some((w, h)) if self.sizes.contains(&COLUMN_WIDTH) => (
                self.sized_address(COLUMN_WIDTH),
                Some((
                    COLUMN_WIDTH,
                    (u64::from(h) * u64::from(COLUMN_WIDTH) / u64::from(w).max(1)) as u32,
                )),
            ),
            _ => (self.address(), size),
        }
    }

    /// Every address a page or chapter may name it by.
    pub fn addresses(&self) -> Vec<String> {
        std::iter::once(self.address())
            .chain(self.sizes.iter().map(|w| self.sized_address(*w)))
            .collect()
    }

    pub fn kind(&self) -> MediaKind {
        self.format.kind()
    }
}

/// The address of the listing-sized copy of the upload at `address`
/// (`/media/{id}/{name}` → `/media/{id}/w320/{name}`); a picture narrower
/// than that is served whole there. `None` for anything not uploaded.
pub fn thumbnail_address(address: &str) -> Option<String> {
    let rest = address.strip_prefix("/media/")?;
    let (id, name) = rest.split_once('/')?;
    let name = match name.split_once('/') {
        None => name,
        Some((size, name)) if size == format!("w{COLUMN_WIDTH}") && !name.contains('/') => name,
        Some(_) => return None,
    };
    Some(format!("/media/{id}/w{}/{name}", SIZES[0]))
}

/// Uploads to keep with a work, and whose allowance they count against.
#[derive(Debug, Clone, Copy)]
pub struct MediaUpload<'a> {
    pub owner: UserId,
    pub account_limit: u64,
    pub media: &'a [Media],
}

/// A new media id: 128 random bits, so addresses can't be guessed from
/// one another.
pub fn new_media_id() -> String {
    crate::sessions::random_token()[..32].to_string()
}

fn media_of_row(row: &sqlx::any::AnyRow) -> Result<Media> {
    let format: String = row.try_get("format")?;
    let sizes: String = row.try_get("sizes")?;
    let dimension = |name: &str| -> Result<Option<u32>> {
        Ok(row
            .try_get::<Option<i64>, _>(name)?
            .and_then(|v| u32::try_from(v).ok()))
    };
    Ok(Media {
        id: row.try_get("id")?,
        work: row.try_get("work_id")?,
        format: MediaFormat::from_extension(&format).ok_or_else(|| ArchiveError::Damaged {
            work: row.try_get("work_id").unwrap_or_default(),
            what: format!("an uploaded file of unknown format {format:?}"),
        })?,
        sha256: row.try_get("sha256")?,
        bytes: u64::try_from(row.try_get::<i64, _>("bytes")?).unwrap_or(0),
        width: dimension("width")?,
        height: dimension("height")?,
        sizes: sizes.split(',').filter_map(|w| w.parse().ok()).collect(),
        name: row.try_get("name")?,
        description: row.try_get("description")?,
    })
}

/// Bytes of media counted against one account (`$1`), as `used`.
/// PostgreSQL sums BIGINTs as NUMERIC; the cast keeps it an integer.
const USED_BYTES: &str =
    "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS used FROM media WHERE user_id = $1";

const MEDIA_COLUMNS: &str =
    "id, work_id, format, sha256, bytes, width, height, sizes, name, description";

/// Writes `upload`'s rows for `work` inside `tx`, refusing them together
/// when they would take their owner past the account's allowance.
pub(crate) async fn insert_media_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    work: WorkId,
    upload: MediaUpload<'_>,
) -> Result<()> {
    if upload.media.is_empty() {
        return Ok(());
    }
    let used: i64 = sqlx::query(USED_BYTES)
        .bind(upload.owner)
        .fetch_one(&mut **tx)
        .await?
        .try_get("used")?;
    let used = u64::try_from(used).unwrap_or(0);
    let adding: u64 = upload.media.iter().map(|m| m.bytes).sum();
    within_allowance(used, adding, upload.account_limit)
        .map_err(|refused| ArchiveError::rejected("media", refused.to_string()))?;
    let created = now();
    for media in upload.media {
        let sizes: Vec<String> = media.sizes.iter().map(u32::to_string).collect();
        sqlx::query(
            "INSERT INTO media (id, work_id, user_id, sha256, format, bytes, width, height, \
             sizes, name, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&media.id)
        .bind(work)
        .bind(upload.owner)
        .bind(&media.sha256)
        .bind(media.format.extension())
        .bind(i64::try_from(media.bytes).unwrap_or(i64::MAX))
        .bind(media.width.map(i64::from))
        .bind(media.height.map(i64::from))
        .bind(sizes.join(","))
        .bind(&media.name)
        .bind(&media.description)
        .bind(created)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Archive {
    /// One kept file by its id.
    pub async fn media(&self, id: &str) -> Result<Option<Media>> {
        let sql = format!("SELECT {MEDIA_COLUMNS} FROM media WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| media_of_row(&row))
            .transpose()
    }

    /// A work's kept files, in the order they were uploaded.
    pub async fn media_of_work(&self, work: WorkId) -> Result<Vec<Media>> {
        Ok(self
            .media_of_works(&[work])
            .await?
            .remove(&work)
            .unwrap_or_default())
    }

    /// The kept files of each of `works` that has any.
    pub async fn media_of_works(&self, works: &[WorkId]) -> Result<HashMap<WorkId, Vec<Media>>> {
        let mut found: HashMap<WorkId, Vec<Media>> = HashMap::new();
        for chunk in works.chunks(500) {
            let sql = format!(
                "SELECT {MEDIA_COLUMNS} FROM media WHERE work_id IN ({}) ORDER BY created_at, id",
                crate::placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for work in chunk {
                query = query.bind(*work);
            }
            for row in query.fetch_all(&self.pool).await? {
                let media = media_of_row(&row)?;
                found.entry(media.work).or_default().push(media);
            }
        }
        Ok(found)
    }

    /// The files counted against `user`'s allowance.
    pub async fn media_of_user(&self, user: UserId) -> Result<Vec<Media>> {
        let sql = format!("SELECT {MEDIA_COLUMNS} FROM media WHERE user_id = $1");
        sqlx::query(&sql)
            .bind(user)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(media_of_row)
            .collect()
    }

    /// Bytes of media counted against `user`'s allowance.
    pub async fn media_bytes_of(&self, user: UserId) -> Result<u64> {
        let used: i64 = sqlx::query(USED_BYTES)
            .bind(user)
            .fetch_one(&self.pool)
            .await?
            .try_get("used")?;
        Ok(u64::try_from(used).unwrap_or(0))
    }

    /// Which of the files named by `shas` some row still names.
    pub async fn media_files_named(&self, shas: &[String]) -> Result<HashSet<String>> {
        let mut named = HashSet::new();
        for chunk in shas.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT sha256 FROM media WHERE sha256 IN ({})",
                crate::placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for sha in chunk {
                query = query.bind(sha);
            }
            for row in query.fetch_all(&self.pool).await? {
                named.insert(row.try_get("sha256")?);
            }
        }
        Ok(named)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
        });
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgba8(picture)
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    fn upload(dir: &Path, bytes: &[u8]) -> PathBuf {
        let path = dir.join(new_media_id());
        std::fs::write(&path, bytes).expect("write");
        path
    }

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-media-{}", new_media_id()));
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[test]
    fn formats_are_known_by_their_bytes_not_their_names() {
        assert_eq!(MediaFormat::sniff(&png(2, 2)), Some(MediaFormat::Png));
        assert_eq!(
            MediaFormat::sniff(b"ID3\x04\x00\x00\x00\x00\x00\x00"),
            Some(MediaFormat::Mp3)
        );
        assert_eq!(
            MediaFormat::sniff(b"RIFF\x24\x00\x00\x00WAVEfmt "),
            Some(MediaFormat::Wav)
        );
        assert_eq!(
            MediaFormat::sniff(b"fLaC\x00\x00\x00\x22"),
            Some(MediaFormat::Flac)
        );
        assert_eq!(MediaFormat::sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(MediaFormat::sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(MediaFormat::sniff(b"PK\x03\x04"), None);
        for format in MediaFormat::ALL {
            assert_eq!(
                MediaFormat::from_extension(format.extension()),
                Some(format)
            );
        }
    }

    #[test]
    fn a_picture_is_written_anew_with_nothing_beside_its_pixels() {
        let dir = temp_dir();
        // A PNG with a script after its end, and EXIF-like text in a chunk
        // decoders skip: neither survives.
        let mut polyglot = png(900, 300);
        polyglot.extend_from_slice(b"<SCRIPT>alert('polyglot')</script>PK\x03\x04");
        assert_eq!(
            prepare(
                &upload(&dir, &polyglot),
                "cute.png",
                &MediaLimits::default()
            )
            .map(|p| p.name),
            Err(MediaError::CarriesMore {
                name: "cute.png".into()
            })
        );
        // A page hidden across the seam of two pieces of a recording.
        let mut scan = MarkupScan::default();
        scan.feed(b"ID3....<scr");
        scan.feed(b"ipt>x");
        assert!(scan.found);
        // What is kept of a picture is only ever quire's own encoding:
        // trailing bytes that say nothing go with the rest.
        let mut trailing = png(900, 300);
        trailing.extend_from_slice(b"camera maker's trailer");
        let path = upload(&dir, &trailing);
        let prepared = prepare(
            &path,
            "../../etc/drawing final!.webp.png",
            &MediaLimits::default(),
        )
        .expect("a picture");
        assert_eq!(prepared.format, MediaFormat::Png);
        assert_eq!(prepared.name, "drawing-final-.webp.png");
        assert_eq!((prepared.width, prepared.height), (Some(900), Some(300)));
        assert_eq!(prepared.sizes(), vec![320, 800]);
        let store = MediaStore::new(dir.join("media"));
        store.keep_on_disk(&prepared).expect("kept");
        let kept =
            std::fs::read(store.path(&prepared.sha256, prepared.format, None)).expect("read");
        assert!(
            !kept.windows(7).any(|w| w == b"trailer"),
            "the trailer rode along"
        );
        assert_eq!(sha256_hex(&kept), prepared.sha256);
        let small = image::load_from_memory(
            &std::fs::read(store.path(&prepared.sha256, prepared.format, Some(320))).expect("read"),
        )
        .expect("decodes");
        assert_eq!((small.width(), small.height()), (320, 107));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_jpeg_loses_its_exif_and_stands_upright() {
        use image::ImageEncoder;
        let dir = temp_dir();
        // 4 × 2 pixels, orientation 6 (turned a quarter clockwise), and a
        // GPS-like text in the EXIF block.
        let mut jpeg = Cursor::new(Vec::new());
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90);
        let mut exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00".to_vec();
        exif.extend_from_slice(b"GPS 51.5007N 0.1246W");
        encoder.set_exif_metadata(exif[6..].to_vec()).expect("exif");
        image::DynamicImage::ImageRgb8(image::RgbImage::new(4, 2))
            .write_with_encoder(encoder)
            .expect("encode");
        let original = jpeg.into_inner();
        assert!(original.windows(3).any(|w| w == b"GPS"));
        let prepared = prepare(
            &upload(&dir, &original),
            "photo.jpg",
            &MediaLimits::default(),
        )
        .expect("ok");
        assert_eq!(prepared.format, MediaFormat::Jpeg);
        assert_eq!(
            (prepared.width, prepared.height),
            (Some(2), Some(4)),
            "turned upright"
        );
        let PreparedBody::Image { encoded, .. } = &prepared.body else {
            panic!("a picture");
        };
        assert!(!encoded.windows(3).any(|w| w == b"GPS"), "EXIF kept");
        assert!(!encoded.windows(4).any(|w| w == b"Exif"), "EXIF kept");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_picture_claiming_a_huge_canvas_is_refused_before_it_is_decoded() {
        let dir = temp_dir();
        // A real PNG header for 100,000 × 100,000 pixels (40 GB decoded)
        // in a file of a few hundred bytes: a decompression bomb.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32fast::hash(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let refused = prepare(&upload(&dir, &bomb), "bomb.png", &MediaLimits::default())
            .expect_err("refused");
        assert!(
            matches!(refused, MediaError::TooManyPixels { .. }),
            "{refused:?}"
        );
        assert!(
            refused.to_string().contains("save a smaller copy"),
            "{refused}"
        );

        let html = prepare(
            &upload(&dir, b"<!doctype html><script>x</script>"),
            "a.png",
            &MediaLimits::default(),
        )
        .expect_err("refused");
        assert_eq!(
            html,
            MediaError::NotMedia {
                name: "a.png".into()
            }
        );

        let truncated = &png(50, 50)[..60];
        let damaged = prepare(&upload(&dir, truncated), "cut.png", &MediaLimits::default())
            .expect_err("refused");
        assert!(matches!(damaged, MediaError::Damaged { .. }), "{damaged:?}");

        let small = MediaLimits {
            image_bytes: 100,
            ..MediaLimits::default()
        };
        let large = prepare(&upload(&dir, &png(64, 64)), "big.png", &small).expect_err("refused");
        assert!(
            matches!(
                large,
                MediaError::TooLarge {
                    noun: "picture",
                    ..
                }
            ),
            "{large:?}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn lists_show_an_uploaded_picture_by_its_small_copy() {
        assert_eq!(
            thumbnail_address("/media/ab12/fox.png").as_deref(),
            Some("/media/ab12/w320/fox.png")
        );
        assert_eq!(
            thumbnail_address("/media/ab12/w800/fox.png").as_deref(),
            Some("/media/ab12/w320/fox.png")
        );
        assert_eq!(thumbnail_address("https://art.example/fox.png"), None);
        assert_eq!(thumbnail_address("/media/ab12/w320/fox.png"), None);
    }

    #[test]
    fn file_names_shown_to_readers_carry_nothing_but_a_name() {
        assert_eq!(clean_name("C:\\Users\\me\\My Art.png"), "My-Art.png");
        assert_eq!(clean_name("\"><script>.png"), "script-.png");
        assert_eq!(clean_name("..."), "upload");
        assert_eq!(clean_name("читать.mp3"), "читать.mp3");
        assert_eq!(with_extension("art.webp", MediaFormat::Png), "art.png");
        assert_eq!(with_extension("noext", MediaFormat::Jpeg), "noext.jpg");
    }
}
