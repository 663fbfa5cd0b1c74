//! Uploaded pictures and recordings, on each backend: kept with the work
//! they came with, refused together past an account's allowance, gone
//! with their work, and swept from the disk when no row names them.

use std::io::Cursor;
use std::path::Path;

use quire_archive::media::{new_media_id, prepare, Media, MediaLimits, MediaStore, MediaUpload};
use quire_archive::{ArchiveError, Posting};

use crate::backends;
use crate::works::draft;

/// A picture uploaded as a writer would, written to `dir` and checked.
pub fn picture(dir: &Path, width: u32, shade: u8) -> quire_archive::media::Prepared {
    let pixels = image::RgbImage::from_fn(width, width / 2, |x, _| image::Rgb([shade, x as u8, 9]));
    let mut png = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let upload = dir.join(new_media_id());
    std::fs::write(&upload, png.into_inner()).unwrap();
    let prepared = prepare(&upload, "art.png", &MediaLimits::default()).unwrap();
    std::fs::remove_file(upload).unwrap();
    prepared
}

#[tokio::test]
async fn uploads_are_kept_with_their_work_and_go_with_it() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "painter").await;
        let dir = backends::scratch_dir("quire-media");
        let store = MediaStore::new(dir.join("media"));
        let prepared = picture(&dir, 1000, 1);
        store.keep(&prepared).await.unwrap();
        let rows = vec![prepared.row(new_media_id(), "A fox asleep in snow".into())];
        let draft = draft();
        let posting = Posting {
            pseud: writer.default_pseud,
            draft: &draft,
            series: None,
            co_creators: &[],
            media: Some(MediaUpload {
                owner: writer.id,
                account_limit: MediaLimits::default().account_bytes,
                media: &rows,
            }),
        };
        let work = archive.post_as(writer.id, posting).await.unwrap();
        let kept = archive.media_of_work(work).await.unwrap();
        assert_eq!(kept.len(), 1, "{}", test.name);
        let media: &Media = &kept[0];
        assert_eq!(media.work, work);
        assert_eq!(media.sizes, vec![320, 800]);
        assert_eq!((media.width, media.height), (Some(1000), Some(500)));
        assert_eq!(media.description, "A fox asleep in snow");
        assert_eq!(
            archive.media(&media.id).await.unwrap().as_ref(),
            Some(media)
        );
        assert_eq!(
            archive.media_bytes_of(writer.id).await.unwrap(),
            media.bytes
        );

        // A chapter's uploads past the allowance are refused with the
        // chapter: neither is stored.
        let second = picture(&dir, 600, 2);
        store.keep(&second).await.unwrap();
        let rows = vec![second.row(new_media_id(), "A second fox".into())];
        let chapters = archive.work(work).await.unwrap().unwrap().chapters.len();
        let refused = archive
            .add_chapter_with_media(
                work,
                &draft.chapters[0],
                Some(MediaUpload {
                    owner: writer.id,
                    account_limit: media.bytes + 10,
                    media: &rows,
                }),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, ArchiveError::Rejected { reason, .. } if reason.contains("the most this archive keeps for one account")),
            "{}: {refused}",
            test.name
        );
        assert_eq!(
            archive.work(work).await.unwrap().unwrap().chapters.len(),
            chapters
        );
        assert!(archive.media(&rows[0].id).await.unwrap().is_none());

        // The file of the refused upload is named by no row: a sweep takes
        // it once it is old enough, and not before.
        let orphan = store.path(&second.sha256, second.format, None);
        assert_eq!(store.sweep(archive).await.unwrap(), 0, "too young to sweep");
        assert!(orphan.exists());

        // Deleting the work deletes its rows, and its files with them.
        let file = store.path(&media.sha256, media.format, None);
        assert!(file.exists());
        archive.delete_work(work).await.unwrap();
        assert!(
            archive.media(&media.id).await.unwrap().is_none(),
            "{}",
            test.name
        );
        assert_eq!(archive.media_bytes_of(writer.id).await.unwrap(), 0);
        assert_eq!(
            store.remove_unnamed(archive, &kept).await.unwrap(),
            3,
            "the picture and its two copies"
        );
        assert!(!file.exists());
        let _ = std::fs::remove_dir_all(dir);
        test.finish().await;
    }
}
