//! Deploy test: the Terraform project (default parameters) of every built-in and every
//! catalog-derived pattern (tests/fixtures/coverage/) is applied on a local AWS
//! emulator, moto's server mode, and destroyed again to an empty state. What moto does not
//! implement is data, `tests/emulator-gaps.yaml`: an error that a gap matches is tolerated and
//! reported, any other error is a defect of the generated project and fails the test, after every
//! pattern has run, so the list is complete. docs/testing.md says how it works and how to add a
//! gap.
//!
//! Per pattern, as the project's README says: copy `terraform.tfvars.example` to
//! `terraform.tfvars`, `make build` (the Lambda zips), `terraform init`, `apply -auto-approve`,
//! `destroy -auto-approve`, `state list` (must be empty). The test writes one file into its copy
//! of the project, `zz_emulator_override.tf`: fake credentials and every AWS endpoint the
//! project's resource and data types use pointed at the emulator, plus the gaps' drops. moto
//! listens on 127.0.0.1 only, on a free port, and nothing else is ever a target (the global
//! `AWS_ENDPOINT_URL` points there too, so a service missing from the table still cannot reach
//! AWS, and the shared AWS config and credential files are hidden).
//!
//! Six workers (`ARCHPAT_EMULATOR_JOBS`), each with its own moto (reset between patterns), run
//! the patterns longest first. `ARCHPAT_EMULATOR_PATTERNS=a,b` runs only those;
//! `ARCHPAT_EMULATOR_PROBE=1` makes no drops, to see which gaps still bite after a moto upgrade;
//! `ARCHPAT_EMULATOR_KEEP=1` keeps the projects and the terraform and moto logs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use regex::Regex;
use serde::Deserialize;

use crate::support::{self, archpat};

mod calls;

/// Terraform's concurrent operations against the emulator (see `deploy`).
const PARALLELISM: &str = "-parallelism=64";

/// The built-ins, slowest first, so the workers finish together.
const ORDER: [&str; 6] = [
    "three-tier-web",
    "microservices-ecs",
    "microservices-eks",
    "event-driven",
    "data-lake",
    "serverless-web",
];

const REGION: &str = "us-east-1";
const OVERRIDE: &str = "zz_emulator_override.tf";

/// The provider's endpoint key for a resource or data source type (without `aws_`), by the
/// longest matching prefix of whole `_`-separated words. A type not covered fails the pattern
/// (add it here); the global `AWS_ENDPOINT_URL` still keeps it off AWS. `None`: needs no API.
const ENDPOINTS: &[(&str, Option<&str>)] = &[
    ("acm", Some("acm")),
    ("alb", Some("elbv2")),
    ("ami", Some("ec2")),
    ("api_gateway", Some("apigateway")),
    ("apigatewayv2", Some("apigatewayv2")),
    ("appautoscaling", Some("appautoscaling")),
    ("athena", Some("athena")),
    ("autoscaling", Some("autoscaling")),
    ("availability_zone", Some("ec2")),
    ("availability_zones", Some("ec2")),
    ("caller_identity", Some("sts")),
    ("cloudfront", Some("cloudfront")),
    ("cloudtrail", Some("cloudtrail")),
    ("cloudwatch_composite_alarm", Some("cloudwatch")),
    ("cloudwatch_dashboard", Some("cloudwatch")),
    ("cloudwatch_event", Some("events")),
    ("cloudwatch_log", Some("logs")),
    ("cloudwatch_metric_alarm", Some("cloudwatch")),
    ("cognito_identity", Some("cognitoidentity")),
    ("cognito_user", Some("cognitoidp")),
    ("db", Some("rds")),
    ("default_network_acl", Some("ec2")),
    ("default_route_table", Some("ec2")),
    ("default_security_group", Some("ec2")),
    ("dynamodb", Some("dynamodb")),
    ("ebs", Some("ec2")),
    ("ec2", Some("ec2")),
    ("ecr", Some("ecr")),
    ("ecs", Some("ecs")),
    ("efs", Some("efs")),
    ("egress_only_internet_gateway", Some("ec2")),
    ("eip", Some("ec2")),
    ("eks", Some("eks")),
    // Elastic Load Balancing's log delivery accounts: a table inside the provider.
    ("elb_service_account", None),
    ("elasticache", Some("elasticache")),
    ("flow_log", Some("ec2")),
    ("glue", Some("glue")),
    ("iam", Some("iam")),
    ("instance", Some("ec2")),
    ("internet_gateway", Some("ec2")),
    ("key_pair", Some("ec2")),
    ("kinesis", Some("kinesis")),
    ("kinesis_firehose", Some("firehose")),
    ("kms", Some("kms")),
    ("lakeformation", Some("lakeformation")),
    ("lambda", Some("lambda")),
    ("launch_template", Some("ec2")),
    ("lb", Some("elbv2")),
    ("nat_gateway", Some("ec2")),
    ("network_acl", Some("ec2")),
    ("network_interface", Some("ec2")),
    ("partition", None),
    ("pipes", Some("pipes")),
    ("rds", Some("rds")),
    ("region", None),
    ("route", Some("ec2")),
    ("route53", Some("route53")),
    ("s3", Some("s3")),
    ("s3control", Some("s3control")),
    ("scheduler", Some("scheduler")),
    ("secretsmanager", Some("secretsmanager")),
    ("security_group", Some("ec2")),
    ("service_discovery", Some("servicediscovery")),
    ("sfn", Some("sfn")),
    ("sns", Some("sns")),
    ("sqs", Some("sqs")),
    ("ssm", Some("ssm")),
    ("subnet", Some("ec2")),
    ("vpc", Some("ec2")),
    ("wafv2", Some("wafv2")),
    ("xray", Some("xray")),
];

