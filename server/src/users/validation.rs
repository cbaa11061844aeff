//! Parsing a registration the way Django and DRF validate a new user, with their messages, so
//! reference clients show the same errors. All fields are checked and reported at once.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::FieldErrors;

pub const USERNAME_MAX: usize = 150;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 8;
/// Bounds the hashing work one request can ask for.
pub const PASSWORD_MAX: usize = 1024;
const MAX_SIMILARITY: f64 = 0.7;

const REQUIRED: &str = "This field is required.";
const NOT_NULL: &str = "This field may not be null.";
const NOT_STRING: &str = "Not a valid string.";
const NOT_BLANK: &str = "This field may not be blank.";

static COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub password: String,
}

/// A registration as sent, each field as found. The HTTP edge parses the body into it; whether
/// the fields are right is [`parse_registration`]'s call, which reports every field at once.
#[derive(Debug, Default, Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    pub username: FormField,
    #[serde(default)]
    pub email: FormField,
    #[serde(default)]
    pub password: FormField,
    #[serde(default)]
    pub password_confirm: FormField,
}

/// One field of a form as sent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum FormField {
    #[default]
    Missing,
    Null,
    NotString,
    Text(String),
}

impl<'de> Deserialize<'de> for FormField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => Self::Null,
            Value::String(text) => Self::Text(text),
            _ => Self::NotString,
        })
    }
}

/// Collects errors per field, DRF style.
#[derive(Default)]
struct Errors(FieldErrors);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }
}

/// A required string field; `trim` as DRF's CharField does (not for passwords).
fn string_field(field: FormField, name: &str, trim: bool, errors: &mut Errors) -> Option<String> {
    match field {
        FormField::Missing => errors.add(name, REQUIRED),
        FormField::Null => errors.add(name, NOT_NULL),
        FormField::Text(text) => {
            let kept = if trim { text.trim() } else { text.as_str() };
            if kept.is_empty() {
                errors.add(name, NOT_BLANK);
            } else if kept.len() == text.len() {
                return Some(text);
            } else {
                return Some(kept.to_owned());
            }
        }
        FormField::NotString => errors.add(name, NOT_STRING),
    }
    None
}

fn max_length(max: usize) -> String {
    format!("Ensure this field has no more than {max} characters.")
}

pub fn parse_registration(form: RegistrationForm) -> Result<Registration, FieldErrors> {
    let mut errors = Errors::default();
    let username = string_field(form.username, "username", true, &mut errors);
    let email = string_field(form.email, "email", true, &mut errors);
    let password = string_field(form.password, "password", false, &mut errors);
    let confirm = string_field(
        form.password_confirm,
        "password_confirm",
        false,
        &mut errors,
    );

    // An over-long field gets its length error and nothing else: every later check (the
    // character set, the similarity of the password to it) would cost time in its length.
    let over_long = |value: &Option<String>, max: usize| {
        value.as_ref().is_some_and(|v| v.chars().nth(max).is_some())
    };
    let mut any_over_long = false;
    for (name, value, max) in [
        ("username", &username, USERNAME_MAX),
        ("email", &email, EMAIL_MAX),
        ("password", &password, PASSWORD_MAX),
        ("password_confirm", &confirm, PASSWORD_MAX),
    ] {
        if over_long(value, max) {
            errors.add(name, max_length(max));
            any_over_long = true;
        }
    }
    if any_over_long {
        return Err(errors.0);
    }

    if let Some(username) = &username {
        if !is_username(username) {
            errors.add(
                "username",
                "Enter a valid username. This value may contain only letters, numbers, and \
                 @/./+/-/_ characters.",
            );
        }
    }
    if let Some(email) = &email {
        if !email_address::EmailAddress::is_valid(email) || !email.contains('.') {
            errors.add("email", "Enter a valid email address.");
        }
    }
    if let Some(password) = &password {
        for message in password_problems(password, username.as_deref(), email.as_deref()) {
            errors.add("password", message);
        }
    }
    if let (Some(password), Some(confirm)) = (&password, &confirm) {
        if password != confirm {
            errors.add("password_confirm", "Password fields didn't match.");
        }
    }

    match (username, email, password) {
        (Some(username), Some(email), Some(password)) if errors.0.is_empty() => Ok(Registration {
            username,
            email,
            password,
        }),
        _ => Err(errors.0),
    }
}

