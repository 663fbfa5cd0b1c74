//! Following the change feed without losing a change committed late.
//!
//! Every write adds a row to `changes` in its own transaction, numbered when
//! the row is written and visible when the transaction commits. On
//! PostgreSQL transactions commit in any order, so number 41 can be seen
//! before 40: a hole, which is either a transaction still open or one that
//! rolled back. A [`FeedCursor`] hands on every change the first time it is
//! seen, holes or not, remembers the holes, and looks for them again on
//! every read; it moves past a hole only when the hole is filled or can no
//! longer be: every transaction that was running when the hole was first
//! seen has ended (PostgreSQL's snapshot `xmin` has passed the `xmax` of
//! then) and the number is still missing. SQLite runs one writer at a time
//! and commits in order, so a hole there never fills.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::{Archive, Backend, Change, Result};

/// Where a follower stands in the change feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedCursor {
    /// Every change up to here has been handed on, or never will exist.
    settled: i64,
    /// Changes past `settled` already handed on.
    seen: BTreeSet<i64>,
    /// Numbers past `settled` not seen yet, with the PostgreSQL snapshot's
    /// `xmax` when each was first found missing.
    holes: BTreeMap<i64, u64>,
}

impl FeedCursor {
    /// A cursor that has handed on every change up to `seq`.
    pub fn at(seq: i64) -> FeedCursor {
        FeedCursor {
            settled: seq,
            ..FeedCursor::default()
        }
    }

    /// Every change up to this one has been handed on (or never will
    /// exist): where a follower that stops may start again.
    pub fn settled(&self) -> i64 {
        self.settled
    }

    /// The last change handed on, holes or not.
    pub fn newest(&self) -> i64 {
        self.seen.last().copied().unwrap_or(self.settled)
    }

    /// Numbers still missing below the newest change seen.
    pub fn holes(&self) -> usize {
        self.holes.len()
    }
}

/// How far back from the end a new cursor looks for holes: a transaction
/// still open has taken a number among the last few thousand.
pub const END_WINDOW: i64 = 10_000;

/// Which transactions may still commit: PostgreSQL's current snapshot.
#[derive(Debug, Clone, Copy)]
struct Snapshot {
    /// The oldest transaction still running.
    xmin: u64,
    /// The first transaction id not yet given out.
    xmax: u64,
}

impl Archive {
    /// The changes `cursor` hasn't handed on yet, in the order of their
    /// numbers: new ones (at most `limit`) and holes that have filled since
    /// the last read.
    pub async fn read_feed(&self, cursor: &mut FeedCursor, limit: i64) -> Result<Vec<Change>> {
        // Taken before the read: a hole is known empty for good only if
        // everything that could fill it had ended before the read began.
        let before = self.snapshot().await?;
        let mut found = self.changes_numbered(cursor.holes.keys().copied()).await?;
        found.extend(self.changes_since(cursor.newest(), limit).await?);
        found.sort_by_key(|change| change.seq);
        found.dedup_by_key(|change| change.seq);
        // Taken after the read, when the read found new holes: whatever
        // holds one had its transaction id before the change past it
        // committed, so below this `xmax`. (A writer has its id before it
        // takes a number: `record_change`.)
        let mut expected = cursor.newest() + 1;
        let mut opens_holes = false;
        for change in &found {
            opens_holes |= change.seq > expected;
            expected = expected.max(change.seq + 1);
        }
        let after = if opens_holes {
            self.snapshot().await?
        } else {
            None
        };
        let mut fresh = Vec::with_capacity(found.len());
        let mut expected = cursor.newest() + 1;
        for change in found {
            for missing in expected..change.seq {
                if !cursor.seen.contains(&missing) {
                    cursor
                        .holes
                        .entry(missing)
                        .or_insert(after.map_or(0, |s| s.xmax));
                }
            }
            expected = expected.max(change.seq + 1);
            cursor.holes.remove(&change.seq);
            if change.seq > cursor.settled && cursor.seen.insert(change.seq) {
                fresh.push(change);
            }
        }
        // Past what has been handed on, and past holes that can't fill.
        loop {
            let next = cursor.settled + 1;
            if cursor.seen.remove(&next) {
                cursor.settled = next;
                continue;
            }
            let settled = match (cursor.holes.get(&next), before) {
                (Some(_), None) => true,
                (Some(&first_xmax), Some(before)) => before.xmin >= first_xmax,
                (None, _) => false,
            };
            if !settled {
                break;
            }
            cursor.holes.remove(&next);
            cursor.settled = next;
        }
        Ok(fresh)
    }

