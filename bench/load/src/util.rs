//! Small shared pieces: a seeded generator, latency statistics, error
//! tallies, the journal of acknowledged writes and the options parser.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// xorshift64*: enough to pick pages and mixes, no crate needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// 0 ≤ n < bound.
    pub fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A value in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A run's own tag, so markers of two runs on one archive never meet.
pub fn run_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut n = (nanos as u64) ^ (std::process::id() as u64).rotate_left(32);
    // Letters only: one token for the search analyzer, no digits to split.
    let mut tag = String::new();
    for _ in 0..6 {
        tag.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    tag
}

/// Per kind of request: how many, how long each took.
#[derive(Debug, Default)]
pub struct Stats {
    pub latencies: BTreeMap<String, Vec<Duration>>,
    pub ok: BTreeMap<String, u64>,
    /// error kind → (count, an example)
    pub errors: BTreeMap<String, (u64, String)>,
}

impl Stats {
    pub fn record(&mut self, kind: &str, elapsed: Duration, ok: bool) {
        self.latencies
            .entry(kind.to_string())
            .or_default()
            .push(elapsed);
        if ok {
            *self.ok.entry(kind.to_string()).or_default() += 1;
        }
    }
    pub fn error(&mut self, what: String, example: String) {
        let entry = self.errors.entry(what).or_insert((0, example));
        entry.0 += 1;
    }
    pub fn merge(&mut self, other: Stats) {
        for (k, v) in other.latencies {
            self.latencies.entry(k).or_default().extend(v);
        }
        for (k, v) in other.ok {
            *self.ok.entry(k).or_default() += v;
        }
        for (k, (n, example)) in other.errors {
            let entry = self.errors.entry(k).or_insert((0, example));
            entry.0 += n;
        }
    }
    pub fn total(&self) -> usize {
        self.latencies.values().map(Vec::len).sum()
    }
    pub fn error_count(&self) -> u64 {
        self.errors.values().map(|(n, _)| n).sum()
    }

    pub fn print(&mut self, seconds: f64) {
        println!(
            "{:<16} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
            "kind", "requests", "ok", "req/s", "p50 ms", "p99 ms", "max ms"
        );
        let mut groups: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
        for (kind, lat) in &mut self.latencies {
            lat.sort();
            let group = kind.split(':').next().unwrap_or(kind).to_string();
            groups.entry(group).or_default().extend(lat.iter().copied());
            let ok = self.ok.get(kind).copied().unwrap_or(0);
            print_row(kind, lat, ok, seconds);
        }
        println!("{}", "-".repeat(76));
        for (group, mut lat) in groups {
            lat.sort();
            let ok = self
                .ok
                .iter()
                .filter(|(k, _)| k.split(':').next() == Some(group.as_str()))
                .map(|(_, v)| v)
                .sum();
            print_row(&format!("{group} (all)"), &lat, ok, seconds);
        }
        let mut all: Vec<Duration> = self.latencies.values().flatten().copied().collect();
        all.sort();
        let ok = self.ok.values().sum();
        print_row("ALL", &all, ok, seconds);
    }
}

fn print_row(kind: &str, lat: &[Duration], ok: u64, seconds: f64) {
    let q = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 - 1.0) * p).round() as usize;
        lat[i].as_secs_f64() * 1000.0
    };
    println!(
        "{:<16} {:>8} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
        kind,
        lat.len(),
        ok,
        lat.len() as f64 / seconds.max(1e-9),
        q(0.50),
        q(0.99),
        q(1.0)
    );
}

/// Acknowledged writes (and attempts whose outcome is unknown), one tab
/// separated line each: `KIND\tMARKER\tWORK\tEXTRA`. Lines are written
/// and flushed as they happen, so a killed server loses none of them.
pub struct Journal {
    file: Mutex<std::fs::File>,
}

impl Journal {
    pub fn append_to(path: &Path) -> Journal {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap_or_else(|e| panic!("cannot open the journal {}: {e}", path.display()));
        Journal {
            file: Mutex::new(file),
        }
    }
    pub fn write(&self, fields: &[&str]) {
        let line = fields.join("\t") + "\n";
        let mut file = self.file.lock().expect("journal lock");
        file.write_all(line.as_bytes()).expect("journal write");
        file.flush().expect("journal flush");
    }
}

/// One journal line.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: String,
    pub marker: String,
    pub work: i64,
    pub extra: String,
}

pub fn read_journal(path: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read the journal {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            Entry {
                kind: f.next().unwrap_or("").to_string(),
                marker: f.next().unwrap_or("").to_string(),
                work: f.next().and_then(|w| w.parse().ok()).unwrap_or(0),
                extra: f.next().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// `--name value` options.
pub struct Options {
    values: BTreeMap<String, String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Options {
        let mut values = BTreeMap::new();
        let mut i = 0;
        while i < args.len() {
            let name = args[i]
                .strip_prefix("--")
                .unwrap_or_else(|| die(&format!("unexpected argument `{}`", args[i])));
            let value = args
                .get(i + 1)
                .unwrap_or_else(|| die(&format!("--{name} needs a value")));
            values.insert(name.to_string(), value.clone());
            i += 2;
        }
        Options { values }
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
    pub fn required(&self, name: &str) -> &str {
        self.get(name)
            .unwrap_or_else(|| die(&format!("--{name} is required")))
    }
    pub fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.get(name) {
            None => default,
            Some(v) => v
                .parse()
                .unwrap_or_else(|_| die(&format!("--{name}: `{v}` is not a number"))),
        }
    }
    pub fn path(&self, name: &str) -> PathBuf {
        PathBuf::from(self.required(name))
    }
    pub fn base(&self) -> String {
        self.required("base").trim_end_matches('/').to_string()
    }
    /// `--accounts a:pw,b:pw` or `--accounts @FILE` (one name:password a line).
    pub fn accounts(&self) -> Vec<(String, String)> {
        let raw = self.required("accounts");
        let text = match raw.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .unwrap_or_else(|e| die(&format!("cannot read {file}: {e}"))),
            None => raw.replace(',', "\n"),
        };
        let accounts: Vec<(String, String)> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (name, pw) = l
                    .split_once(':')
                    .unwrap_or_else(|| die(&format!("`{l}` is not name:password")));
                (name.to_string(), pw.to_string())
            })
            .collect();
        if accounts.is_empty() {
            die("--accounts names no account");
        }
        accounts
    }
}

pub fn die(message: &str) -> ! {
    eprintln!("quire-load: {message}");
    std::process::exit(2)
}
