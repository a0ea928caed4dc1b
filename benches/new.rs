//! `archpat new` in memory for each built-in pattern and each IaC target (resolving the pattern,
//! rendering every fragment, assembling the project), and `archpat compare` without synthesis
//! (three projects generated and read back). Targets: under 10 ms a project, under 50 ms a
//! comparison. These time the work after start-up; `scripts/bench.sh` times whole processes.

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

fn bench(c: &mut Criterion) {
    let library = Library::default();
    for id in PATTERNS {
        let definition = library.load(id).expect("the pattern loads");
        for iac in Iac::ALL {
            let options = scaffold::Options::new(iac);
            let new = || {
                let pattern = definition.resolve(&[]).expect("the pattern resolves");
                scaffold::scaffold(&pattern, &options).expect("the project generates")
            };
            new();
            c.bench_function(&format!("new {} {id}", iac.target()), |b| b.iter(new));
        }
        let pattern = definition.resolve(&[]).expect("the pattern resolves");
        let options = archpat::compare::Options::default();
        c.bench_function(&format!("compare {id}"), |b| {
            b.iter(|| archpat::compare::compare(&pattern, &options).expect("it compares"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
