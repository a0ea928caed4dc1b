//! include_dir does not notice files added to an embedded folder; these lines make cargo rebuild
//! the binary whenever the catalog, the built-in patterns or the templates change.
fn main() {
    for dir in ["catalog", "patterns", "templates"] {
        println!("cargo::rerun-if-changed={dir}");
    }
}
