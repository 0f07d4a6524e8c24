//! `ui`: the app in a browser for this store, on loopback. The browser
//! shell is linked only with the `ui` feature (on by default).

use std::net::SocketAddr;

use crate::home::Home;

/// Serves the browser shell until the process ends. The URL to open (with
/// its token) is the first line printed, as soon as the socket listens;
/// nothing is printed after.
#[cfg(feature = "ui")]
pub fn serve(home: &Home, listen: SocketAddr) -> Result<(), String> {
    tandem_web::serve(home.open()?, home.erase_also(), listen, |url| {
        use std::io::Write as _;
        println!("{url}");
        let _ = std::io::stdout().flush();
        eprintln!(
            "Tandem for {} is served on loopback only; open the address above. Ctrl-C stops it.",
            home.dir().display()
        );
    })
    .map_err(|e| e.to_string())
}

/// Without the browser shell, says so.
#[cfg(not(feature = "ui"))]
pub fn serve(_home: &Home, _listen: SocketAddr) -> Result<(), String> {
    Err(
        "this tandem was built without the browser shell (cargo feature `ui`), \
         so `tandem ui` is not available; rebuild tandem-cli with its default features"
            .into(),
    )
}
