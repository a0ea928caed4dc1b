//! Writing files safely: into a temporary file beside the target, then renamed over it, so a
//! failure never leaves half a file behind.

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write `{path}`")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: the folder `{dir}` does not exist; create it first")]
    NoFolder { path: String, dir: String },
    #[error("cannot write `{path}`: `{dir}` is a file, not a folder")]
    NotAFolder { path: String, dir: String },
    #[error("cannot write `{path}`: it is a folder; name a file inside it")]
    IsAFolder { path: String },
    #[error("cannot talk to the terminal")]
    Terminal(#[source] std::io::Error),
}

pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let fail = |source| OutputError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Said plainly, before the temporary file's own error (which names its random path).
    let shown = || path.display().to_string();
    if path.is_dir() {
        return Err(OutputError::IsAFolder { path: shown() });
    }
    if dir.is_file() {
        return Err(OutputError::NotAFolder {
            path: shown(),
            dir: dir.display().to_string(),
        });
    }
    if !dir.exists() {
        return Err(OutputError::NoFolder {
            path: shown(),
            dir: dir.display().to_string(),
        });
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    // Temporary files are private (0600); the result is an ordinary file others may read, or
    // keeps the permissions of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file().set_permissions(permissions).map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_files_are_world_readable_and_replace_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.svg");
        write_file(&path, b"one").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o644
        );
        write_file(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_or_wrong_folder_is_named() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("f");
        std::fs::write(&file, "keep").unwrap();
        let err = |p: &Path| write_file(p, b"x").unwrap_err().to_string();
        let shown = |p: &Path| p.display().to_string();
        let inside = file.join("x.svg");
        assert_eq!(
            err(&inside),
            format!(
                "cannot write `{}`: `{}` is a file, not a folder",
                shown(&inside),
                shown(&file)
            )
        );
        let missing = root.path().join("nodir/x.svg");
        assert_eq!(
            err(&missing),
            format!(
                "cannot write `{}`: the folder `{}` does not exist; create it first",
                shown(&missing),
                shown(&root.path().join("nodir"))
            )
        );
        assert_eq!(
            err(root.path()),
            format!(
                "cannot write `{}`: it is a folder; name a file inside it",
                shown(root.path())
            )
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"keep");
    }
}
