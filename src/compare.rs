//! `archpat compare`: the three starter projects of one pattern side by side. Each target's
//! project is generated in memory; its code is read back fragment by fragment (the engine records
//! which component, connection or group each fragment was rendered for), normalized to
//! CloudFormation resource types, and compared row by row. Known differences are data
//! (`templates/<target>/meta/`), each with its reason, so an unexplained one stands out.

mod html;
mod markdown;
mod read;
mod security;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{EXIT_ENVIRONMENT, EXIT_INPUT, Error};
use crate::model::Pattern;
use crate::scaffold::engine::{self, Owner};

pub use read::synth_cdk;

/// The targets in the order every output shows them. CloudFormation comes first: it is the
/// reference the other two are normalized to.
pub const TARGETS: [&str; 3] = ["cloudformation", "terraform", "cdk"];

/// The forms a comparison is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareFormat {
    Table,
    Markdown,
    Json,
    Html,
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("pattern `{pattern}` has no component `{id}`; its components are: {ids}")]
    UnknownComponent {
        pattern: String,
        id: String,
        ids: String,
    },
    #[error("cannot read the {target} code generated for {owner}: {message}")]
    Read {
        target: String,
        owner: String,
        message: String,
    },
    #[error("`{path}` is invalid: {message}")]
    Meta { path: String, message: String },
    #[error("`--synth` cannot run: {0}")]
    SynthSetup(String),
    #[error("`{command}` failed in `{dir}`:\n{output}")]
    Synth {
        command: String,
        dir: String,
        output: String,
    },
    #[error("cannot read the synthesized CDK template `{path}`: {message}")]
    CdkTemplate { path: String, message: String },
}

impl CompareError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CompareError::SynthSetup(_)
            | CompareError::Synth { .. }
            | CompareError::CdkTemplate { .. } => EXIT_ENVIRONMENT,
            _ => EXIT_INPUT,
        }
    }
}

/// The whole comparison; its JSON form is documented in `docs/compare.md` (`schema` changes when a
/// field changes meaning or disappears).
#[derive(Debug, Serialize)]
pub struct Comparison {
    pub schema: u32,
    pub pattern: PatternRef,
    /// Whether the CDK column comes from a synthesized template (`--synth`) or from the templates'
    /// bill of materials; only a synthesized CDK column takes part in the row status.
    pub cdk_synthesized: bool,
    pub targets: Vec<Summary>,
    pub rows: Vec<Row>,
    pub security: Vec<Control>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// Every component's code, for the HTML page's panes.
    #[serde(skip)]
    pub all_code: Vec<Code>,
}

#[derive(Debug, Serialize)]
pub struct PatternRef {
    pub id: String,
    pub title: String,
}

/// One target's project in numbers.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub target: String,
    pub files: usize,
    /// Non-blank lines that are not comments, README excluded.
    pub lines_of_code: usize,
    /// Resources (CloudFormation, Terraform, synthesized CDK) or constructs (CDK without synth).
    pub resources: usize,
    /// Policy statements other than trust policies; `null` when not known (CDK without synth).
    pub iam_statements: Option<usize>,
    pub parameters: usize,
    pub outputs: usize,
    pub needs: Vec<String>,
}

/// A component, connection or group of the pattern (or `stack`: what belongs to none), with what
/// each target made for it.
#[derive(Debug, Serialize)]
pub struct Row {
    /// `component`, `connection`, `group` or `stack`.
    pub row: &'static str,
    pub id: String,
    pub label: String,
    /// The component's, connection's or group's kind.
    pub kind: String,
    pub cells: Vec<Cell>,
    /// `equal`, `explained` (every difference has a listed reason) or `different`.
    pub status: &'static str,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    pub target: String,
    pub items: Vec<Item>,
    /// The CloudFormation types the items stand for, sorted.
    pub types: Vec<String>,
}

/// One resource or construct: its name in the target (logical id, address, construct), its type
/// there, and the CloudFormation types it stands for.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub name: String,
    #[serde(rename = "type")]
    pub native_type: String,
    pub cfn_types: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Difference {
    pub target: String,
    pub cfn_type: String,
    /// The target that has the type (`cloudformation` when the other target lacks it).
    pub only_in: String,
    /// The listed reason; `null` for an unexplained difference.
    pub reason: Option<String>,
}

