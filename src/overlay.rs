//! A user's folder laid over files embedded in the binary, file by file (`--catalog-dir`,
//! `--templates-dir`), the way a site generator's theme folder overrides its templates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `root` whose name ends in one of `extensions` (all files when empty), keyed by
/// its `/`-separated path relative to `root`, in path order. An error names the path that failed.
pub fn read_tree(
    root: &Path,
    extensions: &[&str],
) -> Result<BTreeMap<String, String>, (PathBuf, std::io::Error)> {
    let mut out = BTreeMap::new();
    read_into(root, root, extensions, &mut out)?;
    Ok(out)
}

fn read_into(
    root: &Path,
    dir: &Path,
    extensions: &[&str],
    out: &mut BTreeMap<String, String>,
) -> Result<(), (PathBuf, std::io::Error)> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |e| (path, e)
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(fail(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(fail(dir))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_into(root, &path, extensions, out)?;
            continue;
        }
        let name = path.to_string_lossy();
        if !extensions.is_empty() && !extensions.iter().any(|e| name.ends_with(e)) {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(fail(&path))?;
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let key = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.insert(key, text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_keyed_by_relative_path_and_filtered() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("kinds")).unwrap();
        std::fs::write(root.path().join("kinds/a.yaml"), "a").unwrap();
        std::fs::write(root.path().join("notes.txt"), "n").unwrap();
        let all = read_tree(root.path(), &[]).unwrap();
        assert_eq!(
            all.keys().collect::<Vec<_>>(),
            ["kinds/a.yaml", "notes.txt"]
        );
        let yaml = read_tree(root.path(), &[".yaml"]).unwrap();
        assert_eq!(yaml["kinds/a.yaml"], "a");
        assert_eq!(yaml.len(), 1);
        let (path, _) = read_tree(&root.path().join("missing"), &[]).unwrap_err();
        assert!(path.ends_with("missing"));
    }
}
