//! The `liverline` binary: parses the command line and runs a front-end.

use anyhow::Context;
use clap::{Parser, Subcommand};
use liverline::config::Config;
use liverline::content::{self, Content};
use liverline::engine::{Engine, Query};
use liverline::frontend::{console, telegram};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// liverline: answers about treating liver cancer from the American Cancer
/// Society guide. Not medical advice.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// A TOML config file (see config.example.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// A content folder (intents/ and responses/) instead of the built-in one.
    #[arg(long, global = true)]
    content: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Interactive console chat.
    Chat,
    /// Answer one question (plain text), or with --json every stdin line.
    Ask {
        /// Read questions from stdin, one per line; write JSON lines.
        #[arg(long)]
        json: bool,
        /// The question.
        question: Vec<String>,
    },
    /// Validate the content; prints file:line: message for each problem.
    Check,
    /// Run labelled questions (JSON lines) and report accuracy and misses.
    Eval {
        /// Case files or folders of *.jsonl files.
        files: Vec<PathBuf>,
        /// Try a threshold or weight: KEY=VALUE (min_score, clarify_ratio,
        /// sure_score, oos_ratio, len_ref, w_example, w_profile, w_assoc, w_keyword,
        /// w_logistic).
        #[arg(long)]
        tune: Vec<String>,
    },
    /// Run the Telegram bot (long polling; needs TELOXIDE_TOKEN or telegram.token).
    Telegram,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("liverline: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    let content_dir = cli.content.clone().or(config.content_dir.clone());
    if let Some(Command::Check) = cli.command {
        return Ok(check(content_dir.as_deref()));
    }
    let mut tuning = liverline::engine::Tuning::default();
    if let Some(Command::Eval { tune, .. }) = &cli.command {
        for t in tune {
            tuning.set(t).map_err(anyhow::Error::msg)?;
        }
    }
    let engine = Engine::with_tuning(load(content_dir.as_deref())?, tuning);
    match cli.command {
        Some(Command::Ask {
            json: true,
            question,
        }) if question.is_empty() => {
            let stdin = std::io::stdin();
            console::ask_json(&engine, stdin.lock(), std::io::stdout().lock())?;
        }
        Some(Command::Ask { json, question }) => {
            let q = question.join(" ");
            let reply = engine.answer(&Query::new(&q));
            if json {
                println!("{}", liverline::reply::json_line(&q, &reply));
            } else {
                println!(
                    "{}",
                    console::for_terminal(&liverline::reply::plain(&reply))
                );
            }
        }
        Some(Command::Eval { files, .. }) => return eval(&engine, &files),
        Some(Command::Telegram) => telegram(&config, engine)?,
        // The default: the bot when a token is configured, else the console.
        None if config.has_token() => telegram(&config, engine)?,
        Some(Command::Chat) | None => console::chat(&engine)?,
        Some(Command::Check) => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the Telegram bot until Ctrl-C or SIGTERM.
fn telegram(config: &Config, engine: Engine) -> anyhow::Result<()> {
    let token = config
        .token
        .as_ref()
        .filter(|_| config.has_token())
        .context("no Telegram bot token: set TELOXIDE_TOKEN or telegram.token in the config")?;
    init_logs(&config.log_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bot = telegram::bot(token, config.api_url.as_deref())?;
        let options = telegram::Options {
            throttle: config.throttle,
            ..telegram::Options::default()
        };
        telegram::run(bot, Arc::new(engine), options, telegram::shutdown_signal()).await
    })
}

/// Logs go to stderr. teloxide's and the HTTP stack's own lines are off
/// unless the filter names them: some carry update contents (message text)
/// or request URLs (the token).
fn init_logs(level: &str) {
    let mut directives = level.to_string();
    for quiet in [
        "teloxide=off",
        "teloxide_core=off",
        "reqwest=warn",
        "hyper=warn",
        "hyper_util=warn",
    ] {
        let target = quiet.split('=').next().unwrap_or_default();
        if !level.split(',').any(|d| d.trim_start().starts_with(target)) {
            directives.push(',');
            directives.push_str(quiet);
        }
    }
    let filter = tracing_subscriber::EnvFilter::try_new(&directives).unwrap_or_else(|_| {
        eprintln!("liverline: invalid log.level {level:?}; using \"info\"");
        tracing_subscriber::EnvFilter::new("info,teloxide=off,teloxide_core=off")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn load(dir: Option<&Path>) -> anyhow::Result<Content> {
    let result = match dir {
        Some(d) => content::load_dir(d),
        None => content::embedded_for_startup(),
    };
    result.map_err(|problems| {
        for p in &problems {
            eprintln!("{p}");
        }
        anyhow::anyhow!(
            "the content has {} problem(s); run `liverline check`",
            problems.len()
        )
    })
}

fn check(dir: Option<&Path>) -> ExitCode {
    let result = match dir {
        Some(d) => content::load_dir(d),
        None => content::embedded(),
    };
    match result {
        Ok(c) => {
            let answers = c.intents.iter().filter(|i| i.response.is_some()).count();
            let examples: usize = c.intents.iter().map(|i| i.examples.len()).sum();
            println!(
                "ok: {} intents ({answers} with excerpts), {examples} example phrases, {} synonyms",
                c.intents.len(),
                c.synonyms.len()
            );
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for p in &problems {
                println!("{p}");
            }
            eprintln!("{} problem(s)", problems.len());
            ExitCode::from(1)
        }
    }
}

fn eval(engine: &Engine, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut cases = Vec::new();
    for f in files {
        let paths: Vec<PathBuf> = if f.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(f)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect();
            v.sort();
            v
        } else {
            vec![f.clone()]
        };
        for p in paths {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            cases.extend(
                liverline::eval::parse_cases(&p.display().to_string(), &text)
                    .map_err(anyhow::Error::msg)?,
            );
        }
    }
    let outcomes: Vec<_> = cases
        .iter()
        .map(|c| liverline::eval::run_case(engine, c))
        .collect();
    print!("{}", liverline::eval::report(&outcomes));
    Ok(ExitCode::SUCCESS)
}
