//! Secrets the terminal client takes (invite codes, link codes, recovery
//! keys): from the argument, or — when the argument is `-` — from standard
//! input, so that they stay out of `ps` and the shell's history.

use std::io::Read;

use zeroize::Zeroizing;

/// Most bytes read from standard input for one secret: far more than any
/// code, little enough that a wrong pipe cannot fill memory.
const MAX: u64 = 4096;

/// The secret `arg` stands for: itself, or standard input's text (trimmed)
/// when it is `-`.
pub fn from_arg(what: &str, arg: String) -> Result<Zeroizing<String>, String> {
    let arg = Zeroizing::new(arg);
    if arg.as_str() != "-" {
        return Ok(arg);
    }
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .take(MAX)
        .read_to_string(&mut text)
        .map_err(|e| format!("could not read the {what} from standard input: {e}"))?;
    let trimmed = Zeroizing::new(text.trim().to_owned());
    if trimmed.is_empty() {
        return Err(format!("no {what} on standard input"));
    }
    Ok(trimmed)
}
