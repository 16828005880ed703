//! Writing output files safely: each file is written under an unpredictable temporary name
//! created exclusively in its destination folder (never following a planted symlink), and
//! renamed onto its target only when complete, keeping the permissions of the file it
//! replaces. Several files can be committed together ([`commit_all`]), so a failure leaves
//! none of them half-written.
//!
//! Live temporary files are listed in a process-wide registry, so a Ctrl-C or SIGTERM
//! handler can remove them with [`remove_staged`] before the process ends; dropping a
//! [`Staged`] file without committing it removes it too.
//!
//! ```
//! use std::io::Write;
//! let dir = std::env::temp_dir().join(format!("table-output-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let target = dir.join("out.txt");
//! let mut staged = table::output::Staged::beside(&target)?;
//! staged.write_all(b"hello\n").map_err(|e| staged.error(e))?;
//! assert_eq!(staged.commit()?, target);
//! assert_eq!(std::fs::read_to_string(&target).unwrap(), "hello\n");
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), table::Error>(())
//! ```

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tempfile::NamedTempFile;

use crate::Error;

/// The temporary files alive in this process, for [`remove_staged`].
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes every temporary file not yet committed, and returns how many it removed. Meant
/// for a Ctrl-C or SIGTERM handler that then ends the process: the files being written are
/// unlinked, so what is still written to them goes nowhere.
pub fn remove_staged() -> usize {
    let mut paths = live();
    let removed = paths.iter().filter(|p| fs::remove_file(p).is_ok()).count();
    paths.clear();
    removed
}

/// An output file being written: a temporary file beside its target, removed when dropped
/// unless [`Staged::commit`] renamed it onto the target. Writes go to the temporary file.
#[derive(Debug)]
pub struct Staged {
    // dropped in this order: the file is removed, then taken off the registry
    temp: NamedTempFile,
    registered: Registered,
    target: PathBuf,
}

/// A path on the registry of live temporary files, taken off it when dropped.
#[derive(Debug)]
struct Registered(PathBuf);

impl Drop for Registered {
    fn drop(&mut self) {
        let mut paths = live();
        if let Some(i) = paths.iter().position(|p| *p == self.0) {
            paths.swap_remove(i);
        }
    }
}

impl Staged {
    /// Creates the temporary file for `target`, exclusively, in `target`'s folder, with a
    /// random name `.NAME.XXXXXX.tmp`. If `target` exists its permissions are copied to
    /// the temporary, so replacing it keeps them; a new file gets the usual `0666` less
    /// the umask.
    ///
    /// # Errors
    /// An [`ErrorKind::Io`](crate::ErrorKind::Io) error naming `target` if it exists and is
    /// not a regular file (a device, a folder: it is never replaced), or if the folder does
    /// not exist or cannot be written.
    pub fn beside(target: &Path) -> Result<Self, Error> {
        let name = target.display().to_string();
        let fail = |e: io::Error| Error::io(&name, format!("cannot write: {e}"));
        let existing = match fs::metadata(target) {
            Ok(meta) if !meta.is_file() => {
                return Err(Error::io(&name, "cannot write: not a regular file"));
            }
            Ok(meta) => Some(meta.permissions()),
            Err(_) => None,
        };
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let file_name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy());
        let prefix = format!(".{file_name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // 0666 less the umask, as for any new file, rather than the temporary's 0600
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        // The registry stays locked from creation to listing: a signal handler calling
        // `remove_staged` never finds the file created but unlisted.
        let mut paths = live();
        let temp = builder.tempfile_in(folder).map_err(fail)?;
        paths.push(temp.path().to_path_buf());
        drop(paths);
        let staged = Staged {
            registered: Registered(temp.path().to_path_buf()),
            temp,
            target: target.to_path_buf(),
        };
        if let Some(permissions) = existing {
            staged
                .temp
                .as_file()
                .set_permissions(permissions)
                .map_err(fail)?;
        }
        Ok(staged)
    }

    /// The file this will become.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file's path (random, in the target's folder).
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// The error `cannot write: {e}` naming the target.
    pub fn error(&self, e: impl std::fmt::Display) -> Error {
        Error::io(
            self.target.display().to_string(),
            format!("cannot write: {e}"),
        )
    }

