//! Hits are counted without a database write per page view: views are
//! buffered in memory and written in one transaction every few seconds,
//! and once more when the server stops cleanly.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quire_archive::{guest_key, Archive, ArchiveError, Hit, WorkId};

use crate::visitor::Visitor;
use crate::App;

/// How often buffered hits are written: hit counts may lag this much.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Counts a view of a work by someone other than its creators: once per
/// reader per work per day, when the buffer is written.
pub fn count_view(app: &App, work: WorkId, visitor: &Visitor) {
    match &visitor.user {
        Some(user) => push(app, work, format!("user:{}", user.id)),
        None => count_guest_view(app, work, visitor.address),
    }
}

/// [`count_view`] for a guest, known only by their address.
pub fn count_guest_view(app: &App, work: WorkId, address: IpAddr) {
    push(app, work, guest_key(&app.guest_salt, &address.to_string()));
}

fn push(app: &App, work: WorkId, visitor_key: String) {
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64 / 86_400);
    app.hits.push(Hit {
        work,
        visitor_key,
        day: today,
    });
}

/// Views waiting to be written. A reader's views of a work on one day
/// count once, so a reader reloading a page adds nothing here: under load
/// the buffer holds one entry per reader and work, not one per request.
#[derive(Default, Debug)]
pub struct HitBuffer {
    pending: Mutex<HashSet<Hit>>,
}

impl HitBuffer {
    pub fn push(&self, hit: Hit) {
        // A poisoned lock only means another thread panicked mid-push; the
        // set itself is still whole.
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.insert(hit);
    }

    /// Views waiting to be written.
    pub fn len(&self) -> usize {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn take(&self) -> HashSet<Hit> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Writes what is buffered; on failure the hits go back in the buffer
    /// for the next round, so none is lost to a passing error.
    pub async fn flush(&self, archive: &Archive) -> Result<usize, ArchiveError> {
        let hits: Vec<Hit> = self.take().into_iter().collect();
        if hits.is_empty() {
            return Ok(0);
        }
        match archive.record_hits(&hits).await {
            Ok(counted) => Ok(counted),
            Err(err) => {
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                pending.extend(hits);
                Err(err)
            }
        }
    }

    /// Flushes every [`FLUSH_EVERY`] for as long as the server runs.
    pub fn spawn_flusher(self: &Arc<Self>, archive: Archive) {
        let buffer = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            loop {
                tick.tick().await;
                if let Err(err) = buffer.flush(&archive).await {
                    tracing::warn!(error = %err, "hits not written yet; will retry");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(work: WorkId, reader: &str) -> Hit {
        Hit {
            work,
            visitor_key: reader.to_string(),
            day: 20_000,
        }
    }

    #[test]
    fn a_readers_views_of_a_work_wait_as_one() {
        let buffer = HitBuffer::default();
        for _ in 0..1_000 {
            buffer.push(hit(1, "reader"));
        }
        assert_eq!(buffer.len(), 1);
        buffer.push(hit(2, "reader"));
        buffer.push(hit(1, "another"));
        assert_eq!(buffer.len(), 3);
        assert_eq!(buffer.take().len(), 3);
        assert_eq!(buffer.len(), 0);
    }
}
