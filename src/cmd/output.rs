//! The files one command writes, committed together when it succeeds.
//!
//! Each output is written to a temporary file created exclusively, under a random name, in
//! its destination folder ([`table::output::Staged`]); the command's files are renamed into
//! place together by [`commit`] only when the whole command succeeded, and removed by
//! [`discard`] otherwise. A Ctrl-C or SIGTERM removes them too ([`remove_on_interrupt`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use table::output::{commit_all, remove_staged, Staged};

use super::Error;

/// The files written so far by this command, not yet renamed into place.
static PENDING: Mutex<Vec<Staged>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<Staged>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes `bytes` to a temporary file beside `path`, to become `path` at [`commit`].
///
/// # Errors
/// [`Error::Output`] naming `path` if it cannot be written (its temporary is removed).
pub fn stage(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let output = |e: table::Error| Error::Output(e.to_string());
    let mut staged = Staged::beside(path).map_err(output)?;
    staged
        .write_all(bytes)
        .map_err(|e| output(staged.error(e)))?;
    pending().push(staged);
    Ok(())
}

/// Renames every staged file into place; returns their paths.
///
/// # Errors
/// [`Error::Output`] naming the file that could not be renamed and those already renamed.
pub fn commit() -> Result<Vec<PathBuf>, Error> {
    let files = std::mem::take(&mut *pending());
    commit_all(files).map_err(|e| Error::Output(e.to_string()))
}

/// Removes every staged file: the command failed, none of its files appear.
pub fn discard() {
    pending().clear();
}

/// Installs a Ctrl-C and SIGTERM handler that removes every temporary file of the process
/// (staged here or written by [`lecture::data::write_file`]) and exits with 130.
pub fn remove_on_interrupt() {
    // If a handler cannot be installed the default one stays: the process still ends.
    let _ = ctrlc::set_handler(|| {
        remove_staged();
        std::process::exit(130);
    });
}
