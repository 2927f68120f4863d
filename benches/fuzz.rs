//! A long fuzz run over the whole reply path, normalize → classify →
//! compose → render, far beyond what `cargo test`'s proptests try: by
//! default a million generated messages (mixed scripts, emoji, control and
//! zero-width characters, markup, domain words in any order, typos, huge
//! texts, follow-ups to any topic). For each: no panic, the plain reply ends
//! with the footer, and every Telegram part fits 4096 UTF-16 units with the
//! footer whole at the end of the last. Not part of `cargo test`:
//!
//!     cargo bench --bench fuzz                        # 1,000,000 inputs
//!     FUZZ_INPUTS=50000 FUZZ_SEED=7 cargo bench --bench fuzz
//!
//! The generator is a seeded xorshift, so a failure is reproducible: the
//! run prints the seed and the failing input's index and text.

use liverline::frontend::telegram::{LIMIT, escape, parts};
use liverline::reply::plain;
use liverline::text::utf16_len;
use liverline::{Engine, Query};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Characters from the corners of Unicode people (and attackers) type.
const ODD: &[&str] = &[
    "\u{0}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{200b}",
    "\u{200d}",
    "\u{202e}",
    "\u{feff}",
    "\u{301}",
    "\u{fffd}",
    "🙂",
    "🔥",
    "👨‍👩‍👧",
    "🇺🇸",
    "печень",
    "肝癌",
    "مرحبا",
    "שלום",
    "ß",
    "ﬁ",
    "Ⅳ",
    "①",
    "𝔱𝔞𝔠𝔢",
    "<b>",
    "</i>",
    "&amp;",
    "&lt;",
    "<a href=\"x\">",
    "[link](#)",
    "\n\n",
    "\t",
    "  ",
    "'",
    "\"",
    "`",
    "?",
    "!",
    ".",
    ",",
    "/start",
    "/topics@liverline_bot",
    "@liverline_bot",
    "...",
    "—",
    "’",
];
/// Words the matcher and the screens care about.
const DOMAIN: &[&str] = &[
    "liver",
    "cancer",
    "tace",
    "rfa",
    "sorafenib",
    "nexavar",
    "side",
    "effects",
    "should",
    "i",
    "stop",
    "blood",
    "vomiting",
    "chest",
    "pain",
    "911",
    "dose",
    "transplant",
    "surgery",
    "stage",
    "trial",
    "and",
    "it",
    "what",
    "about",
    "my",
    "mom",
    "how",
    "long",
    "survival",
    "weather",
    "not",
    "help",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: fast, and plenty for choosing among pieces.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// One message: a mix chosen by shape, sometimes huge.
fn message(rng: &mut Rng, examples: &[String]) -> String {
    let mut text = String::new();
    let pieces = match rng.below(100) {
        0 => 2_000 + rng.below(20_000),
        1..=10 => 50 + rng.below(300),
        _ => rng.below(25),
    };
    for _ in 0..pieces {
        match rng.below(10) {
            0..=2 => text.push_str(rng.pick(ODD)),
            3..=6 => text.push_str(rng.pick(DOMAIN)),
            7 => {
                // An example phrase with a typo: a character dropped.
                let e = &examples[rng.below(examples.len())];
                let cut = rng.below(e.len() + 1);
                let cut = (0..=cut)
                    .rev()
                    .find(|&i| e.is_char_boundary(i))
                    .unwrap_or(0);
                text.push_str(&e[..cut]);
                text.push_str(e[cut..].chars().skip(1).collect::<String>().as_str());
            }
            8 => text.push(char::from_u32(rng.below(0x2_ffff) as u32).unwrap_or('\u{fffd}')),
            _ => text.push_str(&examples[rng.below(examples.len())].to_uppercase()),
        }
        if rng.below(3) > 0 {
            text.push(' ');
        }
    }
    text
}

/// The properties; `Err` names the one broken.
fn check(engine: &Engine, text: &str, last: Option<&str>) -> Result<(), String> {
    let reply = engine.answer(&Query {
        text,
        last_topic: last,
    });
    let footer = &reply.footer;
    if !plain(&reply).ends_with(footer.as_str()) {
        return Err(format!("{} reply without the footer", reply.kind.as_str()));
    }
    let parts = parts(&reply);
    if let Some(p) = parts.iter().find(|p| utf16_len(p) > LIMIT) {
        return Err(format!("a Telegram part of {} UTF-16 units", utf16_len(p)));
    }
    let last_part = parts.last().map(|p| p.trim_end()).unwrap_or_default();
    let footer = escape(footer);
    if !(last_part.ends_with(&format!("<i>{footer}</i>")) || last_part.ends_with(&footer)) {
        return Err("the last Telegram part does not end with the footer".into());
    }
    Ok(())
}

fn main() {
    let inputs: u64 = env_or("FUZZ_INPUTS", 1_000_000);
    let seed: u64 = env_or("FUZZ_SEED", 0x5eed_11fe);
    let started = Instant::now();
    let engine = Engine::new(liverline::content::embedded().expect("shipped content"));
    let examples: Vec<String> = engine
        .content()
        .intents
        .iter()
        .flat_map(|i| i.examples.iter().map(|(e, _)| e.clone()))
        .collect();
    let topics: Vec<String> = engine
        .content()
        .intents
        .iter()
        .map(|i| i.id.clone())
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let done = AtomicU64::new(0);
    let fuzzing = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (engine, examples, topics, done) = (&engine, &examples, &topics, &done);
            s.spawn(move || {
                let mut rng = Rng(seed ^ (t + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                for i in (t..inputs).step_by(threads as usize) {
                    let text = message(&mut rng, examples);
                    let last = match rng.below(4) {
                        0 => Some(topics[rng.below(topics.len())].as_str()),
                        1 => Some("not-a-topic"),
                        _ => None,
                    };
                    if let Err(why) = check(engine, &text, last) {
                        panic!("seed {seed:#x}, input {i} (last topic {last:?}): {why}\n{text:?}");
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n % 100_000 == 0 {
                        eprintln!("fuzz: {n} inputs, {:.0} s", fuzzing.elapsed().as_secs_f64());
                    }
                }
            });
        }
    });
    let secs = fuzzing.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    println!(
        "fuzz: {n} inputs on {threads} threads in {secs:.1} s ({:.0}/s; {:.1} s with start-up), seed {seed:#x}: \
         no panic, every reply footed, every Telegram part within {LIMIT} UTF-16 units",
        n as f64 / secs,
        started.elapsed().as_secs_f64()
    );
}

fn env_or(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| {
            v.strip_prefix("0x")
                .map_or_else(|| v.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
        })
        .unwrap_or(default)
}
