//! A fuzz harness for the loader and `check` that runs on stable Rust as an ordinary test: it
//! mutates the built-in pattern files deterministically from a seed (byte flips, truncations,
//! line swaps, deletions and duplications, token insertions, splices of two files) and asserts
//! that loading, resolving and planning every target never panic and that every refusal is
//! located (the file named; a parse or check error on a line of the file).
//!
//! First it replays `tests/fixtures/fuzz/*.yaml`: inputs that once failed, kept as regressions.
//! A new failure prints the input; save it there once fixed.
//!
//! Knobs: `ARCHPAT_FUZZ_SEED` (default 17), `ARCHPAT_FUZZ_ITERS` (default 400 mutants) and
//! `ARCHPAT_FUZZ_SECONDS` (default 20; the run stops at whichever bound comes first). For a long
//! run: `ARCHPAT_FUZZ_ITERS=100000 ARCHPAT_FUZZ_SECONDS=600 cargo test --release --test
//! integration fuzz:: -- --nocapture`.

use std::time::{Duration, Instant};

use archpat::library::Library;
use archpat::loader::{self, LoadError};
use archpat::scaffold::engine::{self, Options};

use crate::support::fixtures_dir;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that mean something to YAML or to the loader.
const TOKENS: &[&str] = &[
    ": ",
    "- ",
    "? ",
    "&a ",
    "*a",
    "*b",
    "!!binary ",
    "!!int ",
    "!Ref ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "\\",
    "#",
    "|",
    ">-",
    "\t",
    "\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\u{FEFF}",
    "${x}",
    "$${",
    "${",
    "when: ",
    "parent: ",
    "group: ",
    "kind: ",
    "id: ",
    "from: ",
    "to: ",
    "port: 99999",
    "properties: ",
    "~",
    "null",
    "0x",
    "-1",
    "1e999",
    "\u{0}",
    "\u{85}",
    "漢",
    "🙂",
    "<<: *a",
    "&a [*a]",
];

fn mutate(rng: &mut Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        match rng.below(8) {
            0 => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(bytes.len());
                bytes[i] = rng.below(256) as u8;
            }
            2 => bytes.truncate(rng.below(bytes.len())),
            3..=5 => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                let n = lines.len();
                let (a, b) = (rng.below(n), rng.below(n));
                match rng.below(3) {
                    0 => lines.swap(a, b),
                    1 => {
                        lines.remove(a);
                    }
                    _ => {
                        let l = lines[a].clone();
                        lines.insert(b, l);
                    }
                }
                bytes = lines.join(&b'\n');
            }
            6 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let i = rng.below(bytes.len() + 1);
                bytes.splice(i..i, token.iter().copied());
            }
            _ => {
                let cut = rng.below(bytes.len());
                let from = rng.below(other.len());
                bytes.truncate(cut);
                bytes.extend_from_slice(&other[from..]);
            }
        }
    }
    bytes
}

/// Loads, resolves and plans every target; `Err` says what went wrong (a panic or an unlocated
/// refusal).
fn exercise(bytes: &[u8]) -> Result<(), String> {
    let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let outcome = std::panic::catch_unwind(|| -> Result<(), String> {
        let def = match loader::load_bytes("f.yaml", bytes) {
            Ok(def) => def,
            Err(LoadError::Invalid { diagnostics, .. }) => {
                for d in &diagnostics {
                    if d.line < 1 || d.line > lines {
                        return Err(format!("diagnostic outside the file ({lines} lines): {d}"));
                    }
                }
                return if diagnostics.is_empty() {
                    Err("refused with no diagnostic".into())
                } else {
                    Ok(())
                };
            }
            Err(e) if e.to_string().contains("`f.yaml`") => return Ok(()),
            Err(e) => return Err(format!("unlocated: {e}")),
        };
        let pattern = def
            .resolve(&[])
            .map_err(|e| format!("loaded, then refused with its defaults (unlocated): {e}"))?;
        for target in ["cloudformation", "terraform", "cdk"] {
            let options = Options {
                target,
                name: &pattern.id,
                region: None,
            };
            engine::gaps(&pattern, &options).map_err(|e| format!("{target}: {e}"))?;
        }
        Ok(())
    });
    match outcome {
        Ok(r) => r,
        Err(panic) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_corpus_never_panics_and_is_located() {
    let dir = fixtures_dir().join("fuzz");
    let mut failures = Vec::new();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("tests/fixtures/fuzz exists") {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        n += 1;
        if let Err(e) = exercise(&bytes) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(n > 0, "the corpus is empty");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mutated_builtins_never_panic_and_are_located() {
    let seed: u64 = env("ARCHPAT_FUZZ_SEED", 17);
    let iterations: usize = env("ARCHPAT_FUZZ_ITERS", 400);
    let budget = Duration::from_secs(env("ARCHPAT_FUZZ_SECONDS", 20));
    let corpus: Vec<Vec<u8>> = Library::builtin_ids()
        .iter()
        .map(|id| Library::builtin_text(id).unwrap().as_bytes().to_vec())
        .collect();
    let mut rng = Rng(seed.max(1));
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut ran = 0;
    while ran < iterations && start.elapsed() < budget {
        let base = &corpus[rng.below(corpus.len())];
        let other = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base, other);
        ran += 1;
        if let Err(e) = exercise(&input) {
            failures.push(format!(
                "mutant {ran} (seed {seed}): {e}\n--- input ---\n{}\n--- end ---",
                String::from_utf8_lossy(&input)
            ));
            if failures.len() >= 5 {
                break;
            }
        }
    }
    println!(
        "fuzz: {ran} mutants in {:.1?}, seed {seed}",
        start.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s); fix them and save each input under tests/fixtures/fuzz/:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
