//! The JWT signing secret: SECRET_KEY, or in development one generated once and kept in
//! `DATA_DIR/secret_key` so tokens survive restarts.

use std::path::Path;

use anyhow::Context;
use rand::RngCore;

use crate::config::{AppEnv, Config};

const SECRET_FILE: &str = "secret_key";
/// HS256 keys shorter than the hash output weaken it (RFC 7518, section 3.2).
pub const MIN_SECRET_LEN: usize = 32;

pub fn load(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &config.secret_key {
        if secret.len() < MIN_SECRET_LEN {
            if config.app_env == AppEnv::Production {
                anyhow::bail!("SECRET_KEY must be at least {MIN_SECRET_LEN} characters");
            }
            tracing::warn!("SECRET_KEY is shorter than {MIN_SECRET_LEN} characters");
        }
        return Ok(secret.as_bytes().to_vec());
    }
    if config.app_env == AppEnv::Production {
        anyhow::bail!("SECRET_KEY is required when APP_ENV=production");
    }
    load_or_create(&config.data_dir.join(SECRET_FILE))
}

fn load_or_create(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim();
        if existing.len() >= MIN_SECRET_LEN {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_private(path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "SECRET_KEY is not set: generated one for development; set SECRET_KEY in production"
    );
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_generates_once_and_production_refuses_to_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::from_defaults();
        config.data_dir = dir.path().to_path_buf();
        let first = load(&config).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(load(&config).unwrap(), first, "kept across restarts");

        config.app_env = AppEnv::Production;
        assert!(load(&config).is_err());
        config.secret_key = Some("x".repeat(40));
        assert_eq!(load(&config).unwrap(), "x".repeat(40).into_bytes());
    }
}
