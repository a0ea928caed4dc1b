//! The command line: clap definitions and what each command does. Commands return what to print
//! instead of printing, so `main.rs` stays thin and tests can call them directly.
//!
//! This is the only layer that knows clap, terminals, colours and the interactive prompts: it
//! turns arguments into a resolved pattern and the library's plain options, calls
//! [`crate::scaffold::scaffold`], [`crate::compare::compare`], [`crate::walkthrough::walkthrough`]
//! or [`crate::render::draw`], and decides where their values go. Exit codes come from
//! [`Error::exit_code`].

mod pager;
mod prompt;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::catalog::{Catalog, display_value};
use crate::compare::CompareFormat;
use crate::error::Error;
use crate::library::{Library, Origin};
use crate::model::Pattern;
use crate::render::{self, Engine, Format};
use crate::scaffold::Iac;
use crate::walkthrough::{WalkError, WalkFormat};

/// The library's option enums as command-line values: their spelling (and help) lives here, so
/// the library needs no clap.
macro_rules! value_enum {
    ($ty:ty { $($variant:path => $name:literal $(: $help:literal)?),* $(,)? }) => {
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($variant),*]
            }
            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(match self {
                    $($variant => PossibleValue::new($name)$(.help($help))?,)*
                })
            }
        }
    };
}

value_enum!(Iac {
    Iac::Cloudformation => "cloudformation",
    Iac::Terraform => "terraform",
    Iac::Cdk => "cdk",
});
value_enum!(Format {
    Format::Dot => "dot",
    Format::Mermaid => "mermaid",
    Format::Svg => "svg",
    Format::Png => "png",
    Format::Drawio => "drawio",
});
value_enum!(Engine {
    Engine::Builtin => "builtin": "archpat's own renderer: nothing to install",
    Engine::Graphviz => "graphviz": "Graphviz `dot`, when it is installed",
});
value_enum!(WalkFormat {
    WalkFormat::Text => "text",
    WalkFormat::Markdown => "markdown",
    WalkFormat::Html => "html",
});
value_enum!(CompareFormat {
    CompareFormat::Table => "table",
    CompareFormat::Markdown => "markdown",
    CompareFormat::Json => "json",
    CompareFormat::Html => "html",
});

const EXAMPLES: &str = "\
Examples:
  archpat list                                  the built-in patterns
  archpat show serverless-web                   components, connections, parameters, topics
  archpat draw three-tier-web -f mermaid        a Mermaid flowchart on stdout
  archpat draw data-lake -f svg -o lake.svg     SVG with nothing installed
  archpat draw three-tier-web --set multi_az=false -f dot | dot -Tpng > 3tier.png
  archpat check my-pattern.yaml                 every problem in a pattern file, located
  archpat new serverless-web --iac terraform    a starter project in ./serverless-web
  archpat compare serverless-web --component table   CloudFormation, Terraform, CDK side by side
  archpat compare event-driven -o compare.html  the comparison as a page";

