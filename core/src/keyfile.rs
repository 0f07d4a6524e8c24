//! The terminal client's key file: the store key as hex in a file beside the
//! store, readable only by its owner (mode 0600).
//!
//! The phone shells keep the key in Android Keystore / iOS Keychain instead;
//! the rotation protocol here is the one they follow too: save the new key
//! beside the old one first, re-key, then replace the old key. A kill at any
//! moment leaves a key that opens the store.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::files::{sidecar, sync_parent};
use crate::store::{Options, Store, StoreKey};

/// Creates `path` holding a fresh key. Refuses to overwrite an existing file.
pub fn create(path: &Path) -> Result<StoreKey> {
    let key = StoreKey::generate();
    write_new(path, &key)?;
    sync_parent(path)?;
    Ok(key)
}

/// Reads the key stored at `path`.
pub fn read(path: &Path) -> Result<StoreKey> {
    let text = match fs::read_to_string(path) {
        Ok(text) => zeroize::Zeroizing::new(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::WrongKey(path.to_path_buf()));
        }
        Err(e) => return Err(e.into()),
    };
    StoreKey::from_hex(&text)
        .map_err(|_| Error::CorruptStore(format!("the key file {} is damaged", path.display())))
}

/// Where a rotation keeps the new key until the store is re-keyed.
pub fn next_path(path: &Path) -> PathBuf {
    sidecar(path, ".next")
}

/// Opens the store at `store_path` with the key in `key_path`, finishing a
/// rotation that a kill interrupted: if the store is already under the new
/// key, the new key file replaces the old one; if not, the new one is dropped.
pub fn open_store(store_path: &Path, key_path: &Path, options: Options) -> Result<Store> {
    let next = next_path(key_path);
    let key = read(key_path)?;
    match Store::open_with(store_path, Some(&key), options.clone()) {
        Ok(store) => {
            remove_if_present(&next)?;
            Ok(store)
        }
        Err(Error::WrongKey(p)) if next.exists() => {
            let Ok(new_key) = read(&next) else {
                return Err(Error::WrongKey(p));
            };
            let store = Store::open_with(store_path, Some(&new_key), options)?;
            fs::rename(&next, key_path)?;
            sync_parent(key_path)?;
            Ok(store)
        }
        Err(e) => Err(e),
    }
}

/// Re-keys `store` under a fresh key and replaces the key file, in the
/// order that survives a kill at any step (see the module).
pub fn rotate(store: Store, key_path: &Path) -> Result<Store> {
    let next = next_path(key_path);
    remove_if_present(&next)?;
    let new_key = StoreKey::generate();
    write_new(&next, &new_key)?;
    sync_parent(&next)?;
    let store = store.rekey(&new_key)?;
    fs::rename(&next, key_path)?;
    sync_parent(key_path)?;
    Ok(store)
}

fn write_new(path: &Path, key: &StoreKey) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file: File = options.open(path)?;
    file.write_all(key.to_hex().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let key = create(&path).unwrap();
        assert_eq!(read(&path).unwrap(), key);
        assert!(create(&path).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            read(&dir.path().join("missing")).unwrap_err().kind(),
            crate::ErrorKind::WrongKey
        );
        fs::write(&path, "not a key").unwrap();
        assert_eq!(read(&path).unwrap_err().kind(), crate::ErrorKind::Corrupt);
    }
}
