//! Settings read from files: `PIAZZA_<KEY>_FILE=/path` sets `<KEY>` to the file's content, so a
//! secret (the signing key, a URL with a password) can come from a mounted Kubernetes Secret or a
//! Docker secret instead of the environment, where it would show in `docker inspect` and in every
//! child process. It works for any setting, nested ones too (`PIAZZA_EMAIL__FROM_FILE`).

use super::error::SettingsError;
use figment::value::Value;

/// What ends the name of a variable that names a file.
const SUFFIX: &str = "_FILE";

/// Whether the variable (without the `PIAZZA_` prefix, any case) names a file.
pub fn names_a_file(key: &str) -> bool {
    key.len() > SUFFIX.len() && key.to_ascii_uppercase().ends_with(SUFFIX)
}

/// The settings the `<prefix><KEY>_FILE` variables among `vars` name, as `(key path, value)`:
/// `PIAZZA_BUS__NAMESPACE_FILE` gives `bus.namespace`. The value is the file's content without
/// its final line break; one that starts with `[` is a list, written as in the environment.
/// Setting both `<KEY>` and `<KEY>_FILE` is refused, as is a file that cannot be read.
pub fn settings_from_files(
    prefix: &str,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<(String, Value)>, SettingsError> {
    let vars: Vec<(String, String)> = vars.into_iter().collect();
    let mut settings = Vec::new();
    for (name, path) in &vars {
        let Some(key) = name.strip_prefix(prefix).filter(|k| names_a_file(k)) else {
            continue;
        };
        let key = &key[..key.len() - SUFFIX.len()];
        let setting = key.to_lowercase().replace("__", ".");
        if vars
            .iter()
            .any(|(other, _)| other == &format!("{prefix}{key}"))
        {
            return Err(SettingsError::new(
                &setting,
                format!("set either {prefix}{key} or {name}, not both"),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|error| {
            SettingsError::new(&setting, format!("cannot read {name}={path}: {error}"))
        })?;
        let text = text
            .strip_suffix('\n')
            .map(|t| t.strip_suffix('\r').unwrap_or(t))
            .unwrap_or(&text);
        let value = if text.starts_with('[') {
            text.parse::<Value>().unwrap_or_else(|never| match never {})
        } else {
            Value::from(text.to_string())
        };
        settings.push((setting, value));
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_file_variable_gives_its_setting_the_files_content_without_the_final_line_break() {
        let dir = std::env::temp_dir().join(format!("piazza-env-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("key");
        std::fs::write(&key, "a-key-read-from-a-file-0123456789abcdef\n").unwrap();
        let keys = dir.join("keys");
        std::fs::write(&keys, "[\"old-key-0123456789abcdef-0123456789\"]\r\n").unwrap();
        let found = settings_from_files(
            "PIAZZA_",
            vars(&[
                ("PIAZZA_SECRET_KEY_FILE", key.to_str().unwrap()),
                ("PIAZZA_BUS__NAMESPACE_FILE", key.to_str().unwrap()),
                ("PIAZZA_PREVIOUS_SECRET_KEYS_FILE", keys.to_str().unwrap()),
                ("PIAZZA_LISTEN", "127.0.0.1:0"),
                ("OTHER_FILE", "/nowhere"),
            ]),
        )
        .unwrap();
        let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["secret_key", "bus.namespace", "previous_secret_keys"]
        );
        assert_eq!(
            found[0].1.as_str(),
            Some("a-key-read-from-a-file-0123456789abcdef")
        );
        assert_eq!(found[2].1.as_array().map(<[Value]>::len), Some(1));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_file_or_a_setting_given_twice_is_refused_with_its_name() {
        let error = settings_from_files(
            "PIAZZA_",
            vars(&[("PIAZZA_SECRET_KEY_FILE", "/no/such/file")]),
        )
        .unwrap_err();
        assert_eq!(error.key, "secret_key");
        assert!(error.message.contains("/no/such/file"), "{error}");
        let error = settings_from_files(
            "PIAZZA_",
            vars(&[
                ("PIAZZA_SECRET_KEY_FILE", "/no/such/file"),
                ("PIAZZA_SECRET_KEY", "x"),
            ]),
        )
        .unwrap_err();
        assert!(error.message.contains("not both"), "{error}");
    }
}
