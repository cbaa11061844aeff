//! Thin entry point: everything lives in the `server` library so tests can start the same app.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    server::memory::pin_mmap_threshold();
    let config = server::config::Config::from_env()?;
    server::telemetry::init(&config);
    let app = server::Application::build(config).await?;
    app.run_until_stopped(server::shutdown::signal()).await
}
