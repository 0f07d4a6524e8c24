//! SQLCipher's page crypto done by RustCrypto.
//!
//! SQLCipher encrypts each page with AES-256-CBC and authenticates it with
//! an HMAC; the work is done by a *crypto provider*, a table of functions
//! registered with SQLCipher. The bundled build registers OpenSSL 3, whose
//! every call fetches its algorithm by name, allocates a context and frees
//! it again: for a 4 KiB page that costs about as much as the hashing
//! itself. [`install`] registers this crate's provider instead: the same
//! algorithms from the RustCrypto crates (`aes`, `cbc`, `hmac`, `sha1`,
//! `sha2`, `pbkdf2`) with their state on the stack and random bytes from the
//! operating system (`getrandom`).
//!
//! Keys only pass through: the provider keeps nothing between calls (a
//! closed or locked store leaves no key here) and the AES round keys are
//! wiped when dropped.
//!
//! The file format does not change: a database written under either
//! provider is read by the other (this crate's tests check both ways).
//! Connections keyed before [`install`] keep the provider they started with.

use std::ffi::{c_char, c_int, c_void};
use std::sync::OnceLock;

use aes::Aes256;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// The name SQLCipher reports for this provider (`PRAGMA cipher_provider`).
pub const NAME: &str = "rustcrypto";

const NAME_C: &[u8] = b"rustcrypto\0";
const VERSION_C: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();
const CIPHER_C: &[u8] = b"aes-256-cbc\0";

// SQLite's result codes and SQLCipher's algorithm numbers (sqlcipher.h).
const SQLITE_OK: c_int = 0;
const SQLITE_ERROR: c_int = 1;
const SQLITE_NOMEM: c_int = 7;
const DECRYPT: c_int = 0;
const ENCRYPT: c_int = 1;
const SHA1: c_int = 0;
const SHA256: c_int = 1;
const SHA512: c_int = 2;

const KEY_SIZE: c_int = 32;
const BLOCK_SIZE: c_int = 16;

/// SQLCipher's `sqlcipher_provider` (sqlcipher 4.x), field for field.
#[repr(C)]
struct Provider {
    init: Option<unsafe extern "C" fn() -> c_int>,
    shutdown: Option<unsafe extern "C" fn()>,
    get_provider_name: unsafe extern "C" fn(*mut c_void) -> *const c_char,
    add_random: unsafe extern "C" fn(*mut c_void, *const c_void, c_int) -> c_int,
    random: unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int,
    hmac: unsafe extern "C" fn(
        *mut c_void,
        c_int,
        *const u8,
        c_int,
        *const u8,
        c_int,
        *const u8,
        c_int,
        *mut u8,
    ) -> c_int,
    kdf: unsafe extern "C" fn(
        *mut c_void,
        c_int,
        *const u8,
        c_int,
        *const u8,
        c_int,
        c_int,
        c_int,
        *mut u8,
    ) -> c_int,
    cipher: unsafe extern "C" fn(
        *mut c_void,
        c_int,
        *const u8,
        c_int,
        *const u8,
        *const u8,
        c_int,
        *mut u8,
    ) -> c_int,
    get_cipher: unsafe extern "C" fn(*mut c_void) -> *const c_char,
    get_key_sz: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_iv_sz: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_block_sz: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_hmac_sz: unsafe extern "C" fn(*mut c_void, c_int) -> c_int,
    ctx_init: unsafe extern "C" fn(*mut *mut c_void) -> c_int,
    ctx_free: unsafe extern "C" fn(*mut *mut c_void) -> c_int,
    fips_status: unsafe extern "C" fn(*mut c_void) -> c_int,
    get_provider_version: unsafe extern "C" fn(*mut c_void) -> *const c_char,
    /// Written by SQLCipher: the provider registered before this one.
    next: *mut Provider,
}

unsafe extern "C" {
    fn sqlcipher_malloc(size: u64) -> *mut c_void;
    fn sqlcipher_register_provider(provider: *mut Provider) -> c_int;
}

/// Why [`install`] failed; connections then keep SQLCipher's own provider,
/// which reads and writes the same format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallError {
    /// The SQLite result code returned.
    pub code: i32,
}

impl std::fmt::Display for InstallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SQLCipher refused the RustCrypto provider (code {})",
            self.code
        )
    }
}

impl std::error::Error for InstallError {}

