//! Two jobs at build time:
//! - include_dir does not notice files added to an embedded folder; the `rerun-if-changed` lines
//!   make cargo rebuild the binary whenever the catalog, the built-in patterns or the templates
//!   change.
//! - The embedded catalog and the scaffold targets' data files are converted from YAML to JSON
//!   once here, because parsing their YAML was most of every command's start-up (about 8 ms of a
//!   13 ms `draw`), while the same data reads as JSON in well under a millisecond. The YAML files
//!   stay the source; a user's `--catalog-dir` and `--templates-dir` files are still read as YAML
//!   at run time, and unit tests check that both routes give the same data.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "yaml") {
            out.push(path);
        }
    }
}

/// A Rust table `&[(path, json)]` of the YAML files under `root`, paths relative to it. A file
/// that does not parse gets an empty text and is read as YAML at run time, where its error is
/// reported with the parser's message and line, rather than failing the build here.
fn json_table(root: &Path, files: &[PathBuf]) -> String {
    let mut table = String::from("&[\n");
    for path in files {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let json = match serde_saphyr::from_str::<serde_json::Value>(&text) {
            Ok(value) => serde_json::to_string(&value).expect("JSON from a parsed value"),
            Err(_) => String::new(),
        };
        let name = path
            .strip_prefix(root)
            .expect("under its root")
            .to_str()
            .expect("UTF-8 paths")
            .replace('\\', "/");
        writeln!(table, "    ({name:?}, {json:?}),").expect("write to a String");
    }
    table.push_str("]\n");
    table
}

fn main() {
    for dir in ["catalog", "patterns", "templates"] {
        println!("cargo::rerun-if-changed={dir}");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    yaml_files(Path::new("catalog"), &mut files);
    let table = json_table(Path::new("catalog"), &files);
    std::fs::write(out.join("catalog_json.rs"), table).expect("write catalog_json.rs");
    // The scaffold targets' data files (`templates/<target>/meta/*.yaml`), by `<target>/meta/…`.
    let mut files = Vec::new();
    yaml_files(Path::new("templates"), &mut files);
    files.retain(|f| f.parent().is_some_and(|d| d.ends_with("meta")));
    let table = json_table(Path::new("templates"), &files);
    std::fs::write(out.join("meta_json.rs"), table).expect("write meta_json.rs");
}
