//! `archpat import`: CloudFormation, SAM, a CDK app's `cdk.out` and Terraform into a pattern file.
//!
//! Each reader turns its input into one shape, a list of [`Resource`]s with CloudFormation types
//! and references written as `{"Ref": id}` (`cloudformation`, `terraform`, `cdk`); [`infer`]
//! maps them to catalog kinds, folds helpers into what they serve, and infers groups and
//! connections; [`write`] prints the pattern. What maps to what is data: each kind's `imports`
//! and `catalog/import.yaml` (docs/import.md).

mod cdk;
mod cloudformation;
mod connect;
mod fold;
mod infer;
mod kubernetes;
mod place;
mod properties;
mod refs;
mod rules;
mod terraform;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::Value;

pub(crate) use rules::Rules;

/// Errors of `archpat import`, each naming the file (and line, where known).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{file}`{}: {message}", at(*.line))]
    Syntax {
        file: String,
        line: Option<usize>,
        message: String,
    },
    #[error(
        "`{file}` is not a CloudFormation template (it has no `Resources` with a `Type`), a Terraform file or `terraform show -json` output"
    )]
    NotATemplate { file: String },
    #[error("`{file}`{}: resource `{id}`: {message}", at(*.line))]
    Resource {
        file: String,
        line: Option<usize>,
        id: String,
        message: String,
    },
    #[error(
        "`{path}` holds nothing to import: no CloudFormation template (`.yaml`, `.yml`, `.json`, `.template`), no `.tf` file and no `cdk.out` manifest"
    )]
    Empty { path: String },
    #[error(
        "`{path}` is not a file type import reads; give a CloudFormation template (`.yaml`, `.yml`, `.json`, `.template`), a `.tf` file or a folder"
    )]
    UnknownFileType { path: String },
    #[error("`{path}` declares no resources, so there is nothing to draw")]
    NoResources { path: String },
    #[error("`{path}` does not exist; give a template file, a `.tf` folder or a `cdk.out` folder")]
    NoSuchInput { path: String },
    #[error(
        "`{path}` holds only resources that serve others ({types}), no component to draw; import the template that uses them, or add a kind to the catalog"
    )]
    NothingToDraw { path: String, types: String },
    #[error(
        "the pattern imported from `{path}` does not pass the loader (a bug in import; please report it with the input): {message}"
    )]
    Invalid { path: String, message: String },
    #[error("`{path}` exists; pass `--force` to overwrite it")]
    Exists { path: String },
}

fn at(line: Option<usize>) -> String {
    line.map(|l| format!(", line {l}")).unwrap_or_default()
}

impl ImportError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ImportError::Read { .. } => crate::error::EXIT_ENVIRONMENT,
            _ => crate::error::EXIT_INPUT,
        }
    }
}

/// One resource of the input, whatever the language: its id (logical id, or Terraform address),
/// CloudFormation type, properties with references as `{"Ref": id}`, and where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub id: String,
    pub ty: String,
    pub props: Value,
    pub file: String,
    pub line: Option<usize>,
    /// The CDK construct path, when the template came from `cdk synth`.
    pub path: Option<String>,
    /// The input's switch for this resource (a condition on one parameter), as a pattern `when`.
    pub when: Option<Switch>,
}

/// A condition that tests one input parameter, carried into the pattern: the component's
/// `when` and the parameter it reads, so the imported design keeps the input's option instead of
/// deciding it with the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Switch {
    /// The condition as the pattern's `when` writes it: `name`, `!name`, `name == value`.
    pub when: String,
    /// The pattern parameter's name and its definition as a YAML flow mapping.
    pub parameter: String,
    pub definition: String,
    /// For the report: when the input creates the resource, and the parameter's name there.
    pub condition: String,
    pub source: String,
}

impl Switch {
    /// A boolean parameter's switch: the part exists when the parameter is `exists_when`.
    /// `condition` is left for the reader to say.
    pub(crate) fn boolean(
        parameter: String,
        exists_when: bool,
        default: bool,
        help: &str,
        source: String,
    ) -> Switch {
        Switch {
            when: if exists_when {
                parameter.clone()
            } else {
                format!("!{parameter}")
            },
            definition: format!(
                "{{ type: boolean, default: {default}, help: {} }}",
                help_text(help)
            ),
            parameter,
            condition: String::new(),
            source,
        }
    }