/// A security control of one component across the targets.
#[derive(Debug, Serialize)]
pub struct Control {
    pub component: String,
    /// `encryption`, `public-access-blocked`, `logging`, `backup` or `iam-actions`.
    pub control: String,
    pub results: Vec<ControlResult>,
    /// `same`, `differs`, or `unchecked` when a target could not be read for it.
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ControlResult {
    pub target: String,
    /// `yes`, `no` or `unknown`.
    pub state: &'static str,
    /// For `iam-actions`: the actions granted, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub detail: Vec<String>,
}

/// One component's code in each target.
#[derive(Debug, Serialize)]
pub struct Code {
    pub component: String,
    pub panes: Vec<Pane>,
}

#[derive(Debug, Serialize)]
pub struct Pane {
    pub target: String,
    /// The code's language, as Markdown fences name it.
    pub language: String,
    pub text: String,
}

/// How `compare` runs, besides the pattern.
#[derive(Debug, Default, Clone)]
pub struct Options {
    pub component: Option<String>,
    /// Synthesize the CDK project (`cdk synth`) rather than reading its bill of materials.
    pub synth: bool,
    /// A `node_modules` folder with the CDK libraries to link into the project for `--synth`;
    /// without it the project runs `npm install`.
    pub node_modules: Option<PathBuf>,
    /// With `synth`: a template already synthesized from this project (`cdk.out/*.template.json`),
    /// read instead of running `cdk synth` again.
    pub cdk_template: Option<PathBuf>,
}

/// What a target's `meta/compare.yaml` says (see `templates/cloudformation/meta/compare.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub language: String,
    /// The language of the code, as Markdown fences name it.
    pub highlight: String,
    /// What starts a line comment in the code.
    pub comment: String,
    pub code: Vec<String>,
    pub needs: Vec<String>,
    #[serde(default)]
    pub identity_policies: Vec<String>,
    #[serde(default)]
    pub trust_policy_keys: Vec<String>,
    #[serde(default)]
    pub security: BTreeMap<String, Vec<security::Rule>>,
    #[serde(default)]
    pub differences: Vec<Listed>,
    /// A type a template transform expands (SAM's `AWS::Serverless::Function`) → the type
    /// CloudFormation deploys for it, which the other targets are compared with.
    #[serde(default)]
    pub transformed: BTreeMap<String, String>,
}

/// A known difference between a target and the CloudFormation target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Listed {
    pub owner: String,
    #[serde(rename = "type")]
    pub cfn_type: String,
    pub only_in: String,
    pub reason: String,
}

/// The Terraform → CloudFormation type table (`templates/terraform/meta/cfn-types.yaml`).
#[derive(Debug, Deserialize, Default)]
pub(crate) struct TypeTable {
    pub types: BTreeMap<String, Vec<String>>,
    /// Why a Terraform type is not one-to-one with a CloudFormation type; the unit tests require
    /// one wherever the table needs it.
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    pub reasons: BTreeMap<String, String>,
    #[serde(default)]
    pub only_in_terraform: BTreeMap<String, String>,
    #[serde(default)]
    pub only_in_cloudformation: BTreeMap<String, String>,
}

pub(crate) fn meta_file<T: serde::de::DeserializeOwned>(
    target: &str,
    file: &str,
) -> Result<T, CompareError> {
    let path = format!("templates/{target}/meta/{file}");
    let text = engine::template_file(target, &format!("meta/{file}")).ok_or_else(|| {
        CompareError::Meta {
            path: path.clone(),
            message: "missing".into(),
        }
    })?;
    serde_saphyr::from_str(text).map_err(|e| CompareError::Meta {
        path,
        message: e.to_string(),
    })
}

/// A row of the matrix, before the targets' cells are filled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RowKey {
    Group(String),
    Component(String),
    Connection {
        from: String,
        kind: String,
        to: String,
    },
    Stack,
}

impl From<&Owner> for RowKey {
    fn from(o: &Owner) -> RowKey {
        match o {
            Owner::Group(id) => RowKey::Group(id.clone()),
            Owner::Component(id) => RowKey::Component(id.clone()),
            Owner::Connection { from, kind, to } => RowKey::Connection {
                from: from.clone(),
                kind: kind.clone(),
                to: to.clone(),
            },
        }
    }
}

impl RowKey {
    fn describe(&self) -> String {
        match self {
            RowKey::Group(id) => format!("group `{id}`"),
            RowKey::Component(id) => format!("component `{id}`"),
            RowKey::Connection { from, kind, to } => {
                format!("connection `{from}` -{kind}-> `{to}`")
            }
            RowKey::Stack => "the stack".into(),
        }
    }

