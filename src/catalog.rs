//! The catalog of AWS component kinds, group kinds, connection kinds and categories.
//!
//! All of it is data under `catalog/`, embedded in the binary: adding an AWS service means adding
//! a YAML file, not editing code. The catalog is parsed once, on first use.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

static CATALOG_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/catalog");

/// The catalog in use: the embedded one, or the embedded one with a user's folder laid over it
/// ([`Catalog::install_overlay`]), fixed on first use.
static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// A `--catalog-dir`'s own `import.yaml` (checked when the overlay is installed), which replaces
/// the embedded import data as any overlay file replaces its embedded namesake.
static IMPORT_OVERLAY: OnceLock<String> = OnceLock::new();

/// The text of `catalog/import.yaml` in use: the overlay's, or the embedded one.
pub(crate) fn import_data() -> &'static str {
    IMPORT_OVERLAY
        .get()
        .map(String::as_str)
        .unwrap_or(include_str!("../catalog/import.yaml"))
}

/// Errors in catalog data. The embedded catalog is checked by a unit test, so users only meet
/// these if a build shipped broken data.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot parse catalog file `{path}`: {message}")]
    Parse { path: String, message: String },
    #[error("catalog file `{path}` declares kind `{kind}`; the file must be named `{kind}.yaml`")]
    MisnamedKind { path: String, kind: String },
    #[error("catalog kind `{kind}` uses unknown {what} `{name}`")]
    UnknownReference {
        kind: String,
        what: &'static str,
        name: String,
    },
    #[error("catalog file `{0}` is missing")]
    Missing(&'static str),
    #[error("cannot read catalog folder `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the catalog is already in use; give `--catalog-dir` before anything reads it")]
    AlreadyInUse,
}

/// What a diagram should look like for one category of components.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    pub fill: String,
    pub stroke: String,
    pub text: String,
}

/// How a line is drawn: solid for requests, dashed for events, dotted for control-plane flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Line {
    Solid,
    Dashed,
    Dotted,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionKind {
    pub description: String,
    pub line: Line,
    /// A group kind whose groups this connection joins two different ones of (`region` for a
    /// copy to another region); every other connection stays inside one such group.
    #[serde(default)]
    pub crosses: Option<String>,
}

/// The outline of a component's node; renderers map these to their own shape names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Rect,
    Rounded,
    Cylinder,
    Stadium,
    Circle,
    Hexagon,
    Parallelogram,
    Person,
}

/// The type of a parameter or property value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    String,
    Integer,
    Boolean,
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ValueType::String => "string",
            ValueType::Integer => "integer",
            ValueType::Boolean => "boolean",
        })
    }
}

/// A typed value slot: a component property in the catalog or a pattern parameter.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    #[serde(rename = "type")]
    pub ty: ValueType,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// A shape a string must have beyond its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(default)]
    pub help: String,
}

/// Shapes of string values that templates rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A private IPv4 `/16` (`10.1.0.0/16`): the VPC templates carve their subnet plan from it.
    #[serde(rename = "private-cidr-16")]
    PrivateCidr16,
    /// A CloudWatch metric name as the templates write it unquoted and in comments: letters,
    /// digits, `.`, `_`, `-` and `/`.
    MetricName,
    /// A DynamoDB key attribute name (`user_id`), or empty for none: letters, digits, `_`, `-`
    /// and `.`, the characters AWS's naming rules allow in table and index names. Attribute names
    /// may hold any text, but the templates write key names into state-machine items, handler
    /// code and comments, and a key name that needs an expression placeholder is no starter's.
    AttributeName,
    /// A DNS domain name (`internal.local`): lowercase labels of letters, digits and `-` joined
    /// by dots, as templates write it into record names and comments.
    DnsName,
    /// A CloudFront path pattern (`/api/*`), or empty for none: `/` then letters, digits and
    /// `_-.*$/~@:+&`, at most 255 characters, as CloudFront accepts and the templates quote.
    PathPattern,
    /// An AWS region code (`eu-west-1`), or empty for the deploy-time choice.
    AwsRegion,
}

impl Format {
    fn check(self, text: &str) -> Result<(), String> {
        if self.holds(text) {
            Ok(())
        } else {
            Err(format!("{}, got `{text}`", self.expected()))
        }
    }

    /// What a value of this format looks like, for the error after "expected".
    fn expected(self) -> &'static str {
        match self {
            Format::PrivateCidr16 => "a private IPv4 range ending in /16 such as 10.1.0.0/16",
            Format::DnsName => {
                "a DNS name of lowercase letters, digits and `-` joined by dots such as internal.local"
            }
            Format::PathPattern => {
                "a CloudFront path pattern such as /api/*: `/` then letters, digits and `_-.*$/~@:+&`"
            }
            Format::AwsRegion => "a region code such as eu-west-1",
            Format::AttributeName => {
                "an attribute name of letters, digits, `_`, `-` and `.` such as user_id"
            }
            Format::MetricName => {
                "a CloudWatch metric name of letters, digits, `.`, `_`, `-` and `/`"
            }
        }
    }

    fn holds(self, text: &str) -> bool {
        match self {
            Format::PrivateCidr16 => {
                let Some((address, mask)) = text.split_once('/') else {
                    return false;
                };
                let Ok(octets) = address
                    .split('.')
                    .map(|o| o.parse::<u8>())
                    .collect::<Result<Vec<u8>, _>>()
                else {
                    return false;
                };
                mask == "16"
                    && octets.len() == 4
                    && octets[2] == 0
                    && octets[3] == 0
                    && (octets[0] == 10
                        || (octets[0] == 172 && (16..=31).contains(&octets[1]))
                        || (octets[0] == 192 && octets[1] == 168))
            }
            Format::DnsName => {
                (1..=253).contains(&text.len())
                    && text.split('.').all(|l| {
                        (1..=63).contains(&l.len())
                            && !l.starts_with('-')
                            && !l.ends_with('-')
                            && l.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    })
            }
            Format::PathPattern => {
                text.is_empty()
                    || (text.len() <= 255
                        && text.starts_with('/')
                        && text
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_-.*$/~@:+&".contains(c)))
            }
            Format::AwsRegion => {
                let parts: Vec<&str> = text.split('-').collect();
                text.is_empty()
                    || (parts.len() >= 3
                        && parts[0].len() == 2
                        && parts.iter().all(|p| !p.is_empty())
                        && parts[..parts.len() - 1]
                            .iter()
                            .all(|p| p.chars().all(|c| c.is_ascii_lowercase()))
                        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit()))
            }
            Format::AttributeName => {
                text.len() <= 255
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            }
            Format::MetricName => {
                (1..=255).contains(&text.len())
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
            }
        }
    }
}

