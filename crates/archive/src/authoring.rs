//! What a writer does with a work as a whole — posting it, changing its
//! preface and tags — each as one call and one transaction, with the rules
//! (whose pseud, whose series, whose work) checked inside it. The site's
//! forms and the JSON API both come here, so a rule is written once and a
//! refused step leaves nothing half done.

use sqlx::Row;

use crate::creators::invite_creators_in;
use crate::editing::{join_series_in, series_open_to, update_work_in};
use crate::model::WorkDraft;
use crate::notifications::{record_event, EventRefs};
use crate::people::UserId;
use crate::{insert_work_in, Archive, ArchiveError, PseudId, Result, WorkId};

/// A new work as its writer sends it.
#[derive(Debug, Clone, Copy)]
pub struct Posting<'a> {
    /// One of the writer's own pseuds.
    pub pseud: PseudId,
    pub draft: &'a WorkDraft,
    /// A series to add it to: one of the writer's, or a new one.
    pub series: Option<&'a str>,
    /// Pseuds to credit beside `pseud`: the writer's own are credited at
    /// once, anyone else's are invited.
    pub co_creators: &'a [PseudId],
    /// Files uploaded with it, kept with the work or (past the owner's
    /// allowance) refused with it.
    pub media: Option<crate::media::MediaUpload<'a>>,
}

impl Archive {
    /// One of `user`'s own works, to change: `None` for a work they are
    /// not credited on, as for one that isn't there.
    pub async fn own_work(&self, id: WorkId, user: UserId) -> Result<Option<crate::Work>> {
        if !self.is_creator(id, crate::Viewer::User(user)).await? {
            return Ok(None);
        }
        self.work(id).await
    }

    /// Posts a work for `user`: the work, its series and its co-creators'
    /// invitations are stored together, or — when any rule refuses — none.
    pub async fn post_as(&self, user: UserId, posting: Posting<'_>) -> Result<WorkId> {
        posting.draft.validate()?;
        let mut tx = self.write().await?;
        let owner: Option<UserId> = sqlx::query("SELECT user_id FROM pseuds WHERE id = $1")
            .bind(posting.pseud)
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| row.try_get("user_id"))
            .transpose()?
            .flatten();
        if owner != Some(user) {
            return Err(ArchiveError::NotYourPseud(posting.pseud));
        }
        let series = posting.series.map(str::trim).filter(|s| !s.is_empty());
        if let Some(title) = series {
            if !series_open_to(&mut tx, title, user).await? {
                return Err(ArchiveError::SeriesNotYours(title.to_string()));
            }
        }
        let work =
            insert_work_in(&mut tx, &[posting.pseud], posting.draft, None, None, None).await?;
        if let Some(title) = series {
            join_series_in(&mut tx, work, title, None).await?;
        }
        if let Some(media) = posting.media {
            crate::media::insert_media_in(&mut tx, work, media).await?;
        }
        if !posting.co_creators.is_empty() {
            invite_creators_in(&mut tx, work, posting.co_creators, user).await?;
        }
        if !posting.draft.draft {
            let refs = EventRefs {
                actor: Some(user),
                work: Some(work),
                ..EventRefs::default()
            };
            record_event(&mut tx, "work", refs).await?;
        }
        tx.commit().await?;
        Ok(work)
    }

    /// Replaces the preface and tags of one of `user`'s works and, when a
    /// series is named that the work isn't in yet, adds it there: together,
    /// or — when any rule refuses — not at all. Someone else's work is
    /// [`ArchiveError::NotYours`].
    pub async fn edit_as(
        &self,
        user: UserId,
        work: WorkId,
        draft: &WorkDraft,
        series: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let credited = sqlx::query(
            "SELECT 1 FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1 AND p.user_id = $2",
        )
        .bind(work)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if !credited {
            return Err(ArchiveError::NotYours(work));
        }
        let series = series.map(str::trim).filter(|s| !s.is_empty());
        let joining = match series {
            Some(title) => {
                let already = sqlx::query(
                    "SELECT 1 FROM series s JOIN series_works sw ON sw.series_id = s.id \
                     WHERE s.title_key = $1 AND sw.work_id = $2",
                )
                .bind(crate::model::tag_key(title))
                .bind(work)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
                if !already && !series_open_to(&mut tx, title, user).await? {
                    return Err(ArchiveError::SeriesNotYours(title.to_string()));
                }
                (!already).then_some(title)
            }
            None => None,
        };
        let was_draft = sqlx::query("SELECT draft FROM works WHERE id = $1")
            .bind(work)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("draft")?
            != 0;
        update_work_in(&mut tx, work, draft).await?;
        let mut refs = EventRefs {
            actor: Some(user),
            work: Some(work),
            ..EventRefs::default()
        };
        if let Some(title) = joining {
            refs.series = Some(join_series_in(&mut tx, work, title, None).await?);
        }
        // Posting a draft is news to its creators' subscribers (and its
        // series'); a posted work joining a series is news to the series'.
        if was_draft && !draft.draft {
            record_event(&mut tx, "work", refs).await?;
        } else if refs.series.is_some() && !draft.draft {
            record_event(&mut tx, "series-part", refs).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