fn endpoint_of(ty: &str) -> Result<Option<&'static str>, String> {
    let t = ty
        .strip_prefix("aws_")
        .ok_or_else(|| format!("`{ty}` is not an AWS type"))?;
    ENDPOINTS
        .iter()
        .filter(|(p, _)| t == *p || t.starts_with(&format!("{p}_")))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, e)| *e)
        .ok_or_else(|| {
            format!("`{ty}` has no emulator endpoint: add its prefix to ENDPOINTS in tests/integration/emulator.rs")
        })
}

// ---------------------------------------------------------------------------------------------
// The gap list.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GapFile {
    moto: String,
    gaps: Vec<Gap>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Gap {
    api: String,
    error: String,
    why: String,
    /// Resource type -> attribute -> stand-in value.
    #[serde(default)]
    drop: BTreeMap<String, BTreeMap<String, String>>,
    /// Resource types removed from the state when destroy fails with this gap's error.
    #[serde(default)]
    forget: Vec<String>,
    /// The pattern files (by stem) that need this gap when no built-in does: a run of the
    /// built-ins alone does not count it as unneeded.
    #[serde(default)]
    patterns: Vec<String>,
}

struct Gaps {
    moto: String,
    list: Vec<(Gap, Regex)>,
}

fn gaps_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/emulator-gaps.yaml")
}

fn load_gaps() -> Gaps {
    let path = gaps_path();
    let text = std::fs::read_to_string(&path).expect("tests/emulator-gaps.yaml exists");
    let file: GapFile =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list = file
        .gaps
        .into_iter()
        .map(|g| {
            assert!(
                !g.why.trim().is_empty() && !g.api.trim().is_empty(),
                "{}: every gap says its api and why",
                path.display()
            );
            assert!(
                g.forget.is_empty() || g.drop.is_empty(),
                "{}: gap `{}` has two remedies",
                path.display(),
                g.api
            );
            let re = Regex::new(&g.error)
                .unwrap_or_else(|e| panic!("{}: gap `{}`: {e}", path.display(), g.api));
            (g, re)
        })
        .collect();
    Gaps {
        moto: file.moto,
        list,
    }
}

impl Gaps {
    fn matching(&self, text: &str) -> Option<usize> {
        self.list.iter().position(|(_, re)| re.is_match(text))
    }
}

// ---------------------------------------------------------------------------------------------
// The emulator.

