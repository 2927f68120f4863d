//! Content rules: the shipped content passes `check`; every example phrase
//! classifies to its own intent; every excerpt sentence is in the guide;
//! broken content is refused with `file:line`.

use crate::util::{copy_content, engine, repo, run, stdout, temp_dir};
use liverline::Query;
use liverline::content::{
    IntentKind,
    source::{Source, sentences},
};
use liverline::reply::Kind;

#[test]
fn the_start_up_content_is_the_checked_content() {
    let started = liverline::content::embedded_for_startup().expect("parses");
    let checked = liverline::content::embedded().expect("passes check");
    assert_eq!(started.intents.len(), checked.intents.len());
    assert_eq!(
        format!("{:?}", started.intents),
        format!("{:?}", checked.intents)
    );
}

#[test]
fn shipped_content_passes_check() {
    let out = run(&["check"], None);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).starts_with("ok:"));
}

#[test]
fn every_example_phrase_classifies_to_its_own_intent() {
    let e = engine();
    let mut misses = Vec::new();
    for intent in &e.content().intents {
        for (example, origin) in &intent.examples {
            let reply = e.answer(&Query::new(example));
            let ok = match intent.kind {
                // Or one of the passages of a comparison.
                IntentKind::Answer => {
                    reply.intent.as_deref() == Some(intent.id.as_str())
                        || reply.also.iter().any(|e| e.topic == intent.id)
                }
                // Triage may put the care team first (personal advice); the
                // choices are still the clarify intent's.
                IntentKind::Clarify => {
                    reply.kind == Kind::Clarify
                        || (reply.kind == Kind::PersonalAdvice && !reply.choices.is_empty())
                }
                IntentKind::OutOfScope => reply.kind == Kind::Fallback,
                IntentKind::Greeting | IntentKind::Help => {
                    matches!(reply.kind, Kind::Greeting | Kind::Help)
                }
                // The bot's own words: the same kind of reply (which of the
                // feelings or small-talk intents answers matters less).
                IntentKind::Support => reply.kind == Kind::Support,
                IntentKind::SmallTalk => reply.kind == Kind::SmallTalk,
                IntentKind::NotInGuide => reply.kind == Kind::NotInGuide,
            };
            if !ok {
                misses.push(format!(
                    "{origin}: \"{example}\" ({}) -> {} {:?}",
                    intent.id,
                    reply.kind.as_str(),
                    reply.intent
                ));
            }
        }
    }
    assert!(
        misses.is_empty(),
        "{} example(s) miss their intent:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn every_excerpt_sentence_is_in_the_guide() {
    let guide =
        std::fs::read_to_string(repo().join("source/acs-liver-cancer-treatment.txt")).unwrap();
    let src = Source::new(&guide);
    let mut count = 0;
    for intent in &engine().content().intents {
        if let Some(r) = &intent.response {
            for s in sentences(&r.excerpt) {
                assert!(src.contains(&s), "{}: not in the guide: {s}", intent.id);
                count += 1;
            }
        }
    }
    assert!(count > 150, "only {count} sentences checked");
}

#[test]
fn every_answer_topic_has_a_dated_excerpt() {
    for intent in engine()
        .content()
        .intents
        .iter()
        .filter(|i| i.kind == IntentKind::Answer)
    {
        let reply = engine().topic(&intent.id).expect("answer topic");
        let ex = reply.excerpt.expect("excerpt");
        assert!(ex.source.contains("Treating Liver Cancer"), "{}", intent.id);
        assert!(
            ex.source.contains("Last Medical Review: ")
                || ex.source.contains("no medical review date"),
            "{}",
            intent.id
        );
    }
}

/// Each corruption and the `file:line: message` it must produce.
#[test]
fn check_reports_broken_content_with_file_and_line() {
    let dir = temp_dir("broken");
    copy_content(&dir);
    let safety = dir.join("intents/safety.toml");
    let bad_line = append(&safety, "[bogus]\npatterns = ['(unclosed']\n");
    let extra = dir.join("responses/extra.toml");
    std::fs::write(
        &extra,
        "[[response]]\nintent = \"sorafenib\"\nsection = \"Liver Cancer Surgery\"\nreviewed = \"March 31, 2016\"\nexcerpt = \"Sorafenib cures everything.\"\n\n[[response]]\nintent = \"nobody\"\nsection = \"Nowhere\"\nreviewed = \"June 1, 1999\"\nexcerpt = \"x\"\n",
    )
    .unwrap();
    let out = run(&["check", "--content", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("safety.toml:{bad_line}:")),
        "unknown table reported at its line:\n{text}"
    );

    // Fix the TOML error, so the semantic checks run and report.
    std::fs::write(
        &safety,
        std::fs::read_to_string(&safety)
            .unwrap()
            .replace("[bogus]\npatterns = ['(unclosed']\n", ""),
    )
    .unwrap();
    let out = run(&["check", "--content", dir.to_str().unwrap()], None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for want in [
        "a second response for intent `sorafenib`",
        "extra.toml:7: response for unknown intent `nobody`",
    ] {
        assert!(text.contains(want), "missing `{want}` in:\n{text}");
    }

    // A response that is well formed but unfaithful to the guide.
    std::fs::write(&extra, "").unwrap();
    let surgery = dir.join("responses/surgery.toml");
    let s = std::fs::read_to_string(&surgery).unwrap();
    std::fs::write(
        &surgery,
        s.replacen(
            "offers the only reasonable chance",
            "is a guaranteed way",
            1,
        ),
    )
    .unwrap();
    let regex_broken = std::fs::read_to_string(&safety)
        .unwrap()
        .replacen("'\\bsuicid',", "'\\bsuicid(',", 1)
        .replacen("belly = 'belly|", "belly = '(belly|", 1);
    let belly_line = 1 + regex_broken
        .lines()
        .position(|l| l.starts_with("belly = "))
        .expect("the belly word class");
    std::fs::write(&safety, regex_broken).unwrap();
    let out = run(&["check", "--content", dir.to_str().unwrap()], None);
    let text = stdout(&out);
    assert!(
        text.contains("surgery.toml:") && text.contains("not found in the source"),
        "{text}"
    );
    assert!(
        text.contains("safety.toml:") && text.contains("invalid regex"),
        "{text}"
    );
    // A broken word class is reported once, at its own line.
    let class: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("word class `belly`"))
        .collect();
    assert_eq!(class.len(), 1, "{text}");
    assert!(
        class[0].contains(&format!("safety.toml:{belly_line}:")),
        "{text}"
    );
    assert!(
        text.lines().all(|l| l
            .split(':')
            .nth(1)
            .is_some_and(|n| n.parse::<usize>().is_ok())),
        "every line is file:line: …\n{text}"
    );
}

#[test]
fn a_broken_content_folder_stops_start_up_with_a_clear_error() {
    let dir = temp_dir("broken-start");
    copy_content(&dir);
    std::fs::write(dir.join("intents/general.toml"), "[[intent]\n").unwrap();
    let out = run(
        &["ask", "--content", dir.to_str().unwrap(), "what is tace"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("general.toml:1:"), "{err}");
}

#[test]
fn a_broken_example_file_is_reported_though_the_model_is_stored() {
    // The example files are read only to train the model; a changed one no
    // longer matches the stored model, so it is read and its fault found.
    let dir = temp_dir("broken-examples");
    copy_content(&dir);
    let file = dir.join("intents/triage_examples_n.toml");
    // The `name` line of the appended level.
    let bad_line = 1 + append(&file, "[[level]]\nname = \"panic\"\nexamples = [\"x\"]\n");
    let out = run(&["check", "--content", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("triage_examples_n.toml:{bad_line}:")),
        "the unknown level reported at its line:\n{text}"
    );
}

#[test]
fn the_shipped_triage_model_is_the_one_its_examples_train() {
    let content = liverline::content::embedded().expect("shipped content");
    let norm = liverline::nlu::Normalizer::new(&content);
    let fresh = liverline::safety::Safety::trained_model(&content, &norm).expect("builds");
    let shipped = std::fs::read(repo().join("intents/triage.model")).expect("intents/triage.model");
    assert!(
        fresh == shipped,
        "intents/triage.model was not trained on the current content: run `cargo run --release -- models`"
    );
}

#[test]
fn the_shipped_topic_model_is_the_one_the_content_trains() {
    use liverline::nlu::Classifier;
    let content = liverline::content::embedded().expect("shipped content");
    let norm = liverline::nlu::Normalizer::new(&content);
    let fresh = Classifier::new(&content, &norm, Default::default());
    let shipped = std::fs::read(repo().join("intents/topics.model")).expect("intents/topics.model");
    assert!(
        fresh.to_bytes(content.topic_inputs) == shipped,
        "intents/topics.model was not trained on the current content: run `cargo run --release -- models`"
    );
    // The stored matcher is the one start-up uses, and ranks as the fresh one.
    let stored = Classifier::stored_or_new(&content, &norm, Default::default(), Some(&shipped));
    assert_eq!(stored.to_bytes(content.topic_inputs), shipped);
    let message = norm.normalize("what are the side effects of sorafenib");
    assert_eq!(stored.rank(&message), fresh.rank(&message));
}

#[test]
fn a_stored_topic_model_is_not_used_for_other_content() {
    use liverline::nlu::Classifier;
    let shipped = std::fs::read(repo().join("intents/topics.model")).expect("intents/topics.model");
    // The shipped content less one example phrase of chemo.toml.
    let mut files = liverline::content::embedded_files();
    let chemo = files
        .iter_mut()
        .find(|f| f.path.ends_with("chemo.toml"))
        .expect("chemo.toml");
    let phrase = chemo
        .text
        .lines()
        .find(|l| l.trim_start().starts_with('"') && l.trim_end().ends_with("\","))
        .expect("an example phrase")
        .to_string();
    chemo.text = chemo.text.replacen(&format!("{phrase}\n"), "", 1);
    let other = liverline::content::build(&files, None).expect("still valid content");
    let norm = liverline::nlu::Normalizer::new(&other);
    let fresh = Classifier::new(&other, &norm, Default::default()).to_bytes(other.topic_inputs);
    let used = Classifier::stored_or_new(&other, &norm, Default::default(), Some(&shipped))
        .to_bytes(other.topic_inputs);
    assert!(
        used == fresh,
        "the stored matcher was used for changed content"
    );
    // And the change does change what is learnt (so the check above can fail).
    let shipped_fingerprint = liverline::content::embedded().unwrap().topic_inputs;
    let retrained = Classifier::stored_or_new(&other, &norm, Default::default(), None);
    assert!(
        retrained.to_bytes(shipped_fingerprint) != shipped,
        "the change changes what is learnt"
    );
    // Nor is something that is no model at all.
    let used = Classifier::stored_or_new(&other, &norm, Default::default(), Some(b"not a model"));
    assert!(used.to_bytes(other.topic_inputs) == fresh);
}

/// Appends `tail` to a content file after a blank line; returns the line
/// `tail` starts at.
fn append(file: &std::path::Path, tail: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    std::fs::write(file, format!("{text}\n{tail}")).unwrap();
    text.lines().count() + 2
}

/// Appends a screen to the copied content's `intents/safety.toml` and
/// returns what `check` and a start-up (`ask`) say of it.
fn with_screen(name: &str, screen: &str) -> (Option<i32>, String, Option<i32>) {
    let dir = temp_dir(name);
    copy_content(&dir);
    append(&dir.join("intents/safety.toml"), &format!("{screen}\n"));
    let content = dir.to_str().unwrap();
    let check = run(&["check", "--content", content], None);
    let ask = run(&["ask", "--content", content, "what is tace"], None);
    (check.status.code(), stdout(&check), ask.status.code())
}

#[test]
fn a_screen_that_does_not_build_is_empty_or_misses_its_samples_is_refused() {
    let cases = [
        (
            "screen-too-big",
            "[[screen]]\nlevel = \"emergency\"\nname = \"too_big\"\npatterns = ['(?:[a-z]{1000}){1000}']\nmust_match = [\"aaa\"]\nmust_not_match = [\"b\"]",
            "screen `too_big` does not build",
        ),
        (
            "screen-empty",
            "[[screen]]\nlevel = \"emergency\"\nname = \"nothing\"\npatterns = []\nmust_match = [\"aaa\"]\nmust_not_match = [\"b\"]",
            "screen `nothing`",
        ),
        (
            "screen-misses",
            "[[screen]]\nlevel = \"emergency\"\nname = \"misses\"\npatterns = ['\\bpineapple\\b']\nmust_match = [\"a banana\"]\nmust_not_match = [\"pineapple juice\"]",
            "screen `misses` misses its own sample \"a banana\"",
        ),
    ];
    for (name, screen, want) in cases {
        let (check, out, ask) = with_screen(name, screen);
        assert_eq!(check, Some(1), "{name}: check must fail:\n{out}");
        assert!(
            out.lines()
                .any(|l| l.contains("safety.toml:") && l.contains(want)),
            "{name}: missing `{want}` at file:line in:\n{out}"
        );
        assert_eq!(ask, Some(2), "{name}: start-up must refuse the content");
    }
}
