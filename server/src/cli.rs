//! The server binary's command line: `serve` (the default) and the operator's commands. Each
//! command reads the same configuration as the server (environment and `.env`) and acts through
//! the same services, so a command can do nothing that the service rules forbid.

use std::{io::IsTerminal, sync::Arc, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::{
    clock::SystemClock,
    config::Config,
    db::Db,
    users::{
        validation::{FormField, RegistrationForm},
        UserError,
    },
    Application,
};

/// Callhub: one-to-one audio and video calls. Configured by environment variables (or a `.env`
/// file in the working directory); `check-config` shows what is in effect.
#[derive(Debug, Parser)]
#[command(name = "callhub", version)]
pub struct Cli {
    /// Read settings from this file first (KEY=value lines, as the systemd unit's
    /// EnvironmentFile, e.g. /etc/callhub/callhub.env); the environment still wins.
    #[arg(long, global = true, value_name = "PATH")]
    pub env_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app, the API and the WebSockets until SIGTERM or Ctrl-C (the default).
    Serve,
    /// Apply pending database migrations and exit (`serve` applies them too).
    Migrate,
    /// Print the settings in effect, secrets masked, and what production still needs. Exits
    /// with 1 when the server would refuse to start with them.
    CheckConfig,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the call history.
    Calls {
        #[command(subcommand)]
        command: CallsCommand,
    },
    /// Print the version.
    Version,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is the first line of standard input (never an
    /// argument: other users of the machine see those), checked as at sign-up.
    Create { username: String, email: String },
    /// Delete an account with its calls (from both parties' histories), contacts, blocks,
    /// sign-ins and picture.
    Delete { username: String },
    /// Set a new password from the first line of standard input and end every sign-in of the
    /// user.
    SetPassword { username: String },
}

#[derive(Debug, Subcommand)]
pub enum CallsCommand {
    /// Delete finished calls (with their signaling log, messages and reports) that ended before
    /// the given age.
    Purge {
        /// How old a finished call must be: a number and a unit, `90d`, `12h`, `30m` or `45s`.
        #[arg(long, value_parser = parse_age)]
        older_than: Duration,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        if let Some(path) = &self.env_file {
            dotenvy::from_path(path)
                .with_context(|| format!("cannot read settings from {}", path.display()))?;
        }
        match self.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let config = Config::from_env()?;
                crate::telemetry::init(&config);
                let app = Application::build(config).await?;
                app.run_until_stopped(crate::shutdown::signal()).await
            }
            Command::Migrate => {
                let config = Config::from_env()?;
                let db = Db::connect(&config.database_url()).await?;
                db.migrate().await?;
                println!("migrations applied ({} database)", db.backend().name());
                Ok(())
            }
            Command::CheckConfig => check_config(),
            Command::User { command } => user(command).await,
            Command::Calls {
                command: CallsCommand::Purge { older_than },
            } => {
                let state = offline_services().await?;
                let deleted = state.calls.purge_finished(older_than).await?;
                println!("deleted {deleted} finished calls");
                Ok(())
            }
            Command::Version => {
                println!("callhub {}", env!("CARGO_PKG_VERSION"));
                Ok(())
            }
        }
    }
}

fn check_config() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    for (name, value) in config.effective() {
        println!("{name}={value}");
    }
    let missing = config.missing_for_production();
    if missing.is_empty() {
        println!("\nready for production");
    } else {
        println!("\nmissing for production:");
        for item in missing {
            println!("  - {item}");
        }
    }
    // What startup checks before it binds anything.
    crate::db::Backend::from_url(&config.database_url())?;
    config.trusted_proxies()?;
    crate::ice::Ice::from_config(&config).context("invalid ICE/TURN settings")?;
    if config.app_env == crate::config::AppEnv::Production {
        crate::auth::secret::load(&config)?;
    }
    Ok(())
}

async fn user(command: UserCommand) -> anyhow::Result<()> {
    let state = offline_services().await?;
    match command {
        UserCommand::Create { username, email } => {
            let password = read_password()?;
            let form = RegistrationForm {
                username: FormField::Text(username),
                email: FormField::Text(email),
                password_confirm: FormField::Text(password.clone()),
                password: FormField::Text(password),
            };
            let user = state.users.create(form).await.map_err(explain)?;
            println!("created user {} (id {})", user.username, user.id);
        }
        UserCommand::Delete { username } => {
            let id = state.users.delete(&username).await.map_err(explain)?;
            println!("deleted user {username} (id {id})");
        }
        UserCommand::SetPassword { username } => {
            let password = read_password()?;
            state
                .users
                .set_password(&username, password)
                .await
                .map_err(explain)?;
            println!("password set for {username}; their sign-ins are revoked");
        }
    }
    Ok(())
}

/// The services on the migrated database, with nothing served or started.
async fn offline_services() -> anyhow::Result<crate::AppState> {
    let config = Config::from_env()?;
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    Ok(crate::build_services(config, db, Arc::new(SystemClock))?.0)
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (shown as typed; pipe it in to hide it): ");
    }
    let mut line = String::new();
    stdin
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(
        !password.is_empty(),
        "no password on standard input (give it as the first line)"
    );
    Ok(password)
}

/// The service's refusal in words, each invalid field with its messages.
fn explain(error: UserError) -> anyhow::Error {
    match error {
        UserError::Invalid(fields) => {
            let lines: Vec<String> = fields
                .into_iter()
                .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
                .collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        other => other.into(),
    }
}

/// `90d`, `12h`, `30m` or `45s` as a duration.
fn parse_age(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text:?} is not an age such as 90d, 12h, 30m or 45s");
    let split = text.len().checked_sub(1).ok_or_else(invalid)?;
    let (number, unit) = text.split_at_checked(split).ok_or_else(invalid)?;
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return Err(invalid()),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_have_a_number_and_a_unit() {
        assert_eq!(parse_age("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_age("12h"), Ok(Duration::from_secs(12 * 3_600)));
        assert_eq!(parse_age("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_age("0s"), Ok(Duration::ZERO));
        for bad in ["", "d", "90", "90x", "-1d", "1.5h", "é"] {
            assert!(parse_age(bad).is_err(), "{bad:?}");
        }
    }
}
