//! The engine in service, swappable: a reload builds a new `Engine` from the
//! configured content folder and swaps it in only when the content passes
//! `check`. Each update takes an `Arc` of the engine when it starts and
//! keeps it to the end, so a swap never changes an answer half-way and
//! never drops an update in flight; the old engine is freed when the last
//! update using it finishes.

use crate::content::{self, Problem};
use crate::engine::{Engine, Tuning};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// The current engine and its content version (1 at start, +1 per reload).
#[derive(Debug)]
pub struct Live {
    current: RwLock<Arc<Engine>>,
    dir: Option<PathBuf>,
    tuning: Tuning,
    version: AtomicU64,
    /// One reload at a time: two at once would build twice for nothing.
    reloading: Mutex<()>,
}

/// Why a reload kept the running content.
#[derive(Debug)]
pub enum Refused {
    /// The bot runs on the built-in content: there is no folder to re-read.
    NoFolder,
    /// The new content failed `check`: every problem, `file:line: message`.
    Problems(Vec<Problem>),
}

impl Live {
    /// `dir` is the content folder reloads read (none: the built-in content).
    pub fn new(engine: Arc<Engine>, dir: Option<PathBuf>, tuning: Tuning) -> Live {
        Live {
            current: RwLock::new(engine),
            dir,
            tuning,
            version: AtomicU64::new(1),
            reloading: Mutex::new(()),
        }
    }

    /// The engine to answer one update with.
    pub fn engine(&self) -> Arc<Engine> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// Re-reads the folder, builds and checks; swaps only on success and
    /// returns the new version. Slow (the matcher trains): call it off the
    /// async runtime's worker threads.
    pub fn reload(&self) -> Result<u64, Refused> {
        let _one = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let dir = self.dir.as_deref().ok_or(Refused::NoFolder)?;
        let engine = content::load_dir(dir)
            .and_then(|c| Engine::build(c, self.tuning))
            .map_err(Refused::Problems)?;
        let engine = Arc::new(engine);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = engine;
        Ok(self.version.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(dir: Option<PathBuf>) -> Live {
        let content = content::embedded_for_startup().expect("shipped content");
        Live::new(Arc::new(Engine::new(content)), dir, Tuning::default())
    }

    #[test]
    fn a_refused_reload_keeps_the_engine_and_the_version() {
        let built_in = live(None);
        let before = built_in.engine();
        assert!(matches!(built_in.reload(), Err(Refused::NoFolder)));
        let missing = live(Some(PathBuf::from("/nonexistent/liverline-content")));
        match missing.reload() {
            Err(Refused::Problems(p)) => assert!(p[0].message.contains("cannot read content")),
            other => panic!("{other:?}"),
        }
        for l in [&built_in, &missing] {
            assert_eq!(l.version(), 1);
        }
        assert!(
            Arc::ptr_eq(&before, &built_in.engine()),
            "the same engine serves on"
        );
    }
}