/// Django's username validator (`UnicodeUsernameValidator`).
fn is_username(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '+' | '-'))
}

/// The account a sign-in names, as the key it is stored and throttled under: trimmed as DRF's
/// CharField does, case-folded, and `None` for a name no account can have (too long, or
/// characters the username validator refuses). One account is then one throttle key, whatever
/// spaces or letter case an attacker varies (MariaDB's PAD SPACE collation would match
/// "alice " to "alice" on lookup).
pub fn sign_in_key(username: &str) -> Option<String> {
    let username = username.trim();
    let valid = !username.is_empty()
        && username.chars().nth(USERNAME_MAX).is_none()
        && is_username(username);
    valid.then(|| crate::db::users::fold(username))
}

/// Django's default password validators: similarity, minimum length, common, numeric.
pub fn password_problems(
    password: &str,
    username: Option<&str>,
    email: Option<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let length = password.chars().count();
    if length > PASSWORD_MAX {
        problems.push(max_length(PASSWORD_MAX));
        return problems;
    }
    let lowered = password.to_lowercase();
    for (value, label) in [(username, "username"), (email, "email address")] {
        if let Some(value) = value {
            if too_similar(&lowered, &value.to_lowercase()) {
                problems.push(format!("The password is too similar to the {label}."));
                break;
            }
        }
    }
    if length < PASSWORD_MIN {
        problems.push(format!(
            "This password is too short. It must contain at least {PASSWORD_MIN} characters."
        ));
    }
    if COMMON_PASSWORDS.lines().any(|common| common == lowered) {
        problems.push("This password is too common.".to_owned());
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        problems.push("This password is entirely numeric.".to_owned());
    }
    problems
}

/// Django compares the password with the attribute and with each of its word parts.
fn too_similar(password: &str, attribute: &str) -> bool {
    let password: Vec<char> = password.chars().collect();
    std::iter::once(attribute)
        .chain(attribute.split(|c: char| !c.is_alphanumeric()))
        .filter(|part| !part.is_empty())
        .any(|part| {
            let part: Vec<char> = part.chars().collect();
            may_reach(password.len(), part.len()) && similarity(&password, &part) >= MAX_SIMILARITY
        })
}

/// Whether two strings of these lengths can be similar enough at all: at most the shorter one
/// matches, so the ratio is at most `2 * shorter / total`. Skipping the others changes no
/// answer and bounds the quadratic comparison to strings of similar length (Django guards the
/// same way with `exceeds_maximum_length_ratio`).
fn may_reach(a: usize, b: usize) -> bool {
    let total = a + b;
    total == 0 || 2.0 * a.min(b) as f64 / total as f64 >= MAX_SIMILARITY
}

/// Python's `difflib.SequenceMatcher.ratio()` (Ratcliff/Obershelp), which Django uses:
/// twice the matched characters over the total length.
fn similarity(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * matched(a, b) as f64 / total as f64
}

