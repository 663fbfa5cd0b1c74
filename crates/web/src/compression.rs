//! Pages compressed as browsers ask for them, with the reader's form token
//! never compressed.
//!
//! A page is cut where its secret (the reader's form token) goes. Each
//! piece is compressed on its own, as a stream that refers to nothing
//! before it, and a reader's answer is the pieces with the token between
//! them as uncompressed blocks of the same format. So a kept page is
//! compressed once and each reader's copy is put together without
//! compressing anything, and the answer's length never depends on the
//! token: an attacker who makes a browser send guesses (BREACH) learns
//! nothing from how well a page compressed.
//!
//! flate2 and brotli do the compressing; what is written here is only the
//! framing between the pieces, which no crate offers: a gzip header and
//! trailer (with the pieces' CRC-32s combined), deflate stored blocks, and
//! brotli's window-size header, metadata and uncompressed meta-blocks
//! (RFC 1951 §3.2.4, RFC 1952 §2.3, RFC 7932 §9.2).

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::visitor::Visitor;

/// A content coding quire sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

/// The codings quire offers, best first: on equal `q`, the smaller answer.
const OFFERED: [Coding; 3] = [Coding::Brotli, Coding::Gzip, Coding::Identity];

impl Coding {
    /// Its name in `Content-Encoding`; `None` for identity, which is sent
    /// without the header.
    pub fn header_value(self) -> Option<HeaderValue> {
        match self {
            Coding::Brotli => Some(HeaderValue::from_static("br")),
            Coding::Gzip => Some(HeaderValue::from_static("gzip")),
            Coding::Identity => None,
        }
    }

    /// A short name that tells the forms' ETags apart.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Coding::Brotli => "-br",
            Coding::Gzip => "-gz",
            Coding::Identity => "",
        }
    }

    fn named(name: &str) -> Option<Coding> {
        if name.eq_ignore_ascii_case("br") {
            Some(Coding::Brotli)
        } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            Some(Coding::Gzip)
        } else if name.eq_ignore_ascii_case("identity") {
            Some(Coding::Identity)
        } else {
            None
        }
    }
}