    /// A component and its connections are next to each other.
    fn next_to(&self, other: &RowKey) -> bool {
        match (self, other) {
            (RowKey::Component(c), RowKey::Connection { from, to, .. })
            | (RowKey::Connection { from, to, .. }, RowKey::Component(c)) => c == from || c == to,
            _ => false,
        }
    }
}

/// A resource or construct found in a target's code, with the row it belongs to and what the
/// security checks need.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub row: RowKey,
    pub item: Item,
    /// The resource's definition as a tree (CloudFormation: `Type`/`Properties`; Terraform: the
    /// block's arguments), or `Null` when not read (CDK without synth).
    pub body: serde_json::Value,
    /// IAM actions this resource grants, when it is an identity policy.
    pub actions: BTreeSet<String>,
}

/// One target read back.
pub(crate) struct TargetCode {
    pub target: &'static str,
    pub meta: Meta,
    pub found: Vec<Found>,
    pub summary: Summary,
    /// Whether bodies were read, so security controls can be evaluated.
    pub readable: bool,
    pub code: BTreeMap<String, String>,
}

/// The summary as rows: a name, then one value per target (lines separated by `\n`). Every
/// output format shows these rows.
pub(crate) fn summary_rows(c: &Comparison) -> Vec<(&'static str, Vec<String>)> {
    let row = |f: &dyn Fn(&Summary) -> String| c.targets.iter().map(f).collect::<Vec<_>>();
    vec![
        ("files", row(&|s| s.files.to_string())),
        ("lines of code", row(&|s| s.lines_of_code.to_string())),
        ("resources", row(&|s| s.resources.to_string())),
        (
            "IAM statements",
            row(&|s| s.iam_statements.map_or("?".into(), |n| n.to_string())),
        ),
        ("parameters", row(&|s| s.parameters.to_string())),
        ("outputs", row(&|s| s.outputs.to_string())),
        ("to deploy", row(&|s| s.needs.join("\n"))),
    ]
}

/// The comparison in one of the output formats; `width` and `color` matter only for the table.
pub fn render(c: &Comparison, format: CompareFormat, width: usize, color: bool) -> String {
    match format {
        CompareFormat::Table => text::render(c, width, color),
        CompareFormat::Markdown => markdown::render(c),
        CompareFormat::Json => {
            let mut s = serde_json::to_string_pretty(c).expect("plain data serializes");
            s.push('\n');
            s
        }
        CompareFormat::Html => html::render(c),
    }
}

