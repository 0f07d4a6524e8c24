//! The home folder: where this device's store, its key file and the lock
//! marker live, and how the app is opened from them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tandem_core::{App, FixedClock, Options, Store, SystemClock, keyfile};

use crate::args::parse_instant;

/// The file name of the store inside the home folder.
const STORE_FILE: &str = "tandem.db";
/// The store key's file, beside the store, readable by this user only.
const KEY_FILE: &str = "tandem.key";
/// Present while the terminal client is locked.
const LOCK_FILE: &str = "locked";

/// One device's home folder.
#[derive(Debug, Clone)]
pub struct Home {
    dir: PathBuf,
}

impl Home {
    /// The folder given by `--home` (or `TANDEM_HOME`), else
    /// `$XDG_DATA_HOME/tandem`, else `~/.local/share/tandem`.
    pub fn find(flag: Option<PathBuf>) -> Result<Home, String> {
        if let Some(dir) = flag {
            return Ok(Home { dir });
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .ok_or("no home folder: pass --home DIR or set TANDEM_HOME")?;
        Ok(Home {
            dir: base.join("tandem"),
        })
    }

    /// The folder itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store key's file.
    pub fn key_file(&self) -> PathBuf {
        self.dir.join(KEY_FILE)
    }

    /// The marker present while the terminal client is locked.
    pub fn lock_file(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    /// Whether the terminal client is locked.
    pub fn is_locked(&self) -> bool {
        self.lock_file().exists()
    }

    /// The files that go with the store when everything is erased: the key
    /// file, the next key of an unfinished rotation, and the lock marker.
    pub fn erase_also(&self) -> Vec<PathBuf> {
        let key = self.key_file();
        vec![key.clone(), keyfile::next_path(&key), self.lock_file()]
    }

    /// Opens the device's app: its encrypted store (see
    /// [`open_store`](Self::open_store)) behind the core's [`App`].
    pub fn open(&self) -> Result<App, String> {
        let options = options()?;
        let store = self.open_with(options.clone())?;
        App::adopt(store, options).map_err(err)
    }

    /// Opens the device's encrypted store, finishing a key rotation that was
    /// interrupted. The key file is created with the store; a plain store
    /// from an older version gets a key and is encrypted.
    pub fn open_store(&self) -> Result<Store, String> {
        self.open_with(options()?)
    }

    /// [`open_store`](Self::open_store) with the store's `options`.
    fn open_with(&self, options: Options) -> Result<Store, String> {
        create_private_dir(&self.dir)?;
        let store_path = self.dir.join(STORE_FILE);
        let key_path = self.key_file();
        if !key_path.exists()
            && !keyfile::next_path(&key_path).exists()
            && !tandem_core::store::is_encrypted(&store_path).map_err(err)?
        {
            keyfile::create(&key_path).map_err(err)?;
        }
        keyfile::open_store(&store_path, &key_path, options).map_err(err)
    }
}

/// The store's options: the clock pinned by `TANDEM_NOW` (RFC 3339), else
/// the system's.
fn options() -> Result<Options, String> {
    let mut options = Options::default();
    if let Some(now) = std::env::var_os("TANDEM_NOW") {
        let now = parse_instant(&now.to_string_lossy()).map_err(|e| format!("TANDEM_NOW: {e}"))?;
        options.clock = Arc::new(FixedClock::new(now));
    } else {
        options.clock = Arc::new(SystemClock);
    }
    Ok(options)
}

/// A core error as the one line printed on stderr.
pub fn err(e: tandem_core::Error) -> String {
    e.to_string()
}

/// Writes `text` to `path`, readable by this user only.
pub fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates `dir` (and its parents) readable by this user only.
pub fn create_private_dir(dir: &Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
}
