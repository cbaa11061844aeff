//! Every WebSocket text a client can send goes through `parse_client_msg` first: it must never
//! panic, and whatever it accepts must serialize and parse back to the same message.
#![no_main]

use app::protocol::parse_client_msg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(message) = parse_client_msg(text) {
        let json = serde_json::to_string(&message).expect("a parsed message serializes");
        let again = parse_client_msg(&json).expect("a serialized message parses");
        assert_eq!(again, message);
    }
});