/// A moto server on 127.0.0.1, stopped (by its own PID) when dropped, so a failing test stops it.
struct Moto {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Moto {
    fn start(log: PathBuf) -> Moto {
        let binary = support::tool("moto-venv/bin/moto_server");
        // A free port: the OS picks one, the listener closes, moto binds it.
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .expect("a free port on 127.0.0.1")
            .port();
        let out = std::fs::File::create(&log).expect("moto's log file");
        let child = Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("moto_server starts");
        let mut moto = Moto { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((200, _)) = moto.http("GET", "/moto-api/", &[], "") {
                moto.no_docker();
                return moto;
            }
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!(
                    "moto_server exited ({status}) before answering:\n{}",
                    std::fs::read_to_string(&moto.log).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on 127.0.0.1:{port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One HTTP/1.1 request to the emulator; (status, body).
    fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (k, v) in headers {
            let _ = write!(req, "{k}: {v}\r\n");
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw);
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        Ok((status, body.to_string()))
    }

    /// Everything created so far is forgotten (moto's own API).
    fn reset(&self) {
        let r = self.http("POST", "/moto-api/reset", &[], "");
        assert!(matches!(r, Ok((200, _))), "moto reset failed: {r:?}");
        self.no_docker();
    }

    /// moto runs function code only in Docker, which this machine has not: when a service it
    /// emulates invokes a function (an EventBridge target, say), moto answers without running it
    /// instead of failing the caller. The test runs the code itself (emulator/calls.rs).
    fn no_docker(&self) {
        let r = self.http(
            "POST",
            "/moto-api/config",
            &[("Content-Type", "application/json")],
            r#"{"lambda": {"use_docker": false}}"#,
        );
        assert!(matches!(r, Ok((201, _))), "moto config failed: {r:?}");
    }

    /// One call of an AWS JSON-protocol API (`service` names it in the credential scope, which
    /// moto routes by; moto does not check the signature); (status, body).
    fn aws_json(
        &self,
        service: &str,
        version: &str,
        target: &str,
        body: &serde_json::Value,
    ) -> std::io::Result<(u16, String)> {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=test/20200101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0"
        );
        let content_type = format!("application/x-amz-json-{version}");
        self.http(
            "POST",
            "/",
            &[
                ("Content-Type", &content_type),
                ("X-Amz-Target", target),
                ("Authorization", &auth),
            ],
            &body.to_string(),
        )
    }

    /// An ACM certificate on the emulator; its ARN.
    fn request_certificate(&self, domain: &str) -> String {
        let (status, answer) = self
            .aws_json(
                "acm",
                "1.1",
                "CertificateManager.RequestCertificate",
                &serde_json::json!({ "DomainName": domain }),
            )
            .expect("ACM RequestCertificate on the emulator");
        let arn = serde_json::from_str::<serde_json::Value>(answer.trim())
            .ok()
            .and_then(|v| v["CertificateArn"].as_str().map(str::to_string));
        match (status, arn) {
            (200, Some(arn)) => arn,
            _ => panic!("ACM RequestCertificate on the emulator: {status} {answer}"),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The moto version installed in the venv, from its package metadata.
fn installed_moto_version() -> String {
    let lib = support::tools_dir().join("moto-venv/lib");
    std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .flat_map(|py| {
            std::fs::read_dir(py.path().join("site-packages"))
                .into_iter()
                .flatten()
        })
        .filter_map(Result::ok)
        .find_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let v = name.strip_prefix("moto-")?.strip_suffix(".dist-info")?;
            Some(v.to_string())
        })
        .unwrap_or_else(|| {
            panic!(
                "moto is missing from {}; run `scripts/install-tools.sh`",
                lib.display()
            )
        })
}

// ---------------------------------------------------------------------------------------------
// The project, as far as the test needs to know it.

struct Resource {
    ty: String,
    name: String,
    for_each: bool,
    /// Top-level arguments as HCL text.
    args: BTreeMap<String, String>,
}

struct Project {
    resources: Vec<Resource>,
    /// Resource and data source types.
    types: BTreeSet<String>,
    /// Variables without a default.
    required: Vec<String>,
    /// The `alias` of each `provider "aws"` besides the default one (one per second region).
    aliases: Vec<String>,
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .filter(|p| !p.ends_with(OVERRIDE))
        .collect();
    v.sort();
    v
}

fn read_project(dir: &Path) -> Project {
    let mut p = Project {
        resources: Vec::new(),
        types: BTreeSet::new(),
        required: Vec::new(),
        aliases: Vec::new(),
    };
    for file in tf_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let body = hcl::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
            match (block.identifier(), labels.as_slice()) {
                ("resource", [ty, name]) => {
                    p.types.insert(ty.to_string());
                    let attrs = block.body().attributes();
                    let mut args = BTreeMap::new();
                    let mut for_each = false;
                    for a in attrs {
                        for_each |= a.key() == "for_each";
                        if let Ok(text) = hcl::format::to_string(a.expr()) {
                            args.insert(a.key().to_string(), text);
                        }
                    }
                    p.resources.push(Resource {
                        ty: ty.to_string(),
                        name: name.to_string(),
                        for_each,
                        args,
                    });
                }
                ("data", [ty, _]) => {
                    p.types.insert(ty.to_string());
                }
                ("provider", ["aws"]) => {
                    let alias = block.body().attributes().find(|a| a.key() == "alias");
                    if let Some(hcl::Expression::String(a)) = alias.map(|a| a.expr()) {
                        p.aliases.push(a.clone());
                    }
                }
                ("variable", [name])
                    if !block.body().attributes().any(|a| a.key() == "default") =>
                {
                    p.required.push(name.to_string());
                }
                _ => {}
            }
        }
    }
    p
}

/// The values `terraform.tfvars` (the README's copy of the example) gives.
fn tfvars(dir: &Path) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(dir.join("terraform.tfvars")) else {
        return BTreeMap::new();
    };
    let body = hcl::parse(&text).expect("terraform.tfvars parses");
    body.attributes()
        .filter_map(|a| match a.expr() {
            hcl::Expression::String(s) => Some((a.key().to_string(), s.clone())),
            _ => None,
        })
        .collect()
}

/// Drops the resources of the gaps' types: `count = 0` (or `for_each = {}`) in the override, and
/// references to their attributes replaced in the project's `.tf` files. Returns the override
/// blocks and what was dropped (gap index, address).
fn drop_gap_resources(
    dir: &Path,
    project: &Project,
    gaps: &Gaps,
) -> (String, Vec<(usize, String)>) {
    let mut blocks = String::new();
    let mut dropped = Vec::new();
    let mut rewrites: Vec<(Regex, &Resource, &BTreeMap<String, String>)> = Vec::new();
    for (i, (gap, _)) in gaps.list.iter().enumerate() {
        for r in project
            .resources
            .iter()
            .filter(|r| gap.drop.contains_key(&r.ty))
        {
            let _ = writeln!(
                blocks,
                "\n# Emulator gap: {}\nresource \"{}\" \"{}\" {{\n  {}\n}}",
                gap.api,
                r.ty,
                r.name,
                if r.for_each {
                    "for_each = {}"
                } else {
                    "count = 0"
                }
            );
            dropped.push((i, format!("{}.{}", r.ty, r.name)));
            let re = Regex::new(&format!(
                r"(^|[^\w.]){}\.{}(?:\[[^\]]*\])?\.([A-Za-z_][A-Za-z0-9_-]*)",
                regex::escape(&r.ty),
                regex::escape(&r.name)
            ))
            .unwrap();
            rewrites.push((re, r, &gap.drop[&r.ty]));
        }
    }
    if rewrites.is_empty() {
        return (blocks, dropped);
    }
    for file in tf_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut new = text.clone();
        for (re, r, stand_ins) in &rewrites {
            new = re
                .replace_all(&new, |c: &regex::Captures| {
                    let attr = &c[2];
                    let value = match (stand_ins.get(attr), r.args.get(attr)) {
                        // `=name`: the dropped resource's own argument `name`.
                        (Some(v), _) if v.starts_with('=') => r
                            .args
                            .get(&v[1..])
                            .map_or_else(|| "null".to_string(), |e| format!("({e})")),
                        (Some(v), _) => serde_json::to_string(v).unwrap(),
                        (None, Some(expr)) => format!("({expr})"),
                        (None, None) => "null".to_string(),
                    };
                    format!("{}{value}", &c[1])
                })
                .into_owned();
        }
        if new != text {
            std::fs::write(&file, new).unwrap();
        }
    }
    (blocks, dropped)
}

