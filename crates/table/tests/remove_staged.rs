//! `remove_staged` clears every live temporary file of the process, so it has a test binary
//! of its own (other tests' temporaries would vanish under them).

use std::fs;
use std::io::Write;

use table::output::{remove_staged, Staged};

#[test]
fn remove_staged_deletes_live_temporaries_and_dropping_them_afterwards_is_harmless() {
    let dir = std::env::temp_dir().join(format!("table-remove-staged-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mut a = Staged::beside(&dir.join("big.csv")).unwrap();
    a.write_all(b"rows").unwrap();
    let b = Staged::beside(&dir.join("plot.svg")).unwrap();
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 2);
    assert_eq!(remove_staged(), 2);
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
    assert_eq!(remove_staged(), 0);
    drop((a, b));
    fs::remove_dir_all(dir).unwrap();
}
