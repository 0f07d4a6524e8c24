//! This device's account at a sync server: the server's URL, the account and
//! device ids, and the bearer token. Kept in the encrypted store's `meta`
//! table; never synced, never logged.

use rusqlite::OptionalExtension;
use zeroize::Zeroizing;

use super::client::Client;
use crate::error::{Error, Result};
use crate::store::Store;

/// A device's registration at a server.
#[derive(Clone)]
pub struct Account {
    /// The server's base URL.
    pub server: String,
    /// The account's id at the server.
    pub account_id: String,
    /// This device's id at the server.
    pub device_id: String,
    /// The bearer token (secret).
    pub token: Zeroizing<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("server", &self.server)
            .field("account_id", &self.account_id)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// A client for this account's server acting as this device.
    pub fn client(&self) -> Result<Client> {
        Ok(Client::new(&self.server)?.with_token(&self.token))
    }
}

const KEY: &str = "account";

impl Store {
    /// This device's account, if it has registered with a server.
    pub fn account(&self) -> Result<Option<Account>> {
        let text: Option<Zeroizing<String>> = self
            .conn()
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([KEY], |r| r.get(0))
            .optional()?
            .map(Zeroizing::new);
        let Some(text) = text else {
            return Ok(None);
        };
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::CorruptStore(format!("the account record is damaged: {e}")))?;
        let field = |name: &str| {
            v.get(name)
                .and_then(|x| x.as_str())
                .map(str::to_owned)
                .ok_or_else(|| Error::CorruptStore("the account record is damaged".into()))
        };
        Ok(Some(Account {
            server: field("server")?,
            account_id: field("account_id")?,
            device_id: field("device_id")?,
            token: Zeroizing::new(field("token")?),
        }))
    }

    /// Registers this device at `server` (a new account, or with
    /// `link_code` another device of an existing one) and keeps the account.
    /// A device that already has an account keeps it.
    pub fn register(&mut self, server: &str, link_code: Option<&str>) -> Result<Account> {
        if let Some(existing) = self.account()? {
            return Ok(existing);
        }
        let account = register_at(server, link_code)?;
        self.keep_account(account)
    }

    /// Keeps `account` as this device's account, and queues every change
    /// made before it for the first push. A device that already has an
    /// account keeps that one (and it is returned).
    pub(crate) fn keep_account(&mut self, account: Account) -> Result<Account> {
        if let Some(existing) = self.account()? {
            return Ok(existing);
        }
        let record = Zeroizing::new(
            serde_json::json!({
                "server": account.server,
                "account_id": account.account_id,
                "device_id": account.device_id,
                "token": account.token.as_str(),
            })
            .to_string(),
        );
        // Changes made before now were not queued (see
        // `Store::queues_changes`): the account and the order to queue them
        // are stored together, and the queueing follows at once.
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            [KEY, record.as_str()],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('outbox_seeded', 'no')",
            [],
        )?;
        tx.commit()?;
        self.start_queueing();
        self.seed_outbox()?;
        self.forget_outbox_len();
        Ok(account)
    }
}

/// Registers a new device at `server` (a new account, or with `link_code`
/// another device of an existing one). Only the network; nothing is kept.
pub(crate) fn register_at(server: &str, link_code: Option<&str>) -> Result<Account> {
    let client = Client::new(server)?;
    let r = client.register(link_code)?;
    Ok(Account {
        server: client.base().to_owned(),
        account_id: r.account_id,
        device_id: r.device_id,
        token: Zeroizing::new(r.token),
    })
}