/// Generates the pattern's project in every target and compares them: a value every output
/// format renders (see [`render`]).
pub fn compare(pattern: &Pattern, options: &Options) -> Result<Comparison, Error> {
    if let Some(id) = &options.component
        && pattern.component(id).is_none()
    {
        return Err(CompareError::UnknownComponent {
            pattern: pattern.id.clone(),
            id: id.clone(),
            ids: pattern
                .components()
                .map(|c| format!("`{}`", c.id))
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into());
    }
    let mut read = Vec::new();
    for target in TARGETS {
        let project = engine::generate(
            pattern,
            &engine::Options {
                target,
                name: &pattern.id,
                region: None,
            },
        )?;
        read.push(read::read_target(target, pattern, &project, options)?);
    }
    let rows = rows(pattern);
    let reference: BTreeMap<RowKey, BTreeSet<String>> = types_by_row(&read[0].found);
    for t in read.iter_mut().skip(1) {
        reconcile(&mut t.found, &reference, &rows);
    }
    let table: TypeTable = meta_file("terraform", "cfn-types.yaml")?;
    let matrix = matrix(pattern, &rows, &read, &table, options.synth);
    let security = security::controls(pattern, &read);
    let code_of = |id: &str| {
        Code {
        component: id.to_string(),
        panes: read
            .iter()
            .map(|t| Pane {
                target: t.target.to_string(),
                language: t.meta.highlight.clone(),
                text: t.code.get(id).cloned().unwrap_or_else(|| {
                    format!(
                        "{} no code of its own here: another part of the pattern creates it, or nothing does (see the matrix)\n",
                        t.meta.comment
                    )
                }),
            })
            .collect(),
    }
    };
    let all_code = pattern
        .components()
        .filter(|c| read.iter().any(|t| t.code.contains_key(&c.id)))
        .map(|c| code_of(&c.id))
        .collect();
    Ok(Comparison {
        schema: 1,
        pattern: PatternRef {
            id: pattern.id.clone(),
            title: pattern.title.clone(),
        },
        cdk_synthesized: options.synth,
        code: options.component.as_deref().map(code_of),
        targets: read.into_iter().map(|t| t.summary).collect(),
        rows: matrix,
        security,
        all_code,
    })
}

/// Every row in display order: groups, components, connections, then `stack`.
fn rows(pattern: &Pattern) -> Vec<RowKey> {
    let mut rows: Vec<RowKey> = pattern
        .groups
        .iter()
        .map(|g| RowKey::Group(g.id.clone()))
        .collect();
    rows.extend(
        pattern
            .components()
            .map(|c| RowKey::Component(c.id.clone())),
    );
    rows.extend(pattern.edges().map(|e| RowKey::Connection {
        from: e.from.id.clone(),
        kind: e.connection.kind.clone(),
        to: e.to.id.clone(),
    }));
    rows.push(RowKey::Stack);
    rows
}

fn types_by_row(found: &[Found]) -> BTreeMap<RowKey, BTreeSet<String>> {
    let mut out: BTreeMap<RowKey, BTreeSet<String>> = BTreeMap::new();
    for f in found {
        out.entry(f.row.clone())
            .or_default()
            .extend(f.item.cfn_types.iter().cloned());
    }
    out
}

/// Targets file some resources under another part of the pattern than the CloudFormation target
/// does (CDK creates a connection's Lambda permission under the function, the VPC construct
/// creates the NAT gateways, Terraform writes a rule's target with the connection). A resource
/// whose types its row does not have in CloudFormation moves to a row that has them: first the
/// rows next to its own (a component's connections, a connection's ends), then rows that still
/// lack those types in this target. Otherwise it stays, and shows as a difference.
fn reconcile(found: &mut [Found], reference: &BTreeMap<RowKey, BTreeSet<String>>, rows: &[RowKey]) {
    let empty = BTreeSet::new();
    for i in 0..found.len() {
        let types: BTreeSet<String> = found[i].item.cfn_types.iter().cloned().collect();
        if types.is_empty() || types.is_subset(reference.get(&found[i].row).unwrap_or(&empty)) {
            continue;
        }
        let current = types_by_row(found);
        let home = found[i].row.clone();
        let best = rows
            .iter()
            .filter(|r| types.is_subset(reference.get(*r).unwrap_or(&empty)))
            .min_by_key(|r| {
                let lacks = !types.is_subset(current.get(*r).unwrap_or(&empty));
                (!home.next_to(r), !lacks)
            });
        if let Some(r) = best {
            found[i].row = r.clone();
        }
    }
}

fn matrix(
    pattern: &Pattern,
    rows: &[RowKey],
    read: &[TargetCode],
    table: &TypeTable,
    synthesized: bool,
) -> Vec<Row> {
    let mut out = Vec::new();
    for key in rows {
        let cells: Vec<Cell> = read
            .iter()
            .map(|t| {
                // The same construct can come from several components' bills of materials (the
                // VPC construct makes the gateways): list it once.
                let mut items: Vec<Item> = Vec::new();
                for f in t.found.iter().filter(|f| &f.row == key) {
                    if !items
                        .iter()
                        .any(|i| i.name == f.item.name && i.native_type == f.item.native_type)
                    {
                        items.push(f.item.clone());
                    }
                }
                let types: BTreeSet<String> =
                    items.iter().flat_map(|i| i.cfn_types.clone()).collect();
                Cell {
                    target: t.target.to_string(),
                    items,
                    types: types.into_iter().collect(),
                }
            })
            .collect();
        // Every component and connection has its row, even one no target makes anything for
        // (a diagram-only component, wiring that only adds IAM statements to its source's role).
        if cells.iter().all(|c| c.items.is_empty())
            && matches!(key, RowKey::Group(_) | RowKey::Stack)
        {
            continue;
        }
        let (row, id, label, kind) = describe(pattern, key);
        // How `differences` name the owner: a component's or group's kind, a connection as its
        // wiring template is named (`<from kind>.<connection>.<to kind>`), or `stack`.
        let kind_of = |id: &str| {
            pattern
                .component(id)
                .map(|c| c.kind.clone())
                .unwrap_or_default()
        };
        let owner_kind = match key {
            RowKey::Stack => "stack".to_string(),
            RowKey::Connection { from, kind, to } => {
                format!("{}.{kind}.{}", kind_of(from), kind_of(to))
            }
            _ => kind.clone(),
        };
        let reference: BTreeSet<&String> = cells[0].types.iter().collect();
        let mut differences = Vec::new();
        let mut unexplained = false;
        for (cell, t) in cells.iter().zip(read).skip(1) {
            let counts = t.target != "cdk" || synthesized;
            let mine: BTreeSet<&String> = cell.types.iter().collect();
            for (ty, only_in) in mine
                .difference(&reference)
                .map(|ty| (ty, t.target))
                .chain(reference.difference(&mine).map(|ty| (ty, "cloudformation")))
            {
                let reason = listed_reason(t, table, &owner_kind, ty, only_in);
                if reason.is_none() && counts {
                    unexplained = true;
                }
                if counts {
                    differences.push(Difference {
                        target: t.target.to_string(),
                        cfn_type: (*ty).clone(),
                        only_in: only_in.to_string(),
                        reason,
                    });
                }
            }
        }
        let status = if unexplained {
            "different"
        } else if differences.is_empty() {
            "equal"
        } else {
            "explained"
        };
        out.push(Row {
            row,
            id,
            label,
            kind,
            cells,
            status,
            differences,
        });
    }
    out
}

fn listed_reason(
    t: &TargetCode,
    table: &TypeTable,
    owner_kind: &str,
    ty: &str,
    only_in: &str,
) -> Option<String> {
    if t.target == "terraform" {
        let list = if only_in == "terraform" {
            &table.only_in_terraform
        } else {
            &table.only_in_cloudformation
        };
        // `<owner kind>:<type>` scopes a reason to what one kind's template generates.
        return list
            .get(&format!("{owner_kind}:{ty}"))
            .or_else(|| list.get(ty))
            .cloned();
    }
    t.meta
        .differences
        .iter()
        .find(|d| d.owner == owner_kind && d.cfn_type == ty && d.only_in == only_in)
        .map(|d| d.reason.clone())
}

fn describe(pattern: &Pattern, key: &RowKey) -> (&'static str, String, String, String) {
    match key {
        RowKey::Group(id) => {
            let g = pattern.groups.iter().find(|g| &g.id == id);
            (
                "group",
                id.clone(),
                g.map(|g| g.label.clone()).unwrap_or_default(),
                g.map(|g| g.kind.clone()).unwrap_or_default(),
            )
        }
        RowKey::Component(id) => {
            let c = pattern.component(id);
            (
                "component",
                id.clone(),
                c.map(|c| c.label.clone()).unwrap_or_default(),
                c.map(|c| c.kind.clone()).unwrap_or_default(),
            )
        }
        RowKey::Connection { from, kind, to } => {
            let label = |id: &str| {
                pattern
                    .component(id)
                    .map(|c| c.label.clone())
                    .unwrap_or_default()
            };
            (
                "connection",
                format!("{from} -{kind}-> {to}"),
                format!("{} → {}", label(from), label(to)),
                kind.clone(),
            )
        }
        RowKey::Stack => ("stack", "stack".into(), "Stack-wide".into(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(row: RowKey, name: &str, types: &[&str]) -> Found {
        Found {
            row,
            item: Item {
                name: name.into(),
                native_type: name.into(),
                cfn_types: types.iter().map(|t| t.to_string()).collect(),
            },
            body: serde_json::Value::Null,
            actions: BTreeSet::new(),
        }
    }

    fn conn(from: &str, to: &str) -> RowKey {
        RowKey::Connection {
            from: from.into(),
            kind: "consume".into(),
            to: to.into(),
        }
    }

    #[test]
    fn reconcile_moves_a_resource_to_the_row_that_expects_it_nearest_first() {
        let f = RowKey::Component("fn".into());
        let q = RowKey::Component("queue".into());
        let rows = vec![
            f.clone(),
            q.clone(),
            conn("other", "queue"),
            conn("fn", "queue"),
            RowKey::Stack,
        ];
        let reference = types_by_row(&[
            found(f.clone(), "Fn", &["AWS::Lambda::Function"]),
            found(
                conn("other", "queue"),
                "M0",
                &["AWS::Lambda::EventSourceMapping"],
            ),
            found(
                conn("fn", "queue"),
                "M1",
                &["AWS::Lambda::EventSourceMapping"],
            ),
        ]);
        let mut mine = vec![
            found(f.clone(), "fn", &["AWS::Lambda::Function"]),
            found(f.clone(), "mapping", &["AWS::Lambda::EventSourceMapping"]),
            found(f.clone(), "extra", &["AWS::SQS::QueuePolicy"]),
        ];
        reconcile(&mut mine, &reference, &rows);
        assert_eq!(mine[0].row, f);
        assert_eq!(
            mine[1].row,
            conn("fn", "queue"),
            "the function's own connection first"
        );
        assert_eq!(mine[2].row, f, "no row expects it: it stays and shows");

        // A connection's resource goes to its own end even where that end has the type already.
        let rows = vec![
            RowKey::Component("a".into()),
            RowKey::Component("b".into()),
            conn("b", "x"),
        ];
        let reference = types_by_row(&[
            found(RowKey::Component("a".into()), "A", &["AWS::Events::Rule"]),
            found(RowKey::Component("b".into()), "B", &["AWS::Events::Rule"]),
        ]);
        let mut mine = vec![
            found(RowKey::Component("a".into()), "a", &["AWS::Events::Rule"]),
            found(RowKey::Component("b".into()), "b", &["AWS::Events::Rule"]),
            found(conn("b", "x"), "target", &["AWS::Events::Rule"]),
        ];
        reconcile(&mut mine, &reference, &rows);
        assert_eq!(mine[2].row, RowKey::Component("b".into()));
    }

    #[test]
    fn errors_name_what_to_do() {
        let e = CompareError::UnknownComponent {
            pattern: "p".into(),
            id: "tabel".into(),
            ids: "`table`, `fn`".into(),
        };
        assert_eq!(
            e.to_string(),
            "pattern `p` has no component `tabel`; its components are: `table`, `fn`"
        );
        assert_eq!(e.exit_code(), EXIT_INPUT);
        let e = CompareError::SynthSetup("`/x` has no aws-cdk-lib".into());
        assert_eq!(
            e.to_string(),
            "`--synth` cannot run: `/x` has no aws-cdk-lib"
        );
        assert_eq!(e.exit_code(), EXIT_ENVIRONMENT);
        let e = CompareError::Synth {
            command: "cdk synth".into(),
            dir: "/tmp/a".into(),
            output: "boom".into(),
        };
        assert_eq!(e.to_string(), "`cdk synth` failed in `/tmp/a`:\nboom");
        let e = CompareError::CdkTemplate {
            path: "cdk.out/a.template.json".into(),
            message: "no such file".into(),
        };
        assert_eq!(
            e.to_string(),
            "cannot read the synthesized CDK template `cdk.out/a.template.json`: no such file"
        );
        assert_eq!(e.exit_code(), EXIT_ENVIRONMENT);
        let e = CompareError::Read {
            target: "terraform".into(),
            owner: "component `db`".into(),
            message: "unexpected `}`".into(),
        };
        assert_eq!(
            e.to_string(),
            "cannot read the terraform code generated for component `db`: unexpected `}`"
        );
        let e = CompareError::Meta {
            path: "templates/cdk/meta/compare.yaml".into(),
            message: "missing".into(),
        };
        assert_eq!(
            e.to_string(),
            "`templates/cdk/meta/compare.yaml` is invalid: missing"
        );
    }

    #[test]
    fn every_target_has_readable_compare_data() {
        for target in TARGETS {
            let meta: Meta = meta_file(target, "compare.yaml").unwrap();
            assert!(!meta.code.is_empty() && !meta.needs.is_empty(), "{target}");
            for (control, rules) in &meta.security {
                assert!(
                    security::CONTROLS.contains(&control.as_str()),
                    "{target}: unknown control `{control}`"
                );
                assert!(!rules.is_empty());
            }
        }
        let table: TypeTable = meta_file("terraform", "cfn-types.yaml").unwrap();
        assert!(table.types.len() > 50);
        for (ty, cfn) in &table.types {
            if cfn.len() != 1 {
                assert!(
                    table.reasons.contains_key(ty),
                    "{ty} maps to {cfn:?}: give the reason in `reasons`"
                );
            }
            // Where several Terraform types share one CloudFormation type, all but the main one
            // (the shortest name, which the others extend) need a reason.
            let main = table
                .types
                .iter()
                .filter(|(_, c)| *c == cfn)
                .map(|(t, _)| t)
                .min_by_key(|t| t.len())
                .expect("ty itself");
            assert!(
                ty == main || table.reasons.contains_key(ty),
                "{ty} shares {cfn:?} with {main}: give the reason in `reasons`"
            );
        }
    }
}
