//! Issue 12, items 2-4, as checks of the generated text (no external tool, a few seconds): a
//! project with a load balancer behind CloudFront or an HTTP API deploys with no inputs and cannot
//! be reached around that front door, and the three-tier app servers log in to the database with IAM
//! authentication, never with the RDS master secret, and never print the database's banner.
//! Each check reads the files as a user gets them, in all three targets, so a template that brings
//! a defect back fails here before any validator or emulator runs.

use std::collections::BTreeMap;

use crate::support;

/// Built-ins and the catalog-derived pattern with a `cloudfront -origin-> alb` connection.
const BEHIND_CLOUDFRONT: [&str; 3] = ["three-tier-web", "microservices-ecs", "coverage-cloudfront"];

fn source(pattern: &str) -> String {
    if pattern.starts_with("coverage-") {
        support::fixtures_dir()
            .join("coverage")
            .join(format!("{pattern}.yaml"))
            .display()
            .to_string()
    } else {
        pattern.to_string()
    }
}

/// The generated project's text files, by relative path.
fn generate(pattern: &str, target: &str, sets: &[&str]) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let mut extra = vec!["--force"];
    extra.extend(sets.iter().flat_map(|s| ["--set", s]));
    support::new_project(&source(pattern), target, &extra, dir.path());
    support::read_tree(dir.path())
        .into_iter()
        .filter_map(|(k, v)| String::from_utf8(v).ok().map(|t| (k, t)))
        .collect()
}

fn files_with<'a>(
    files: &'a BTreeMap<String, String>,
    ext: &'a str,
) -> impl Iterator<Item = (&'a String, &'a String)> {
    files.iter().filter(move |(k, _)| k.ends_with(ext))
}

/// A CloudFormation template's top-level section (`Parameters:`…), up to the next one.
fn cfn_section<'a>(template: &'a str, name: &str) -> &'a str {
    let head = format!("\n{name}:\n");
    let Some(start) = template.find(&head) else {
        return "";
    };
    let rest = &template[start + head.len()..];
    let mut end = 0;
    for line in rest.split_inclusive('\n') {
        if line.starts_with(|c: char| !c.is_whitespace() && c != '#') {
            break;
        }
        end += line.len();
    }
    &rest[..end]
}