    /// A string parameter's switch, `name == value` (or `!=` when not `equal`), with the
    /// allowed values as choices; `None` unless the value, the default and the choices are words
    /// a `when` and a flow mapping hold as they are.
    pub(crate) fn string(
        parameter: String,
        (value, equal): (&str, bool),
        default: &str,
        choices: &[String],
        help: &str,
        source: String,
    ) -> Option<Switch> {
        let simple = |v: &str| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        };
        if !simple(value) || !simple(default) || !choices.iter().all(|c| simple(c)) {
            return None;
        }
        let choices = if choices.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
            format!(", choices: [{}]", quoted.join(", "))
        };
        let op = if equal { "==" } else { "!=" };
        Some(Switch {
            when: format!("{parameter} {op} {value}"),
            definition: format!(
                "{{ type: string, default: \"{default}\"{choices}, help: {} }}",
                help_text(help)
            ),
            parameter,
            condition: String::new(),
            source,
        })
    }
}

/// An input's description as a parameter's help: one line, quoted for YAML.
fn help_text(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    serde_json::to_string(&line).unwrap_or_else(|_| "\"\"".into())
}

/// Resources of an input, and those a condition left out (id, why).
pub(crate) type Read = (Vec<Resource>, Vec<(String, String)>);

/// What import did with each resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Resource id, type, component id and kind.
    pub mapped: Vec<(String, String, String, String)>,
    /// Resource id, type, what it was folded into (a component, a connection or the network) and why.
    pub folded: Vec<(String, String, String)>,
    /// Resource id and type of what no catalog kind or helper rule covers.
    pub unclassified: Vec<(String, String)>,
    /// Resources left out by a condition, and other notes.
    pub notes: Vec<String>,
    pub groups: usize,
    pub connections: usize,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.mapped.len() + self.folded.len() + self.unclassified.len();
        writeln!(
            f,
            "imported {total} resources: {} mapped to components, {} folded, {} unclassified; {} groups, {} connections",
            self.mapped.len(),
            self.folded.len(),
            self.unclassified.len(),
            self.groups,
            self.connections
        )?;
        for (id, ty, comp, kind) in &self.mapped {
            writeln!(f, "  mapped        {id} ({ty}) -> `{comp}` ({kind})")?;
        }
        for (id, ty, why) in &self.folded {
            writeln!(f, "  folded        {id} ({ty}): {why}")?;
        }
        for (id, ty) in &self.unclassified {
            writeln!(
                f,
                "  unclassified  {id} ({ty}): no catalog kind or helper rule; drawn in the `unclassified` group"
            )?;
        }
        for n in &self.notes {
            writeln!(f, "  note          {n}")?;
        }
        Ok(())
    }
}

/// An imported pattern: its file text and what happened to each resource.
#[derive(Debug, Clone)]
pub struct Imported {
    pub pattern: String,
    pub report: Report,
}

/// Imports a file or folder.
pub fn import_path(path: &Path) -> Result<Imported, ImportError> {
    let shown = path.display().to_string();
    let read_err = |p: &Path, source| ImportError::Read {
        path: p.display().to_string(),
        source,
    };
    let mut files = BTreeMap::new();
    if path.is_dir() {
        read_dir(path, path, &mut files, 0).map_err(|(p, e)| read_err(&p, e))?;
        let name = path
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_else(|| "imported".into());
        import_files(&shown, &name, &files)
    } else {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if !path.exists() {
            return Err(ImportError::NoSuchInput { path: shown });
        }
        if !readable_name(&name) {
            return Err(ImportError::UnknownFileType { path: shown });
        }
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => ImportError::Syntax {
                file: shown.clone(),
                line: None,
                message: "not UTF-8 text; save the file as UTF-8".into(),
            },
            _ => read_err(path, e),
        })?;
        files.insert(name.clone(), text);
        let stem = name.split('.').next().unwrap_or("imported").to_string();
        import_files(&shown, &stem, &files)
    }
}

fn readable_name(name: &str) -> bool {
    [".yaml", ".yml", ".json", ".template", ".tf"]
        .iter()
        .any(|e| name.ends_with(e))
}

