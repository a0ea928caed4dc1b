//! `examples/api.rs`, the library tour the README points to, run as it is written: `cargo test`
//! only builds an example, so without this a change of the API could leave it failing unnoticed.

#[allow(dead_code)] // its `main` is for `cargo run --example api`
#[path = "../../examples/api.rs"]
mod example;

#[test]
fn the_library_tour_runs_on_a_builtin() {
    example::run(vec![]).unwrap();
}

#[test]
fn the_library_tour_runs_on_a_user_pattern_file_with_a_parameter_set() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/queue-worker.yaml");
    example::run(vec![file.to_string(), "runtime=python3.13".to_string()]).unwrap();
}

#[test]
fn the_library_tour_fails_on_a_bad_parameter() {
    let err = example::run(vec!["event-driven".into(), "runtime=cobol".into()]).unwrap_err();
    assert!(err.to_string().contains("runtime"), "{err}");
}
