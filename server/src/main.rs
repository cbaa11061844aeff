//! Thin entry point: everything lives in the `server` library so tests can start the same app.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    server::memory::pin_mmap_threshold();
    server::cli::Cli::parse().run().await
}
