//! This device's account at a sync server, kept in the `meta` table: never
//! synced, never logged.

use zeroize::Zeroizing;

use super::Store;
use crate::error::{Error, Result};
use crate::sync::Account;

/// The `meta` key the account is kept under.
const KEY: &str = "account";

impl Store {
    /// This device's account, if it has registered with a server.
    pub fn account(&self) -> Result<Option<Account>> {
        let Some(text) = self.meta(KEY)?.map(Zeroizing::new) else {
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
        let tx = self.conn.transaction()?;
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