    /// A cursor at the end of the feed as it stands, for a follower that
    /// starts from what the store holds now (a new page cache, a rebuilt
    /// index): the changes already visible count as handed on, and
    /// numbers still missing among the last [`END_WINDOW`] are holes to
    /// watch, since a transaction still open may fill them.
    pub async fn feed_cursor_at_end(&self) -> Result<FeedCursor> {
        let newest = self.last_change_seq().await?;
        let mut cursor = FeedCursor::at((newest - END_WINDOW).max(0));
        while cursor.newest() < newest {
            if self.read_feed(&mut cursor, END_WINDOW).await?.is_empty() {
                break;
            }
        }
        Ok(cursor)
    }

    /// What identifies the feed up to change `seq`: the newest change at or
    /// below it (its number, time, and what it touched and how), `""` for
    /// an empty feed. An index records the mark of where it stands, so that
    /// it can tell a database that isn't the one it followed (another
    /// archive, a restored copy behind it or gone another way) from the one
    /// it did.
    pub async fn feed_mark(&self, seq: i64) -> Result<String> {
        let row = sqlx::query(
            "SELECT seq, at, entity, entity_id, kind FROM changes WHERE seq <= $1 \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(String::new());
        };
        Ok(format!(
            "{}:{}:{}:{}:{}",
            row.try_get::<i64, _>("seq")?,
            row.try_get::<i64, _>("at")?,
            row.try_get::<String, _>("entity")?,
            row.try_get::<i64, _>("entity_id")?,
            row.try_get::<String, _>("kind")?
        ))
    }

    /// This archive's identity: made once, kept in the store, the same for
    /// every node that serves it.
    pub async fn archive_id(&self) -> Result<String> {
        self.id
            .get_or_try_init(|| self.site_secret("archive-id"))
            .await
            .cloned()
    }

    /// PostgreSQL's snapshot; `None` on SQLite, whose holes never fill.
    async fn snapshot(&self) -> Result<Option<Snapshot>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS snapshot_xmin, \
             pg_snapshot_xmax(pg_current_snapshot())::text AS snapshot_xmax",
        )
        .fetch_one(&self.pool)
        .await?;
        let number = |text: String| text.parse::<u64>().unwrap_or(0);
        Ok(Some(Snapshot {
            xmin: number(row.try_get("snapshot_xmin")?),
            xmax: number(row.try_get("snapshot_xmax")?),
        }))
    }

    /// The changes with these numbers that exist now.
    async fn changes_numbered(&self, numbers: impl Iterator<Item = i64>) -> Result<Vec<Change>> {
        let numbers: Vec<i64> = numbers.collect();
        let mut found = Vec::new();
        for chunk in numbers.chunks(500) {
            let sql = format!(
                "SELECT seq, entity, entity_id, kind FROM changes WHERE seq IN ({}) ORDER BY seq",
                crate::placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for number in chunk {
                query = query.bind(*number);
            }
            for row in query.fetch_all(&self.pool).await? {
                found.push(Change {
                    seq: row.try_get("seq")?,
                    entity: row.try_get("entity")?,
                    entity_id: row.try_get("entity_id")?,
                    kind: row.try_get("kind")?,
                });
            }
        }
        Ok(found)
    }
}

impl Archive {
    /// The change feed after `seq`, oldest first.
    /// Changes after `seq`, oldest first, at most `limit`.
    pub async fn changes_since(&self, seq: i64, limit: i64) -> Result<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT seq, entity, entity_id, kind FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Change {
                    seq: r.try_get("seq")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    kind: r.try_get("kind")?,
                })
            })
            .collect()
    }
}