impl ValueSpec {
    /// Checks a value against the type, choices and bounds; the error reads after "expected".
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let type_ok = match self.ty {
            ValueType::String => value.is_string(),
            ValueType::Integer => value.is_i64(),
            ValueType::Boolean => value.is_boolean(),
        };
        if !type_ok {
            let article = if self.ty == ValueType::Integer {
                "an"
            } else {
                "a"
            };
            return Err(format!("{article} {}, got {}", self.ty, describe(value)));
        }
        if !self.choices.is_empty() && !self.choices.contains(value) {
            let list: Vec<String> = self.choices.iter().map(display_value).collect();
            return Err(format!(
                "one of {}, got {}",
                list.join(", "),
                display_value(value)
            ));
        }
        if let (Some(format), Some(text)) = (self.format, value.as_str()) {
            format.check(text)?;
        }
        if let Some(n) = value.as_i64()
            && (self.min.is_some_and(|min| n < min) || self.max.is_some_and(|max| n > max))
        {
            return Err(format!(
                "a number from {} to {}, got {n}",
                self.min.map_or("any".into(), |m| m.to_string()),
                self.max.map_or("any".into(), |m| m.to_string())
            ));
        }
        Ok(())
    }

    /// Parses command-line text (`--set name=text`) into a value of this spec's type.
    pub fn parse_text(&self, text: &str) -> Result<Value, String> {
        let value = match self.ty {
            ValueType::String => Value::String(text.to_string()),
            ValueType::Integer => text
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("an integer, got `{text}`"))?,
            ValueType::Boolean => match text.trim() {
                "true" | "yes" | "on" => Value::Bool(true),
                "false" | "no" | "off" => Value::Bool(false),
                _ => return Err(format!("true or false, got `{text}`")),
            },
        };
        self.check(&value)?;
        Ok(value)
    }
}

/// One line of `connects`: this kind may start a `kind` connection towards any of `to`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectRule {
    pub kind: String,
    pub to: Vec<String>,
    /// Why these connections need no code of their own (the network or another part already
    /// makes them work); the scaffolder then asks for no template.
    #[serde(default)]
    pub implied: Option<String>,
    /// What a connection of this rule may say about itself (a CloudFront origin's path pattern),
    /// so that no label carries a meaning the code reads.
    #[serde(default)]
    pub properties: IndexMap<String, ValueSpec>,
    /// How many connections of this rule one component may start, and why (a proxy has one
    /// target group; an alarm's metric math takes ten metrics); the loader refuses one more.
    #[serde(default)]
    pub limit: Option<Limit>,
    /// Connections a component that starts one of this rule's may not also receive: a Firehose
    /// stream reading a Kinesis stream takes no direct writes. The loader refuses them.
    #[serde(default)]
    pub instead_of: Option<InsteadOf>,
    /// Why this rule's connections may reach a component in another region (a Route 53 record
    /// is global, and each one is a resource of its own): they are generated with their target,
    /// in its region's stack, instead of being refused as crossing regions.
    #[serde(default)]
    pub across_regions: Option<String>,
}

/// Incoming connection kinds that one `connects` rule rules out on its source, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsteadOf {
    pub incoming: Vec<String>,
    pub why: String,
}

/// At most `max` connections of a `connects` rule per component, for the reason `why`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub max: usize,
    pub why: String,
}

/// One IAM statement a connection grants: actions on resources written as `{attribute}` of the
/// target (a name in the target language's `meta/refs.yaml`) followed by an optional literal
/// suffix, such as `{arn}/index/*`, or a literal `*` where the actions have no resource level.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

/// What an access kind grants: statements (and the KMS actions needed on a customer managed key
/// the target is encrypted with), or the union of other access kinds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Access {
    Union {
        union: Vec<String>,
    },
    Statements {
        statements: Vec<Statement>,
        #[serde(default)]
        kms: Vec<String>,
        /// Where the key is, when it is not the target's own: a database's master secret is
        /// encrypted with the key of the secret the database writes, not the database's key.
        #[serde(default)]
        kms_via: Option<KmsVia>,
    },
}

/// The components whose keys `kms` actions apply to: those the target reaches through a
/// `connection` of this kind to a component of kind `to`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KmsVia {
    pub connection: String,
    pub to: String,
}

/// One access kind with its unions flattened: statements merged by resources, the KMS actions on
/// the target's customer managed key, and where that key is.
#[derive(Debug, Clone, Default)]
pub struct Granted {
    pub statements: Vec<Statement>,
    pub kms: Vec<String>,
    pub kms_via: Option<KmsVia>,
}

