//! The `liverline` binary: parses the command line and runs a front-end.

use anyhow::Context;
use clap::{Parser, Subcommand};
use liverline::config::Config;
use liverline::content;
use liverline::engine::{Engine, Query, Tuning};
use liverline::frontend::cli::{self, FAILED, UNANSWERED};
use liverline::frontend::term::{ColorChoice, Style};
use liverline::frontend::{console, telegram, web};
use liverline::nlu::Normalizer;
use liverline::ops::Ops;
use liverline::ops::analytics::{self, Recorder, Store};
use secrecy::ExposeSecret;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The exit statuses, shown under `liverline --help`.
const EXIT_STATUSES: &str = "\
Exit status of `ask QUESTION` (and `ask --json QUESTION`):
  0  answered (answer, personal_advice, urgent, support, greeting, help, small_talk)
  1  unanswered (fallback, clarify, not_in_guide, non_text); also `eval --min`
     below the floor, `topics --search` finding nothing, `check` finding problems
  2  usage error or failure (a bad option, no question, an unknown topic id)
  3  emergency or crisis: the reply says to call 911
`ask --json` reading stdin exits 0. A closed pipe (`| head -1`) ends quietly with 0.";

/// liverline: answers about treating liver cancer from the American Cancer
/// Society guide. Not medical advice.
#[derive(Parser)]
#[command(version, about, after_help = EXIT_STATUSES)]
struct Cli {
    /// A TOML config file (see config.example.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// A content folder (intents/ and responses/) instead of the built-in one.
    #[arg(long, global = true)]
    content: Option<PathBuf>,
    /// Bold titles and dim source lines: on a terminal without NO_COLOR
    /// (auto), always or never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Interactive console chat.
    Chat,
    /// Answer one question (plain text), or with --json every stdin line.
    Ask {
        /// Write JSON; without a question, read questions from stdin, one
        /// per line, and write one JSON object per line.
        #[arg(long)]
        json: bool,
        /// The question.
        #[arg(required_unless_present = "json")]
        question: Vec<String>,
    },
    /// List the topics (id, category, title), or those matching words.
    Topics {
        /// Only topics whose id, title, keywords or example phrases hold
        /// every one of these words.
        #[arg(long, num_args = 1.., value_name = "WORDS")]
        search: Vec<String>,
    },
    /// Show one topic's passage, source and footer.
    Show {
        /// The topic id (see `liverline topics`).
        id: String,
        /// The whole section the passage comes from.
        #[arg(long)]
        more: bool,
    },
    /// The staff quick reference in a browser, and its JSON API.
    Web {
        /// Listen on this address:port (default: [web] listen, else
        /// 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Validate the content; prints file:line: message for each problem.
    Check,
    /// Train the triage model and the topic matcher on the content and
    /// write them (default intents/triage.model and intents/topics.model,
    /// which the binary ships and uses while the content they learnt from
    /// is unchanged).
    #[command(alias = "triage-model")]
    Models {
        #[arg(long, default_value = "intents")]
        dir: PathBuf,
    },
    /// Run labelled questions (JSON lines) and report accuracy and misses.
    Eval {
        /// Case files or folders of *.jsonl files.
        files: Vec<PathBuf>,
        /// Try a threshold or weight: KEY=VALUE (min_score, clarify_ratio,
        /// sure_score, oos_ratio, len_ref, w_example, w_profile, w_assoc, w_keyword,
        /// w_logistic).
        #[arg(long)]
        tune: Vec<String>,
        /// Exit with status 1 when the accuracy is below PCT percent.
        #[arg(long, value_name = "PCT")]
        min: Option<f64>,
    },
    /// Run the Telegram bot (long polling, or a webhook with [webhook];
    /// needs TELOXIDE_TOKEN or telegram.token).
    Telegram,
    /// The editors' report from the analytics database: replies by kind,
    /// top intents, fallback rate, unanswered questions.
    Report {
        /// First day (YYYY-MM-DD, UTC). Default: `--days` before --to.
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD, UTC). Default: today.
        #[arg(long)]
        to: Option<String>,
        /// The period's length in days when --from is not given.
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// How many intents and questions to list.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// The database (default: analytics.path from the config).
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader closed the pipe (`| head -1`): it has what it wanted.
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("liverline: {e:#}");
            ExitCode::from(FAILED)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    let content_dir = cli.content.clone().or(config.content_dir.clone());
    if let Some(Command::Check) = cli.command {
        return Ok(check(content_dir.as_deref()));
    }
    if let Some(Command::Models { dir }) = &cli.command {
        let content = match content_dir.as_deref() {
            Some(d) => content::load_dir(d),
            None => content::embedded(),
        };
        let models = content
            .and_then(|c| {
                let norm = Normalizer::new(&c);
                let triage = liverline::safety::Safety::trained_model(&c, &norm)?;
                let topics = liverline::nlu::Classifier::new(&c, &norm, Default::default())
                    .to_bytes(c.topic_inputs);
                Ok([("triage.model", triage), ("topics.model", topics)])
            })
            .map_err(|problems| {
                for p in &problems {
                    eprintln!("{p}");
                }
                anyhow::anyhow!("the content has {} problem(s)", problems.len())
            })?;
        for (name, bytes) in models {
            let out = dir.join(name);
            std::fs::write(&out, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
            println!("{}: {} bytes", out.display(), bytes.len());
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Report {
        from,
        to,
        days,
        top,
        db,
    }) = cli.command
    {
        let db = db.unwrap_or(config.analytics_path.clone());
        return report(&db, from, to, days, top);
    }
    let mut tuning = Tuning::default();
    if let Some(Command::Eval { tune, .. }) = &cli.command {
        for t in tune {
            tuning.set(t).map_err(anyhow::Error::msg)?;
        }
    }
    let engine = load(content_dir.as_deref(), tuning)?;
    let style = Style::detect(match cli.color {
        Color::Auto => ColorChoice::Auto,
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
    });
    let mut out = std::io::stdout().lock();
    match cli.command {
        Some(Command::Ask {
            json: true,
            question,
        }) if question.is_empty() => {
            let stdin = std::io::stdin();
            console::ask_json(&engine, stdin.lock(), out)?;
        }
        Some(Command::Ask { json, question }) => {
            let q = question.join(" ");
            let reply = engine.answer(&Query::new(&q));
            if json {
                writeln!(out, "{}", liverline::reply::json_line(&q, &reply))?;
            } else {
                writeln!(out, "{}", style.reply(&reply))?;
            }
            out.flush()?;
            // The process ends here: freeing the engine's tables one by one
            // would only make a one-shot answer slower.
            std::mem::forget(engine);
            return Ok(ExitCode::from(cli::status(reply.kind)));
        }
        Some(Command::Topics { search }) => {
            let search = search.join(" ");
            let rows = cli::topics(&engine, Some(&search));
            write!(out, "{}", cli::topic_table(&rows))?;
            out.flush()?;
            if rows.is_empty() {
                eprintln!("liverline: no topic matches {search:?}");
                return Ok(ExitCode::from(UNANSWERED));
            }
        }
        Some(Command::Show { id, more }) => {
            let reply = cli::show(&engine, &id, more).map_err(anyhow::Error::msg)?;
            writeln!(out, "{}", style.reply(&reply))?;
            out.flush()?;
        }
        Some(Command::Web { listen }) => {
            drop(out);
            web_reference(&config, engine, listen.unwrap_or(config.web.listen))?;
        }
        Some(Command::Eval { files, min, .. }) => return eval(&engine, &files, min),
        Some(Command::Telegram) => telegram(&config, engine, content_dir, tuning)?,
        // The default: the bot when a token is configured, else the console.
        None if config.has_token() => telegram(&config, engine, content_dir, tuning)?,
        Some(Command::Chat) | None => {
            drop(out);
            console::chat(&engine, style)?
        }
        Some(Command::Check | Command::Report { .. } | Command::Models { .. }) => {
            unreachable!("handled above")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `liverline web`: the quick reference on `listen` until Ctrl-C or SIGTERM.
fn web_reference(
    config: &Config,
    engine: Engine,
    listen: std::net::SocketAddr,
) -> anyhow::Result<()> {
    init_logs(&config.log_level);
    let listener = bind(listen)?;
    // The bound address: with port 0 the system picks one.
    let listen = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let app = web::routes(web::Engines::fixed(Arc::new(engine)), config.web.limits);
    eprintln!("liverline: the quick reference is on http://{listen}/ (Ctrl-C stops it)");
    runtime.block_on(web::serve(listener, app, telegram::shutdown_signal()))?;
    Ok(())
}

/// Runs the Telegram bot until Ctrl-C or SIGTERM; SIGHUP reloads `dir`.
fn telegram(
    config: &Config,
    engine: Engine,
    dir: Option<PathBuf>,
    tuning: Tuning,
) -> anyhow::Result<()> {
    let token = config
        .token
        .as_ref()
        .filter(|_| config.has_token())
        .context("no Telegram bot token: set TELOXIDE_TOKEN or telegram.token in the config")?;
    init_logs(&config.log_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let analytics = config
        .analytics
        .as_ref()
        .map(|a| {
            Recorder::start(a)
                .with_context(|| format!("cannot open the analytics database {}", a.path.display()))
        })
        .transpose()?;
    let ops = Ops::new(Arc::new(engine))
        .with_reload_from(dir, tuning)
        .with_flood(config.flood_per_minute)
        .with_admins(config.admins.iter().copied())
        .with_web(config.web.on_bot_listener.then_some(config.web.limits))
        .with_stall_after(config.unhealthy_after)
        .with_analytics(analytics);
    let ops = match &config.redis_url {
        None => ops,
        Some(url) => {
            // The bot's id (the token's first part) namespaces the keys.
            let bot_id = token
                .expose_secret()
                .split(':')
                .next()
                .and_then(|id| id.parse().ok())
                .unwrap_or(0);
            let shared = liverline::store::shared::Shared::new(
                url.expose_secret(),
                bot_id,
                config.flood_per_minute,
            )
            .map_err(|e| anyhow::anyhow!("[redis] url: {e}"))?;
            ops.with_store(liverline::store::Store::Shared(shared))
        }
    };
    runtime.block_on(async {
        let bot = telegram::bot(token, config.api_url.as_deref())?;
        let options = telegram::Options {
            throttle: config.throttle,
            webhook: config
                .webhook
                .as_ref()
                .map(|w| -> anyhow::Result<_> {
                    Ok(telegram::Webhook {
                        url: w.url.clone(),
                        secret_token: w.secret_token.clone(),
                        listener: bind(w.listen)?,
                    })
                })
                .transpose()?,
            http: config.http_listen.map(bind).transpose()?,
            shutdown_grace: config.shutdown_grace,
            ..telegram::Options::default()
        };
        telegram::run(bot, Arc::new(ops), options, telegram::shutdown_signal()).await
    })
}

fn bind(address: std::net::SocketAddr) -> anyhow::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(address).with_context(|| format!("cannot listen on {address}"))
}

/// Prints the editors' report for a period.
fn report(
    db: &Path,
    from: Option<String>,
    to: Option<String>,
    days: u32,
    top: usize,
) -> anyhow::Result<ExitCode> {
    let today = liverline::ops::today_number();
    let to = to.unwrap_or_else(|| liverline::ops::date(today));
    let from = from.unwrap_or_else(|| liverline::ops::date(today - i64::from(days.max(1)) + 1));
    for d in [&from, &to] {
        let ok = d.len() == 10
            && d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        anyhow::ensure!(ok, "{d:?} is not a date: use YYYY-MM-DD");
    }
    let store = Store::open_existing(db)
        .with_context(|| format!("cannot open the analytics database {}", db.display()))?;
    let text = analytics::report(&store, &analytics::Period { from, to }, top)
        .context("cannot read the analytics database")?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
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
        // The webhook server's request traces (paths, headers) stay off too.
        "tower_http=warn",
        "axum=warn",
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

/// The content through the one gate (`Engine::build`): refused with every
/// problem listed, never served with a screen missing.
fn load(dir: Option<&Path>, tuning: Tuning) -> anyhow::Result<Engine> {
    let result = match dir {
        Some(d) => content::load_dir(d),
        None => content::embedded_for_startup(),
    };
    result
        .and_then(|c| Engine::build(c, tuning))
        .map_err(|problems| {
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
    // The same gate start-up and reload use: the screens compile and pass
    // their own samples.
    let result = match result {
        Ok(c) => Engine::build(c, Tuning::default()),
        // The screens compile once the content parses: their problems are
        // reported beside the others, so one run shows every problem.
        Err(mut problems) => {
            if let Ok(c) = content::parse_only(dir)
                && let Err(more) = Engine::build(c, Tuning::default())
            {
                problems.extend(more.into_iter().filter(|p| p.file.ends_with("safety.toml")));
            }
            Err(problems)
        }
    };
    match result.as_ref().map(Engine::content) {
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
            for p in problems {
                println!("{p}");
            }
            eprintln!("{} problem(s)", problems.len());
            ExitCode::from(1)
        }
    }
}

fn eval(engine: &Engine, files: &[PathBuf], min: Option<f64>) -> anyhow::Result<ExitCode> {
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
    let mut out = std::io::stdout().lock();
    write!(out, "{}", liverline::eval::report(&outcomes))?;
    out.flush()?;
    let accuracy = liverline::eval::accuracy(&outcomes);
    match min {
        Some(floor) if accuracy < floor => {
            eprintln!("liverline: accuracy {accuracy:.1}% is below --min {floor}%");
            Ok(ExitCode::from(UNANSWERED))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