/// A `q` value as RFC 9110 §12.4.2 writes it, in thousandths; `None` when
/// it isn't one (the whole entry is then ignored).
fn weight(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |sum, digit| sum * 10 + u16::from(digit - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Which coding to answer in, by RFC 9110 §12.5.3: the one the client
/// weighs highest (an entry of its own before `*`), the smaller on a tie;
/// no `Accept-Encoding` at all means identity. `None` when the client
/// refuses every coding quire has, identity included.
pub fn negotiate(asked: &HeaderMap) -> Option<Coding> {
    let mut lines = asked.get_all(header::ACCEPT_ENCODING).iter().peekable();
    if lines.peek().is_none() {
        return Some(Coding::Identity);
    }
    // Weight per offered coding as named, and of `*`.
    let mut named: [Option<u16>; 3] = [None; 3];
    let mut any: Option<u16> = None;
    for line in lines {
        let Ok(line) = line.to_str() else {
            continue;
        };
        for entry in line.split(',') {
            let mut parts = entry.split(';');
            let name = parts.next().unwrap_or("").trim();
            if name.is_empty() {
                continue;
            }
            let mut q = Some(1000);
            for parameter in parts {
                let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
                if key.trim().eq_ignore_ascii_case("q") {
                    q = weight(value.trim());
                }
            }
            let Some(q) = q else {
                continue;
            };
            if name == "*" {
                any = Some(any.map_or(q, |was| was.max(q)));
            } else if let Some(coding) = Coding::named(name) {
                let at = OFFERED.iter().position(|c| *c == coding).unwrap_or(0);
                named[at] = Some(named[at].map_or(q, |was| was.max(q)));
            }
        }
    }
    let mut best: Option<(u16, Coding)> = None;
    for (at, coding) in OFFERED.iter().enumerate() {
        let q = match (named[at], any, coding) {
            (Some(q), _, _) => q,
            (None, Some(q), _) => q,
            // Identity is acceptable unless refused by name or by `*`.
            (None, None, Coding::Identity) => 1,
            (None, None, _) => 0,
        };
        if q > 0 && best.is_none_or(|(best_q, _)| q > best_q) {
            best = Some((q, *coding));
        }
    }
    best.map(|(_, coding)| coding)
}

/// How hard to compress: once for a page many readers will be sent, or
/// for one answer while its reader waits. The levels were chosen by
/// measurement (`bench/compression`, in `bench/RESULTS.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// A kept page or a built-in file: compressed once, sent many times.
    Once,
    /// A page drawn for one reader.
    PerAnswer,
}

/// Brotli's quality and gzip's level for an answer drawn for one reader:
/// 0.15–0.4 ms on a work page or a listing, within 3 % of gzip -6's size.
const PER_ANSWER: u32 = 4;
/// The same level for what tower-http compresses (feeds, the API).
pub const PER_ANSWER_LEVEL: tower_http::CompressionLevel =
    tower_http::CompressionLevel::Precise(PER_ANSWER as i32);

impl Effort {
    /// Brotli's quality (0–11) or gzip's level (1–9).
    fn level(self, coding: Coding) -> u32 {
        match (self, coding) {
            // Within 1 ms on a 15 KB work page or a 72 KB listing, 10–11 % smaller
            // than gzip; 9 costs 7–9 ms on the same pages for under 1 % more.
            (Effort::Once, Coding::Brotli) => 8,
            (Effort::Once, _) => 9,
            (Effort::PerAnswer, _) => PER_ANSWER,
        }
    }
}

/// One piece of a page, compressed in one coding on its own.
#[derive(Clone)]
struct Piece {
    /// A deflate or brotli stretch that ends on a byte and refers to
    /// nothing before it; empty for an empty piece.
    bytes: Bytes,
    /// For gzip: the CRC-32 of the piece's text, with its length.
    crc: crc32fast::Hasher,
    /// The piece's length before compressing.
    text_len: u64,
}

/// A page cut where its secret goes, in one coding.
#[derive(Clone)]
pub struct Compressed {
    coding: Coding,
    pieces: Vec<Piece>,
    /// Brotli: the window every piece fits in, declared in the header.
    window_bits: u32,
}

/// The brotli window (in bits, 18–24) that holds `len` bytes. Never
/// smaller than 18: at qualities 5–9 a window of 16 bits makes brotli use
/// a hasher that costs milliseconds to set up (8.8 ms instead of 0.7 ms
/// for a 15 KB page, measured with `examples/compression_levels.rs`).
fn brotli_window_bits(len: usize) -> u32 {
    let mut bits = 18;
    while bits < 24 && (1usize << bits) - 16 < len {
        bits += 1;
    }
    bits
}

impl Compressed {
    /// Compresses each piece of `pieces` in `coding` (gzip or brotli).
    pub fn new(pieces: &[Bytes], coding: Coding, effort: Effort) -> Compressed {
        Compressed::at_level(pieces, coding, effort.level(coding))
    }

    /// As [`Compressed::new`], at brotli's quality or gzip's level `level`
    /// (for measuring which to choose).
    pub fn at_level(pieces: &[Bytes], coding: Coding, level: u32) -> Compressed {
        let longest = pieces.iter().map(Bytes::len).max().unwrap_or(0);
        let window_bits = brotli_window_bits(longest);
        let pieces = pieces
            .iter()
            .map(|text| {
                let mut crc = crc32fast::Hasher::new();
                if coding == Coding::Gzip {
                    crc.update(text);
                }
                let bytes = if text.is_empty() {
                    Bytes::new()
                } else {
                    match coding {
                        Coding::Gzip => deflate_piece(text, level),
                        Coding::Brotli => brotli_piece(text, level, window_bits),
                        Coding::Identity => text.clone(),
                    }
                };
                Piece {
                    bytes,
                    crc,
                    text_len: text.len() as u64,
                }
            })
            .collect();
        Compressed {
            coding,
            pieces,
            window_bits,
        }
    }

    pub fn coding(&self) -> Coding {
        self.coding
    }

    /// The bytes it holds.
    pub fn held_bytes(&self) -> usize {
        self.pieces.iter().map(|p| p.bytes.len()).sum()
    }

    /// One reader's answer: the pieces with `secret` between each two, as
    /// frames to send one after another without copying the pieces.
    pub fn frames(&self, secret: &[u8]) -> Vec<Bytes> {
        let mut frames = Vec::with_capacity(self.pieces.len() * 2 + 2);
        match self.coding {
            Coding::Identity => {
                for (at, piece) in self.pieces.iter().enumerate() {
                    if at > 0 && !secret.is_empty() {
                        frames.push(Bytes::copy_from_slice(secret));
                    }
                    frames.push(piece.bytes.clone());
                }
            }
            Coding::Gzip => {
                // Magic, deflate, no flags, no time, no extra flags, OS unknown.
                frames.push(Bytes::from_static(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]));
                let mut crc = crc32fast::Hasher::new();
                let mut text_len: u64 = 0;
                let mut secret_crc = crc32fast::Hasher::new();
                secret_crc.update(secret);
                for (at, piece) in self.pieces.iter().enumerate() {
                    if at > 0 && !secret.is_empty() {
                        frames.push(deflate_stored(secret));
                        crc.combine(&secret_crc);
                        text_len += secret.len() as u64;
                    }
                    frames.push(piece.bytes.clone());
                    crc.combine(&piece.crc);
                    text_len += piece.text_len;
                }
                let mut end = Vec::with_capacity(13);
                // The last block: final, stored, empty.
                end.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
                end.extend_from_slice(&crc.finalize().to_le_bytes());
                end.extend_from_slice(&(text_len as u32).to_le_bytes());
                frames.push(Bytes::from(end));
            }
            Coding::Brotli => {
                frames.push(brotli_header(self.window_bits));
                for (at, piece) in self.pieces.iter().enumerate() {
                    if at > 0 && !secret.is_empty() {
                        frames.push(brotli_uncompressed(secret));
                    }
                    frames.push(piece.bytes.clone());
                }
                // ISLAST, ISLASTEMPTY.
                frames.push(Bytes::from_static(&[0b11]));
            }
        }
        frames.retain(|frame| !frame.is_empty());
        frames
    }
}