/// The port a network connection to this kind opens: a fixed number, or one per value of a
/// property (the database engine).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Port {
    Fixed(u16),
    ByProperty {
        property: String,
        values: IndexMap<String, u16>,
    },
}

/// A CloudWatch metric an alarm that reads this kind watches by default.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub namespace: String,
    pub name: String,
    pub statistic: String,
    pub threshold: f64,
    pub comparison: String,
    /// Dimension name → attribute of the component (`meta/refs.yaml`) that gives its value.
    pub dimensions: IndexMap<String, String>,
    pub description: String,
}

/// Whether a kind with a [`Placement`] must sit inside a `vpc` group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VpcPlacement {
    /// Only inside a VPC (a load balancer, a database, a NAT gateway).
    #[default]
    Required,
    /// Outside any VPC, or inside one in a subnet of one of the tiers (a Lambda function).
    Optional,
}

/// Where a component of this kind may sit among the pattern's groups. Unknown fields are denied,
/// as in every catalog struct: a misspelt `tiers` would otherwise silently lift the rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    #[serde(default)]
    pub vpc: VpcPlacement,
    /// Subnet tiers (the `tier` of a `subnet` group) the component may sit in, preferred first;
    /// empty means anywhere in the VPC. A component counts as in a subnet when any group around
    /// it is one (an EKS cluster drawn in a container inside the app subnets).
    #[serde(default)]
    pub tiers: Vec<String>,
}

/// Something a component of this kind cannot generate without: another component of `kind` in
/// the pattern (in the same VPC, when both kinds sit in one), or a `connection` it starts towards
/// one of `to` (any target its `connects` allows, when `to` is empty). Exactly one of `kind` and
/// `connection` is given. Unknown fields are denied so that a typo cannot drop a requirement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub connection: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    /// Why, as a clause that follows "because", for the loader's hint.
    pub why: String,
}

/// A component kind: one AWS service or resource as archpat knows it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentKind {
    pub kind: String,
    pub name: String,
    pub service: String,
    pub category: String,
    pub shape: Shape,
    pub description: String,
    /// Why this kind has no infrastructure code, for kinds that are drawn only.
    #[serde(default)]
    pub diagram_only: Option<String>,
    #[serde(default)]
    pub properties: IndexMap<String, ValueSpec>,
    #[serde(default)]
    pub connects: Vec<ConnectRule>,
    /// The AWS service principal of this kind (`lambda.amazonaws.com`): what its role trusts and
    /// what resource policies of the components it connects to name.
    #[serde(default)]
    pub service_principal: Option<String>,
    /// Whether the kind has a role that connections add IAM statements to.
    #[serde(default)]
    pub principal: bool,
    /// As a connection's target: what each access kind (`read`, `write`, `publish`…) grants the
    /// source. The scaffolder composes IAM statements, configuration and network rules from it.
    #[serde(default)]
    pub access: IndexMap<String, Access>,
    /// Configuration a principal connected to this kind receives: variable suffix → attribute
    /// (`NAME: name` gives `<TARGET>_NAME`).
    #[serde(default)]
    pub config: IndexMap<String, String>,
    /// The port a principal in the same VPC may open on this kind's security group.
    #[serde(default)]
    pub port: Option<Port>,
    /// What an alarm connected to this kind watches.
    #[serde(default)]
    pub metric: Option<Metric>,
    /// The VPC endpoint through which a principal in private subnets without a NAT route reaches
    /// this kind's AWS API.
    #[serde(default)]
    pub endpoint: Option<Endpoint>,
    /// The VPC endpoints this kind calls on its own behalf, whatever it connects to: a Fargate
    /// task or a Kubernetes node pulls its image from ECR (layers from S3) and ships its logs.
    /// A VPC without a NAT route gets them, or the kind cannot start there.
    #[serde(default)]
    pub needs_endpoints: Vec<Endpoint>,
    /// Connections other kinds may start towards this one, declared here so that a kind added
    /// in a `--catalog-dir` folder can say who connects to it without replacing their files.
    /// Merged into the source kinds' `connects` when the catalog loads.
    #[serde(default)]
    pub connected_from: Vec<ConnectFromRule>,
    /// Where the kind must sit (a VPC, subnet tiers); `None` means anywhere, as for regional
    /// services such as S3 or SQS.
    #[serde(default)]
    pub placement: Option<Placement>,
    /// Components and connections the kind cannot generate without; the loader reports a
    /// pattern that lacks one.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// How draw.io draws the kind. Every built-in kind names one (a test checks the names
    /// against draw.io's own stencil library); a kind of a `--catalog-dir` folder without one is
    /// drawn as AWS's generic resource icon.
    #[serde(default)]
    pub drawio: Option<DrawioIcon>,
    /// How the kind is drawn in a VPC that spans availability zones (`azs` on the `vpc`
    /// group): a copy in each zone (Auto Scaling instances, NAT gateways per zone, a Multi-AZ
    /// database's primary and standby). `None`: the component spans the zones (a load
    /// balancer) and is drawn once, beside them.
    #[serde(default)]
    pub zones: Option<Zones>,
    /// The resource types `archpat import` maps to this kind.
    #[serde(default)]
    pub imports: Imports,
}