/// The override of every `aws` provider of the project: the default one and each region's alias
/// (Terraform merges an override's provider block with the one of the same alias), so that no
/// region's calls leave the emulator. moto serves every region on the same endpoint.
fn provider_override(moto: &Moto, endpoints: &BTreeSet<&str>, aliases: &[String]) -> String {
    let mut s = String::from(
        "# Written by archpat's emulator test (tests/integration/emulator.rs); not part of the\n\
         # generated project. Every AWS endpoint the project uses points at the local emulator.\n",
    );
    let width = endpoints.iter().map(|e| e.len()).max().unwrap_or(0);
    for (i, alias) in std::iter::once(None)
        .chain(aliases.iter().map(Some))
        .enumerate()
    {
        if i > 0 {
            s.push('\n');
        }
        s.push_str("provider \"aws\" {\n");
        if let Some(a) = alias {
            let _ = writeln!(s, "  alias                       = \"{a}\"");
        }
        s.push_str(
            "  access_key                  = \"test\"\n\
             \x20 secret_key                  = \"test\"\n\
             \x20 skip_credentials_validation = true\n\
             \x20 skip_requesting_account_id  = false\n\
             \x20 skip_metadata_api_check     = true\n\
             \x20 s3_use_path_style           = true\n\
             \x20 max_retries                 = 3\n\n\
             \x20 endpoints {\n",
        );
        for e in endpoints {
            let _ = writeln!(s, "    {e:<width$} = \"{}\"", moto.url());
        }
        s.push_str("  }\n}\n");
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Running terraform.

/// Only the emulator: no credentials, profile, metadata service or proxy of the machine, for
/// terraform and for the provider it attaches to.
fn emulator_only(cmd: &mut Command, moto: &Moto) {
    cmd.env("AWS_ENDPOINT_URL", moto.url())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1")
        .env("no_proxy", "127.0.0.1");
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(var);
    }
}

/// Where and how terraform runs for one pattern.
struct Tf<'a> {
    binary: &'a Path,
    rc: &'a Path,
    dir: &'a Path,
    moto: &'a Moto,
}

