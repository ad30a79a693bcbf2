//! Secret links and session tokens: 256 random bits, shown once, stored only as a SHA-256
//! hash, so a leaked table can't be replayed. Reset links, invites, email confirmations and
//! session rows all use these two functions.

use sha2::{Digest, Sha256};

pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_fresh_and_hash_the_same_way_every_time() {
        let (a, b) = (super::new_token(), super::new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(super::hash(&a), super::hash(&a));
        assert_ne!(super::hash(&a), super::hash(&b));
    }
}
