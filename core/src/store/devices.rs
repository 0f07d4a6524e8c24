//! The person's devices, as the devices document records them in the read
//! model.

use super::Store;
use crate::error::Result;

impl Store {
    /// Each of the person's devices as the devices document records it
    /// (JSON), in device-id order.
    pub(crate) fn device_records(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM devices ORDER BY device_id")?;
        let bodies = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(bodies)
    }
}