fn read_dir(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, String>,
    depth: u8,
) -> Result<(), (std::path::PathBuf, std::io::Error)> {
    if depth > 6 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| (dir.to_path_buf(), e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if p.is_dir() {
            if !name.starts_with('.') && name != "node_modules" && name != "asset-output" {
                read_dir(root, &p, out, depth + 1)?;
            }
        } else if readable_name(&name) && !name.starts_with('.') {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            // A file that is not text is not code to import (a binary asset in `cdk.out`).
            match std::fs::read_to_string(&p) {
                Ok(text) => {
                    out.insert(rel, text);
                }
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {}
                Err(e) => return Err((p.clone(), e)),
            }
        }
    }
    Ok(())
}

/// Imports files given by path relative to the folder (or one file by its name); `shown` names
/// the input in messages and `name` gives the pattern its id. The readers are chosen by what the
/// files are: a CDK `manifest.json` with templates, `.tf` files, CloudFormation templates.
pub fn import_files(
    shown: &str,
    name: &str,
    files: &BTreeMap<String, String>,
) -> Result<Imported, ImportError> {
    let rules = Rules::get();
    // A cloud assembly: `cdk.out` itself, or a CDK app's folder with its `cdk.out` (and, for an
    // EKS app, its Kubernetes manifests beside it).
    let assembly = ["", "cdk.out/"].into_iter().find(|dir| {
        files.contains_key(&format!("{dir}manifest.json"))
            && files.keys().any(|k| {
                k.starts_with(dir) && !k[dir.len()..].contains('/') && k.ends_with(".template.json")
            })
    });
    let (resources, skipped, kind) = if let Some(dir) = assembly {
        let inside: BTreeMap<String, String> = files
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(dir)?.to_string(), v.clone())))
            .collect();
        let (mut r, s) = cdk::resources(rules, &inside)?;
        if !dir.is_empty() {
            let beside: BTreeMap<String, String> = files
                .iter()
                .filter(|(k, _)| !k.starts_with(dir))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            r.extend(kubernetes::resources(&beside));
        }
        (r, s, "CDK app")
    } else if files.keys().any(|k| k.ends_with(".tf")) {
        let mut all = terraform::resources(rules, files)?;
        all.extend(kubernetes::resources(files));
        (all, Vec::new(), "Terraform configuration")
    } else {
        let mut all = kubernetes::resources(files);
        let manifests = !all.is_empty();
        let mut skipped = Vec::new();
        let mut kind = "CloudFormation template";
        let single = files.len() == 1;
        for (file, text) in files {
            let doc = match cloudformation::parse(file, text) {
                Ok(d) => d,
                Err(e) if single && !manifests => return Err(e),
                Err(_) => continue,
            };
            if terraform::is_show_json(&doc) {
                all.extend(terraform::from_show_json(rules, file, &doc));
                kind = "Terraform state";
                continue;
            }
            if !cloudformation::is_template(&doc) {
                if single && !manifests {
                    return Err(ImportError::NotATemplate { file: file.clone() });
                }
                continue;
            }
            let (r, s) = cloudformation::resources(rules, file, text, &doc, "")?;
            all.extend(r);
            skipped.extend(s);
        }
        if all.is_empty() && skipped.is_empty() {
            return Err(if files.is_empty() || !single {
                ImportError::Empty {
                    path: shown.to_string(),
                }
            } else {
                ImportError::NoResources {
                    path: shown.to_string(),
                }
            });
        }
        (all, skipped, kind)
    };
    let mut resources = resources;
    kubernetes::link_pod_identities(&mut resources);
    if resources.is_empty() {
        return Err(ImportError::NoResources {
            path: shown.to_string(),
        });
    }
    let model = infer::infer(
        rules,
        crate::catalog::Catalog::builtin(),
        &resources,
        &skipped,
    );
    if model.components.is_empty() {
        let types: std::collections::BTreeSet<&str> =
            resources.iter().map(|r| r.ty.as_str()).collect();
        return Err(ImportError::NothingToDraw {
            path: shown.to_string(),
            types: types.into_iter().collect::<Vec<_>>().join(", "),
        });
    }
    let switches: BTreeMap<String, Switch> = resources
        .iter()
        .filter_map(|r| Some((r.id.clone(), r.when.clone()?)))
        .collect();
    let mut model = model;
    for s in model_switches(&model, &switches) {
        model.report.notes.push(s);
    }
    let pattern = write::pattern(&model, &switches, shown, name, kind);
    crate::loader::load_str(shown, &pattern).map_err(|e| ImportError::Invalid {
        path: shown.to_string(),
        message: e.to_string(),
    })?;
    Ok(Imported {
        pattern,
        report: model.report,
    })
}