/// A kind that runs in each availability zone, for diagrams; scaffolding does not read it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zones {
    /// A boolean property that turns the copies on (`per_az`, `multi_az`); when it is false
    /// the component is drawn once, in the first zone. `None`: always in every zone.
    #[serde(default)]
    pub when: Option<String>,
    /// What each copy is, zone by zone (`[primary, standby]`): as many copies as roles at most,
    /// and only the first takes the component's connections. Empty: every copy takes them.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A component's icon in draw.io: one of the stencils draw.io ships in its `mxgraph.aws4`
/// library, so a `.drawio` file embeds no icon of its own.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawioIcon {
    /// The stencil's name without the `mxgraph.aws4.` prefix (`lambda`, `nat_gateway`).
    pub icon: String,
    /// Service icons sit on a square tile in the category's colour (`true`, the default);
    /// resource icons (a NAT gateway, an alarm, users) are the bare glyph in that colour.
    #[serde(default = "default_true")]
    pub tile: bool,
}

fn default_true() -> bool {
    true
}

impl DrawioIcon {
    /// What a kind without its own icon is drawn as.
    pub fn generic() -> DrawioIcon {
        DrawioIcon {
            icon: "general".into(),
            tile: true,
        }
    }
}

/// Resource types a kind stands for, per IaC language. Only CloudFormation types are listed:
/// Terraform types reach them through `templates/terraform/meta/cfn-types.yaml`, the table compare
/// uses, and a CDK app synthesizes CloudFormation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imports {
    #[serde(default)]
    pub cloudformation: Vec<String>,
    /// Kubernetes object kinds (`Deployment`), for manifests beside an EKS project's code.
    #[serde(default)]
    pub kubernetes: Vec<String>,
}

/// A VPC endpoint for an AWS service (`com.amazonaws.<region>.<service>`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub service: String,
    /// A free gateway endpoint on the route tables (S3, DynamoDB) instead of an interface endpoint.
    #[serde(default)]
    pub gateway: bool,
}

/// One line of `connected_from`: kinds in `from` may start a `kind` connection to this kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectFromRule {
    pub kind: String,
    pub from: Vec<String>,
}

impl ComponentKind {
    /// The statements of access kind `access`, unions resolved and statements on the same
    /// resources merged, in catalog order; `None` when this kind offers no such access.
    pub fn statements(&self, access: &str) -> Option<Granted> {
        let mut granted = Granted::default();
        self.collect_statements(access, &mut granted, 0)?;
        Some(granted)
    }

    fn collect_statements(&self, access: &str, granted: &mut Granted, depth: u8) -> Option<()> {
        match self.access.get(access)? {
            Access::Statements {
                statements,
                kms: key_actions,
                kms_via,
            } => {
                for a in key_actions {
                    if !granted.kms.contains(a) {
                        granted.kms.push(a.clone());
                    }
                }
                if granted.kms_via.is_none() {
                    granted.kms_via = kms_via.clone();
                }
                let out = &mut granted.statements;
                for s in statements {
                    match out.iter_mut().find(|o| o.resources == s.resources) {
                        Some(o) => {
                            for a in &s.actions {
                                if !o.actions.contains(a) {
                                    o.actions.push(a.clone());
                                }
                            }
                        }
                        None => out.push(s.clone()),
                    }
                }
            }
            Access::Union { union } if depth < 4 => {
                for part in union {
                    self.collect_statements(part, granted, depth + 1)?;
                }
            }
            Access::Union { .. } => return None,
        }
        Some(())
    }

    /// The port a connection opens, given the component's resolved properties.
    pub fn port_for(&self, properties: &IndexMap<String, Value>) -> Option<u16> {
        match self.port.as_ref()? {
            Port::Fixed(p) => Some(*p),
            Port::ByProperty { property, values } => properties
                .get(property)
                .and_then(Value::as_str)
                .and_then(|v| values.get(v))
                .copied(),
        }
    }

    /// The rule that allows a `connection` towards `target`, if any.
    pub fn rule(&self, connection: &str, target: &str) -> Option<&ConnectRule> {
        self.connects
            .iter()
            .find(|r| r.kind == connection && r.to.iter().any(|t| t == target))
    }

    /// The connection kinds this kind may start towards `target`.
    pub fn allowed_towards(&self, target: &str) -> Vec<&str> {
        self.connects
            .iter()
            .filter(|r| r.to.iter().any(|t| t == target))
            .map(|r| r.kind.as_str())
            .collect()
    }

    pub fn may_connect(&self, connection: &str, target: &str) -> bool {
        self.connects
            .iter()
            .any(|r| r.kind == connection && r.to.iter().any(|t| t == target))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupKind {
    pub name: String,
    /// Group kinds this kind may sit in; `root` means the top level.
    pub parents: Vec<String>,
    pub line: Line,
    pub fill: String,
    pub stroke: String,
    /// Colour of the group's title; the stroke colour when not given.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub properties: IndexMap<String, ValueSpec>,
    /// The group icon draw.io draws in the top-left corner (a stencil of its `mxgraph.aws4`
    /// library, such as `group_vpc`); `None` draws the plain box AWS uses for an Availability
    /// Zone or a generic group.
    #[serde(default)]
    pub drawio_icon: Option<String>,
    /// Colours by the value of one property, as AWS tells public from private subnets by
    /// colour: `{ property: tier, values: { public: { fill, stroke, text } } }`.
    #[serde(default)]
    pub looks: Option<GroupLooks>,
}

/// Colours of a group kind that depend on a property's value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupLooks {
    pub property: String,
    pub values: IndexMap<String, GroupLook>,
}

/// A group's colours: box fill, border and title.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupLook {
    pub fill: String,
    pub stroke: String,
    pub text: String,
}

