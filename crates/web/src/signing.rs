//! Short signatures the server makes and checks itself: a guest's form
//! token, an email's unsubscribe link. HMAC-SHA256 under a secret kept in
//! the archive, cut to 16 bytes and written as 32 hex characters.

use hmac::digest::KeyInit;
use hmac::Mac;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

pub struct Signer {
    /// The MAC keyed once; each signature's is a clone fed its message.
    keyed: HmacSha256,
}

impl Signer {
    pub fn new(secret: &[u8]) -> Signer {
        use sha2::Digest;
        // The secret hashed to a key of HMAC's block size (zero-padded, as
        // HMAC pads a short key itself): keying can't fail.
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&sha2::Sha256::digest(secret));
        Signer {
            keyed: <HmacSha256 as KeyInit>::new(&key.into()),
        }
    }

    fn mac(&self, message: &str) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(message.as_bytes());
        mac
    }

    /// The signature of `message`: 32 hex characters.
    pub fn sign(&self, message: &str) -> String {
        let tag = self.mac(message).finalize().into_bytes();
        tag[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Is `signature` this signer's for `message`? Compared in constant
    /// time; anything but 32 hex characters is not.
    pub fn verify(&self, message: &str, signature: &str) -> bool {
        if signature.len() != 32 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        let Some(sent) = (0..16)
            .map(|i| u8::from_str_radix(&signature[2 * i..2 * i + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()
        else {
            return false;
        };
        self.mac(message).verify_truncated_left(&sent).is_ok()
    }
}
