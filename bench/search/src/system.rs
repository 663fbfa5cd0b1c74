//! The machine, the process and the clock: what the report says about
//! where and when it ran.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `model name` from /proc/cpuinfo and the number of processors.
pub fn machine() -> (String, usize) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count()
        .max(1);
    (model, cores)
}

/// A field of /proc/meminfo or /proc/self/status, in bytes (the kernel
/// writes kB).
fn proc_kb(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line
        .trim_start_matches(key)
        .trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

pub fn memory_total() -> Option<u64> {
    proc_kb("/proc/meminfo", "MemTotal")
}

/// The process's resident set now and at its peak (`VmRSS`, `VmHWM`), and
/// now split into heap and the like (`RssAnon`) and mapped files
/// (`RssFile`: the index's pages that searches touched).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rss {
    pub now: u64,
    pub peak: u64,
    pub anon: u64,
    pub file: u64,
}

pub fn rss() -> Rss {
    let field = |key| proc_kb("/proc/self/status", key).unwrap_or(0);
    Rss {
        now: field("VmRSS"),
        peak: field("VmHWM"),
        anon: field("RssAnon"),
        file: field("RssFile"),
    }
}

impl Rss {
    pub fn describe(&self) -> String {
        format!(
            "VmRSS {} (anonymous {}, mapped files {})",
            mib(self.now),
            mib(self.anon),
            mib(self.file)
        )
    }
}

/// The 1-minute load average.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Bytes of every file under `path` (0 if there is nothing).
pub fn dir_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| dir_size(&e.path()))
        .sum()
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_days(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD` (1970 or later) as Unix seconds at midnight UTC.
pub fn date_to_unix(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if year < 1970 || !(1..=12).contains(&month) || day < 1 || day > month_days(year, month) {
        return None;
    }
    let mut days = day - 1;
    days += (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum::<i64>();
    days += (1..month).map(|m| month_days(year, m)).sum::<i64>();
    Some(days * 86_400)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let mut days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let mut year = 1970;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let mut month = 1;
    while days >= month_days(year, month) {
        days -= month_days(year, month);
        month += 1;
    }
    format!("{year:04}-{month:02}-{:02}", days + 1)
}

pub fn mib(bytes: u64) -> String {
    let mib = bytes as f64 / (1024.0 * 1024.0);
    if mib >= 1024.0 {
        format!("{:.2} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 100.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_to_unix("1970-01-01"), Some(0));
        assert_eq!(date_to_unix("2024-02-29"), Some(19_782 * 86_400));
        assert_eq!(date_to_unix("2023-02-29"), None);
        assert_eq!(today().len(), 10);
    }
}
