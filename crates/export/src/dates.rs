//! Unix seconds as the calendar dates a preface and an OPF write, without
//! a date library: days to the civil calendar after Howard Hinnant's
//! algorithm (the inverse of `quire_archive::date_to_unix`).

/// Year, month, day, hour, minute, second (UTC).
pub(crate) struct Civil {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

pub(crate) fn civil(unix: i64) -> Civil {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        // Each is in range by construction (1..=12, 1..=31, below 60).
        month: month as u8,
        day: day as u8,
        hour: (secs / 3_600) as u8,
        minute: (secs % 3_600 / 60) as u8,
        second: (secs % 60) as u8,
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn date(unix: i64) -> String {
    let c = civil(unix);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `YYYY-MM-DDThh:mm:ssZ`, the form `dcterms:modified` requires.
pub(crate) fn timestamp(unix: i64) -> String {
    let c = civil(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_the_archive() {
        for day in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "2026-11-28",
            "1969-07-20",
        ] {
            let unix = quire_archive::date_to_unix(day).unwrap();
            assert_eq!(date(unix), day);
        }
        assert_eq!(timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
