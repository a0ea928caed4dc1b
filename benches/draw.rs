//! `draw` speed: a generated 1,000-component pattern to DOT and Mermaid (target: under 50 ms,
//! growing linearly — compare the 250/500/1000 sizes); generated patterns of 250 to 2,000
//! components to SVG with the built-in renderer (target: 1,000 under 1 s, growth close to
//! linear; `scripts/bench.sh 'draw generated'` times Graphviz on the same graphs); and each
//! built-in to SVG (target: 10 ms).

use std::fmt::Write;

use archpat::library::Library;
use archpat::loader;
use archpat::render::{self, Engine, Format};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// A pattern of `n` components: blocks of five (function, table, queue, topic, function) wired
/// together and chained block to block, 100 components to a VPC (each with its own range) and
/// its subnet, all in one region. `scripts/bench.sh` writes the same pattern for Graphviz.
fn generated(n: usize) -> String {
    let mut y = String::from(
        "id: big\ntitle: Big\nsummary: generated\ngroups:\n  - { id: region, kind: region }\n",
    );
    for v in 0..n.div_ceil(100) {
        writeln!(
            y,
            "  - {{ id: vpc{v}, kind: vpc, parent: region, properties: {{ cidr: 10.{v}.0.0/16 }} }}"
        )
        .unwrap();
        writeln!(y, "  - {{ id: app{v}, kind: subnet, parent: vpc{v} }}").unwrap();
    }
    y.push_str("components:\n");
    let kinds = [
        "lambda",
        "dynamodb-table",
        "sqs-queue",
        "sns-topic",
        "lambda",
    ];
    for i in 0..n {
        writeln!(
            y,
            "  - {{ id: c{i}, kind: {}, group: app{} }}",
            kinds[i % 5],
            i / 100
        )
        .unwrap();
    }
    y.push_str("connections:\n");
    for b in (0..n.saturating_sub(4)).step_by(5) {
        for (from, to, kind) in [
            (b, b + 1, "read-write"),
            (b, b + 2, "publish"),
            (b + 3, b + 4, "subscribe"),
            (b + 4, b + 2, "consume"),
            (b + 4, b + 5, "invoke"),
        ] {
            if to < n {
                writeln!(y, "  - {{ from: c{from}, to: c{to}, kind: {kind} }}").unwrap();
            }
        }
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
    let mut group = c.benchmark_group("draw-generated-svg");
    // Seconds per run at 2,000 components: criterion's minimum of ten samples is plenty.
    group.sample_size(10);
    for n in [250, 500, 1000, 2000] {
        let pattern = loader::load_str("big.yaml", &generated(n))
            .unwrap()
            .resolve(&[])
            .unwrap();
        group.bench_with_input(BenchmarkId::new("builtin", n), &pattern, |b, p| {
            b.iter(|| render::draw(p, Format::Svg, Engine::Builtin).unwrap())
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