/// Characters matched by taking the longest common block, then recursing on both sides of it.
fn matched(a: &[char], b: &[char]) -> usize {
    let (mut best, mut best_i, mut best_j) = (0, 0, 0);
    let mut previous = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![0usize; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            if ca == cb {
                current[j + 1] = previous[j] + 1;
                if current[j + 1] > best {
                    best = current[j + 1];
                    best_i = i + 1 - best;
                    best_j = j + 1 - best;
                }
            }
        }
        previous = current;
    }
    if best == 0 {
        return 0;
    }
    best + matched(&a[..best_i], &b[..best_j]) + matched(&a[best_i + best..], &b[best_j + best..])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(body: Value) -> Result<Registration, FieldErrors> {
        parse_registration(serde_json::from_value(body).unwrap())
    }

    #[test]
    fn accepts_the_reference_example() {
        let ok = parse(json!({"username": "testuser", "email": "test@example.com",
            "password": "testpass123", "password_confirm": "testpass123"}))
        .unwrap();
        assert_eq!(ok.username, "testuser");
    }

    #[test]
    fn reports_every_field_at_once() {
        let errors =
            parse(json!({"username": "bad name!", "email": "nope", "password": 5})).unwrap_err();
        assert_eq!(errors["username"].len(), 1);
        assert_eq!(errors["email"], vec!["Enter a valid email address."]);
        assert_eq!(errors["password"], vec![NOT_STRING]);
        assert_eq!(errors["password_confirm"], vec![REQUIRED]);
    }

    #[test]
    fn applies_django_password_rules() {
        let problems = |p: &str| password_problems(p, Some("alice"), Some("alice@example.com"));
        assert!(problems("12345678")
            .iter()
            .any(|m| m.contains("entirely numeric")));
        assert!(problems("password")
            .iter()
            .any(|m| m.contains("too common")));
        assert!(problems("short1").iter().any(|m| m.contains("too short")));
        assert!(problems("alice123")
            .iter()
            .any(|m| m.contains("too similar to the username")));
        assert!(problems(&"x".repeat(1025))
            .iter()
            .any(|m| m.contains("1024")));
        assert!(problems("violet-kettle-42").is_empty());
        // difflib's ratio for these is 2 * 5 / 13 = 0.77.
        assert!(
            similarity(
                &['a', 'l', 'i', 'c', 'e'],
                &"alice123".chars().collect::<Vec<_>>()
            ) > 0.76
        );
    }

    #[test]
    fn an_over_long_field_gets_its_length_error_and_no_other_check() {
        let started = std::time::Instant::now();
        let errors = parse(json!({"username": "a".repeat(60_000), "email": "a@b.co",
            "password": "a".repeat(1024), "password_confirm": "b".repeat(5000)}))
        .unwrap_err();
        assert_eq!(errors["username"], vec![max_length(USERNAME_MAX)]);
        assert_eq!(errors["password_confirm"], vec![max_length(PASSWORD_MAX)]);
        assert!(!errors.contains_key("password"));
        assert!(!errors.contains_key("email"));
        // Not a timing assertion: the point is that it returns at all (the similarity check
        // on these lengths ran for minutes).
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn similarity_is_skipped_only_where_it_cannot_reach_the_limit() {
        assert!(may_reach(5, 8));
        assert!(!may_reach(1024, 150));
        // Whenever the bound says no, the full comparison agrees.
        for (a, b) in [("alice", "alice-in-wonderland-1234567"), ("ab", "abcdefgh")] {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            assert!(!may_reach(a.len(), b.len()));
            assert!(similarity(&a, &b) < MAX_SIMILARITY);
        }
    }

    #[test]
    fn sign_in_keys_fold_spaces_and_case_and_refuse_impossible_names() {
        assert_eq!(sign_in_key("Alice").as_deref(), Some("alice"));
        assert_eq!(sign_in_key(" alice  ").as_deref(), Some("alice"));
        assert_eq!(sign_in_key("ali ce"), None);
        assert_eq!(sign_in_key(""), None);
        assert_eq!(sign_in_key(&"a".repeat(151)), None);
        assert!(sign_in_key(&"a".repeat(150)).is_some());
    }

    #[test]
    fn mismatched_confirmation_and_blank_fields() {
        let errors = parse(json!({"username": "  ", "email": "a@b.co",
            "password": "violet-kettle-42", "password_confirm": "violet-kettle-43"}))
        .unwrap_err();
        assert_eq!(errors["username"], vec![NOT_BLANK]);
        assert_eq!(
            errors["password_confirm"],
            vec!["Password fields didn't match."]
        );
    }
}
