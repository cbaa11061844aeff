//! Authentication building blocks: JWTs, password hashing, the signing secret and sign-in
//! throttling. The rules of accounts live in `crate::users`.

pub mod jwt;
pub mod password;
pub mod secret;
pub mod throttle;
