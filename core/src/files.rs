//! Small file-system helpers shared by the store, the key file and erase.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Result;

/// `path` with `suffix` appended to its file name (`x.db` → `x.db-wal`).
pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Makes a create, rename or delete in `path`'s folder durable.
pub(crate) fn sync_parent(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()?;
    Ok(())
}