/// Makes this crate's provider SQLCipher's default for every database
/// keyed from now on, in the whole process. Safe to call any number of
/// times from any thread; only the first call registers.
pub fn install() -> Result<(), InstallError> {
    static INSTALLED: OnceLock<Result<(), InstallError>> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        // SAFETY: initialising SQLite is allowed at any time and from any
        // thread; it runs SQLCipher's own set-up (its mutexes and the
        // OpenSSL provider), which registration needs.
        let rc = unsafe { libsqlite3_sys::sqlite3_initialize() };
        if rc != SQLITE_OK {
            return Err(InstallError { code: rc });
        }
        let table = Provider {
            init: None,
            shutdown: None,
            get_provider_name,
            add_random,
            random,
            hmac,
            kdf,
            cipher,
            get_cipher,
            get_key_sz,
            get_iv_sz,
            get_block_sz,
            get_hmac_sz,
            ctx_init,
            ctx_free,
            fips_status,
            get_provider_version,
            next: std::ptr::null_mut(),
        };
        // SQLCipher owns a registered table: it writes its `next` field and
        // frees it with its own allocator at `sqlite3_shutdown`.
        // SAFETY: allocating has no preconditions; the result is checked.
        let provider: *mut Provider =
            unsafe { sqlcipher_malloc(std::mem::size_of::<Provider>() as u64) }.cast();
        if provider.is_null() {
            return Err(InstallError { code: SQLITE_NOMEM });
        }
        // SAFETY: `provider` is a fresh allocation of the table's size,
        // aligned for any type (SQLite's allocator guarantees 8 bytes).
        unsafe { provider.write(table) };
        // SAFETY: the table matches `sqlcipher_provider` field for field and
        // lives until SQLCipher frees it; registration takes SQLCipher's
        // provider mutex itself.
        match unsafe { sqlcipher_register_provider(provider) } {
            SQLITE_OK => Ok(()),
            code => Err(InstallError { code }),
        }
    })
}

/// A slice over `len` bytes at `ptr`, or `None` for a null pointer or a
/// negative length.
///
/// # Safety
/// A non-null `ptr` must point at `len` readable bytes that stay valid and
/// unchanged while the slice is used.
unsafe fn bytes<'a>(ptr: *const u8, len: c_int) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the caller promises `len` readable bytes at `ptr`.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A mutable slice over `len` bytes at `ptr`, as [`bytes`].
///
/// # Safety
/// A non-null `ptr` must point at `len` writable bytes that nothing else
/// reads or writes while the slice is used.
unsafe fn bytes_mut<'a>(ptr: *mut u8, len: c_int) -> Option<&'a mut [u8]> {
    let len = usize::try_from(len).ok()?;
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the caller promises `len` writable, unshared bytes at `ptr`.
    Some(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

fn status(ok: bool) -> c_int {
    if ok { SQLITE_OK } else { SQLITE_ERROR }
}

unsafe extern "C" fn get_provider_name(_ctx: *mut c_void) -> *const c_char {
    NAME_C.as_ptr().cast()
}

unsafe extern "C" fn get_provider_version(_ctx: *mut c_void) -> *const c_char {
    VERSION_C.as_ptr().cast()
}

unsafe extern "C" fn get_cipher(_ctx: *mut c_void) -> *const c_char {
    CIPHER_C.as_ptr().cast()
}

/// The operating system's generator needs no seeding.
unsafe extern "C" fn add_random(_ctx: *mut c_void, _buffer: *const c_void, _len: c_int) -> c_int {
    SQLITE_OK
}

/// Fills `buffer` from the operating system's generator (IVs and salts).
unsafe extern "C" fn random(_ctx: *mut c_void, buffer: *mut c_void, len: c_int) -> c_int {
    // SAFETY: SQLCipher passes a buffer of `len` bytes that it owns.
    match unsafe { bytes_mut(buffer.cast(), len) } {
        Some(out) => status(getrandom::fill(out).is_ok()),
        None => SQLITE_ERROR,
    }
}

fn mac<M: Mac + KeyInit>(key: &[u8], first: &[u8], second: Option<&[u8]>, out: *mut u8) -> c_int {
    let Ok(mut m) = <M as KeyInit>::new_from_slice(key) else {
        return SQLITE_ERROR;
    };
    m.update(first);
    if let Some(second) = second {
        m.update(second);
    }
    let tag = m.finalize().into_bytes();
    // SAFETY: SQLCipher's output buffer holds `get_hmac_sz` bytes for this
    // algorithm, the length of `tag`, and does not overlap the inputs.
    unsafe { std::ptr::copy_nonoverlapping(tag.as_ptr(), out, tag.len()) };
    SQLITE_OK
}

/// HMAC over `input` followed by `input2` (the page number), if given.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn hmac(
    _ctx: *mut c_void,
    algorithm: c_int,
    key: *const u8,
    key_sz: c_int,
    input: *const u8,
    in_sz: c_int,
    input2: *const u8,
    in2_sz: c_int,
    out: *mut u8,
) -> c_int {
    // SAFETY: SQLCipher passes buffers of the stated sizes (`input2` may be
    // null) that it does not change during the call.
    let (Some(key), Some(first)) = (unsafe { bytes(key, key_sz) }, unsafe {
        bytes(input, in_sz)
    }) else {
        return SQLITE_ERROR;
    };
    // SAFETY: as above.
    let second = unsafe { bytes(input2, in2_sz) };
    if out.is_null() {
        return SQLITE_ERROR;
    }
    match algorithm {
        SHA1 => mac::<Hmac<Sha1>>(key, first, second, out),
        SHA256 => mac::<Hmac<Sha256>>(key, first, second, out),
        SHA512 => mac::<Hmac<Sha512>>(key, first, second, out),
        _ => SQLITE_ERROR,
    }
}

/// PBKDF2 with the given HMAC, `workfactor` rounds, into `key_sz` bytes.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn kdf(
    _ctx: *mut c_void,
    algorithm: c_int,
    pass: *const u8,
    pass_sz: c_int,
    salt: *const u8,
    salt_sz: c_int,
    workfactor: c_int,
    key_sz: c_int,
    key: *mut u8,
) -> c_int {
    // SAFETY: SQLCipher passes buffers of the stated sizes; the output
    // does not overlap the inputs.
    let (Some(pass), Some(salt), Some(out)) = (
        unsafe { bytes(pass, pass_sz) },
        unsafe { bytes(salt, salt_sz) },
        unsafe { bytes_mut(key, key_sz) },
    ) else {
        return SQLITE_ERROR;
    };
    let Ok(rounds) = u32::try_from(workfactor) else {
        return SQLITE_ERROR;
    };
    if rounds == 0 {
        return SQLITE_ERROR;
    }
    status(match algorithm {
        SHA1 => pbkdf2::pbkdf2::<Hmac<Sha1>>(pass, salt, rounds, out).is_ok(),
        SHA256 => pbkdf2::pbkdf2::<Hmac<Sha256>>(pass, salt, rounds, out).is_ok(),
        SHA512 => pbkdf2::pbkdf2::<Hmac<Sha512>>(pass, salt, rounds, out).is_ok(),
        _ => false,
    })
}