#[derive(Debug, Parser)]
#[command(name = "archpat", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// A folder of your own pattern files (`<id>.yaml`); may be repeated. They shadow built-ins.
    #[arg(
        long,
        global = true,
        env = "ARCHPAT_PATTERNS_DIR",
        value_delimiter = ':'
    )]
    pub patterns_dir: Vec<PathBuf>,

    /// A folder laid over the embedded templates file by file (`<target>/components/<kind>.…`):
    /// change or add templates without rebuilding archpat.
    #[arg(long, global = true, env = "ARCHPAT_TEMPLATES_DIR", value_name = "DIR")]
    pub templates_dir: Option<PathBuf>,

    /// A folder laid over the embedded catalog file by file (`kinds/<kind>.yaml`): add a
    /// component kind or change one.
    #[arg(long, global = true, env = "ARCHPAT_CATALOG_DIR", value_name = "DIR")]
    pub catalog_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the patterns (built-in and from --patterns-dir), or the catalog.
    List(ListArgs),
    /// Show a pattern's parameters, components, connections and roadmap topics.
    Show(ShowArgs),
    /// Draw a pattern as DOT, Mermaid, SVG, PNG or a draw.io file.
    Draw(DrawArgs),
    /// Check pattern files and report every problem found, with line and column.
    Check(CheckArgs),
    /// Write a starter project that deploys a pattern (CloudFormation, Terraform or CDK).
    New(NewArgs),
    /// Walk through a pattern step by step: in the terminal, as Markdown or as an HTML page.
    Walk(WalkArgs),
    /// Turn existing CloudFormation, SAM, CDK (cdk.out) or Terraform code into a pattern file.
    Import(ImportArgs),
    /// Compare a pattern's CloudFormation, Terraform and CDK projects, component by component.
    Compare(CompareArgs),
    /// Bring a project made by `archpat new` up to a changed pattern, new parameter values or a
    /// newer archpat, keeping your edits.
    ///
    /// The project's `.archpat.yaml` records what it was generated from. The update regenerates
    /// that tree, generates the new one, and merges the difference into your files three ways:
    /// files you never edited are replaced, edited ones get the change merged, and where you and
    /// the update changed the same lines the file gets conflict markers and the command exits
    /// with an error. Files you added are never touched; files the pattern no longer generates are
    /// removed only if you never edited them. It first prints what changes in the architecture and
    /// in files.
    Update(UpdateArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List the component kinds of the catalog instead of patterns.
    #[arg(long, conflicts_with = "topics")]
    pub kinds: bool,
    /// List the roadmap topics patterns may cite.
    #[arg(long)]
    pub topics: bool,
}

/// Naming a pattern and setting its parameters, shared by every command that reads one.
#[derive(Debug, Clone, Args)]
pub struct PatternArgs {
    /// A built-in pattern id, an id from --patterns-dir, or a path to a pattern file.
    pub pattern: String,
    /// Set a parameter: `--set name=value` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub pattern: PatternArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DrawArgs {
    #[command(flatten)]
    pub pattern: PatternArgs,
    /// Output format; defaults to the extension of --output, else mermaid.
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Who lays out SVG and PNG: archpat itself, or an installed Graphviz.
    #[arg(long, value_enum, default_value_t = Engine::Builtin)]
    pub engine: Engine,
    /// Your copy of AWS's Architecture Icons (the unpacked asset package): SVG, PNG and DOT
    /// draw each service with its official icon instead of archpat's own glyph.
    #[arg(long, env = "ARCHPAT_ICONS", value_name = "DIR")]
    pub icons: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Pattern files (or ids) to check.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// The targets whose starter projects must generate (default: all three); `none` checks
    /// only the file itself.
    #[arg(long, value_delimiter = ',')]
    pub iac: Vec<Iac>,
    /// Check only the file, not what `archpat new` can generate from it.
    #[arg(long)]
    pub diagram_only: bool,
}

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    #[command(flatten)]
    pub pattern: PatternArgs,
    /// Which infrastructure-as-code flavour to write.
    #[arg(long, value_enum)]
    pub iac: Iac,
    /// Folder to write the project into (default: `./<name>`). Must be empty unless --force.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Project name, used for the stack, resource names and the folder (default: the pattern id).
    #[arg(long)]
    pub name: Option<String>,
    /// AWS region to pin the project to (default: whatever the deploying credentials use).
    #[arg(long)]
    pub region: Option<String>,
    /// Write into a non-empty folder, replacing files archpat generates.
    #[arg(long)]
    pub force: bool,
    /// List the files that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Never ask for parameter values, even in a terminal; unset ones take their defaults.
    #[arg(long)]
    pub no_input: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The project folder.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Set a parameter over the recorded values: `--set name=value` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,
    /// Update to this pattern (an id or a file) instead of the recorded one as it is now.
    #[arg(long, value_name = "PATTERN")]
    pub pattern: Option<String>,
    /// Print what would change, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run even when the project's git work tree has uncommitted changes.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct WalkArgs {
    #[command(flatten)]
    pub pattern: PatternArgs,
    /// Show only this step (1-based).
    #[arg(long)]
    pub step: Option<usize>,
    /// Output format; in a terminal, `text` opens an interactive pager.
    #[arg(short, long, value_enum, default_value_t = WalkFormat::Text)]
    pub format: WalkFormat,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub pattern: PatternArgs,
    /// Also show this component's code in each target, side by side.
    #[arg(long, value_name = "ID")]
    pub component: Option<String>,
    /// Output format; defaults to the extension of --output (.html, .json, .md), else a table.
    #[arg(short, long, value_enum)]
    pub format: Option<CompareFormat>,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Synthesize the CDK project with `cdk synth` (needs Node.js) and compare its template,
    /// rather than the constructs' bill of materials.
    #[arg(long)]
    pub synth: bool,
    /// With --synth: a `node_modules` folder holding the CDK project's dependencies, linked rather
    /// than installed with `npm install`.
    #[arg(long, env = "ARCHPAT_CDK_NODE_MODULES", value_name = "DIR")]
    pub node_modules: Option<PathBuf>,
    /// Compare this template, synthesized earlier from the same project
    /// (`cdk.out/<stack>.template.json`), instead of running `cdk synth`; implies --synth.
    #[arg(long, value_name = "FILE")]
    pub cdk_template: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// A CloudFormation or SAM template (YAML or JSON), a `terraform show -json` file, a folder of
    /// `.tf` files, or a CDK app's `cdk.out` folder.
    pub input: PathBuf,
    /// Write the pattern here instead of stdout (the report always goes to stderr).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// What a command produced: bytes for stdout, a note for stderr, and, for a command that did its
