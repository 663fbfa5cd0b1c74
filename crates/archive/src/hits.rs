//! Hits: a work's views, counted once a day per reader (an account, or
//! a guest known only by a salted key of their address).

use crate::{record_change, Archive, Result, WorkId};

/// One visit to a work: `day` is days since 1970.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hit {
    pub work: WorkId,
    pub visitor_key: String,
    pub day: i64,
}

impl Archive {
    /// Counts a visit: once per visitor per work per day (`day` = days
    /// since 1970). Returns whether it counted.
    pub async fn record_hit(&self, work: WorkId, visitor_key: &str, day: i64) -> Result<bool> {
        let hit = Hit {
            work,
            visitor_key: visitor_key.to_string(),
            day,
        };
        Ok(self.record_hits(std::slice::from_ref(&hit)).await? == 1)
    }

    /// Counts many visits in one transaction, as a server batches them:
    /// each once per visitor per work per day, a visit to a work deleted
    /// since not at all. Returns how many counted.
    pub async fn record_hits(&self, hits: &[Hit]) -> Result<usize> {
        let mut tx = self.write().await?;
        let mut counted: std::collections::BTreeMap<WorkId, i64> = Default::default();
        for hit in hits {
            let inserted = sqlx::query(
                "INSERT INTO hits (work_id, visitor_key, day) \
                 SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM works WHERE id = $1) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(hit.work)
            .bind(&hit.visitor_key)
            .bind(hit.day)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                *counted.entry(hit.work).or_default() += 1;
            }
        }
        for (&work, &n) in &counted {
            sqlx::query("UPDATE works SET hits_count = hits_count + $1 WHERE id = $2")
                .bind(n)
                .bind(work)
                .execute(&mut *tx)
                .await?;
            record_change(&mut tx, "work", work, "counts").await?;
        }
        tx.commit().await?;
        Ok(counted.values().map(|&n| n as usize).sum())
    }

    pub async fn hit_count(&self, work: WorkId) -> Result<i64> {
        self.stored_count(work, "hits_count").await
    }
}
