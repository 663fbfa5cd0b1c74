//! An S3-compatible service for the tests of uploads kept in a bucket:
//! moto's server (from PyPI, which `scripts/test` installs into
//! `target/moto-venv`) on a free port, with one empty bucket made for the
//! test. quire talks to it as to any S3 service, signed requests and all.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct S3Service {
    pub endpoint: String,
    pub bucket: String,
    child: Child,
}

impl Drop for S3Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's server, where `scripts/test` puts it.
fn moto_server() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("moto-venv/bin/moto_server")
}

impl S3Service {
    /// Starts the service and makes the bucket `bucket` in it.
    pub fn start(bucket: &str) -> S3Service {
        let port = crate::smtp::free_port();
        let server = moto_server();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "{}: {err}; scripts/test installs moto's server there (pip install 'moto[server]')",
                    server.display()
                )
            });
        let service = S3Service {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: bucket.to_string(),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto's server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // moto takes an unsigned request to make a bucket.
        let made = ureq::put(format!("{}/{bucket}", service.endpoint)).send_empty();
        assert!(
            made.is_ok(),
            "the bucket {bucket} could not be made: {made:?}"
        );
        service
    }

    /// The bucket as quire is told of it, with the test's credentials.
    pub fn settings(&self, prefix: &str) -> quire_archive::media::BucketSettings {
        quire_archive::media::BucketSettings {
            url: format!("s3://{}/{prefix}", self.bucket),
            endpoint: Some(self.endpoint.clone()),
            region: Some("us-east-1".into()),
            access_key: Some("quire-test".into()),
            secret_key: Some("quire-test-secret".into()),
        }
    }

    /// The names of the objects in the bucket, as its listing gives them.
    pub fn keys(&self) -> Vec<String> {
        let mut listing = ureq::get(format!("{}/{}?list-type=2", self.endpoint, self.bucket))
            .call()
            .expect("the bucket lists");
        let xml = listing.body_mut().read_to_string().expect("a listing");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_string()))
            .collect()
    }
}