/// work but must still end in failure (an update with conflicts), the error to end with.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub note: Option<String>,
    pub failure: Option<Error>,
}

impl Outcome {
    fn text(text: String) -> Outcome {
        Outcome {
            stdout: text.into_bytes(),
            note: None,
            failure: None,
        }
    }
}

impl Cli {
    pub fn library(&self) -> Library {
        Library::new(self.patterns_dir.clone())
    }
}

/// Runs a parsed command line.
pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    if let Some(dir) = &cli.catalog_dir {
        Catalog::install_overlay(dir)?;
    }
    if let Some(dir) = &cli.templates_dir {
        crate::scaffold::engine::install_overlay(dir)?;
    }
    let library = cli.library();
    match &cli.command {
        Command::List(args) => list(&library, args).map(Outcome::text),
        Command::Show(args) => {
            let pattern = resolve(&library, &args.pattern)?;
            Ok(Outcome::text(if args.json {
                show_json(&pattern)
            } else {
                show_text(&pattern)
            }))
        }
        Command::Draw(args) => draw(&library, args),
        Command::Check(args) => check(&library, args).map(Outcome::text),
        Command::New(args) => {
            let mut args = args.clone();
            if ask_parameters(&args) {
                let definition = library.load(&args.pattern.pattern)?;
                args.pattern.sets = prompt::complete_sets(
                    &definition,
                    &args.pattern.sets,
                    &mut std::io::stdin().lock(),
                    &mut std::io::stderr(),
                )
                .map_err(crate::output::OutputError::Terminal)?;
            }
            new(&library, &args)
        }
        Command::Walk(args) => walk(&library, args),
        Command::Compare(args) => compare(&library, args),
        Command::Update(args) => update(&library, args),
        Command::Import(args) => import(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "archpat", &mut buf);
            Ok(Outcome {
                stdout: buf,
                note: None,
                failure: None,
            })
        }
    }
}