/// The report's line for each component the input's conditions switch.
fn model_switches(model: &infer::Model, switches: &BTreeMap<String, Switch>) -> Vec<String> {
    model
        .components
        .iter()
        .filter_map(|c| {
            let s = switches.get(c.sources.first()?)?;
            Some(format!(
                "`{}` exists only when {}: `when: {}`, with parameter `{}` from `{}`",
                c.id, s.condition, s.when, s.parameter, s.source
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_names_the_file_and_says_what_to_do() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let cases: Vec<(ImportError, &str, i32)> = vec![
            (
                ImportError::Read {
                    path: "a.yaml".into(),
                    source: io(),
                },
                "cannot read `a.yaml`",
                3,
            ),
            (
                ImportError::Syntax {
                    file: "t.yaml".into(),
                    line: Some(4),
                    message: "bad indent".into(),
                },
                "`t.yaml`, line 4: bad indent",
                1,
            ),
            (
                ImportError::Syntax {
                    file: "t.json".into(),
                    line: None,
                    message: "eof".into(),
                },
                "`t.json`: eof",
                1,
            ),
            (
                ImportError::NotATemplate {
                    file: "x.yaml".into(),
                },
                "`x.yaml` is not a CloudFormation template (it has no `Resources` with a `Type`), a Terraform file or `terraform show -json` output",
                1,
            ),
            (
                ImportError::Resource {
                    file: "t.yaml".into(),
                    line: Some(9),
                    id: "Fn".into(),
                    message: "it has no `Type`".into(),
                },
                "`t.yaml`, line 9: resource `Fn`: it has no `Type`",
                1,
            ),
            (
                ImportError::Empty { path: "d".into() },
                "`d` holds nothing to import: no CloudFormation template (`.yaml`, `.yml`, `.json`, `.template`), no `.tf` file and no `cdk.out` manifest",
                1,
            ),
            (
                ImportError::UnknownFileType {
                    path: "a.txt".into(),
                },
                "`a.txt` is not a file type import reads; give a CloudFormation template (`.yaml`, `.yml`, `.json`, `.template`), a `.tf` file or a folder",
                1,
            ),
            (
                ImportError::NoResources {
                    path: "t.yaml".into(),
                },
                "`t.yaml` declares no resources, so there is nothing to draw",
                1,
            ),
            (
                ImportError::Invalid {
                    path: "t.yaml".into(),
                    message: "m".into(),
                },
                "the pattern imported from `t.yaml` does not pass the loader (a bug in import; please report it with the input): m",
                1,
            ),
            (
                ImportError::Exists {
                    path: "p.yaml".into(),
                },
                "`p.yaml` exists; pass `--force` to overwrite it",
                1,
            ),
        ];
        for (error, message, code) in cases {
            assert_eq!(error.to_string(), message);
            assert_eq!(error.exit_code(), code, "{message}");
        }
    }

    #[test]
    fn subnets_get_tiers_from_their_routes_and_a_resource_in_two_tiers_sits_in_the_vpc() {
        let text = r#"Resources:
  Vpc: { Type: AWS::EC2::VPC, Properties: { CidrBlock: 10.1.0.0/16 } }
  Igw: { Type: AWS::EC2::InternetGateway }
  Attach: { Type: AWS::EC2::VPCGatewayAttachment, Properties: { VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw } }
  PubRt: { Type: AWS::EC2::RouteTable, Properties: { VpcId: !Ref Vpc } }
  PubRoute: { Type: AWS::EC2::Route, Properties: { RouteTableId: !Ref PubRt, GatewayId: !Ref Igw, DestinationCidrBlock: 0.0.0.0/0 } }
  Pub1: { Type: AWS::EC2::Subnet, Properties: { VpcId: !Ref Vpc } }
  Pub1Assoc: { Type: AWS::EC2::SubnetRouteTableAssociation, Properties: { SubnetId: !Ref Pub1, RouteTableId: !Ref PubRt } }
  Nat: { Type: AWS::EC2::NatGateway, Properties: { SubnetId: !Ref Pub1 } }
  AppRt: { Type: AWS::EC2::RouteTable, Properties: { VpcId: !Ref Vpc } }
  AppRoute: { Type: AWS::EC2::Route, Properties: { RouteTableId: !Ref AppRt, NatGatewayId: !Ref Nat } }
  App1: { Type: AWS::EC2::Subnet, Properties: { VpcId: !Ref Vpc } }
  App1Assoc: { Type: AWS::EC2::SubnetRouteTableAssociation, Properties: { SubnetId: !Ref App1, RouteTableId: !Ref AppRt } }
  DataRt: { Type: AWS::EC2::RouteTable, Properties: { VpcId: !Ref Vpc } }
  Data1: { Type: AWS::EC2::Subnet, Properties: { VpcId: !Ref Vpc } }
  Data1Assoc: { Type: AWS::EC2::SubnetRouteTableAssociation, Properties: { SubnetId: !Ref Data1, RouteTableId: !Ref DataRt } }
  Fn: { Type: AWS::Lambda::Function, Properties: { VpcConfig: { SubnetIds: [!Ref App1, !Ref Data1] } } }
  Servers: { Type: AWS::AutoScaling::AutoScalingGroup, Properties: { VPCZoneIdentifier: [!Ref App1] } }
  DbSubnets: { Type: AWS::RDS::DBSubnetGroup, Properties: { SubnetIds: [!Ref Data1] } }
  Db: { Type: AWS::RDS::DBInstance, Properties: { DBSubnetGroupName: !Ref DbSubnets } }
"#;
        let files = BTreeMap::from([("net.yaml".to_string(), text.to_string())]);
        let p = import_files("net.yaml", "net", &files).unwrap().pattern;
        for line in [
            "{ id: vpc, kind: vpc, parent: region, label: \"VPC 10.1.0.0/16\" }",
            "{ id: public, kind: subnet, parent: vpc, label: \"Public subnets\", properties: { tier: public } }",
            "{ id: nat, kind: nat-gateway, label: \"Nat\", group: public }",
            // In app and data subnets: the first tier the catalog allows, with a note.
            "{ id: fn, kind: lambda, label: \"Fn\", group: app }",
            "{ id: servers, kind: ec2-asg, label: \"Servers\", group: app }",
            "{ id: db, kind: rds-instance, label: \"Db\", group: data }",
            "{ id: igw, kind: internet-gateway, label: \"Igw\", group: vpc }",
            "{ from: servers, to: nat, kind: route }",
            "{ from: nat, to: igw, kind: route }",
        ] {
            assert!(p.contains(line), "missing {line}:\n{p}");
        }
        let notes = import_files("net.yaml", "net", &files)
            .unwrap()
            .report
            .notes;
        assert!(
            notes
                .iter()
                .any(|n| n.contains("subnets of tiers private-app and private-data")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_small_sam_template_becomes_components_and_connections() {
        let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Table:\n    Type: AWS::Serverless::SimpleTable\n  Queue:\n    Type: AWS::SQS::Queue\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        - DynamoDBCrudPolicy: { TableName: !Ref Table }\n      Events:\n        Q: { Type: SQS, Properties: { Queue: !GetAtt Queue.Arn } }\n";
        let files = BTreeMap::from([("t.yaml".to_string(), text.to_string())]);
        let out = import_files("t.yaml", "t", &files).unwrap();
        let p = &out.pattern;
        assert!(
            p.contains("{ from: fn, to: table, kind: read-write }"),
            "{p}"
        );
        assert!(p.contains("{ from: fn, to: queue, kind: consume }"), "{p}");
        assert!(
            p.contains("# t.yaml line 7: Fn (AWS::Serverless::Function)"),
            "{p}"
        );
        assert_eq!(out.report.mapped.len(), 3);
    }
}
