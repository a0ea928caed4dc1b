//! Shared helpers: running archpat, and finding the external tools installed by
//! `scripts/install-tools.sh`. A missing tool fails the test with what to do; it never skips.

use std::path::PathBuf;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

pub const BUILTINS: [&str; 6] = [
    "data-lake",
    "event-driven",
    "microservices-ecs",
    "microservices-eks",
    "serverless-web",
    "three-tier-web",
];

pub fn archpat() -> Command {
    let mut cmd = Command::cargo_bin("archpat").expect("the archpat binary is built");
    cmd.env_remove("ARCHPAT_PATTERNS_DIR").env("NO_COLOR", "1");
    cmd
}

/// Where `scripts/install-tools.sh` puts the validators.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("ARCHPAT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                .join(".cache/archpat-tools")
        })
}

/// An external tool, by path relative to the tools folder or by name on PATH.
pub fn tool(relative: &str) -> PathBuf {
    let in_tools = tools_dir().join(relative);
    if in_tools.exists() {
        return in_tools;
    }
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if let Some(found) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
    {
        return found;
    }
    panic!(
        "external tool `{relative}` is missing (looked in {} and on PATH); run `scripts/install-tools.sh`",
        tools_dir().display()
    );
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The user pattern fixtures that must work like built-ins (`tests/fixtures/user-*.yaml`).
pub fn user_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("user-") && n.ends_with(".yaml"))
        })
        .collect();
    v.sort();
    v
}
