//! Database URLs fit for a log line: every password masked.

/// Query parameters of a database URL that carry a secret (libpq's `password`
/// and `sslpassword`, the key file's passphrase); matched ignoring case.
const SECRET_URL_PARAMETERS: [&str; 2] = ["password", "sslpassword"];

/// `url` with the password in `user:password@` and the values of
/// [`SECRET_URL_PARAMETERS`] in the query replaced by `***`.
pub(super) fn mask_url_passwords(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut masked = match (base.find("://"), base.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &base[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &base[..scheme + 3], &base[at..]),
                None => base.to_owned(),
            }
        }
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        let parameters: Vec<String> = query
            .split('&')
            .map(|parameter| match parameter.split_once('=') {
                Some((key, _))
                    if SECRET_URL_PARAMETERS
                        .iter()
                        .any(|secret| key.eq_ignore_ascii_case(secret)) =>
                {
                    format!("{key}=***")
                }
                _ => parameter.to_owned(),
            })
            .collect();
        masked.push('?');
        masked.push_str(&parameters.join("&"));
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_database_urls_hide_passwords() {
        assert_eq!(
            mask_url_passwords("postgres://tessera:hunter2@db:5432/auth"),
            "postgres://tessera:***@db:5432/auth"
        );
        assert_eq!(
            mask_url_passwords("postgres://tessera@db/auth"),
            "postgres://tessera@db/auth"
        );
    }

    #[test]
    fn logged_database_urls_hide_passwords_in_the_query() {
        for (url, logged) in [
            (
                "postgres://tessera@db/auth?password=hunter2",
                "postgres://tessera@db/auth?password=***",
            ),
            (
                "postgres://db/auth?user=tessera&Password=hunter2&sslmode=require",
                "postgres://db/auth?user=tessera&Password=***&sslmode=require",
            ),
            (
                "postgres://t:hunter2@db/auth?sslmode=verify-full&sslpassword=hunter2",
                "postgres://t:***@db/auth?sslmode=verify-full&sslpassword=***",
            ),
            (
                // An `@` in the query is not the end of user info.
                "postgres://db/auth?password=a@b&application_name=x",
                "postgres://db/auth?password=***&application_name=x",
            ),
            (
                "sqlite://data/tessera.db?mode=rwc",
                "sqlite://data/tessera.db?mode=rwc",
            ),
        ] {
            let shown = mask_url_passwords(url);
            assert_eq!(shown, logged);
            assert!(
                !shown.contains("hunter2") && !shown.contains("a@b"),
                "{shown}"
            );
        }
    }
}