/// Width and colour for tables on stdout: the terminal's width and colour when stdout is one
/// (colour off under NO_COLOR), else 100 columns (or `COLUMNS`) without colour.
pub fn stdout_style() -> (usize, bool) {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let width = match (terminal, columns) {
        (_, Some(c)) => c,
        (true, None) => crossterm::terminal::size().map_or(100, |(w, _)| usize::from(w)),
        (false, None) => 100,
    };
    let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    (width, color)
}

/// Parameters are asked for only when a person is at a terminal: never in CI, in pipes, or for a
/// dry run.
fn ask_parameters(args: &NewArgs) -> bool {
    use std::io::IsTerminal;
    !args.dry_run
        && !args.no_input
        && std::env::var_os("CI").is_none()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}

/// Loads a pattern and applies `--set` values.
pub fn resolve(library: &Library, args: &PatternArgs) -> Result<Pattern, Error> {
    let definition = library.load(&args.pattern)?;
    Ok(definition.resolve(&args.sets)?)
}

fn list(library: &Library, args: &ListArgs) -> Result<String, Error> {
    let catalog = Catalog::builtin();
    let mut out = String::new();
    if args.topics {
        if args.json {
            let v: Vec<_> = catalog
                .roadmap
                .phases
                .iter()
                .map(|p| json!({"phase": p.name, "sections": p.sections}))
                .collect();
            return Ok(pretty(&json!(v)));
        }
        for phase in &catalog.roadmap.phases {
            writeln!(out, "{}", phase.name).ok();
            for s in &phase.sections {
                writeln!(out, "  {s}").ok();
            }
        }
        return Ok(out);
    }
    if args.kinds {
        if args.json {
            let v: Vec<_> = catalog
                .kinds
                .values()
                .map(|k| {
                    json!({"kind": k.kind, "name": k.name, "service": k.service,
                        "category": k.category, "diagram_only": k.diagram_only.is_some(),
                        "properties": k.properties,
                        "connects": k.connects.iter().map(|r| json!({"kind": r.kind, "to": r.to,
                            "properties": r.properties})).collect::<Vec<_>>()})
                })
                .collect();
            return Ok(pretty(&json!(v)));
        }
        let width = catalog.kinds.keys().map(String::len).max().unwrap_or(0);
        for k in catalog.kinds.values() {
            writeln!(out, "{:width$}  {:12} {}", k.kind, k.category, k.name).ok();
        }
        return Ok(out);
    }
    let mut rows = Vec::new();
    for entry in library.entries()? {
        let def = library.load(&entry.id)?;
        let origin = match &entry.origin {
            Origin::BuiltIn => "built-in".to_string(),
            Origin::File(p) => p.display().to_string(),
        };
        rows.push((entry.id, def.title().to_string(), origin));
    }
    if args.json {
        let v: Vec<_> = rows
            .iter()
            .map(|(id, title, origin)| json!({"id": id, "title": title, "origin": origin}))
            .collect();
        return Ok(pretty(&json!(v)));
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (id, title, origin) in rows {
        let origin = if origin == "built-in" {
            String::new()
        } else {
            format!("  ({origin})")
        };
        writeln!(out, "{id:width$}  {title}{origin}").ok();
    }
    Ok(out)
}

fn pretty(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    s.push('\n');
    s
}

pub fn show_text(p: &Pattern) -> String {
    let catalog = Catalog::builtin();
    let mut out = String::new();
    writeln!(out, "{} — {}\n", p.id, p.title).ok();
    writeln!(out, "{}\n", p.summary).ok();
    if !p.parameters.is_empty() {
        writeln!(out, "Parameters (--set name=value):").ok();
        for (name, spec) in &p.parameters {
            let choices = if spec.choices.is_empty() {
                String::new()
            } else {
                let c: Vec<_> = spec.choices.iter().map(display_value).collect();
                format!(" [{}]", c.join(", "))
            };
            writeln!(
                out,
                "  {name} = {} ({}{choices})  {}",
                display_value(&p.values[name]),
                spec.ty,
                spec.help
            )
            .ok();
        }
        out.push('\n');
    }
    writeln!(out, "Components:").ok();
    for c in p.components() {
        let kind = catalog.kind(&c.kind).map_or("", |k| k.name.as_str());
        let place = c
            .group
            .map(|g| {
                let path: Vec<_> = p
                    .group_path(g)
                    .into_iter()
                    .map(|i| p.groups[i].label.as_str())
                    .collect();
                format!("  in {}", path.join(" › "))
            })
            .unwrap_or_default();
        let kind = if kind == c.label {
            String::new()
        } else {
            format!(" ({kind})")
        };
        writeln!(out, "  {} — {}{kind}{place}", c.id, c.label).ok();
    }
    writeln!(out, "\nConnections:").ok();
    for e in p.edges() {
        writeln!(
            out,
            "  {} ──{}──▶ {}",
            e.from.id,
            render::edge_text(e.connection),
            e.to.id
        )
        .ok();
    }
    if !p.topics.is_empty() {
        writeln!(out, "\nRoadmap topics:").ok();
        for t in &p.topics {
            let phase = catalog.roadmap.phase_of(t).unwrap_or_default();
            writeln!(out, "  {t} ({phase})").ok();
        }
    }
    out
}

pub fn show_json(p: &Pattern) -> String {
    let groups: Vec<_> = p
        .groups
        .iter()
        .map(|g| {
            json!({"id": g.id, "kind": g.kind, "label": g.label,
                "parent": g.parent.map(|i| p.groups[i].id.clone()), "properties": g.properties})
        })
        .collect();
    let components: Vec<_> = p
        .components()
        .map(|c| {
            json!({"id": c.id, "kind": c.kind, "label": c.label,
                "group": c.group.map(|i| p.groups[i].id.clone()), "properties": c.properties})
        })
        .collect();
    let connections: Vec<_> = p
        .edges()
        .map(|e| {
            json!({"from": e.from.id, "to": e.to.id, "kind": e.connection.kind,
                "label": e.connection.label, "port": e.connection.port, "protocol": e.connection.protocol,
                "properties": e.connection.properties})
        })
        .collect();
    pretty(&json!({
        "id": p.id, "title": p.title, "summary": p.summary, "topics": p.topics,
        "parameters": p.parameters, "values": p.values,
        "groups": groups, "components": components, "connections": connections,
    }))
}

fn format_for(args: &DrawArgs) -> Format {
    if let Some(f) = args.format {
        return f;
    }
    match args
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
    {
        Some("dot" | "gv") => Format::Dot,
        Some("svg") => Format::Svg,
        Some("png") => Format::Png,
        Some("drawio") => Format::Drawio,
        _ => Format::Mermaid,
    }
}

fn draw(library: &Library, args: &DrawArgs) -> Result<Outcome, Error> {
    let pattern = resolve(library, &args.pattern)?;
    let format = format_for(args);
    // An empty `ARCHPAT_ICONS=` means none.
    let icons = match args.icons.as_deref().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => Some(render::icons::IconSet::open(dir)?),
        None => None,
    };
    let drawing = render::draw_with_icons(&pattern, format, args.engine, icons.as_ref())?;
    let mut notes = drawing.warnings;
    let stdout = match &args.output {
        Some(path) => {
            crate::output::write_file(path, &drawing.output.into_bytes())?;
            notes.push(format!("wrote {}", path.display()));
            Vec::new()
        }
        None => drawing.output.into_bytes(),
    };
    Ok(Outcome {
        stdout,
        note: (!notes.is_empty()).then(|| notes.join("\n")),
        failure: None,
    })
}