/// AES-256-CBC without padding over `in_sz` bytes (whole blocks).
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn cipher(
    _ctx: *mut c_void,
    mode: c_int,
    key: *const u8,
    key_sz: c_int,
    iv: *const u8,
    input: *const u8,
    in_sz: c_int,
    out: *mut u8,
) -> c_int {
    if key_sz != KEY_SIZE || in_sz < 0 || input.is_null() || out.is_null() {
        return SQLITE_ERROR;
    }
    // SAFETY: SQLCipher passes `in_sz` bytes in and room for as many out;
    // `copy` allows the two to overlap. After it only `out` is used.
    unsafe { std::ptr::copy(input, out, in_sz as usize) };
    // SAFETY: the key and IV are `key_sz` and one block long; `out` holds
    // `in_sz` bytes that SQLCipher does not touch during the call.
    let (Some(key), Some(iv), Some(buf)) = (
        unsafe { bytes(key, key_sz) },
        unsafe { bytes(iv, BLOCK_SIZE) },
        unsafe { bytes_mut(out, in_sz) },
    ) else {
        return SQLITE_ERROR;
    };
    let len = buf.len();
    status(match mode {
        ENCRYPT => cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
            .is_ok_and(|c| c.encrypt_padded_mut::<NoPadding>(buf, len).is_ok()),
        DECRYPT => cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
            .is_ok_and(|c| c.decrypt_padded_mut::<NoPadding>(buf).is_ok()),
        _ => false,
    })
}

unsafe extern "C" fn get_key_sz(_ctx: *mut c_void) -> c_int {
    KEY_SIZE
}

unsafe extern "C" fn get_iv_sz(_ctx: *mut c_void) -> c_int {
    BLOCK_SIZE
}

unsafe extern "C" fn get_block_sz(_ctx: *mut c_void) -> c_int {
    BLOCK_SIZE
}

unsafe extern "C" fn get_hmac_sz(_ctx: *mut c_void, algorithm: c_int) -> c_int {
    match algorithm {
        SHA1 => 20,
        SHA256 => 32,
        SHA512 => 64,
        _ => 0,
    }
}

/// The provider keeps no state per connection.
unsafe extern "C" fn ctx_init(ctx: *mut *mut c_void) -> c_int {
    if !ctx.is_null() {
        // SAFETY: SQLCipher passes the address of its context field.
        unsafe { *ctx = std::ptr::null_mut() };
    }
    SQLITE_OK
}

unsafe extern "C" fn ctx_free(_ctx: *mut *mut c_void) -> c_int {
    SQLITE_OK
}

unsafe extern "C" fn fips_status(_ctx: *mut c_void) -> c_int {
    0
}
