//! The rules for new usernames and passwords, shared by `POST /register` and `tessera user add`.

/// Longest accepted username, in characters.
pub const MAX_USERNAME_LEN: usize = 64;
/// Shortest accepted password, in bytes.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longest accepted password, in bytes; caps the work one argon2 call can be made to do.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Checks a username: 1–64 ASCII letters, digits, `.`, `_` or `-`.
/// ASCII only, so look-alike letters from other scripts cannot impersonate a user.
pub fn username(name: &str) -> Result<(), String> {
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
pub fn password(password: &str) -> Result<(), String> {
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

/// Checks a role name: 1–32 lowercase ASCII letters, digits, `_` or `-`.
pub fn role(role: &str) -> Result<(), String> {
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