/// The project `archpat new` writes, generated in memory: what benchmarks and tests call.
pub fn generate(library: &Library, args: &NewArgs) -> Result<crate::scaffold::Project, Error> {
    let pattern = resolve(library, &args.pattern)?;
    Ok(crate::scaffold::scaffold(
        &pattern,
        &crate::scaffold::Options {
            iac: args.iac,
            name: args.name.clone(),
            region: args.region.clone(),
        },
    )?)
}

fn new(library: &Library, args: &NewArgs) -> Result<Outcome, Error> {
    let definition = library.load(&args.pattern.pattern)?;
    let pattern = definition.resolve(&args.pattern.sets)?;
    let options = crate::scaffold::Options {
        iac: args.iac,
        name: args.name.clone(),
        region: args.region.clone(),
    };
    let mut project = crate::scaffold::scaffold(&pattern, &options)?;
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(&project.name));
    let (source, text) = crate::update::source_of(&definition, &dir)?;
    let record = crate::update::record_for(&project, source, text, &options, &args.pattern.sets);
    project
        .files
        .insert(crate::update::RECORD_FILE.to_string(), record);
    let mut listing = String::new();
    for path in project.files.keys() {
        writeln!(listing, "{}", dir.join(path).display()).ok();
    }
    if args.dry_run {
        crate::scaffold::check_dir(&dir, args.force)?;
        return Ok(Outcome {
            stdout: listing.into_bytes(),
            note: Some(format!(
                "dry run: would write {} files into `{}`",
                project.files.len(),
                dir.display()
            )),
            failure: None,
        });
    }
    crate::scaffold::write(&project, &dir, args.force)?;
    let next = project
        .next_steps
        .replace("{dir}", &dir.display().to_string());
    Ok(Outcome {
        stdout: listing.into_bytes(),
        note: Some(format!(
            "wrote {} files into `{}`\n{}",
            project.files.len(),
            dir.display(),
            next.trim_end()
        )),
        failure: None,
    })
}

