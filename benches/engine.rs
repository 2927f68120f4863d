//! Benchmarks: per-question latency over the golden set (and its accuracy,
//! so a fast but wrong change shows), and content load + index time.
//!
//!     cargo bench --bench engine

use criterion::{Criterion, criterion_group, criterion_main};
use liverline::eval::{parse_cases, run_case};
use liverline::{Engine, Query};
use std::hint::black_box;
use std::time::Instant;

fn golden() -> Vec<liverline::eval::Case> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
    let mut cases = Vec::new();
    // Both parts (tune/, gate/) and the files at the top.
    let mut files: Vec<_> = ["", "tune", "gate"]
        .iter()
        .flat_map(|part| std::fs::read_dir(format!("{root}/{part}")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for f in files {
        cases.extend(
            parse_cases(
                &f.display().to_string(),
                &std::fs::read_to_string(&f).unwrap(),
            )
            .unwrap(),
        );
    }
    cases
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(liverline::content::embedded().unwrap());
    let cases = golden();

    let passed = cases
        .iter()
        .filter(|case| run_case(&engine, case).passed())
        .count();
    println!(
        "golden accuracy: {:.1}% ({passed}/{})",
        100.0 * passed as f64 / cases.len() as f64,
        cases.len()
    );

    // Per-question latency distribution, measured directly for p50/p99.
    let mut times: Vec<u128> = Vec::with_capacity(cases.len() * 5);
    for _ in 0..5 {
        for case in &cases {
            let q = Query {
                text: &case.q,
                last_topic: case.last_topic.as_deref(),
            };
            let t = Instant::now();
            black_box(engine.answer(black_box(&q)));
            times.push(t.elapsed().as_nanos());
        }
    }
    report("per question", &mut times);
    // Triage alone (the screens and the model), which every message meets
    // before any topic matching.
    times.clear();
    for _ in 0..5 {
        for case in &cases {
            let t = Instant::now();
            black_box(engine.triage(black_box(&case.q)));
            times.push(t.elapsed().as_nanos());
        }
    }
    report("triage alone", &mut times);

    c.bench_function("answer: whole golden set, per question", |b| {
        let mut i = 0;
        b.iter(|| {
            let case = &cases[i % cases.len()];
            i += 1;
            black_box(engine.answer(&Query {
                text: &case.q,
                last_topic: case.last_topic.as_deref(),
            }))
        })
    });
    c.bench_function("load + check + index the embedded content", |b| {
        b.iter(|| black_box(Engine::new(liverline::content::embedded().unwrap())))
    });
}

/// Prints the p50, p90, p99 and maximum of these times (ns) in µs.
fn report(what: &str, times: &mut [u128]) {
    times.sort_unstable();
    let pick =
        |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)] as f64 / 1000.0;
    println!(
        "{what}: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        pick(0.5),
        pick(0.9),
        pick(0.99),
        pick(1.0)
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
