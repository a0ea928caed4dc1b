//! `draw` speed: a generated 1,000-component pattern to DOT and Mermaid (target: under 50 ms,
//! growing linearly — compare the 250/500/1000 sizes), and each built-in to SVG (target: 10 ms).

use std::fmt::Write;

use archpat::library::Library;
use archpat::loader;
use archpat::render::{self, Engine, Format};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// A pattern of `n` components in nested groups, chained by connections the catalog allows.
fn generated(n: usize) -> String {
    let mut y = String::from(
        "id: big\ntitle: Big\nsummary: generated\ngroups:\n  - { id: region, kind: region }\n",
    );
    for v in 0..n / 100 + 1 {
        writeln!(
            y,
            "  - {{ id: vpc{v}, kind: vpc, parent: region, properties: {{ cidr: 10.{v}.0.0/16 }} }}"
        )
        .unwrap();
        writeln!(y, "  - {{ id: app{v}, kind: subnet, parent: vpc{v} }}").unwrap();
    }
    y.push_str("components:\n");
    for i in 0..n {
        let kind = if i % 2 == 0 {
            "lambda"
        } else {
            "dynamodb-table"
        };
        writeln!(y, "  - {{ id: c{i}, kind: {kind}, group: app{} }}", i / 100).unwrap();
    }
    y.push_str("connections:\n");
    for i in (0..n.saturating_sub(1)).step_by(2) {
        writeln!(y, "  - {{ from: c{i}, to: c{}, kind: read-write }}", i + 1).unwrap();
    }
    y
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("draw-generated");
    for n in [250, 500, 1000] {
        let pattern = loader::load_str("big.yaml", &generated(n))
            .unwrap()
            .resolve(&[])
            .unwrap();
        group.bench_with_input(BenchmarkId::new("dot", n), &pattern, |b, p| {
            b.iter(|| render::dot::render(p))
        });
        group.bench_with_input(BenchmarkId::new("mermaid", n), &pattern, |b, p| {
            b.iter(|| render::mermaid::render(p))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("draw-svg");
    for id in Library::builtin_ids() {
        let pattern = Library::default().load(&id).unwrap().resolve(&[]).unwrap();
        group.bench_function(&id, |b| {
            b.iter(|| render::draw(&pattern, Format::Svg, Engine::Builtin).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
