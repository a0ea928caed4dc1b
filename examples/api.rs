//! Using archpat as a library, with no command line: load a pattern (built-in id or file), set a
//! parameter, walk the model, draw it, generate a starter project in memory, compare the three
//! targets and write the walkthrough. Run with `cargo run --example api -- [pattern] [name=value]...`.

use archpat::compare::{self, CompareFormat};
use archpat::library::Library;
use archpat::render::{self, Engine, Format};
use archpat::scaffold::{self, Iac};
use archpat::walkthrough::{self, WalkFormat};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(std::env::args().skip(1).collect())
}

/// The whole tour for `[pattern] [name=value]...`; the test suite runs it too
/// (tests/integration/api.rs), so what this file shows keeps working.
pub fn run(args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let mut args = args.into_iter();
    let name = args.next().unwrap_or_else(|| "serverless-web".to_string());
    let sets: Vec<String> = args.collect();

    // The model: components and connections, parameters applied.
    let pattern = Library::default().load(&name)?.resolve(&sets)?;
    println!(
        "{}: {} components, {} connections",
        pattern.title,
        pattern.graph.node_count(),
        pattern.graph.edge_count()
    );
    for edge in pattern.edges() {
        println!(
            "  {} --{}--> {}",
            edge.from.label, edge.connection.kind, edge.to.label
        );
    }

    // A diagram, as any format `archpat draw` writes.
    let mermaid = render::draw(&pattern, Format::Mermaid, Engine::Builtin)?.into_bytes();
    println!("\n{}", String::from_utf8(mermaid)?);

    // A starter project: a file tree in memory; `scaffold::write` would put it on disk.
    let project = scaffold::scaffold(&pattern, &scaffold::Options::new(Iac::Terraform))?;
    println!(
        "Terraform project `{}`: {} files",
        project.name,
        project.files.len()
    );
    for path in project.files.keys().take(5) {
        println!("  {path}");
    }

    // The three targets compared: a value with the matrix and the security controls…
    let comparison = compare::compare(&pattern, &compare::Options::default())?;
    for summary in &comparison.targets {
        println!(
            "{:>15}: {} resources, {} lines of code",
            summary.target, summary.resources, summary.lines_of_code
        );
    }
    let different = comparison
        .rows
        .iter()
        .filter(|r| r.status == "different")
        .count();
    println!(
        "{} rows, {different} with unexplained differences",
        comparison.rows.len()
    );
    // …that renders as a table (here 100 columns, no colour), Markdown, JSON or HTML.
    let markdown = compare::render(&comparison, CompareFormat::Markdown, 100, false);
    println!("Markdown comparison: {} lines", markdown.lines().count());

    // The walkthrough: every step placed, rendered as text, Markdown or HTML.
    if !pattern.walkthrough.is_empty() {
        let walk = walkthrough::walkthrough(
            &pattern,
            &walkthrough::Options {
                step: Some(1),
                ..walkthrough::Options::default()
            },
        )?;
        println!(
            "\nWalkthrough, step 1 of {}:\n{}",
            walk.steps(),
            walk.render(WalkFormat::Text)?
        );
    }
    Ok(())
}
