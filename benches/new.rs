//! `archpat new` in memory for each built-in pattern and each IaC target (resolving the pattern,
//! rendering every fragment, assembling the project), and `archpat compare` without synthesis
//! (three projects generated and read back). Targets: under 10 ms a project, under 50 ms a
//! comparison.

use archpat::cli::{NewArgs, PatternArgs};
use archpat::library::Library;
use archpat::scaffold::{self, Iac};
use criterion::{Criterion, criterion_group, criterion_main};

const PATTERNS: [&str; 6] = [
    "serverless-web",
    "three-tier-web",
    "event-driven",
    "data-lake",
    "microservices-ecs",
    "microservices-eks",
];

fn args(pattern: &str, iac: Iac) -> NewArgs {
    NewArgs {
        pattern: PatternArgs {
            pattern: pattern.to_string(),
            sets: Vec::new(),
        },
        iac,
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
        for iac in [Iac::Cloudformation, Iac::Terraform, Iac::Cdk] {
            let a = args(id, iac);
            // The first call parses the templates; measure the steady state.
            scaffold::generate(&library, &a).expect("the project generates");
            c.bench_function(&format!("new {} {id}", iac.target()), |b| {
                b.iter(|| scaffold::generate(&library, &a).expect("the project generates"))
            });
        }
        let pattern = archpat::cli::resolve(&library, &args(id, Iac::Cdk).pattern)
            .expect("the pattern resolves");
        let options = archpat::compare::Options::default();
        c.bench_function(&format!("compare {id}"), |b| {
            b.iter(|| archpat::compare::compare(&pattern, &options).expect("it compares"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
