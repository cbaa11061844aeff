//! Configuration from the environment (and a `.env` file, if present). Every setting has a
//! default that runs the app locally with no setup: an embedded SQLite file in `DATA_DIR`.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use leptos::config::LeptosOptions;
use serde::Deserialize;

/// The output name in `[[workspace.metadata.leptos]]`; cargo-leptos passes it in the environment,
/// but a server started by hand or by tests must still find `/pkg/callhub.js`.
const SITE_OUTPUT_NAME: &str = "callhub";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Where the SQLite database and other server-owned files live.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `sqlite://...` or `mysql://...`; defaults to `DATA_DIR/callhub.db`.
    pub database_url: Option<String>,
    #[serde(default)]
    pub log_format: LogFormat,
    /// Overrides `LEPTOS_SITE_ADDR`; tests bind port 0.
    #[serde(skip)]
    pub bind_addr: Option<SocketAddr>,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

impl Config {
    /// Reads `.env` (if any), then the process environment, which wins.
    pub fn from_env() -> anyhow::Result<Self> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(error) if error.not_found() => {}
            Err(error) => return Err(error).context("cannot read .env"),
        }
        envy::from_env().context("invalid configuration in the environment")
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("callhub.db").display()
            )
        })
    }

    /// Leptos settings from cargo-leptos's `LEPTOS_*` variables, with our defaults.
    pub fn leptos_options(&self) -> anyhow::Result<LeptosOptions> {
        let mut options = leptos::config::get_configuration(None)
            .context("invalid LEPTOS_* settings")?
            .leptos_options;
        if options.output_name.is_empty() {
            options.output_name = SITE_OUTPUT_NAME.into();
        }
        if let Some(addr) = self.bind_addr {
            options.site_addr = addr;
        }
        Ok(options)
    }
}