    /// Flushes the file to disk and renames it onto the target; returns the target.
    ///
    /// # Errors
    /// An [`ErrorKind::Io`](crate::ErrorKind::Io) error naming the target if syncing or
    /// renaming fails; the temporary file is then removed and the target left as it was.
    pub fn commit(self) -> Result<PathBuf, Error> {
        self.temp.as_file().sync_all().map_err(|e| self.error(e))?;
        let Staged {
            temp,
            registered,
            target,
        } = self;
        let result = temp.persist(&target);
        drop(registered);
        match result {
            Ok(_) => Ok(target),
            // `e.file` is dropped here, which removes the temporary
            Err(e) => Err(Error::io(
                target.display().to_string(),
                format!("cannot write: {}", e.error),
            )),
        }
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// Commits every file, in order, once all of them were written: the outputs of one command
/// appear together. Returns the targets.
///
/// # Errors
/// The first file that cannot be committed; its message lists the files already renamed
/// into place (a rename after a successful write and sync fails only in rare cases, such as
/// the target's folder being removed meanwhile). The files not yet committed are removed.
pub fn commit_all(files: Vec<Staged>) -> Result<Vec<PathBuf>, Error> {
    let mut done = Vec::with_capacity(files.len());
    for file in files {
        match file.commit() {
            Ok(path) => done.push(path),
            Err(mut e) if !done.is_empty() => {
                let list: Vec<String> = done.iter().map(|p| p.display().to_string()).collect();
                e.message = format!("{} (already written: {})", e.message, list.join(", "));
                return Err(e);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("table-output-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn dropping_an_uncommitted_file_leaves_nothing() {
        let dir = scratch("drop");
        let mut staged = Staged::beside(&dir.join("a.csv")).unwrap();
        staged.write_all(b"half").unwrap();
        assert!(staged.temp_path().exists());
        drop(staged);
        assert!(names(&dir).is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn temporary_names_are_unpredictable_and_never_follow_a_planted_symlink() {
        let dir = scratch("symlink");
        let victim = dir.join("victim");
        fs::write(&victim, "precious").unwrap();
        let target = dir.join("out.csv");
        let a = Staged::beside(&target).unwrap();
        let b = Staged::beside(&target).unwrap();
        assert_ne!(a.temp_path(), b.temp_path());
        let name = a.temp_path().file_name().unwrap().to_string_lossy();
        assert!(
            name.starts_with(".out.csv.") && name.ends_with(".tmp"),
            "{name}"
        );
        drop((a, b));
        // the old predictable name, planted as a symlink, is not used
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            &victim,
            dir.join(format!(".out.csv.{}.tmp", std::process::id())),
        )
        .unwrap();
        let mut staged = Staged::beside(&target).unwrap();
        staged.write_all(b"new").unwrap();
        staged.commit().unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_target_that_is_a_symlink_is_replaced_not_written_through() {
        let dir = scratch("target-link");
        let victim = dir.join("victim");
        fs::write(&victim, "precious").unwrap();
        let target = dir.join("out.csv");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        let mut staged = Staged::beside(&target).unwrap();
        staged.write_all(b"new").unwrap();
        staged.commit().unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!fs::symlink_metadata(&target).unwrap().is_symlink());
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn replacing_a_file_keeps_its_permissions() {
        use std::fs::Permissions;
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("perms");
        let target = dir.join("out.csv");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, Permissions::from_mode(0o640)).unwrap();
        let mut staged = Staged::beside(&target).unwrap();
        staged.write_all(b"new").unwrap();
        staged.commit().unwrap();
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // a new file is not the temporary's private 0600
        let fresh = dir.join("fresh.csv");
        Staged::beside(&fresh).unwrap().commit().unwrap();
        let mode = fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode, 0o600, "{mode:o}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn devices_folders_and_missing_folders_are_refused_naming_the_target() {
        let e = Staged::beside(Path::new("/dev/full")).unwrap_err();
        assert_eq!(e.to_string(), "/dev/full: cannot write: not a regular file");
        let dir = scratch("refuse");
        let e = Staged::beside(&dir).unwrap_err();
        assert!(
            e.to_string().ends_with("cannot write: not a regular file"),
            "{e}"
        );
        let e = Staged::beside(&dir.join("no/such/out.csv")).unwrap_err();
        assert!(
            e.to_string().contains("no/such/out.csv: cannot write:"),
            "{e}"
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_committed_together_appear_together_and_the_registry_empties() {
        let dir = scratch("together");
        let mut files = Vec::new();
        for name in ["a.png", "a.svg"] {
            let mut f = Staged::beside(&dir.join(name)).unwrap();
            f.write_all(name.as_bytes()).unwrap();
            files.push(f);
        }
        assert_eq!(names(&dir).len(), 2);
        assert!(names(&dir).iter().all(|n| n.starts_with('.')));
        let written = commit_all(files).unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(names(&dir), ["a.png", "a.svg"]);
        fs::remove_dir_all(dir).unwrap();
    }
}
