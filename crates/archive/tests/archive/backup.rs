//! Backups: a copy taken while the archive is open restores into an empty
//! data directory with every row; a damaged copy or a full directory is
//! refused; PostgreSQL archives are pointed to pg_dump.

use quire_archive::backup::{BackupProblem, DATABASE_FILE, MANIFEST_FILE, MEDIA_DIR};
use quire_archive::media::{new_media_id, MediaStore, MediaUpload};
use quire_archive::{Archive, ArchiveError, CountedTable, Kudoser, Posting, Viewer};

use crate::backends;
use crate::works::draft;

#[tokio::test]
async fn a_backup_restores_into_an_empty_data_directory() {
    let test = backends::sqlite().await;
    let archive = &test.archive;
    let author = backends::member(archive, "backed_up").await;
    let id = archive
        .post_work(&[author.default_pseud], &draft())
        .await
        .unwrap();
    archive
        .leave_kudos(id, &Kudoser::Guest("a".into()))
        .await
        .unwrap();

    // A work with an uploaded picture: its files travel with the backup.
    let uploads = backends::scratch_dir("quire-backup-media");
    let store = MediaStore::new(uploads.join("media"));
    let prepared = crate::media::picture(&uploads, 900, 3);
    store.keep(&prepared).await.unwrap();
    let rows = vec![prepared.row(new_media_id(), "A lantern".into())];
    let painted = draft();
    let painting = archive
        .post_as(
            author.id,
            Posting {
                pseud: author.default_pseud,
                draft: &painted,
                series: None,
                co_creators: &[],
                media: Some(MediaUpload {
                    owner: author.id,
                    account_limit: u64::MAX,
                    media: &rows,
                }),
            },
        )
        .await
        .unwrap();

    let dest = backends::scratch_dir("quire-backup");
    let manifest = archive.backup_to(&dest, &store).await.unwrap();
    assert_eq!(manifest.rows["works"], 2);
    assert_eq!(
        manifest.media.len(),
        3,
        "the picture and its two smaller copies"
    );
    assert_eq!(manifest.rows["kudos"], 1);
    assert!(dest.join(DATABASE_FILE).exists() && dest.join(MANIFEST_FILE).exists());
    assert!(
        !dest.join(format!("{DATABASE_FILE}-wal")).exists(),
        "the copy is left untouched by reading it"
    );
    // Writes after the backup are not in it.
    archive
        .post_work(&[author.default_pseud], &draft())
        .await
        .unwrap();
    assert!(
        matches!(
            archive.backup_to(&dest, &store).await,
            Err(ArchiveError::Backup(BackupProblem::BackupThere(_)))
        ),
        "a backup never overwrites another"
    );

    let data = backends::scratch_dir("quire-restored");
    let (restored, read) = Archive::restore_data_dir(&dest, &data).await.unwrap();
    assert_eq!(read, manifest);
    assert_eq!(restored.count_rows(CountedTable::Works).await.unwrap(), 2);
    let restored_media = restored.media_of_work(painting).await.unwrap();
    assert_eq!(restored_media.len(), 1);
    let restored_store = MediaStore::new(data.join(MEDIA_DIR));
    let kept = restored_store.path(&prepared.sha256, prepared.format, None);
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        std::fs::read(store.path(&prepared.sha256, prepared.format, None)).unwrap()
    );
    let work = restored.work_for(id, Viewer::Guest).await.unwrap().unwrap();
    assert_eq!(work.title, "Ashes");
    assert!(restored
        .authenticate("backed_up", "long enough")
        .await
        .unwrap()
        .is_some());
    restored.close().await;

    // Not over an archive, and not from a damaged copy.
    assert!(matches!(
        Archive::restore_data_dir(&dest, &data).await,
        Err(ArchiveError::Backup(BackupProblem::ArchiveThere(_)))
    ));
    // A damaged upload in the backup is refused before anything is
    // restored, as a damaged database is.
    let (name, _) = manifest
        .media
        .iter()
        .find(|(n, _)| !n.contains("-w"))
        .unwrap();
    let upload_copy = dest.join(MEDIA_DIR).join(name);
    let original = std::fs::read(&upload_copy).unwrap();
    let mut flipped = original.clone();
    flipped[40] ^= 0xff;
    std::fs::write(&upload_copy, flipped).unwrap();
    let refused_to = backends::scratch_dir("quire-restored-bad-media");
    assert!(matches!(
        Archive::restore_data_dir(&dest, &refused_to).await,
        Err(ArchiveError::Backup(BackupProblem::MediaChanged(_)))
    ));
    assert!(
        !refused_to.join(DATABASE_FILE).exists(),
        "nothing half-restored"
    );
    std::fs::write(&upload_copy, original).unwrap();

    let mut bytes = std::fs::read(dest.join(DATABASE_FILE)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(dest.join(DATABASE_FILE), bytes).unwrap();
    let elsewhere = backends::scratch_dir("quire-restored-damaged");
    assert!(matches!(
        Archive::restore_data_dir(&dest, &elsewhere).await,
        Err(ArchiveError::Backup(BackupProblem::Changed(_)))
    ));
    assert!(
        !elsewhere.join(DATABASE_FILE).exists(),
        "nothing half-restored"
    );
    let missing = backends::scratch_dir("quire-no-backup");
    assert!(matches!(
        Archive::restore_data_dir(&missing, &elsewhere).await,
        Err(ArchiveError::Backup(problem @ BackupProblem::NoManifest(_)))
            if problem.to_string().contains("manifest.json")
    ));
    for dir in [dest, data, elsewhere, missing, uploads, refused_to] {
        let _ = std::fs::remove_dir_all(dir);
    }
    test.finish().await;
}

#[tokio::test]
async fn a_postgresql_archive_is_pointed_to_pg_dump() {
    for test in backends::all().await {
        if test.name != "postgres" {
            test.finish().await;
            continue;
        }
        let dest = backends::scratch_dir("quire-pg-backup");
        assert!(matches!(
            test.archive.backup_to(&dest, &MediaStore::new(dest.join("media"))).await,
            Err(ArchiveError::Backup(problem @ BackupProblem::OnPostgres))
                if problem.to_string().contains("pg_dump")
        ));
        assert!(!dest.join(DATABASE_FILE).exists());
        let _ = std::fs::remove_dir_all(dest);
        test.finish().await;
    }
}