impl Tf<'_> {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = crate::terraform::command(self.binary, self.rc, self.dir, args);
        cmd.env_remove("TF_CLI_ARGS_apply")
            .env_remove("TF_CLI_ARGS_destroy");
        emulator_only(&mut cmd, self.moto);
        cmd
    }

    /// Runs `terraform <args> -json` and returns its error diagnostics (one for a failure that
    /// printed none).
    fn run_json(&self, args: &[&str], log: &Path) -> Vec<TfError> {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-json", "-input=false", "-no-color"]);
        let out = self.cmd(&all).output().expect("terraform runs");
        let _ = std::fs::write(log, &out.stdout);
        let mut errors = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let d = &v["diagnostic"];
            if v["type"] != "diagnostic" || d["severity"] != "error" {
                continue;
            }
            let summary = d["summary"].as_str().unwrap_or("");
            let detail = d["detail"].as_str().unwrap_or("");
            let address = d["address"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    d["range"]["filename"]
                        .as_str()
                        .map(|f| format!("{f}:{}", d["range"]["start"]["line"]))
                        .unwrap_or_default()
                });
            let text = if detail.is_empty() {
                summary.to_string()
            } else {
                format!("{summary}: {detail}")
            };
            errors.push(TfError { address, text });
        }
        if errors.is_empty() && !out.status.success() {
            errors.push(TfError {
                address: String::new(),
                text: format!(
                    "terraform {} failed ({}): {}",
                    args.join(" "),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
        errors
    }
}

/// The local state file as `terraform show -json` would print its root module: each managed or
/// data resource instance with its `type`, `name`, `mode` and attribute `values` (a generated
/// project has no child modules).
/// Empties every bucket of the state, as the README's "Retained" section tells the user to do
/// before `make destroy` (buckets that hold data are not force-destroyed): what the functions'
/// calls or a Firehose stream delivered would otherwise fail the destroy with `BucketNotEmpty`.
/// moto refuses every object call on a TLS-only bucket (tests/emulator-gaps.yaml), deletes
/// included, so the bucket's policy goes first, on the emulator only; Terraform then finds it
/// gone at destroy.
const EMPTY_BUCKETS: &str = r#"import sys, boto3
from botocore.config import Config
s3 = boto3.resource("s3", region_name=sys.argv[1], config=Config(s3={"addressing_style": "path"}))
for name in sys.argv[2:]:
    bucket = s3.Bucket(name)
    if not list(bucket.object_versions.limit(1)):
        continue
    bucket.Policy().delete()
    for answer in bucket.object_versions.delete():
        if answer.get("Errors"):
            sys.exit(f"{name}: {answer['Errors']}")
"#;

fn empty_buckets(state: &serde_json::Value, moto: &Moto) -> Result<(), String> {
    let buckets: Vec<&str> = state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "aws_s3_bucket" && r["mode"] == "managed")
        .filter_map(|r| r["values"]["bucket"].as_str())
        .collect();
    if buckets.is_empty() {
        return Ok(());
    }
    let mut cmd = Command::new(support::tool("moto-venv/bin/python"));
    cmd.arg("-c").arg(EMPTY_BUCKETS).arg(REGION).args(&buckets);
    emulator_only(&mut cmd, moto);
    let out = cmd
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .expect("the emulator's Python starts");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "emptying the buckets before destroy failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn read_state(dir: &Path) -> Result<serde_json::Value, String> {
    let path = dir.join("terraform.tfstate");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("no state after apply ({}: {e})", path.display()))?;
    let raw: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("the state `{}` is not JSON: {e}", path.display()))?;
    let mut resources = Vec::new();
    for r in raw["resources"].as_array().into_iter().flatten() {
        if r.get("module").is_some() {
            continue;
        }
        for i in r["instances"].as_array().into_iter().flatten() {
            resources.push(serde_json::json!({
                "type": r["type"], "name": r["name"], "mode": r["mode"],
                "values": i["attributes"],
            }));
        }
    }
    Ok(serde_json::json!({"values": {"root_module": {"resources": resources}}}))
}

/// An error terraform reported: the resource address (when it names one) and the text.
struct TfError {
    address: String,
    text: String,
}

// ---------------------------------------------------------------------------------------------
// One pattern.

#[derive(Default)]
struct Outcome {
    pattern: String,
    apply: Duration,
    destroy: Duration,
    total: Duration,
    /// Defects of the generated project: what fails the test.
    defects: Vec<String>,
    /// Gap index and what it excused (an error, a drop, a forgotten resource).
    gaps: Vec<(usize, String)>,
    /// Gap indexes that matched an error (not only a drop).
    gaps_seen: BTreeSet<usize>,
    /// The project's resource and data source types.
    types: BTreeSet<String>,
    /// What calling the deployed functions showed to work (emulator/calls.rs).
    calls: Vec<String>,
    /// Inputs the design itself needs (a certificate for a public HTTPS listener), given by the
    /// test.
    inputs: Vec<String>,
}

/// An error on one line, without request ids, at most 420 characters: enough to name the API
/// and the cause.
fn short(text: &str) -> String {
    let noise = Regex::new(r"(RequestID|HostID): [^,]*, ").unwrap();
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let one = noise.replace_all(&one, "").into_owned();
    if one.chars().count() > 420 {
        format!("{}…", one.chars().take(420).collect::<String>())
    } else {
        one
    }
}

/// The name a pattern's project and report line go by: a built-in's id, a pattern file's stem.
fn pattern_name(pattern: &str) -> String {
    match pattern.strip_suffix(".yaml") {
        Some(_) => Path::new(pattern)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        None => pattern.to_string(),
    }
}