/// Writes a command's text to `--output`, or hands it to stdout.
fn deliver(
    output: Option<&Path>,
    text: String,
    note: impl Fn(&Path) -> String,
) -> Result<Outcome, Error> {
    match output {
        Some(path) => {
            crate::output::write_file(path, text.as_bytes())?;
            Ok(Outcome {
                stdout: Vec::new(),
                note: Some(note(path)),
                failure: None,
            })
        }
        None => Ok(Outcome::text(text)),
    }
}

fn update(library: &Library, args: &UpdateArgs) -> Result<Outcome, Error> {
    use crate::update::{Request, UpdateError};
    let plan = crate::update::plan(
        library,
        &args.dir,
        &Request {
            sets: args.sets.clone(),
            pattern: args.pattern.clone(),
            force: args.force,
        },
    )?;
    let shown = args.dir.display().to_string();
    let stdout = plan.render().into_bytes();
    if plan.is_empty() {
        return Ok(Outcome {
            stdout,
            note: Some(format!("`{shown}` is up to date")),
            failure: None,
        });
    }
    if args.dry_run {
        return Ok(Outcome {
            stdout,
            note: Some("dry run: nothing written".to_string()),
            failure: None,
        });
    }
    crate::update::apply(&plan)?;
    let conflicts = plan.conflicts();
    Ok(Outcome {
        stdout,
        note: Some(format!(
            "updated `{shown}`; review the change with `git diff` before you deploy it"
        )),
        failure: (!conflicts.is_empty()).then(|| {
            UpdateError::Conflicts {
                dir: shown,
                files: conflicts,
            }
            .into()
        }),
    })
}

fn walk(library: &Library, args: &WalkArgs) -> Result<Outcome, Error> {
    use std::io::IsTerminal;
    let pattern = resolve(library, &args.pattern)?;
    let walk = crate::walkthrough::walkthrough(
        &pattern,
        &crate::walkthrough::Options {
            step: args.step,
            named_as: Some(args.pattern.pattern.clone()),
            sets: args.pattern.sets.clone(),
        },
    )?;
    if args.format == WalkFormat::Text
        && args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal()
    {
        let start = args.step.map_or(0, |n| n - 1);
        pager::run_in_terminal(&walk, start).map_err(WalkError::Terminal)?;
        return Ok(Outcome::default());
    }
    let rendered = walk.render(args.format)?;
    deliver(args.output.as_deref(), rendered, |p| {
        format!("wrote {}", p.display())
    })
}

