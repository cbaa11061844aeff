//! Password hashing with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane), run in a
//! [`CpuPool`] so sign-in storms cannot starve the async runtime or exhaust memory.

use std::sync::Arc;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use crate::cpu::CpuPool;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Clone)]
pub struct Passwords {
    pool: CpuPool,
    /// Verified against when the user does not exist, so both cases take the same time.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub fn new() -> anyhow::Result<Self> {
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon2()
            .hash_password(b"dummy password for timing", &salt)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .to_string();
        Ok(Self {
            pool: CpuPool::per_core("argon2"),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// The pool hashing runs in; other bounded CPU work of sign-up shares it.
    pub fn pool(&self) -> &CpuPool {
        &self.pool
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.pool
            .run(move || {
                let salt = SaltString::generate(&mut OsRng);
                argon2()
                    .hash_password(password.as_bytes(), &salt)
                    .map(|hash| hash.to_string())
                    .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
            })
            .await?
    }

    /// Checks `password` against `hash`; with no hash (unknown user) it spends the same time and
    /// answers false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> anyhow::Result<bool> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self
            .pool
            .run(move || {
                PasswordHash::new(&hash)
                    .map(|parsed| {
                        argon2()
                            .verify_password(password.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let passwords = Passwords::new().unwrap();
        let hash = passwords.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(passwords
            .verify("correct horse".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!passwords.verify("wrong".into(), Some(hash)).await.unwrap());
        assert!(!passwords
            .verify("dummy password for timing".into(), None)
            .await
            .unwrap());
    }
}
