//! Storing what the importers prepared: one file, or a batch of a corpus,
//! each work once (by the hash of its bytes), with its dates and series.

use std::path::Path;

use sqlx::Row;

use crate::import;
use crate::{
    date_to_unix, insert_work_in, unowned_pseud, Archive, ArchiveError, ImportFailure, Imported,
    PseudId, Result, WorkId,
};

/// Dates from the file when it gives them (an AO3 download does).
fn prepared_dates(prepared: &import::Prepared) -> Option<(i64, i64)> {
    let posted = prepared.published.as_deref().and_then(date_to_unix);
    let updated = prepared
        .updated
        .as_deref()
        .and_then(date_to_unix)
        .or(posted);
    posted.zip(updated)
}

impl Archive {
    /// Imports one file's bytes as a work by `pseud`. The same bytes
    /// imported again (by any name) are the work already there.
    pub async fn import_file(
        &self,
        pseud: PseudId,
        path: &Path,
        bytes: &[u8],
    ) -> Result<Imported, ImportFailure> {
        let prepared = import::prepare(path, bytes)?;
        self.import_prepared(pseud, &prepared).await
    }

    /// Stores a prepared work (one file, or one line of a corpus), once.
    pub async fn import_prepared(
        &self,
        pseud: PseudId,
        prepared: &import::Prepared,
    ) -> Result<Imported, ImportFailure> {
        if let Some(existing) = self.work_with_hash(&prepared.content_hash).await? {
            return Ok(Imported::AlreadyThere(existing));
        }
        let mut creators = Vec::with_capacity(prepared.creators.len().max(1));
        for name in &prepared.creators {
            creators.push(self.ensure_unowned_pseud(name).await?);
        }
        if creators.is_empty() {
            creators.push(pseud);
        }
        let dates = prepared_dates(prepared);
        match self
            .insert_work(
                &creators,
                &prepared.draft,
                Some(&prepared.content_hash),
                dates,
                prepared.seed_counts,
            )
            .await
        {
            Ok(id) => {
                if let Some((series, part)) = &prepared.series {
                    self.add_to_series(id, series, Some(*part)).await?;
                }
                Ok(Imported::Posted(id))
            }
            // Another importer stored the same file between our check and our
            // insert: the unique hash kept it to one work.
            Err(ArchiveError::Database(err)) => {
                match self.work_with_hash(&prepared.content_hash).await? {
                    Some(existing) => Ok(Imported::AlreadyThere(existing)),
                    None => Err(ArchiveError::Database(err).into()),
                }
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Stores many prepared works in one transaction: the fast path for
    /// a large corpus. Each work is stored once (by its hash) and a work that
    /// breaks the model's rules gets its error while the others are stored.
    /// A database failure stores none of the batch; the caller can retry
    /// the works one by one with [`Archive::import_prepared`] to find which.
    pub async fn import_batch(
        &self,
        pseud: PseudId,
        batch: &[&import::Prepared],
    ) -> Result<Vec<Result<Imported, ImportFailure>>> {
        let mut results = Vec::with_capacity(batch.len());
        let mut stored_series = Vec::new();
        let mut tx = self.write().await?;
        let mut seen: std::collections::HashMap<&str, WorkId> = std::collections::HashMap::new();
        for prepared in batch {
            if let Err(err) = prepared.draft.validate() {
                results.push(Err(ArchiveError::from(err).into()));
                continue;
            }
            if let Some(&id) = seen.get(prepared.content_hash.as_str()) {
                results.push(Ok(Imported::AlreadyThere(id)));
                continue;
            }
            let existing = sqlx::query("SELECT id FROM works WHERE content_hash = $1")
                .bind(&prepared.content_hash)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = existing {
                results.push(Ok(Imported::AlreadyThere(row.try_get("id")?)));
                continue;
            }
            let mut creators = Vec::with_capacity(prepared.creators.len().max(1));
            for name in &prepared.creators {
                creators.push(unowned_pseud(&mut tx, name).await?);
            }
            if creators.is_empty() {
                creators.push(pseud);
            }
            let id = insert_work_in(
                &mut tx,
                &creators,
                &prepared.draft,
                Some(&prepared.content_hash),
                prepared_dates(prepared),
                prepared.seed_counts,
            )
            .await?;
            seen.insert(&prepared.content_hash, id);
            if let Some(series) = &prepared.series {
                stored_series.push((id, series));
            }
            results.push(Ok(Imported::Posted(id)));
        }
        tx.commit().await?;
        for (id, (series, part)) in stored_series {
            self.add_to_series(id, series, Some(*part)).await?;
        }
        Ok(results)
    }

    pub(crate) async fn work_with_hash(&self, hash: &str) -> Result<Option<WorkId>> {
        let row = sqlx::query("SELECT id FROM works WHERE content_hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }
}