fn compare(library: &Library, args: &CompareArgs) -> Result<Outcome, Error> {
    let pattern = resolve(library, &args.pattern)?;
    let comparison = crate::compare::compare(
        &pattern,
        &crate::compare::Options {
            component: args.component.clone(),
            synth: args.synth || args.cdk_template.is_some(),
            node_modules: args.node_modules.clone(),
            cdk_template: args.cdk_template.clone(),
        },
    )?;
    let format = args.format.unwrap_or(match &args.output {
        Some(p) if p.extension().is_some_and(|e| e == "html" || e == "htm") => CompareFormat::Html,
        Some(p) if p.extension().is_some_and(|e| e == "json") => CompareFormat::Json,
        Some(p) if p.extension().is_some_and(|e| e == "md") => CompareFormat::Markdown,
        _ => CompareFormat::Table,
    });
    let (width, color) = stdout_style();
    let rendered =
        crate::compare::render(&comparison, format, width, color && args.output.is_none());
    deliver(args.output.as_deref(), rendered, |p| {
        format!("wrote `{}`", p.display())
    })
}

/// Imports code into a pattern: the pattern to stdout or `-o`, the report to stderr. An existing
/// output file is refused before anything is read, unless `--force`.
fn import(args: &ImportArgs) -> Result<Outcome, Error> {
    use crate::import::{ImportError, import_path};
    if let Some(path) = &args.output
        && path.exists()
        && !args.force
    {
        return Err(ImportError::Exists {
            path: path.display().to_string(),
        }
        .into());
    }
    let imported = import_path(&args.input)?;
    let note = imported.report.to_string().trim_end().to_string();
    match &args.output {
        Some(path) => {
            crate::output::write_file(path, imported.pattern.as_bytes())?;
            Ok(Outcome {
                stdout: Vec::new(),
                note: Some(format!("{note}\nwrote `{}`", path.display())),
                failure: None,
            })
        }
        None => Ok(Outcome {
            stdout: imported.pattern.into_bytes(),
            note: Some(note),
            failure: None,
        }),
    }
}

/// Checks each file, then asks every target for everything `archpat new` could not generate
/// from it with its defaults, so "ok" means each starter project can be written.
fn check(library: &Library, args: &CheckArgs) -> Result<String, Error> {
    let targets: Vec<Iac> = if args.iac.is_empty() {
        Iac::ALL.to_vec()
    } else {
        args.iac.clone()
    };
    let mut failures = Vec::new();
    let mut out = String::new();
    for name in &args.files {
        let pattern = match library.load(name).map_err(Error::from).and_then(|d| {
            let p = d.resolve(&[])?;
            Ok((d, p))
        }) {
            Ok(found) => found,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let (def, pattern) = pattern;
        let mut complete = true;
        if !args.diagram_only {
            for iac in &targets {
                match crate::scaffold::gaps(&pattern, &crate::scaffold::Options::new(*iac)) {
                    Ok(gaps) if gaps.is_empty() => {}
                    Ok(gaps) => {
                        complete = false;
                        failures.push(Error::Scaffold(crate::scaffold::ScaffoldError::Gaps {
                            target: iac.target().to_string(),
                            pattern: pattern.source.clone(),
                            gaps,
                        }));
                    }
                    Err(e) => {
                        complete = false;
                        failures.push(e.into());
                    }
                }
            }
        }
        if complete {
            writeln!(out, "ok: {} ({})", def.source(), def.id()).ok();
        }
    }
    match failures.len() {
        0 => Ok(out),
        1 => Err(failures.remove(0)),
        _ => Err(Error::Many(failures)),
    }
}