/// The entries of a CloudFormation section (two-space keys) with their text.
fn cfn_entries(section: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in section.lines() {
        let is_key = line.len() > 2
            && line.starts_with("  ")
            && !line[2..].starts_with([' ', '#', '-'])
            && line.trim_end().ends_with(':');
        if is_key {
            out.push((line.trim().trim_end_matches(':').to_string(), String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// Terraform blocks of one kind (`variable`, `resource`…) with their labels, from every .tf file.
fn tf_blocks(files: &BTreeMap<String, String>, kind: &str) -> Vec<(Vec<String>, hcl::Block)> {
    let mut out = Vec::new();
    for (path, text) in files_with(files, ".tf") {
        let body: hcl::Body =
            hcl::from_str(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
        for block in body.blocks() {
            if block.identifier() == kind {
                let labels = block
                    .labels()
                    .iter()
                    .map(|l| l.as_str().to_string())
                    .collect();
                out.push((labels, block.clone()));
            }
        }
    }
    out
}

fn attr_text(block: &hcl::Block, name: &str) -> Option<String> {
    block
        .body()
        .attributes()
        .find(|a| a.key() == name)
        .map(|a| a.expr().to_string())
}

/// A pattern's project in all three targets, generated once for every check of it.
struct Projects {
    tf: BTreeMap<String, String>,
    cfn: BTreeMap<String, String>,
    cdk: BTreeMap<String, String>,
}

fn generate_all(pattern: &str) -> Projects {
    Projects {
        tf: generate(pattern, "terraform", &[]),
        cfn: generate(pattern, "cloudformation", &[]),
        cdk: generate(pattern, "cdk", &[]),
    }
}

/// What a project asks of its user before it deploys: Terraform variables, CloudFormation
/// parameters and CDK stack parameters without a default (CloudFormation parameters that
/// `make deploy` fills in from the us-east-1 stacks it deploys first are not asked).
fn inputs_without_default(pattern: &str, p: &Projects) -> Vec<String> {
    let mut asked = Vec::new();
    for (labels, block) in tf_blocks(&p.tf, "variable") {
        if attr_text(&block, "default").is_none() {
            asked.push(format!(
                "{pattern} terraform: variable {labels:?} has no default"
            ));
        }
    }
    let from_edge: Vec<String> = p
        .cfn
        .iter()
        .filter(|(p, _)| p.starts_with("us-east-1/"))
        .flat_map(|(_, t)| cfn_entries(cfn_section(t, "Outputs")))
        .map(|(name, _)| name)
        .collect();
    for (name, text) in cfn_entries(cfn_section(&p.cfn["template.yaml"], "Parameters")) {
        if !from_edge.contains(&name)
            && !text.contains("\n    Default:")
            && !text.starts_with("    Default:")
        {
            asked.push(format!(
                "{pattern} cloudformation: parameter {name} has no Default"
            ));
        }
    }
    for (path, text) in files_with(&p.cdk, ".ts").filter(|(p, _)| p.starts_with("lib/")) {
        for (i, block) in text.split("new cdk.CfnParameter(").enumerate().skip(1) {
            let body = block.split("});").next().unwrap_or_default();
            if !body.contains("default:") {
                asked.push(format!(
                    "{pattern} cdk: {path}: CfnParameter #{i} has no default"
                ));
            }
        }
    }
    asked
}

/// The names of the resources of `kind` in a Terraform project, and the CloudFormation resources
/// whose text says `Type: <kind>`.
fn tf_names<'a>(resources: &'a [(Vec<String>, hcl::Block)], kind: &str) -> Vec<&'a String> {
    resources
        .iter()
        .filter(|(l, _)| l[0] == kind)
        .map(|(l, _)| &l[1])
        .collect()
}

fn cfn_names<'a>(resources: &'a [(String, String)], kind: &str) -> Vec<&'a String> {
    let typed = format!("Type: {kind}\n");
    resources
        .iter()
        .filter(|(_, t)| t.contains(&typed))
        .map(|(n, _)| n)
        .collect()
}

/// The Terraform ingress rules on the security group of one of the load balancers `lbs`.
fn lb_ingress_rules<'a>(
    resources: &'a [(Vec<String>, hcl::Block)],
    lbs: &[&String],
) -> Vec<(&'a str, &'a hcl::Block)> {
    resources
        .iter()
        .filter(|(labels, block)| {
            let sg = attr_text(block, "security_group_id").unwrap_or_default();
            labels[0] == "aws_vpc_security_group_ingress_rule"
                && lbs
                    .iter()
                    .any(|lb| sg == format!("aws_security_group.{lb}.id"))
        })
        .map(|(labels, block)| (labels[1].as_str(), block))
        .collect()
}

/// Every load balancer of the project is internal, in all three targets.
fn load_balancers_are_internal(pattern: &str, p: &Projects) -> Vec<String> {
    let mut problems = Vec::new();
    let resources = tf_blocks(&p.tf, "resource");
    let lbs = tf_names(&resources, "aws_lb");
    if lbs.is_empty() {
        problems.push(format!("{pattern} terraform: no aws_lb"));
    }
    for (labels, block) in &resources {
        if labels[0] == "aws_lb" && attr_text(block, "internal").as_deref() != Some("true") {
            problems.push(format!(
                "{pattern} terraform: aws_lb.{} is not internal",
                labels[1]
            ));
        }
    }
    let resources = cfn_entries(cfn_section(&p.cfn["template.yaml"], "Resources"));
    for name in cfn_names(&resources, "AWS::ElasticLoadBalancingV2::LoadBalancer") {
        let text = &resources.iter().find(|(n, _)| n == name).unwrap().1;
        if !text.contains("Scheme: internal") {
            problems.push(format!("{pattern} cloudformation: {name} is not internal"));
        }
    }
    for (path, text) in files_with(&p.cdk, ".ts").filter(|(p, _)| p.starts_with("lib/")) {
        if text.contains("new elbv2.ApplicationLoadBalancer(")
            && (!text.contains("internetFacing: false") || text.contains("internetFacing: true"))
        {
            problems.push(format!(
                "{pattern} cdk: {path}: a load balancer is internet-facing"
            ));
        }
    }
    problems
}

#[test]
fn cloudfront_origins_deploy_with_no_inputs_and_only_cloudfront_reaches_the_load_balancer() {
    let mut problems = Vec::new();
    for pattern in BEHIND_CLOUDFRONT {
        let projects = generate_all(pattern);
        problems.extend(inputs_without_default(pattern, &projects));
        problems.extend(load_balancers_are_internal(pattern, &projects));

        // Terraform: the distribution has a VPC origin; no ingress rule on a load balancer's
        // security group names a CIDR, each names the CloudFront prefix list.
        let resources = tf_blocks(&projects.tf, "resource");
        for (_, block) in resources
            .iter()
            .filter(|(l, _)| l[0] == "aws_cloudfront_distribution")
        {
            if !hcl::to_string(block.body())
                .unwrap()
                .contains("vpc_origin_config")
            {
                problems.push(format!(
                    "{pattern} terraform: the distribution has no VPC origin"
                ));
            }
        }
        for (name, block) in lb_ingress_rules(&resources, &tf_names(&resources, "aws_lb")) {
            if attr_text(block, "cidr_ipv4").is_some() || attr_text(block, "cidr_ipv6").is_some() {
                problems.push(format!(
                    "{pattern} terraform: {name} admits a CIDR to a load balancer behind CloudFront"
                ));
            }
            if !attr_text(block, "prefix_list_id")
                .is_some_and(|p| p.contains("cloudfront_origin_facing"))
            {
                problems.push(format!(
                    "{pattern} terraform: {name} does not name the CloudFront origin-facing prefix list"
                ));
            }
        }

        // CloudFormation: the load balancer's security group admits only the prefix list.
        let template = &projects.cfn["template.yaml"];
        let resources = cfn_entries(cfn_section(template, "Resources"));
        let lbs = cfn_names(&resources, "AWS::ElasticLoadBalancingV2::LoadBalancer");
        for (name, text) in &resources {
            if lbs.iter().any(|lb| *name == format!("{lb}SecurityGroup")) {
                // Its only egress entry matches no traffic (255.255.255.255/32): the ingress
                // rules, which come last, are what must name no address range.
                let ingress = text.split("SecurityGroupIngress:").nth(1).unwrap_or("");
                if ingress.contains("CidrIp") {
                    problems.push(format!(
                        "{pattern} cloudformation: {name} admits a CIDR to a load balancer behind CloudFront"
                    ));
                }
                if !text.contains("SourcePrefixListId: !GetAtt CloudFrontOriginFacing.PrefixListId")
                {
                    problems.push(format!(
                        "{pattern} cloudformation: {name} does not admit the CloudFront prefix list"
                    ));
                }
            }
        }
        if !template.contains("Type: AWS::CloudFront::VpcOrigin") {
            problems.push(format!("{pattern} cloudformation: no VPC origin"));
        }

        // CDK: the load balancer is reached through a VPC origin, and its security group admits
        // no address range.
        for (path, text) in files_with(&projects.cdk, ".ts").filter(|(p, _)| p.starts_with("lib/"))
        {
            if text.contains("new elbv2.ApplicationLoadBalancer(") {
                if !text.contains("origins.VpcOrigin.withApplicationLoadBalancer(") {
                    problems.push(format!("{pattern} cdk: {path}: no VPC origin"));
                }
                if text.contains("SecurityGroup.addIngressRule(ec2.Peer.anyIpv4()")
                    || text.contains("SecurityGroup.addIngressRule(ec2.Peer.ipv4(")
                {
                    problems.push(format!(
                        "{pattern} cdk: {path}: the load balancer admits an address range"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Catalog-derived patterns with an `apigateway-http -invoke-> alb` connection (a private
/// integration through a VPC link).
const BEHIND_HTTP_API: [&str; 1] = ["coverage-apigateway-http"];

/// An HTTP API in front of a load balancer needs no domain or certificate either: the load
/// balancer is internal, admits only the API's VPC link, and listens on HTTP 80 until a
/// certificate and the name it covers are given; then API Gateway verifies that name.
#[test]
fn http_api_private_integrations_deploy_with_no_inputs_and_only_the_vpc_link_reaches_the_load_balancer()
 {
    let mut problems = Vec::new();
    for pattern in BEHIND_HTTP_API {
        let projects = generate_all(pattern);
        problems.extend(inputs_without_default(pattern, &projects));
        problems.extend(load_balancers_are_internal(pattern, &projects));

        // Terraform: a private integration verifies a server name only once there is a domain;
        // the load balancer's security group admits only the VPC link.
        let resources = tf_blocks(&projects.tf, "resource");
        for (labels, block) in &resources {
            if labels[0] == "aws_apigatewayv2_integration"
                && attr_text(block, "connection_type").as_deref() == Some("\"VPC_LINK\"")
                && block
                    .body()
                    .blocks()
                    .any(|b| b.identifier() == "tls_config")
            {
                problems.push(format!(
                    "{pattern} terraform: {} always verifies a server name, which needs a domain",
                    labels[1]
                ));
            }
        }
        for (name, block) in lb_ingress_rules(&resources, &tf_names(&resources, "aws_lb")) {
            if !attr_text(block, "referenced_security_group_id")
                .is_some_and(|r| r.ends_with("_vpc_link.id"))
            {
                problems.push(format!(
                    "{pattern} terraform: {name} admits something other than the VPC link"
                ));
            }
        }

        // CloudFormation: the same, and the load balancer's own security group has no ingress.
        let template = &projects.cfn["template.yaml"];
        let resources = cfn_entries(cfn_section(template, "Resources"));
        let lbs = cfn_names(&resources, "AWS::ElasticLoadBalancingV2::LoadBalancer");
        for (name, text) in &resources {
            if lbs.iter().any(|lb| *name == format!("{lb}SecurityGroup"))
                && text.contains("SecurityGroupIngress")
            {
                problems.push(format!(
                    "{pattern} cloudformation: {name} admits more than the VPC link"
                ));
            }
            let admits_lb = lbs
                .iter()
                .any(|lb| text.contains(&format!("GroupId: !Ref {lb}SecurityGroup\n")));
            if text.contains("Type: AWS::EC2::SecurityGroupIngress")
                && admits_lb
                && (!text.contains("VpcLinkSecurityGroup") || text.contains("CidrIp"))
            {
                problems.push(format!(
                    "{pattern} cloudformation: {name} admits something other than the VPC link"
                ));
            }
            if text.contains("ConnectionType: VPC_LINK")
                && text.contains("TlsConfig:")
                && !text.contains("TlsConfig: !If")
            {
                problems.push(format!(
                    "{pattern} cloudformation: {name} always verifies a server name"
                ));
            }
        }

        // CDK: each load balancer admits the VPC link and adds no ingress rule of its own.
        for (path, text) in files_with(&projects.cdk, ".ts").filter(|(p, _)| p.starts_with("lib/"))
        {
            let lbs = text.lines().filter_map(|l| {
                l.trim()
                    .strip_prefix("const ")?
                    .split_once(" = new elbv2.ApplicationLoadBalancer(")
                    .map(|(v, _)| v)
            });
            for lb in lbs {
                if text.contains(&format!("{lb}SecurityGroup.addIngressRule(")) {
                    problems.push(format!(
                        "{pattern} cdk: {path}: {lb} admits more than the VPC link"
                    ));
                }
                if !text.contains(&format!("{lb}.connections.allowFrom(")) {
                    problems.push(format!(
                        "{pattern} cdk: {path}: {lb} does not admit the VPC link"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The app servers' role may connect as the database user `app` only and may not read the master
/// secret; their boot script neither reads a secret nor prints the database's version banner.
#[test]
fn three_tier_app_servers_log_in_with_iam_auth_not_the_master_secret() {
    let mut problems = Vec::new();
    for engine in ["postgres", "mysql"] {
        let set = format!("db_engine={engine}");
        for target in ["terraform", "cloudformation", "cdk"] {
            let files = generate("three-tier-web", target, &[&set]);
            let what = format!("three-tier-web ({engine}) {target}");
            let script = files
                .get("app/web/user-data.sh")
                .unwrap_or_else(|| panic!("{what}: no app/web/user-data.sh"));
            for bad in ["get-secret-value", "version()", "MASTER_SECRET"] {
                if script.contains(bad) {
                    problems.push(format!("{what}: app/web/user-data.sh contains `{bad}`"));
                }
            }
            if !script.contains("generate-db-auth-token") {
                problems.push(format!(
                    "{what}: the app servers do not use IAM authentication"
                ));
            }
            let bootstrap = files
                .get("app/web/db-bootstrap.sh")
                .map_or("", String::as_str);
            if !bootstrap.contains("get-secret-value") {
                problems.push(format!(
                    "{what}: no bootstrap reads the master secret to create `app`"
                ));
            }
            let role = match target {
                "terraform" => tf_blocks(&files, "resource")
                    .into_iter()
                    .filter(|(l, _)| l[0] == "aws_iam_role_policy" && l[1] == "web")
                    .map(|(_, b)| hcl::to_string(b.body()).unwrap())
                    .collect::<String>(),
                "cloudformation" => cfn_entries(cfn_section(&files["template.yaml"], "Resources"))
                    .into_iter()
                    .filter(|(n, _)| n == "WebRole")
                    .map(|(_, t)| t)
                    .collect(),
                _ => files_with(&files, ".ts")
                    .filter(|(p, _)| p.starts_with("lib/"))
                    .map(|(_, t)| t.clone())
                    .collect(),
            };
            let (forbidden, required) = match target {
                "cdk" => ("grantRead(web)", r#"grantConnect(web, "app")"#),
                _ => ("secretsmanager:GetSecretValue", "rds-db:connect"),
            };
            if role.contains(forbidden) {
                problems.push(format!("{what}: the app servers' role has `{forbidden}`"));
            }
            if !role.contains(required) || (target != "cdk" && !role.contains("/app")) {
                problems.push(format!(
                    "{what}: the app servers' role lacks `{required}` as the user `app`"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn generated_cdk_tests_assert_the_database_login_and_the_front_door() {
    // The synthesized policy is checked by the project's own jest test (run by cdk.rs for
    // three-tier-web); here, that the test is generated.
    let files = generate("three-tier-web", "cdk", &[]);
    let tests: String = files_with(&files, ".test.ts")
        .map(|(_, t)| t.clone())
        .collect();
    for needle in [
        "rds-db:connect",
        "secretsmanager:GetSecretValue",
        "Scheme: \"internal\"",
    ] {
        assert!(
            tests.contains(needle),
            "the generated jest tests do not check `{needle}`"
        );
    }
}