/// One pattern (a built-in's id or a pattern file's absolute path) applied and destroyed.
fn deploy(pattern: &str, root: &Path, moto: &Moto, gaps: &Gaps, probe: bool) -> Outcome {
    let started = Instant::now();
    let (binary, rc) = crate::terraform::terraform();
    let name = pattern_name(pattern);
    let mut o = Outcome {
        pattern: name.clone(),
        ..Default::default()
    };
    let dir = root.join(&name);
    let out = archpat()
        .args(["new", pattern, "--iac", "terraform", "-o"])
        .arg(&dir)
        .output()
        .expect("archpat runs");
    if !out.status.success() {
        o.defects.push(format!(
            "archpat new failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
        return o;
    }

    // What the README says before plan/apply.
    let example = dir.join("terraform.tfvars.example");
    if example.exists() {
        std::fs::copy(&example, dir.join("terraform.tfvars")).unwrap();
    }
    let makefile = std::fs::read_to_string(dir.join("Makefile")).unwrap_or_default();
    if makefile.lines().any(|l| l.starts_with("build:")) {
        let make = Command::new("make")
            .arg("build")
            .current_dir(&dir)
            .output()
            .expect("make runs");
        if !make.status.success() {
            o.defects.push(format!(
                "make build failed: {}",
                String::from_utf8_lossy(&make.stderr).trim()
            ));
            return o;
        }
    }

    let project = read_project(&dir);
    o.types = project.types.clone();
    let mut endpoints: BTreeSet<&str> = ["iam", "sts"].into();
    let mut unmapped = Vec::new();
    for ty in &project.types {
        match endpoint_of(ty) {
            Ok(Some(e)) => {
                endpoints.insert(e);
            }
            Ok(None) => {}
            Err(e) => unmapped.push(e),
        }
    }
    if !unmapped.is_empty() {
        o.defects
            .extend(unmapped.into_iter().map(|e| format!("test harness: {e}")));
        return o;
    }

    // A starter deploys with no inputs; a variable without a default is a defect. So that the
    // rest is still checked, the test gives the example's value, and for a certificate ARN (the
    // example's is a placeholder) a certificate it requests on the emulator.
    // One input is the design's own: an internet-facing load balancer with an HTTPS listener
    // needs a certificate for a domain its user owns (the domain's name with it), which no
    // project can make up; behind CloudFront or an HTTP API a load balancer needs neither.
    let mut vars = Vec::new();
    let public_lb = project
        .resources
        .iter()
        .any(|r| r.ty == "aws_lb" && r.args.get("internal").is_some_and(|i| i == "false"));
    let inherent = |name: &str| {
        public_lb && (name.ends_with("_certificate_arn") || name.ends_with("_domain_name"))
    };
    if project.required.iter().all(|n| inherent(n)) {
        o.inputs.clone_from(&project.required);
    } else {
        o.defects.push(format!(
            "needs input with no default ({}): a starter must deploy with no inputs",
            project.required.join(", ")
        ));
    }
    if !project.required.is_empty() {
        let given = tfvars(&dir);
        let domain = given
            .iter()
            .find(|(k, _)| k.ends_with("domain_name"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "app.example.com".to_string());
        for name in &project.required {
            if name.ends_with("certificate_arn") {
                vars.push(format!("{name}={}", moto.request_certificate(&domain)));
            } else if !given.contains_key(name) {
                o.defects.push(format!(
                    "variable `{name}` has no default and terraform.tfvars.example gives none"
                ));
            }
        }
    }
    let var_args: Vec<String> = vars.iter().map(|v| format!("-var={v}")).collect();

    let mut override_text = provider_override(moto, &endpoints, &project.aliases);
    if !probe {
        let (blocks, dropped) = drop_gap_resources(&dir, &project, gaps);
        override_text.push_str(&blocks);
        o.gaps.extend(
            dropped
                .into_iter()
                .map(|(i, addr)| (i, format!("dropped {addr}"))),
        );
    }
    std::fs::write(dir.join(OVERRIDE), override_text).unwrap();

    let tf = Tf {
        binary: &binary,
        rc: &rc,
        dir: &dir,
        moto,
    };
    let init = tf
        .cmd(&["init", "-input=false", "-no-color"])
        .output()
        .expect("terraform runs");
    if !init.status.success() {
        o.defects.push(format!(
            "terraform init failed: {}",
            String::from_utf8_lossy(&init.stderr).trim()
        ));
        return o;
    }

    // Each error is a gap's (tolerated, reported) or a defect; returns the gaps that matched.
    let classify = |o: &mut Outcome, phase: &str, errors: Vec<TfError>| -> BTreeSet<usize> {
        let mut matched = BTreeSet::new();
        for e in errors {
            let what = if e.address.is_empty() {
                format!("{phase}: {}", short(&e.text))
            } else {
                format!("{phase} {}: {}", e.address, short(&e.text))
            };
            match gaps.matching(&e.text) {
                Some(i) => {
                    matched.insert(i);
                    o.gaps_seen.insert(i);
                    o.gaps.push((i, what));
                }
                None => o.defects.push(what),
            }
        }
        matched
    };
    let state_list = |o: &mut Outcome| -> Vec<String> {
        let list = tf.cmd(&["state", "list"]).output().expect("terraform runs");
        if !list.status.success() {
            o.defects.push(format!(
                "terraform state list failed: {}",
                String::from_utf8_lossy(&list.stderr).trim()
            ));
        }
        String::from_utf8_lossy(&list.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };

    // Most of a deploy on moto is the provider's own fixed waits (S3 lifecycle and SQS policy
    // propagation, RDS and Kinesis status polls), each holding one of Terraform's 10 default
    // slots; moto answers at once, so more slots shorten the wall time without more CPU.
    let t = Instant::now();
    let mut args: Vec<&str> = vec!["apply", "-auto-approve", PARALLELISM];
    args.extend(var_args.iter().map(String::as_str));
    let errors = tf.run_json(&args, &dir.join("apply.log"));
    let clean_apply = errors.is_empty();
    classify(&mut o, "apply", errors);
    o.apply = t.elapsed();

    // The functions' own code against what was just created. The state is read from its file
    // rather than through `terraform show -json`, which would start the provider once more
    // (about 4 CPU seconds a pattern) only to print the same attributes.
    match read_state(&dir) {
        Ok(state) => {
            let (defects, checked) = calls::check(pattern, &dir, &state, moto);
            if let Err(e) = empty_buckets(&state, moto) {
                o.defects.push(e);
            }
            for d in defects {
                match gaps.matching(&d) {
                    Some(i) => {
                        o.gaps_seen.insert(i);
                        o.gaps.push((i, format!("calling {}", short(&d))));
                    }
                    None => o.defects.push(format!("calling {d}")),
                }
            }
            o.calls = checked;
        }
        Err(e) => o.defects.push(e),
    }

    let t = Instant::now();
    // After an apply with errors, with a refresh first: a resource whose create failed after
    // the call (tainted, as a gap leaves some) is found gone and dropped from the state rather
    // than deleted by an empty id. After a clean apply every resource was read back at its
    // create, so the refresh would only read them all again (about 3 CPU seconds a pattern).
    let mut args: Vec<&str> = vec!["destroy", "-auto-approve", PARALLELISM];
    if clean_apply {
        args.push("-refresh=false");
    }
    args.extend(var_args.iter().map(String::as_str));
    let errors = tf.run_json(&args, &dir.join("destroy.log"));
    let matched = classify(&mut o, "destroy", errors);
    let forget: BTreeMap<&str, usize> = matched
        .iter()
        .flat_map(|&i| gaps.list[i].0.forget.iter().map(move |t| (t.as_str(), i)))
        .collect();
    if !forget.is_empty() {
        let addresses: Vec<(String, usize)> = state_list(&mut o)
            .into_iter()
            .filter_map(|a| {
                let ty = a.split('.').next().unwrap_or("");
                forget.get(ty).map(|&i| (a.clone(), i))
            })
            .collect();
        for (address, i) in &addresses {
            let rm = tf
                .cmd(&["state", "rm", address])
                .output()
                .expect("terraform runs");
            if rm.status.success() {
                o.gaps
                    .push((*i, format!("forgot {address} (removed from the state)")));
            } else {
                o.defects.push(format!(
                    "terraform state rm {address} failed: {}",
                    String::from_utf8_lossy(&rm.stderr).trim()
                ));
            }
        }
        let errors = tf.run_json(&args, &dir.join("destroy-2.log"));
        classify(&mut o, "destroy", errors);
    }
    o.destroy = t.elapsed();

    let left = state_list(&mut o);
    if !left.is_empty() {
        o.defects.push(format!(
            "left in the state after destroy: {}",
            left.join(", ")
        ));
    }
    o.total = started.elapsed();
    o
}

// ---------------------------------------------------------------------------------------------

/// The test's folder: removed at the end, or kept (`ARCHPAT_EMULATOR_KEEP=1`) to read the logs.
enum Root {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl Root {
    fn path(&self) -> &Path {
        match self {
            Root::Temp(t) => t.path(),
            Root::Kept(p) => p,
        }
    }
}

#[test]
fn every_builtin_and_catalog_pattern_applies_and_destroys_on_the_emulator() {
    let gaps = load_gaps();
    let installed = installed_moto_version();
    assert_eq!(
        gaps.moto,
        installed,
        "{} was checked against moto {}, but moto {installed} is installed: check every gap \
         again (ARCHPAT_EMULATOR_PROBE=1) and update `moto:`",
        gaps_path().display(),
        gaps.moto
    );
    let probe = std::env::var_os("ARCHPAT_EMULATOR_PROBE").is_some_and(|v| v == "1");
    let only: Option<Vec<String>> = std::env::var("ARCHPAT_EMULATOR_PATTERNS")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|p| p.trim().to_string()).collect());
    assert_eq!(
        BTreeSet::from(ORDER),
        BTreeSet::from(support::BUILTINS),
        "ORDER lists every built-in"
    );
    // Built-ins in ORDER's order, then the pattern files named (`*.yaml`, relative to the
    // repository or absolute: a fixture such as tests/fixtures/user-dr-backup-restore.yaml).
    let mut patterns: Vec<String> = ORDER
        .iter()
        .filter(|p| only.as_ref().is_none_or(|o| o.iter().any(|x| x == *p)))
        .map(|p| p.to_string())
        .collect();
    for x in only.iter().flatten() {
        if x.ends_with(".yaml") {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(x);
            assert!(
                path.is_file(),
                "ARCHPAT_EMULATOR_PATTERNS: pattern file `{}` does not exist",
                path.display()
            );
            patterns.push(path.to_string_lossy().into_owned());
        } else {
            assert!(
                ORDER.contains(&x.as_str()),
                "ARCHPAT_EMULATOR_PATTERNS: `{x}` is no built-in ({}) and no pattern file (`*.yaml`)",
                ORDER.join(", ")
            );
        }
    }
    // By default the catalog-derived patterns (tests/fixtures/coverage/) and the user fixtures
    // (tests/fixtures/user-*.yaml) too, after the built-ins: the designs a user may write, not
    // only the built-ins' combinations. Largest file first, a stand-in for the slowest, so the
    // workers finish together.
    if only.is_none() {
        let mut coverage: Vec<(u64, String)> = support::coverage_fixtures()
            .into_iter()
            .chain(support::user_fixtures())
            .map(|p| {
                let size = std::fs::metadata(&p).map_or(0, |m| m.len());
                (size, p.to_string_lossy().into_owned())
            })
            .collect();
        coverage.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        patterns.extend(coverage.into_iter().map(|(_, p)| p));
    }
    assert!(
        !patterns.is_empty(),
        "ARCHPAT_EMULATOR_PATTERNS names no built-in"
    );

    let jobs: usize = std::env::var("ARCHPAT_EMULATOR_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .filter(|&j| j > 0)
        .unwrap_or(6);
    let root = tempfile::tempdir().unwrap();
    let root = if std::env::var_os("ARCHPAT_EMULATOR_KEEP").is_some_and(|v| v == "1") {
        let kept = root.keep();
        eprintln!(
            "emulator: projects, terraform logs and moto logs kept in {}",
            kept.display()
        );
        Root::Kept(kept)
    } else {
        Root::Temp(root)
    };
    let started = Instant::now();
    let queue = Mutex::new(
        patterns
            .iter()
            .rev()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for worker in 0..jobs.min(patterns.len()) {
            let (queue, outcomes, gaps, root) = (&queue, &outcomes, &gaps, root.path());
            s.spawn(move || {
                let mut moto: Option<Moto> = None;
                loop {
                    let Some(pattern) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    match &moto {
                        Some(m) => m.reset(),
                        None => moto = Some(Moto::start(root.join(format!("moto-{worker}.log")))),
                    }
                    let o = deploy(pattern, root, moto.as_ref().unwrap(), gaps, probe);
                    let pattern = &o.pattern;
                    eprintln!(
                        "emulator: {pattern}: apply {:.0?}, destroy {:.0?}, total {:.0?}; {} defect(s), {} gap(s)",
                        o.apply,
                        o.destroy,
                        o.total,
                        o.defects.len(),
                        o.gaps.len()
                    );
                    outcomes.lock().unwrap().push(o);
                }
            });
        }
    });
    let total = started.elapsed();
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by_key(|o| ORDER.iter().position(|p| *p == o.pattern));

    // The report: timings, what the gaps excused, and the defects.
    let mut report = String::new();
    let _ = writeln!(
        report,
        "emulator deploy ({}moto {installed}, {} pattern(s), {} at a time): {total:.1?} in all",
        if probe { "PROBE, no drops; " } else { "" },
        outcomes.len(),
        jobs.min(outcomes.len())
    );
    for o in &outcomes {
        let _ = writeln!(
            report,
            "  {:<18} apply {:>6.1?}  destroy {:>6.1?}  total {:>6.1?}  {}",
            o.pattern,
            o.apply,
            o.destroy,
            o.total,
            if o.defects.is_empty() {
                "ok".to_string()
            } else {
                format!("{} defect(s)", o.defects.len())
            }
        );
        for (i, what) in &o.gaps {
            let _ = writeln!(report, "      gap `{}`: {what}", gaps.list[*i].0.api);
        }
        for name in &o.inputs {
            let _ = writeln!(
                report,
                "      input `{name}`: given by the test (a public HTTPS listener needs it)"
            );
        }
        for what in &o.calls {
            let _ = writeln!(report, "      called {what}: as designed");
        }
    }
    let mut failures = Vec::new();
    for o in &outcomes {
        for d in &o.defects {
            failures.push(format!("{}: {d}", o.pattern));
        }
    }
    // Every gap must be needed: by an error it matched, or (not probing) by a resource it dropped.
    if only.is_none() {
        for (i, (gap, _)) in gaps.list.iter().enumerate() {
            let used = outcomes.iter().any(|o| {
                o.gaps_seen.contains(&i) || (!probe && o.gaps.iter().any(|(g, _)| *g == i))
            });
            if used || !gap.patterns.is_empty() {
                continue;
            }
            let present = gap
                .drop
                .keys()
                .chain(&gap.forget)
                .any(|t| outcomes.iter().any(|o| o.types.contains(t)));
            failures.push(if probe && present {
                format!(
                    "{}: gap `{}` matched no error, though a project has its resources: they may \
                     not have been attempted because another gap's error blocked them (read the \
                     log, ARCHPAT_EMULATOR_KEEP=1) before removing it",
                    gaps_path().display(),
                    gap.api
                )
            } else {
                format!(
                    "{}: gap `{}` {} no built-in: remove it, or fix its `error`",
                    gaps_path().display(),
                    gap.api,
                    if probe {
                        "matched an error of"
                    } else {
                        "is needed by"
                    }
                )
            });
        }
    }
    eprintln!("{report}");
    assert!(
        failures.is_empty(),
        "{report}\n{} problem(s) on the emulator (not emulator gaps, see tests/emulator-gaps.yaml):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