impl GroupKind {
    /// The colours of one group of this kind: by its property value when `looks` names one,
    /// else the kind's own.
    pub fn look(&self, properties: &IndexMap<String, Value>) -> GroupLook {
        if let Some(looks) = &self.looks {
            let value = properties
                .get(&looks.property)
                .or_else(|| {
                    self.properties
                        .get(&looks.property)
                        .and_then(|s| s.default.as_ref())
                })
                .and_then(Value::as_str);
            if let Some(look) = value.and_then(|v| looks.values.get(v)) {
                return look.clone();
            }
        }
        GroupLook {
            fill: self.fill.clone(),
            stroke: self.stroke.clone(),
            text: self.text.clone().unwrap_or_else(|| self.stroke.clone()),
        }
    }
}

/// The roadmap's phases, sections and best-practice checklist, as patterns and steps cite them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roadmap {
    pub phases: Vec<Phase>,
    pub practices: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub name: String,
    pub sections: Vec<String>,
}

impl Roadmap {
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.phases
            .iter()
            .flat_map(|p| p.sections.iter().map(String::as_str))
    }

    /// The phase a section belongs to.
    pub fn phase_of(&self, section: &str) -> Option<&str> {
        self.phases
            .iter()
            .find(|p| p.sections.iter().any(|s| s == section))
            .map(|p| p.name.as_str())
    }
}

/// The whole catalog. Maps keep file order (kinds sorted by id) so output is deterministic.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub categories: IndexMap<String, Category>,
    pub connections: IndexMap<String, ConnectionKind>,
    pub groups: IndexMap<String, GroupKind>,
    pub kinds: IndexMap<String, ComponentKind>,
    pub roadmap: Roadmap,
}

fn parse<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, CatalogError> {
    serde_saphyr::from_str(text).map_err(|e| CatalogError::Parse {
        path: path.to_string(),
        // One line, located, without the parser's source snippet (which names `<input>`).
        message: match e.location() {
            Some(at) => format!(
                "line {}, column {}: {}",
                at.line(),
                at.column(),
                crate::loader::syntax_message(&e)
            ),
            None => crate::loader::syntax_message(&e),
        },
    })
}

/// The embedded catalog files as JSON, converted from their YAML by build.rs, by path; an empty
/// text marks a file that did not parse, which is then read as YAML for the located error.
static EMBEDDED_JSON: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/catalog_json.rs"));

/// A catalog file's text: the embedded files come as JSON, a user's overlay files as YAML.
enum Source {
    Yaml(String),
    Json(&'static str),
}

fn parse_source<T: serde::de::DeserializeOwned>(
    path: &str,
    source: &Source,
) -> Result<T, CatalogError> {
    match source {
        Source::Yaml(text) => parse(path, text),
        Source::Json(json) => serde_json::from_str(json).map_err(|e| CatalogError::Parse {
            path: path.to_string(),
            message: format!("the embedded catalog does not match archpat's types: {e}"),
        }),
    }
}

fn embedded_sources() -> BTreeMap<String, Source> {
    let yaml = embedded_files();
    EMBEDDED_JSON
        .iter()
        .map(|(path, json)| {
            let source = match yaml.get(*path) {
                Some(text) if json.is_empty() => Source::Yaml(text.clone()),
                _ => Source::Json(json),
            };
            (path.to_string(), source)
        })
        .collect()
}

fn embedded_files() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![&CATALOG_DIR];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for f in dir.files() {
            if let (Some(path), Some(text)) = (f.path().to_str(), f.contents_utf8()) {
                out.insert(path.replace('\\', "/"), text.to_string());
            }
        }
    }
    out
}