/// A piece as raw deflate, ended by a sync flush: byte-aligned, not final,
/// and (from a compressor of its own) referring to nothing before it.
fn deflate_piece(text: &[u8], level: u32) -> Bytes {
    let mut compressor = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(text.len() / 3 + 64),
        flate2::Compression::new(level.clamp(1, 9)),
    );
    // Writing to a Vec can't fail.
    let _ = compressor.write_all(text);
    let _ = compressor.flush();
    // Not `finish`, which would add the final block.
    Bytes::from(std::mem::take(compressor.get_mut()))
}

/// `text` as deflate stored blocks (not final), at most 65,535 bytes each.
fn deflate_stored(text: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(text.len() + 5);
    for chunk in text.chunks(65_535) {
        let len = chunk.len() as u16;
        out.push(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    Bytes::from(out)
}

/// A piece as brotli meta-blocks without a stream header or last block,
/// byte-aligned at both ends, using no static dictionary and no distance
/// from before it: brotli's "catable" streams, made to be joined.
fn brotli_piece(text: &[u8], level: u32, window_bits: u32) -> Bytes {
    let params = brotli::enc::BrotliEncoderParams {
        quality: level.min(11) as i32,
        lgwin: window_bits as i32,
        size_hint: text.len(),
        mode: brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_TEXT,
        catable: true,
        bare_stream: true,
        byte_align: true,
        appendable: true,
        use_dictionary: false,
        ..Default::default()
    };
    let mut out = Vec::with_capacity(text.len() / 3 + 64);
    let mut input = text;
    // Reading a slice and writing to a Vec can't fail.
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    Bytes::from(out)
}

/// Writes bits least significant first, as brotli reads them.
struct Bits {
    out: Vec<u8>,
    used: u32,
}

impl Bits {
    fn new() -> Bits {
        Bits {
            out: Vec::new(),
            used: 0,
        }
    }

    fn put(&mut self, value: u32, count: u32) {
        for bit in 0..count {
            if self.used.is_multiple_of(8) {
                self.out.push(0);
            }
            if (value >> bit) & 1 == 1 {
                if let Some(last) = self.out.last_mut() {
                    *last |= 1 << (self.used % 8);
                }
            }
            self.used += 1;
        }
    }

    /// Pads with zeros to the next byte.
    fn bytes(self) -> Vec<u8> {
        self.out
    }
}

/// A brotli stream's start: its window size, then an empty metadata
/// meta-block that pads to a byte, where the first piece begins.
fn brotli_header(window_bits: u32) -> Bytes {
    let mut bits = Bits::new();
    match window_bits {
        16 => bits.put(0, 1),
        17 => bits.put(0b000_0001, 7),
        _ => bits.put(((window_bits - 17) << 1) | 1, 4),
    }
    // ISLAST = 0, MNIBBLES = 0 (code 3: metadata), reserved 0, MSKIPBYTES = 0.
    bits.put(0, 1);
    bits.put(3, 2);
    bits.put(0, 1);
    bits.put(0, 2);
    Bytes::from(bits.bytes())
}

/// `text` as uncompressed brotli meta-blocks (not last) of at most 65,536
/// bytes, each starting and ending on a byte.
fn brotli_uncompressed(text: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(text.len() + 3);
    for chunk in text.chunks(65_536) {
        let mut bits = Bits::new();
        // ISLAST = 0, MNIBBLES = 4 (code 0), MLEN - 1, ISUNCOMPRESSED = 1.
        bits.put(0, 1);
        bits.put(0, 2);
        bits.put(chunk.len() as u32 - 1, 16);
        bits.put(1, 1);
        out.extend_from_slice(&bits.bytes());
        out.extend_from_slice(chunk);
    }
    Bytes::from(out)
}

/// A body whose frames are known in advance, with its exact length.
pub struct Frames {
    frames: std::vec::IntoIter<Bytes>,
    left: u64,
}

impl Frames {
    pub fn new(frames: Vec<Bytes>) -> Frames {
        let left = frames.iter().map(|f| f.len() as u64).sum();
        Frames {
            frames: frames.into_iter(),
            left,
        }
    }
}

impl axum::body::HttpBody for Frames {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let next = self.frames.next();
        if let Some(frame) = &next {
            self.left -= frame.len() as u64;
        }
        std::task::Poll::Ready(next.map(|frame| Ok(http_body::Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

/// Cuts `text` wherever `secret` is.
pub fn cut_at(bytes: &Bytes, secret: &str) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut start = 0;
    if let (false, Ok(text)) = (secret.is_empty(), std::str::from_utf8(bytes)) {
        for (at, _) in text.match_indices(secret) {
            pieces.push(bytes.slice(start..at));
            start = at + secret.len();
        }
    }
    pieces.push(bytes.slice(start..));
    pieces
}

/// The answer to a client that refuses every coding quire has.
pub fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        [(header::VARY, "Accept-Encoding")],
        "This page can be sent as it is, or compressed with gzip or brotli, \
         and your browser asked for none of these. Allow one of them \
         (Accept-Encoding) and try again.",
    )
        .into_response()
}

/// The longest page drawn for one reader that is compressed here; longer
/// ones go as they are.
const LONGEST_COMPRESSED: usize = 16 * 1024 * 1024;

/// Compresses an HTML page drawn for one reader (a member's page, a form),
/// around their form token, at the per-answer level. Kept pages, already
/// in the reader's coding (`Content-Encoding` set), and anything not HTML
/// pass as they are: the latter are compressed by tower-http's layer
/// further out.
pub async fn pages_layer(request: Request, next: Next) -> Response {
    let asked = negotiate(request.headers());
    let revalidating = request.headers().clone();
    let secret = request
        .extensions()
        .get::<Visitor>()
        .map(|visitor| visitor.csrf.clone())
        .unwrap_or_default();
    let response = next.run(request).await;
    let headers = response.headers();
    let html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let known_length = axum::body::HttpBody::size_hint(response.body())
        .upper()
        .filter(|len| *len <= LONGEST_COMPRESSED as u64);
    if !html
        || headers.contains_key(header::CONTENT_ENCODING)
        || response.status() == StatusCode::NOT_MODIFIED
    {
        return response;
    }
    let Some(coding) = asked else {
        return not_acceptable();
    };
    let (Coding::Gzip | Coding::Brotli, Some(_)) = (coding, known_length) else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LONGEST_COMPRESSED).await else {
        tracing::warn!("a drawn page couldn't be read back to compress it");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "This page couldn't be sent. Please reload it.",
        )
            .into_response();
    };
    let headers = &mut parts.headers;
    headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    // Each form is a representation of its own, with an ETag of its own;
    // a client revalidating that form sends it back, which the handler,
    // knowing only the plain page's, can't match: it is matched here.
    let form_etag = headers
        .get(header::ETAG)
        .and_then(|e| e.to_str().ok())
        .and_then(|etag| etag.strip_suffix('"'))
        .map(|inner| format!("{inner}{}\"", coding.etag_suffix()));
    if let Some(etag) = form_etag {
        let fresh = crate::pages::etag_matches(&revalidating, &etag) == Some(true);
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
        if fresh {
            headers.remove(header::CONTENT_TYPE);
            headers.remove(header::CONTENT_LENGTH);
            parts.status = StatusCode::NOT_MODIFIED;
            return Response::from_parts(parts, Body::empty());
        }
    }
    let pieces = cut_at(&bytes, &secret);
    let compressed = if bytes.len() > 64 * 1024 {
        // Long enough to hold up other readers' answers on this thread.
        let coding_then = coding;
        tokio::task::spawn_blocking(move || {
            Compressed::new(&pieces, coding_then, Effort::PerAnswer)
        })
        .await
        .ok()
    } else {
        Some(Compressed::new(&pieces, coding, Effort::PerAnswer))
    };
    let Some(compressed) = compressed else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let headers = &mut parts.headers;
    headers.remove(header::CONTENT_LENGTH);
    if let Some(name) = coding.header_value() {
        headers.insert(header::CONTENT_ENCODING, name);
    }
    Response::from_parts(
        parts,
        Body::new(Frames::new(compressed.frames(secret.as_bytes()))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Read;

    fn asked(line: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(line) {
            headers.insert(header::ACCEPT_ENCODING, value);
        }
        headers
    }

    /// What real clients send, and what each is answered in.
    #[test]
    fn each_client_gets_the_coding_it_asks_for() {
        use Coding::*;
        let table: &[(&str, &str, Option<Coding>)] = &[
            (
                "Chrome, Edge, Firefox",
                "gzip, deflate, br, zstd",
                Some(Brotli),
            ),
            ("Safari", "gzip, deflate, br", Some(Brotli)),
            ("an older Firefox", "gzip, deflate", Some(Gzip)),
            ("curl --compressed", "deflate, gzip, br, zstd", Some(Brotli)),
            ("Go's net/http (many feed readers)", "gzip", Some(Gzip)),
            ("Python requests", "gzip, deflate", Some(Gzip)),
            ("KOReader's OPDS browser (LuaSocket)", "", Some(Identity)),
            ("Googlebot", "gzip, deflate, br", Some(Brotli)),
            ("prefers gzip by weight", "br;q=0.5, gzip;q=0.8", Some(Gzip)),
            ("refuses brotli", "br;q=0, *", Some(Gzip)),
            ("anything", "*", Some(Brotli)),
            (
                "anything but identity",
                "*;q=0.5, identity;q=0",
                Some(Brotli),
            ),
            ("identity only", "identity", Some(Identity)),
            (
                "identity refused, nothing else known",
                "zstd, identity;q=0",
                None,
            ),
            ("everything refused", "*;q=0", None),
            (
                "only unknown codings: identity stays acceptable",
                "zstd, compress",
                Some(Identity),
            ),
            ("names in capitals", "GZIP, X-GZIP", Some(Gzip)),
            (
                "q with spaces and three decimals",
                "br ; q = 0.001, gzip;q=0.002",
                Some(Gzip),
            ),
            ("a malformed q is ignored", "br;q=2, gzip", Some(Gzip)),
            ("q=1.000", "br;q=1.000", Some(Brotli)),
        ];
        for (client, line, want) in table {
            assert_eq!(negotiate(&asked(line)), *want, "{client}: {line:?}");
        }
        assert_eq!(negotiate(&HeaderMap::new()), Some(Identity), "no header");
        // Two header lines count as one list.
        let mut two = asked("identity;q=0");
        two.append(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        assert_eq!(negotiate(&two), Some(Gzip));
    }

    fn decompressed(coding: Coding, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match coding {
            Coding::Identity => out.extend_from_slice(body),
            Coding::Gzip => {
                // MultiGzDecoder would hide a second member; one is expected.
                let mut reader = flate2::read::GzDecoder::new(body);
                reader.read_to_end(&mut out).expect("valid gzip");
                assert_eq!(reader.into_inner().len(), 0, "nothing after the member");
            }
            Coding::Brotli => {
                brotli::Decompressor::new(body, 4096)
                    .read_to_end(&mut out)
                    .expect("valid brotli");
            }
        }
        out
    }

    fn answer(page: &str, secret: &str, coding: Coding, effort: Effort) -> Vec<u8> {
        let bytes = Bytes::from(page.to_string());
        let compressed = Compressed::new(&cut_at(&bytes, secret), coding, effort);
        compressed.frames(secret.as_bytes()).concat()
    }

    const PAGE: &str = "<form><input name=csrf value=SECRET></form><p>Some text that repeats, \
        some text that repeats.</p><form><input value=SECRET></form>SECRET";

    #[test]
    fn every_form_decompresses_to_the_page_with_the_readers_token() {
        for coding in OFFERED {
            for effort in [Effort::Once, Effort::PerAnswer] {
                let body = answer(PAGE, "SECRET", coding, effort);
                assert_eq!(decompressed(coding, &body), PAGE.as_bytes(), "{coding:?}");
            }
        }
    }

    /// BREACH: the answer's length, and every byte outside the token,
    /// are the same whatever the token is.
    #[test]
    fn the_token_never_changes_the_rest_of_the_answer() {
        for coding in [Coding::Gzip, Coding::Brotli] {
            let bytes = Bytes::from_static(b"<a>q=aaaa</a><input value=\x00><p>aaaa aaaa</p>");
            let compressed = Compressed::new(&cut_at(&bytes, "\x00"), coding, Effort::Once);
            let one: Vec<u8> = compressed.frames(b"aaaaaaaaaaaaaaaa").concat();
            let other: Vec<u8> = compressed.frames(b"3f9c0d1e7a2b4c6d").concat();
            assert_eq!(one.len(), other.len(), "{coding:?}");
            let differing = one.iter().zip(&other).filter(|(a, b)| a != b).count();
            // Only the token's 16 bytes, and gzip's 4-byte CRC.
            assert!(differing <= 16 + 4, "{coding:?}: {differing} bytes differ");
        }
    }

    #[test]
    fn large_pages_and_long_secrets_cross_block_limits() {
        let text: String = (0..40_000)
            .map(|n| format!("word{} ", n % 997))
            .collect::<String>();
        let secret = "s".repeat(70_000);
        let page = format!("{text}{secret}{text}");
        for coding in OFFERED {
            let body = answer(&page, &secret, coding, Effort::PerAnswer);
            assert!(decompressed(coding, &body) == page.as_bytes(), "{coding:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any page, cut anywhere, with any token: each coding gives the
        /// page back byte for byte.
        #[test]
        fn any_page_with_any_token_comes_back_whole(
            parts in proptest::collection::vec(".{0,300}", 1..6),
            secret in "[0-9a-f]{1,80}",
        ) {
            let page = parts.join(&secret);
            for coding in OFFERED {
                let body = answer(&page, &secret, coding, Effort::PerAnswer);
                prop_assert_eq!(decompressed(coding, &body), page.as_bytes().to_vec());
            }
        }
    }

    #[test]
    fn brotli_windows_fit_the_longest_piece() {
        assert_eq!(brotli_window_bits(0), 18);
        assert_eq!(brotli_window_bits(262_128), 18);
        assert_eq!(brotli_window_bits(262_129), 19);
        assert_eq!(brotli_window_bits(usize::MAX), 24);
        for bits in 16..=24 {
            let body = [
                brotli_header(bits),
                brotli_uncompressed(b"abc"),
                Bytes::from_static(&[0b11]),
            ]
            .concat();
            assert_eq!(decompressed(Coding::Brotli, &body), b"abc", "{bits}");
        }
    }
}
