//! What a hostile client does with the keys it holds: read its own key
//! ring, and seal and push records of its own making.

use tandem_core::Store;
use tandem_core::document::DocId;
use tandem_core::sync::seal::SpaceKey;

/// A text value `store`'s key ring holds under `field`.
pub fn keyring_value(store: &mut Store, field: &str) -> Option<String> {
    let mut doc = automerge::AutoCommit::new();
    for c in store.changes_since(&DocId::keyring(), &[]).unwrap() {
        doc.load_incremental(&c).unwrap();
    }
    let (value, _) = automerge::ReadDoc::get(&doc, automerge::ROOT, field).unwrap()?;
    value.into_string().ok()
}

/// The account identity `store`'s keyring holds, as a hostile client
/// reads its own keyring.
pub fn identity_of(store: &mut Store) -> tandem_core::features::identity::Identity {
    let text = keyring_value(store, "identity").expect("an identity in the keyring");
    let mut seed = [0u8; 32];
    hex::decode_to_slice(text, &mut seed).unwrap();
    tandem_core::features::identity::Identity::from_seed(&seed)
}

/// A signer for the writer of `change`, with a fresh key certified by the
/// account identity `lost` holds: what a phone of the person's can mint.
pub fn certified_for(lost: &mut Store, change: &[u8]) -> tandem_core::sync::signature::Signer {
    let actor = automerge::Change::from_bytes(change.to_vec())
        .unwrap()
        .actor_id()
        .to_bytes()
        .to_vec();
    tandem_core::sync::signature::Signer::new(
        &identity_of(lost),
        &actor,
        &tandem_core::sync::signature::generate_seed(),
    )
}

/// Seals `change` of `doc` for `space` under `key` (of `epoch`) as
/// `writer`, and pushes it with `from`'s token, as a hostile client would.
pub fn push_sealed(
    from: &Store,
    space: &str,
    key: &SpaceKey,
    epoch: u32,
    doc: &DocId,
    change: &[u8],
    writer: tandem_core::sync::seal::Writer<'_>,
) {
    let record = sealed_record(space, key, epoch, doc, change, writer);
    let client = from.account().unwrap().unwrap().client().unwrap();
    client.push(vec![record]).unwrap();
}

/// `change` to `doc`, sealed as `writer` under `key` (of `epoch`) for
/// `space`: a record as a device would push it.
pub fn sealed_record(
    space: &str,
    key: &SpaceKey,
    epoch: u32,
    doc: &DocId,
    change: &[u8],
    writer: tandem_core::sync::seal::Writer<'_>,
) -> tandem_protocol::PushRecord {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let hash = automerge::Change::from_bytes(change.to_vec())
        .unwrap()
        .hash();
    let wire_doc_id = key.wire_doc_id(doc.as_str());
    let wire_change_hash = key.wire_change_hash(doc.as_str(), &hash.0);
    let place = tandem_core::sync::seal::Place {
        space_id: space,
        wire_doc_id: &wire_doc_id,
        wire_change_hash: &wire_change_hash,
        epoch,
    };
    let payload = tandem_core::sync::pack::encode([change]);
    let (nonce, ciphertext) =
        tandem_core::sync::seal::seal(key, &place, doc.as_str(), writer, &payload).unwrap();
    tandem_protocol::PushRecord {
        space_id: space.to_owned(),
        doc_id: wire_doc_id,
        change_hash: wire_change_hash,
        key_epoch: epoch,
        nonce: b64.encode(nonce),
        ciphertext: b64.encode(ciphertext),
    }
}

/// Writes `entry` under `key` of the person's devices document as a writer
/// that `lost` mints under the account identity it holds (certified with a
/// key other than the one its id is bound to), and pushes it sealed with
/// the private space's key from link code `private`: what a lost phone does
/// to the person's devices records before it is unlinked.
pub fn plant_device_record(
    lost: &mut Store,
    private: &tandem_core::features::codes::LinkCode,
    key: &str,
    entry: &serde_json::Value,
) {
    use tandem_core::sync::signature::{Signer, bound_writer_of_seed, generate_seed};
    let devices = DocId::devices();
    let mut doc = automerge::AutoCommit::new();
    for c in lost.changes_since(&devices, &[]).unwrap() {
        doc.load_incremental(&c).unwrap();
    }
    let minted = bound_writer_of_seed(&generate_seed()).to_vec();
    doc.set_actor(automerge::ActorId::from(minted.clone()));
    tandem_core::document::shard::put(&mut doc, key, &entry.to_string()).unwrap();
    let change = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let minter = Signer::new(&identity_of(lost), &minted, &generate_seed());
    push_sealed(
        lost,
        &hex::encode(private.space_id),
        &private.key,
        private.epoch,
        &devices,
        &change,
        tandem_core::sync::seal::Writer::Signed(&minter),
    );
}