impl Catalog {
    /// The catalog in use: the embedded one unless [`Catalog::install_overlay`] ran first.
    pub fn builtin() -> &'static Catalog {
        CATALOG.get_or_init(|| {
            Catalog::from_sources(&embedded_sources())
                .unwrap_or_else(|e| panic!("embedded catalog is invalid: {e}"))
        })
    }

    /// Lays the files of a user's folder over the embedded catalog, file by file (a new
    /// `kinds/<kind>.yaml` adds a kind, one with an embedded name replaces it), checks the result
    /// and makes it the catalog in use. Must run before anything reads the catalog.
    pub fn install_overlay(dir: &Path) -> Result<&'static Catalog, CatalogError> {
        let mut files = embedded_sources();
        let embedded: Vec<String> = files.keys().cloned().collect();
        let own = crate::overlay::read_tree(dir, &[".yaml"]).map_err(|(path, source)| {
            CatalogError::Read {
                path: path.display().to_string(),
                source,
            }
        })?;
        let import = own.get("import.yaml").cloned();
        if let Some(text) = &import {
            let path = dir.join("import.yaml").display().to_string();
            parse::<crate::import::Rules>(&path, text)?;
        }
        files.extend(
            own.into_iter()
                .map(|(path, text)| (path, Source::Yaml(text))),
        );
        // Errors in the user's files name them by their own path.
        let located = |path: String| {
            if embedded.contains(&path) && !dir.join(&path).is_file() {
                path
            } else {
                dir.join(&path).display().to_string()
            }
        };
        let catalog = Catalog::from_sources(&files).map_err(|e| match e {
            CatalogError::Parse { path, message } => CatalogError::Parse {
                path: located(path),
                message,
            },
            CatalogError::MisnamedKind { path, kind } => CatalogError::MisnamedKind {
                path: located(path),
                kind,
            },
            other => other,
        })?;
        CATALOG
            .set(catalog)
            .map_err(|_| CatalogError::AlreadyInUse)?;
        if let Some(text) = import {
            IMPORT_OVERLAY
                .set(text)
                .map_err(|_| CatalogError::AlreadyInUse)?;
        }
        Ok(Catalog::builtin())
    }

    /// Builds a catalog from its files, by path relative to the catalog folder.
    pub fn from_files(files: &BTreeMap<String, String>) -> Result<Catalog, CatalogError> {
        Catalog::from_sources(
            &files
                .iter()
                .map(|(path, text)| (path.clone(), Source::Yaml(text.clone())))
                .collect(),
        )
    }

    fn from_sources(files: &BTreeMap<String, Source>) -> Result<Catalog, CatalogError> {
        let text = |name: &'static str| files.get(name).ok_or(CatalogError::Missing(name));
        let categories = parse_source("categories.yaml", text("categories.yaml")?)?;
        let connections = parse_source("connections.yaml", text("connections.yaml")?)?;
        let groups = parse_source("groups.yaml", text("groups.yaml")?)?;
        let roadmap = parse_source("roadmap.yaml", text("roadmap.yaml")?)?;
        let mut kinds = IndexMap::new();
        for (path, text) in files {
            let Some(stem) = path
                .strip_prefix("kinds/")
                .and_then(|p| p.strip_suffix(".yaml"))
            else {
                continue;
            };
            let kind: ComponentKind = parse_source(path, text)?;
            if stem != kind.kind {
                return Err(CatalogError::MisnamedKind {
                    path: path.clone(),
                    kind: kind.kind,
                });
            }
            kinds.insert(kind.kind.clone(), kind);
        }
        let incoming: Vec<(String, ConnectFromRule)> = kinds
            .values()
            .flat_map(|k: &ComponentKind| {
                k.connected_from.iter().map(|r| (k.kind.clone(), r.clone()))
            })
            .collect();
        for (target, rule) in incoming {
            for source in &rule.from {
                let Some(from) = kinds.get_mut(source) else {
                    return Err(CatalogError::UnknownReference {
                        kind: target.clone(),
                        what: "source kind in `connected_from`",
                        name: source.clone(),
                    });
                };
                if !from.may_connect(&rule.kind, &target) {
                    from.connects.push(ConnectRule {
                        kind: rule.kind.clone(),
                        to: vec![target.clone()],
                        implied: None,
                        properties: IndexMap::new(),
                        limit: None,
                        instead_of: None,
                        across_regions: None,
                    });
                }
            }
        }
        let catalog = Catalog {
            categories,
            connections,
            groups,
            kinds,
            roadmap,
        };
        catalog.check()?;
        Ok(catalog)
    }

    /// Cross-references inside the catalog: categories, connection kinds and target kinds exist.
    fn check(&self) -> Result<(), CatalogError> {
        let unknown = |kind: &str, what, name: &str| CatalogError::UnknownReference {
            kind: kind.to_string(),
            what,
            name: name.to_string(),
        };
        for (name, connection) in &self.connections {
            if let Some(group) = connection.crosses.as_ref()
                && !self.groups.contains_key(group)
            {
                return Err(unknown(name, "group kind in `crosses`", group));
            }
        }
        for kind in self.kinds.values() {
            if !self.categories.contains_key(&kind.category) {
                return Err(unknown(&kind.kind, "category", &kind.category));
            }
            for rule in &kind.connects {
                if !self.connections.contains_key(&rule.kind) {
                    return Err(unknown(&kind.kind, "connection kind", &rule.kind));
                }
                for incoming in rule.instead_of.iter().flat_map(|i| &i.incoming) {
                    if !self.connections.contains_key(incoming) {
                        return Err(unknown(
                            &kind.kind,
                            "connection kind in `instead_of`",
                            incoming,
                        ));
                    }
                }
                if let Some(t) = rule.to.iter().find(|t| !self.kinds.contains_key(*t)) {
                    return Err(unknown(&kind.kind, "target kind", t));
                }
            }
            for (access, entry) in &kind.access {
                if !self.connections.contains_key(access) {
                    return Err(unknown(&kind.kind, "access (connection) kind", access));
                }
                if let Access::Statements {
                    kms_via: Some(via), ..
                } = entry
                {
                    if !self.connections.contains_key(&via.connection) {
                        return Err(unknown(
                            &kind.kind,
                            "connection kind in `kms_via`",
                            &via.connection,
                        ));
                    }
                    if !self.kinds.contains_key(&via.to) {
                        return Err(unknown(&kind.kind, "kind in `kms_via`", &via.to));
                    }
                }
                if let Access::Union { union } = entry
                    && let Some(part) = union.iter().find(|p| !kind.access.contains_key(*p))
                {
                    return Err(unknown(&kind.kind, "access kind in a union", part));
                }
            }
            if let Some(Port::ByProperty { property, .. }) = &kind.port
                && !kind.properties.contains_key(property)
            {
                return Err(unknown(&kind.kind, "port property", property));
            }
            if let Some(when) = kind.zones.as_ref().and_then(|z| z.when.as_ref())
                && kind
                    .properties
                    .get(when)
                    .is_none_or(|p| p.ty != ValueType::Boolean)
            {
                return Err(unknown(
                    &kind.kind,
                    "boolean property in `zones.when`",
                    when,
                ));
            }
            if let Some(placement) = &kind.placement {
                let tiers = self
                    .groups
                    .get("subnet")
                    .and_then(|g| g.properties.get("tier"))
                    .map(|spec| spec.choices.clone())
                    .unwrap_or_default();
                if let Some(t) = placement
                    .tiers
                    .iter()
                    .find(|t| !tiers.contains(&Value::String(t.to_string())))
                {
                    return Err(unknown(&kind.kind, "subnet tier", t));
                }
            }
            for req in &kind.requires {
                match (&req.kind, &req.connection) {
                    (Some(k), None) if req.to.is_empty() => {
                        if !self.kinds.contains_key(k) {
                            return Err(unknown(&kind.kind, "required kind", k));
                        }
                    }
                    (None, Some(c)) => {
                        if !kind.connects.iter().any(|r| &r.kind == c) {
                            return Err(unknown(&kind.kind, "required connection", c));
                        }
                        if let Some(t) = req.to.iter().find(|t| kind.rule(c, t).is_none()) {
                            return Err(unknown(&kind.kind, "target of a required connection", t));
                        }
                    }
                    _ => {
                        return Err(CatalogError::Parse {
                            path: format!("kinds/{}.yaml", kind.kind),
                            message: "each entry of `requires` names exactly one of `kind` and `connection` (`to` goes with `connection`)".into(),
                        });
                    }
                }
            }
            let rule_properties = kind.connects.iter().flat_map(|r| &r.properties);
            for (name, spec) in kind.properties.iter().chain(rule_properties) {
                if let Some(default) = &spec.default {
                    spec.check(default).map_err(|e| CatalogError::Parse {
                        path: format!("kinds/{}.yaml", kind.kind),
                        message: format!("default of `{name}`: expected {e}"),
                    })?;
                }
            }
        }
        let mut claimed: BTreeMap<&str, &str> = BTreeMap::new();
        for kind in self.kinds.values() {
            for ty in &kind.imports.cloudformation {
                if let Some(other) = claimed.insert(ty, &kind.kind) {
                    return Err(CatalogError::Parse {
                        path: format!("kinds/{}.yaml", kind.kind),
                        message: format!(
                            "`imports` lists `{ty}`, which kind `{other}` lists too; a type maps to one kind"
                        ),
                    });
                }
            }
        }
        for (id, group) in &self.groups {
            if let Some(p) = group
                .parents
                .iter()
                .find(|p| *p != "root" && !self.groups.contains_key(*p))
            {
                return Err(unknown(id, "parent group kind", p));
            }
            if let Some(looks) = &group.looks
                && !group.properties.contains_key(&looks.property)
            {
                return Err(unknown(id, "property in `looks`", &looks.property));
            }
        }
        Ok(())
    }

    /// The kind a CloudFormation resource type maps to, if any (first kind in id order);
    /// `Kubernetes::<Kind>` looks the object kind up in `imports.kubernetes`.
    pub fn kind_for_cloudformation(&self, ty: &str) -> Option<&ComponentKind> {
        match ty.strip_prefix("Kubernetes::") {
            Some(k8s) => self
                .kinds
                .values()
                .find(|k| k.imports.kubernetes.iter().any(|t| t == k8s)),
            None => self
                .kinds
                .values()
                .find(|k| k.imports.cloudformation.iter().any(|t| t == ty)),
        }
    }

    pub fn kind(&self, id: &str) -> Option<&ComponentKind> {
        self.kinds.get(id)
    }

    pub fn category(&self, id: &str) -> &Category {
        &self.categories[id]
    }
}

