//! Rebuild when content changes: include_dir embeds intents/ and responses/,
//! and cargo only notices new or changed files in folders named here.
fn main() {
    for dir in ["intents", "responses", "source", "web"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
