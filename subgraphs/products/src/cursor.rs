//! Opaque page cursors. A cursor names the last product of a page (by id, the
//! sort key); it is base64 so clients treat it as a token, not as an id to edit.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const PREFIX: &str = "product:";

pub fn encode(product_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{product_id}"))
}

/// The product id inside `cursor`, or `None` when it is not one of ours.
pub fn decode(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let id = text.strip_prefix(PREFIX)?;
    (!id.is_empty()).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        assert_eq!(decode(&encode("prod-07")).as_deref(), Some("prod-07"));
        assert_eq!(decode("not a cursor"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("user:1")), None);
        assert_eq!(decode(&encode("")), None);
    }
}