/// A value as a user would write it: strings bare, everything else as JSON.
pub fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
    }
}

/// The closest candidate to a misspelt name, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtin_catalog_loads_and_is_consistent() {
        let catalog = Catalog::builtin();
        assert!(catalog.kinds.contains_key("lambda"));
        assert!(catalog.kinds["quicksight"].diagram_only.is_some());
    }

    #[test]
    fn the_embedded_json_is_the_same_catalog_as_its_yaml() {
        assert!(
            EMBEDDED_JSON.iter().all(|(_, json)| !json.is_empty()),
            "build.rs could not parse every embedded catalog file"
        );
        assert_eq!(EMBEDDED_JSON.len(), embedded_files().len());
        let from_json = Catalog::from_sources(&embedded_sources()).unwrap();
        let from_yaml = Catalog::from_files(&embedded_files()).unwrap();
        assert_eq!(format!("{from_json:#?}"), format!("{from_yaml:#?}"));
    }

    #[test]
    fn value_spec_checks_type_choices_and_bounds() {
        let spec = ValueSpec {
            ty: ValueType::Integer,
            default: None,
            choices: vec![],
            min: Some(128),
            max: Some(1024),
            format: None,
            help: String::new(),
        };
        assert!(spec.check(&json!(256)).is_ok());
        assert_eq!(
            spec.check(&json!(64)).unwrap_err(),
            "a number from 128 to 1024, got 64"
        );
        assert_eq!(
            spec.check(&json!("x")).unwrap_err(),
            "an integer, got the string \"x\""
        );
        assert_eq!(spec.parse_text("abc").unwrap_err(), "an integer, got `abc`");
    }

    #[test]
    fn vpc_ranges_must_be_private_slash_16s() {
        let check = |t: &str| Format::PrivateCidr16.check(t);
        for good in [
            "10.0.0.0/16",
            "10.42.0.0/16",
            "172.31.0.0/16",
            "192.168.0.0/16",
        ] {
            assert!(check(good).is_ok(), "{good}");
        }
        for bad in [
            "10.0.0.0/24",
            "8.8.0.0/16",
            "10.0.1.0/16",
            "10.0.0/16",
            "10.300.0.0/16",
            "x",
        ] {
            assert_eq!(
                check(bad).unwrap_err(),
                format!("a private IPv4 range ending in /16 such as 10.1.0.0/16, got `{bad}`")
            );
        }
    }

    #[test]
    fn path_patterns_start_with_a_slash_and_hold_no_quote_or_space() {
        let check = |t: &str| Format::PathPattern.check(t);
        for good in ["", "/api/*", "/static/*.css", "/v1/~user@x:1+2&$"] {
            assert!(check(good).is_ok(), "{good}");
        }
        for bad in [
            "api/*",
            "/a b",
            "/\"x\"",
            "/a\nb",
            &format!("/{}", "a".repeat(255)),
        ] {
            assert!(
                check(bad)
                    .unwrap_err()
                    .starts_with("a CloudFront path pattern such as /api/*"),
                "{bad}"
            );
        }
    }

    #[test]
    fn region_codes_are_checked_and_may_be_left_empty() {
        let check = |t: &str| Format::AwsRegion.check(t);
        for good in [
            "",
            "us-east-1",
            "eu-west-2",
            "us-gov-west-1",
            "ap-southeast-4",
        ] {
            assert!(check(good).is_ok(), "{good}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-1a",
            "-east-1",
            "us--1",
        ] {
            assert_eq!(
                check(bad).unwrap_err(),
                format!("a region code such as eu-west-1, got `{bad}`")
            );
        }
    }

    #[test]
    fn placement_and_requires_refer_to_what_exists() {
        let broken = |kind: &str, from: &str, to: &str| {
            let mut files = embedded_files();
            let key = format!("kinds/{kind}.yaml");
            let text = files[&key].replace(from, to);
            assert_ne!(text, files[&key], "`{from}` is not in {key}");
            files.insert(key, text);
            Catalog::from_files(&files).unwrap_err().to_string()
        };
        assert_eq!(
            broken("nat-gateway", "tiers: [public]", "tiers: [pubic]"),
            "catalog kind `nat-gateway` uses unknown subnet tier `pubic`"
        );
        assert_eq!(
            broken("ecs-service", "kind: ecs-cluster", "kind: ecs-clusters"),
            "catalog kind `ecs-service` uses unknown required kind `ecs-clusters`"
        );
        assert_eq!(
            broken("cloudfront", "connection: origin", "connection: route"),
            "catalog kind `cloudfront` uses unknown required connection `route`"
        );
        assert_eq!(
            broken(
                "ecs-service",
                "kind: ecs-cluster",
                "kind: ecs-cluster\n    connection: log"
            ),
            "cannot parse catalog file `kinds/ecs-service.yaml`: each entry of `requires` names exactly one of `kind` and `connection` (`to` goes with `connection`)"
        );
        // A metric name is written unquoted by templates: nothing that could start YAML or HCL.
        let spec = &Catalog::builtin().kinds["cloudwatch-alarm"].properties["metric"];
        assert!(
            spec.check(&Value::from("HTTPCode_Target_5XX_Count"))
                .is_ok()
        );
        assert_eq!(
            spec.check(&Value::from("x\n  Admin: y")).unwrap_err(),
            "a CloudWatch metric name of letters, digits, `.`, `_`, `-` and `/`, got `x\n  Admin: y`"
        );
        let spec = &Catalog::builtin().kinds["cloudmap-namespace"].properties["domain"];
        assert!(spec.check(&Value::from("svc.internal.local")).is_ok());
        assert!(spec.check(&Value::from("a\n# b")).is_err());
        assert!(spec.check(&Value::from("-a.local")).is_err());
        // Key names reach state-machine items and handler code; empty means no sort key.
        let spec = &Catalog::builtin().kinds["dynamodb-table"].properties["sort_key"];
        assert!(spec.check(&Value::from("order.id-2_b")).is_ok());
        assert!(spec.check(&Value::from("")).is_ok());
        assert_eq!(
            spec.check(&Value::from("a = b")).unwrap_err(),
            "an attribute name of letters, digits, `_`, `-` and `.` such as user_id, got `a = b`"
        );
        // A syntax error is one located line, without the parser's snippet of `<input>`.
        let mut files = embedded_files();
        files.insert("kinds/lambda.yaml".into(), "kind: [\n".into());
        assert_eq!(
            Catalog::from_files(&files).unwrap_err().to_string(),
            "cannot parse catalog file `kinds/lambda.yaml`: line 1, column 7: expected a text value here, not a list or a mapping"
        );
        let ecs = &Catalog::builtin().kinds["ecs-service"];
        assert_eq!(ecs.requires[0].kind.as_deref(), Some("ecs-cluster"));
        assert_eq!(ecs.placement.as_ref().unwrap().tiers, ["private-app"]);
    }

    #[test]
    fn imports_map_each_cloudformation_type_to_one_kind() {
        let catalog = Catalog::builtin();
        let kind = |t: &str| catalog.kind_for_cloudformation(t).map(|k| k.kind.as_str());
        assert_eq!(kind("AWS::Serverless::Function"), Some("lambda"));
        assert_eq!(kind("AWS::Lambda::Function"), Some("lambda"));
        assert_eq!(kind("AWS::IAM::Role"), None);
        let mut files = embedded_files();
        let sqs = files["kinds/sqs-queue.yaml"].replace("AWS::SQS::Queue", "AWS::SNS::Topic");
        files.insert("kinds/sqs-queue.yaml".into(), sqs);
        let err = Catalog::from_files(&files).unwrap_err().to_string();
        assert!(
            err.contains("`AWS::SNS::Topic`, which kind `sns-topic` lists too"),
            "{err}"
        );
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let kinds = ["lambda", "dynamodb-table", "sqs-queue"];
        assert_eq!(did_you_mean("lamda", kinds), Some("lambda"));
        assert_eq!(did_you_mean("zzzz", kinds), None);
    }
}
