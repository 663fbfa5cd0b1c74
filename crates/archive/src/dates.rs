//! Dates as the site shows them: the day, in UTC, written as AO3 writes
//! it (`2024-02-29`).

/// The UTC day of a moment given in Unix seconds, as `YYYY-MM-DD`.
pub fn day_of(unix_seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix_seconds) {
        Ok(moment) => moment.date().to_string(),
        // Only a damaged row holds a moment past the year 9999.
        Err(_) => "an unknown day".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_civil_dates() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(19_782 * 86_400), "2024-02-29");
        assert_eq!(day_of(19_782 * 86_400 + 86_399), "2024-02-29");
        assert_eq!(day_of(-1), "1969-12-31");
        assert_eq!(day_of(i64::MAX), "an unknown day");
    }
}
