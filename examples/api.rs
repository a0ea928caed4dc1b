//! Using archpat as a library: load a pattern (built-in id or file), set a parameter, walk the
//! model, and render it. Run with `cargo run --example api -- [pattern] [name=value]...`.

use archpat::library::Library;
use archpat::render::mermaid;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "serverless-web".to_string());
    let sets: Vec<String> = args.collect();

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
    println!("\n{}", mermaid::render(&pattern));
    Ok(())
}
