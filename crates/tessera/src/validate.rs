//! The rules for new usernames, passwords and email addresses, shared by the
//! routes and `tessera user add`.

/// Longest accepted username, in characters.
pub(crate) const MAX_USERNAME_LEN: usize = 64;
/// Shortest accepted password, in bytes.
pub(crate) const MIN_PASSWORD_LEN: usize = 8;
/// Longest accepted password, in bytes; caps the work one argon2 call can be made to do.
pub(crate) const MAX_PASSWORD_LEN: usize = 1024;

/// Checks a username: 1–64 ASCII letters, digits, `.`, `_` or `-`.
/// ASCII only, so look-alike letters from other scripts cannot impersonate a user.
pub(crate) fn username(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Missing username parameter".to_owned());
    }
    if name.len() > MAX_USERNAME_LEN {
        return Err(format!(
            "Username must be at most {MAX_USERNAME_LEN} characters"
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err("Username may contain only letters, digits, '.', '_' and '-'".to_owned());
    }
    Ok(())
}

/// Checks a new password's length: 8–1024 bytes.
pub(crate) fn password(password: &str) -> Result<(), String> {
    if password.is_empty() {
        return Err("Missing password parameter".to_owned());
    }
    if password.len() < MIN_PASSWORD_LEN {
        return Err(format!(
            "Password must be at least {MIN_PASSWORD_LEN} bytes long"
        ));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(format!(
            "Password must be at most {MAX_PASSWORD_LEN} bytes long"
        ));
    }
    Ok(())
}

/// Longest accepted email address, in characters (RFC 5321's path limit less the brackets).
pub(crate) const MAX_EMAIL_LEN: usize = 254;

/// Checks an email address and returns it normalised: trimmed and in lower
/// case, so one mailbox is one account whatever case it is typed in. Accepts
/// what the wire schema's pattern does: a dot-atom local part of 1–64
/// characters, `@`, and a domain of dot-separated labels of ASCII letters,
/// digits and inner hyphens (internationalised domains in their `xn--` form).
pub(crate) fn email(address: &str) -> Result<String, String> {
    let address = address.trim();
    if address.is_empty() {
        return Err("Missing email parameter".to_owned());
    }
    let invalid = || Err(format!("{address:?} is not a valid email address"));
    if address.len() > MAX_EMAIL_LEN {
        return Err(format!(
            "Email address must be at most {MAX_EMAIL_LEN} characters"
        ));
    }
    let Some((local, domain)) = address.split_once('@') else {
        return invalid();
    };
    let local_ok = (1..=64).contains(&local.len())
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b));
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if !local_ok || !domain.split('.').all(label_ok) {
        return invalid();
    }
    Ok(address.to_ascii_lowercase())
}

/// Checks a role name: 1–32 lowercase ASCII letters, digits, `_` or `-`.
pub(crate) fn role(role: &str) -> Result<(), String> {
    let valid = (1..=32).contains(&role.len())
        && role
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "Role {role:?} must be 1-32 lowercase letters, digits, '_' or '-'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in ["a", "alice", "A.b_c-9", &"x".repeat(64)] {
            assert_eq!(username(ok), Ok(()), "{ok}");
        }
        assert_eq!(username("").unwrap_err(), "Missing username parameter");
        assert!(username(&"x".repeat(65))
            .unwrap_err()
            .contains("at most 64"));
        for bad in ["al ice", "al/ice", "ålice", "alice\0", "<script>"] {
            assert!(username(bad).unwrap_err().contains("only letters"), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Alice@Example.ORG ").unwrap(), "alice@example.org");
        assert_eq!(email("a.b+c@x-y.example").unwrap(), "a.b+c@x-y.example");
        assert_eq!(email("root@localhost").unwrap(), "root@localhost");
        assert_eq!(email("").unwrap_err(), "Missing email parameter");
        for bad in [
            "alice",
            "@example.org",
            "alice@",
            "a@b@c",
            "al ice@example.org",
            "alice@-example.org",
            "alice@example..org",
            "alice@exa_mple.org",
            "ålice@example.org",
            "alice@example.org\r\nBcc: x@y",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(email(&format!("{}@example.org", "a".repeat(65))).is_err());
        assert!(email(&format!("a@{}.org", "b".repeat(250))).is_err());
    }

    #[test]
    fn roles() {
        assert_eq!(role("admin"), Ok(()));
        assert_eq!(role("read-only_2"), Ok(()));
        for bad in ["", "Admin", "a b", &"r".repeat(33)] {
            assert!(role(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert_eq!(password(&"p".repeat(8)), Ok(()));
        assert_eq!(password(&"p".repeat(1024)), Ok(()));
        assert_eq!(password("").unwrap_err(), "Missing password parameter");
        assert!(password("short").unwrap_err().contains("at least 8"));
        assert!(password(&"p".repeat(1025))
            .unwrap_err()
            .contains("at most 1024"));
        // Bytes, not characters: four 2-byte letters are long enough.
        assert_eq!(password("éééé"), Ok(()));
    }
}
