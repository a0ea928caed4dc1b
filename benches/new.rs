//! `archpat new` in memory for each built-in pattern that has CloudFormation templates: resolving
//! the pattern, rendering every fragment and assembling the project. Target: under 10 ms each.

use archpat::cli::{NewArgs, PatternArgs};
use archpat::library::Library;
use archpat::scaffold::{self, Iac};
use criterion::{Criterion, criterion_group, criterion_main};

/// Built-ins whose every component kind has CloudFormation templates.
const PATTERNS: [&str; 6] = [
    "serverless-web",
    "three-tier-web",
    "event-driven",
    "data-lake",
    "microservices-ecs",
    "microservices-eks",
];

fn args(pattern: &str) -> NewArgs {
    NewArgs {
        pattern: PatternArgs {
            pattern: pattern.to_string(),
            sets: Vec::new(),
        },
        iac: Iac::Cloudformation,
        output: None,
        name: None,
        region: None,
        force: false,
        dry_run: true,
        no_input: true,
    }
}

fn bench(c: &mut Criterion) {
    let library = Library::default();
    for id in PATTERNS {
        let a = args(id);
        // The first call parses the templates; measure the steady state.
        scaffold::generate(&library, &a).expect("the project generates");
        c.bench_function(&format!("new cloudformation {id}"), |b| {
            b.iter(|| scaffold::generate(&library, &a).expect("the project generates"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
