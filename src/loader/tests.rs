//! Every kind of bad input the loader must locate and explain, with the exact message.

use super::*;

const HEAD: &str = "id: demo\ntitle: Demo\nsummary: A demo.\n";

fn errors(text: &str) -> String {
    match load_str("demo.yaml", text) {
        Ok(def) => match def.resolve(&[]) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    }
}

fn ok(text: &str) -> Pattern {
    load_str("demo.yaml", text)
        .unwrap_or_else(|e| panic!("{e}"))
        .resolve(&[])
        .unwrap()
}

#[test]
fn a_valid_file_builds_the_graph() {
    let p = ok(&format!(
        "{HEAD}components:\n  - {{ id: fn, kind: lambda }}\n  - {{ id: t, kind: dynamodb-table }}\nconnections:\n  - {{ from: fn, to: t, kind: read-write }}\n"
    ));
    assert_eq!(p.graph.node_count(), 2);
    assert_eq!(p.graph.edge_count(), 1);
    assert_eq!(
        p.component("fn").unwrap().properties["runtime"],
        "nodejs22.x"
    );
}

#[test]
fn malformed_yaml_is_located() {
    let e = errors(&format!("{HEAD}components: [\n  {{ id: a\n"));
    assert!(e.starts_with("demo.yaml:"), "{e}");
    assert!(e.ends_with("`demo.yaml` has 1 error"), "{e}");
}

#[test]
fn unknown_key_is_located() {
    let e = errors(&format!(
        "{HEAD}colour: red\ncomponents:\n  - {{ id: a, kind: lambda }}\n"
    ));
    assert!(
        e.starts_with("demo.yaml:4:1: unknown field `colour`"),
        "{e}"
    );
}

#[test]
fn duplicate_key_is_located() {
    let e = errors(&format!(
        "{HEAD}title: Again\ncomponents:\n  - {{ id: a, kind: lambda }}\n"
    ));
    assert!(e.starts_with("demo.yaml:4:"), "{e}");
    assert!(e.contains("duplicate"), "{e}");
}

#[test]
fn unknown_kind_suggests_the_closest() {
    let e = errors(&format!(
        "{HEAD}components:\n  - {{ id: a, kind: lamda }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:5:20: unknown component kind `lamda`\n  hint: did you mean `lambda`?\n`demo.yaml` has 1 error"
    );
}

#[test]
fn duplicate_component_id() {
    let e = errors(&format!(
        "{HEAD}components:\n  - {{ id: a, kind: lambda }}\n  - {{ id: a, kind: sqs-queue }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:6:11: duplicate component id `a`\n  hint: give each component its own id\n`demo.yaml` has 1 error"
    );
}

#[test]
fn dangling_connection() {
    let e = errors(&format!(
        "{HEAD}components:\n  - {{ id: fn, kind: lambda }}\nconnections:\n  - {{ from: fn, to: tabel, kind: read }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:7:21: connection refers to unknown component `tabel`\n  hint: connections join component ids declared under `components`\n`demo.yaml` has 1 error"
    );
}

#[test]
fn connection_the_catalog_does_not_allow_lists_what_is_allowed() {
    let e = errors(&format!(
        "{HEAD}components:\n  - {{ id: fn, kind: lambda }}\n  - {{ id: t, kind: dynamodb-table }}\nconnections:\n  - {{ from: fn, to: t, kind: origin }}\n"
    ));
    assert!(
        e.starts_with("demo.yaml:8:30: a `lambda` cannot `origin` a `dynamodb-table` (`fn` -> `t`)\n  hint: a `lambda` may connect to a `dynamodb-table` with: "),
        "{e}"
    );
}

#[test]
fn a_connection_kind_towards_the_wrong_kind_says_what_it_may_join() {
    let e = errors(&format!(
        "{HEAD}components:\n  - {{ id: a, kind: s3-bucket }}\n  - {{ id: t, kind: dynamodb-table }}\nconnections:\n  - {{ from: a, to: t, kind: replicate }}\n"
    ));
    assert!(
        e.contains("hint: a `s3-bucket` cannot connect to a `dynamodb-table` at all; it may `replicate` a `s3-bucket`"),
        "{e}"
    );
}

#[test]
fn unknown_group_and_group_cycle() {
    let e = errors(&format!(
        "{HEAD}groups:\n  - {{ id: a, kind: container, parent: b }}\n  - {{ id: b, kind: container, parent: a }}\ncomponents:\n  - {{ id: fn, kind: lambda, group: nowhere }}\n"
    ));
    assert!(
        e.contains("demo.yaml:5:11: groups form a cycle: `b` inside `a` and back"),
        "{e}"
    );
    assert!(
        e.contains("demo.yaml:8:36: component `fn` is in unknown group `nowhere`"),
        "{e}"
    );
    assert!(e.ends_with("has 2 errors"), "{e}");
}

#[test]
fn group_nesting_follows_the_catalog() {
    let e = errors(&format!(
        "{HEAD}groups:\n  - {{ id: s, kind: subnet }}\ncomponents:\n  - {{ id: fn, kind: lambda, group: s }}\n"
    ));
    assert!(
        e.contains("a `subnet` group cannot sit at the top level"),
        "{e}"
    );
}

#[test]
fn bad_parameter_default_and_reference() {
    let e = errors(&format!(
        "{HEAD}parameters:\n  mem:\n    type: integer\n    default: lots\ncomponents:\n  - id: fn\n    kind: lambda\n    properties: {{ memory_mb: \"${{memory}}\" }}\n"
    ));
    assert!(
        e.contains(
            "default of parameter `mem` is invalid: expected an integer, got the string \"lots\""
        ),
        "{e}"
    );
    assert!(
        e.contains(
            "property `memory_mb` refers to unknown parameter `memory`\n  hint: did you mean `mem`?"
        ),
        "{e}"
    );
}

#[test]
fn parameter_reference_keeps_its_type() {
    let p = ok(&format!(
        "{HEAD}parameters:\n  mem: {{ type: integer, default: 512 }}\ncomponents:\n  - id: fn\n    kind: lambda\n    label: \"fn ${{mem}} $${{x}}\"\n    properties: {{ memory_mb: \"${{mem}}\" }}\n"
    ));
    let fn_ = p.component("fn").unwrap();
    assert_eq!(fn_.properties["memory_mb"], 512);
}

#[test]
fn set_values_are_checked_and_applied() {
    let def = load_str(
        "demo.yaml",
        &format!(
            "{HEAD}parameters:\n  mem: {{ type: integer, default: 512, min: 128, max: 1024 }}\ncomponents:\n  - {{ id: fn, kind: lambda, properties: {{ memory_mb: \"${{mem}}\" }} }}\n"
        ),
    )
    .unwrap();
    let p = def.resolve(&["mem=1024".into()]).unwrap();
    assert_eq!(p.component("fn").unwrap().properties["memory_mb"], 1024);
    assert_eq!(
        def.resolve(&["mem=2048".into()]).unwrap_err().to_string(),
        "bad value for parameter `mem`: expected a number from 128 to 1024, got 2048"
    );
    assert_eq!(
        def.resolve(&["memm=1".into()]).unwrap_err().to_string(),
        "pattern `demo` has no parameter `memm`; did you mean `mem`?"
    );
    assert_eq!(
        def.resolve(&["mem".into()]).unwrap_err().to_string(),
        "`--set mem` is not of the form `name=value`"
    );
}

#[test]
fn when_conditions_drop_parts_and_their_connections() {
    let text = format!(
        "{HEAD}parameters:\n  queue: {{ type: boolean, default: false }}\ncomponents:\n  - {{ id: fn, kind: lambda }}\n  - {{ id: q, kind: sqs-queue, when: queue }}\nconnections:\n  - {{ from: fn, to: q, kind: publish }}\n"
    );
    let def = load_str("demo.yaml", &text).unwrap();
    let off = def.resolve(&[]).unwrap();
    assert_eq!((off.graph.node_count(), off.graph.edge_count()), (1, 0));
    let on = def.resolve(&["queue=true".into()]).unwrap();
    assert_eq!((on.graph.node_count(), on.graph.edge_count()), (2, 1));
}

#[test]
fn condition_on_unknown_parameter() {
    let e = errors(&format!(
        "{HEAD}components:\n  - {{ id: fn, kind: lambda, when: \"engine == x\" }}\n"
    ));
    assert!(
        e.contains("condition refers to unknown parameter `engine`"),
        "{e}"
    );
}

#[test]
fn empty_binary_and_huge_files() {
    assert_eq!(
        load_str("e.yaml", "# nothing\n\n").unwrap_err().to_string(),
        "`e.yaml` is empty; a pattern needs at least `id`, `title`, `summary` and `components`"
    );
    assert_eq!(
        load_bytes("b.yaml", b"\x89PNG\r\n\x1a\n\0\0")
            .unwrap_err()
            .to_string(),
        "`b.yaml` is not a text file (it holds binary data); pass a YAML pattern file (see docs/patterns.md)"
    );
    let big = vec![b'#'; MAX_FILE_BYTES + 1];
    assert!(
        load_bytes("big.yaml", &big)
            .unwrap_err()
            .to_string()
            .starts_with("`big.yaml` is 1048577 bytes; pattern files are limited to 1048576 bytes")
    );
}

#[test]
fn empty_component_list() {
    let e = errors(&format!("{HEAD}components: []\n"));
    assert!(e.contains("`components` is empty"), "{e}");
}

#[test]
fn walkthrough_checks_order_and_coverage() {
    let e = errors(&format!(
        "{HEAD}components:\n  - {{ id: fn, kind: lambda }}\n  - {{ id: t, kind: dynamodb-table }}\n  - {{ id: q, kind: sqs-queue }}\nconnections:\n  - {{ from: fn, to: t, kind: read }}\nwalkthrough:\n  - title: One\n    adds: [fn, fnn]\n    connections: [fn->t]\n  - title: Two\n    adds: [t, fn]\n"
    ));
    assert!(e.contains("step 1 adds unknown component `fnn`"), "{e}");
    assert!(
        e.contains("step 1 adds connection `fn->t` before component `t` is introduced"),
        "{e}"
    );
    assert!(
        e.contains("component `fn` is introduced twice: in step 1 and step 2"),
        "{e}"
    );
    assert!(
        e.contains("component `q` is never introduced in the walkthrough"),
        "{e}"
    );
}

#[test]
fn unknown_topic_suggests_roadmap_section() {
    let e = errors(&format!(
        "{HEAD}topics: [\"Lambda\"]\ncomponents:\n  - {{ id: fn, kind: lambda }}\n"
    ));
    assert!(e.contains("unknown roadmap topic `Lambda`"), "{e}");
}

#[test]
fn condition_parsing() {
    assert_eq!(
        Condition::parse("!flag").unwrap(),
        Condition::Flag {
            name: "flag".into(),
            expect: false
        }
    );
    assert_eq!(
        Condition::parse("engine != 'mysql'").unwrap(),
        Condition::Compare {
            name: "engine".into(),
            value: "mysql".into(),
            equal: false
        }
    );
    assert!(Condition::parse("a b").is_err());
}

#[test]
fn set_values_that_break_a_property_are_refused() {
    let def = load_str(
        "demo.yaml",
        &format!(
            "{HEAD}parameters:\n  rt: {{ type: string, default: nodejs22.x }}\ncomponents:\n  - {{ id: fn, kind: lambda, properties: {{ runtime: \"${{rt}}\" }} }}\n"
        ),
    )
    .unwrap();
    assert_eq!(
        def.resolve(&["rt=ruby3.3".into()]).unwrap_err().to_string(),
        "parameter values make property `runtime` of `fn` invalid: expected one of nodejs22.x, python3.13, got ruby3.3"
    );
}

#[test]
fn vpc_ranges_are_checked_for_shape_and_overlap() {
    let groups = |a: &str, b: &str| {
        format!(
            "{HEAD}groups:\n  - {{ id: region, kind: region }}\n  - {{ id: vpc_a, kind: vpc, parent: region{a} }}\n  - {{ id: vpc_b, kind: vpc, parent: region{b} }}\ncomponents:\n  - {{ id: fn, kind: lambda, group: region }}\n"
        )
    };
    // With the defaults, located in the file; `check` used to print it with no file or line.
    assert_eq!(
        errors(&groups("", "")),
        "demo.yaml:7:11: VPCs `vpc_a` and `vpc_b` both use the address range `10.0.0.0/16`\n  hint: give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered\n`demo.yaml` has 1 error"
    );
    // A parameter may still make them equal; `--set` is checked when resolving.
    let text = groups("", ", properties: { cidr: \"${cidr}\" }").replace(
        "groups:",
        "parameters:\n  cidr: { type: string, default: 10.1.0.0/16 }\ngroups:",
    );
    let by_set = load_str("demo.yaml", &text).unwrap();
    assert_eq!(
        by_set
            .resolve(&["cidr=10.0.0.0/16".into()])
            .unwrap_err()
            .to_string(),
        "VPCs `vpc_a` and `vpc_b` both use the address range `10.0.0.0/16`; give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered"
    );
    let distinct = load_str(
        "demo.yaml",
        &groups("", ", properties: { cidr: 10.1.0.0/16 }"),
    )
    .unwrap();
    assert!(distinct.resolve(&[]).is_ok());
    let err = load_str(
        "demo.yaml",
        &groups("", ", properties: { cidr: 10.1.0.0/24 }"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("a private IPv4 range ending in /16 such as 10.1.0.0/16, got `10.1.0.0/24`"),
        "{err}"
    );
}

const VPC_GROUPS: &str = "groups:\n  - { id: region, kind: region }\n  - { id: vpc, kind: vpc, parent: region }\n  - { id: public, kind: subnet, parent: vpc, properties: { tier: public } }\n  - { id: app, kind: subnet, parent: vpc }\n";

#[test]
fn placement_needs_a_vpc_and_the_kinds_subnet_tiers() {
    let e = errors(&format!(
        "{HEAD}{VPC_GROUPS}components:\n  - {{ id: db, kind: rds-instance, group: region }}\n  - {{ id: igw, kind: internet-gateway }}\n  - {{ id: nat, kind: nat-gateway, group: app }}\n  - {{ id: lb, kind: alb, group: vpc }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:10:42: component `db` (`rds-instance`) must sit in a VPC, in a subnet group of tier `private-data` or `private-app`\n  hint: put it in a `subnet` group with `tier: private-data` inside a `vpc` group\ndemo.yaml:11:11: component `igw` (`internet-gateway`) must sit in a VPC\n  hint: put it in a `vpc` group or a group inside one\ndemo.yaml:12:42: component `nat` (`nat-gateway`) sits in subnet group `app` of tier `private-app`; kind `nat-gateway` sits in subnets of tier `public`\n  hint: move it to a `subnet` group with `tier: public`\ndemo.yaml:13:33: component `lb` (`alb`) sits in VPC `vpc` but in no subnet group; kind `alb` sits in subnets of tier `public` or `private-app`\n  hint: put it in a `subnet` group with `tier: public`\n`demo.yaml` has 4 errors"
    );
}

#[test]
fn placement_optional_vpc_allows_outside_but_checks_tiers_inside() {
    ok(&format!(
        "{HEAD}{VPC_GROUPS}components:\n  - {{ id: fn, kind: lambda, group: region }}\n  - {{ id: fn2, kind: lambda, group: app }}\n"
    ));
    let e = errors(&format!(
        "{HEAD}{VPC_GROUPS}components:\n  - {{ id: fn, kind: lambda, group: public }}\n  - {{ id: fn2, kind: lambda, group: vpc }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:10:36: component `fn` (`lambda`) sits in subnet group `public` of tier `public`; kind `lambda` sits in subnets of tier `private-app` or `private-data`\n  hint: move it to a `subnet` group with `tier: private-app`, or out of the VPC\ndemo.yaml:11:37: component `fn2` (`lambda`) sits in VPC `vpc` but in no subnet group; kind `lambda` sits in subnets of tier `private-app` or `private-data`\n  hint: put it in a `subnet` group with `tier: private-app`, or out of the VPC\n`demo.yaml` has 2 errors"
    );
}

#[test]
fn required_components_and_connections_are_reported() {
    let e = errors(&format!(
        "{HEAD}{VPC_GROUPS}components:\n  - {{ id: svc, kind: ecs-service, group: app }}\n  - {{ id: stream, kind: kinesis-firehose, group: region }}\n  - {{ id: alarm, kind: cloudwatch-alarm, group: region }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:10:11: component `svc` (`ecs-service`) needs a component of kind `ecs-cluster` in the pattern\n  hint: add one: the service's tasks run in an ECS cluster\ndemo.yaml:11:11: component `stream` (`kinesis-firehose`) needs a connection of kind `ingest` to a component of kind `s3-bucket`\n  hint: add `{ from: stream, to: <s3-bucket id>, kind: ingest }` under `connections`: a delivery stream needs a destination to deliver to\ndemo.yaml:12:11: component `alarm` (`cloudwatch-alarm`) needs a connection of kind `read` to a component of kind `sqs-queue`, `lambda`, `alb`, `ec2-asg`, `ecs-service`, `rds-instance`, `aurora-cluster`, `dynamodb-table`, `apigateway-http`, `step-functions`, `kinesis-firehose` or `kinesis-stream`\n  hint: add `{ from: alarm, to: <sqs-queue id>, kind: read }` under `connections`: an alarm watches the metric of the resource it reads\n`demo.yaml` has 3 errors"
    );
}

#[test]
fn required_components_in_the_same_vpc() {
    let e = errors(&format!(
        "{HEAD}{VPC_GROUPS}  - {{ id: vpc2, kind: vpc, parent: region, properties: {{ cidr: 10.1.0.0/16 }} }}\n  - {{ id: app2, kind: subnet, parent: vpc2 }}\ncomponents:\n  - {{ id: cluster, kind: eks-cluster, group: app2 }}\n  - {{ id: nodes, kind: eks-nodegroup, group: app }}\n  - {{ id: web, kind: eks-workload, group: app2 }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:13:11: component `nodes` (`eks-nodegroup`) needs a component of kind `eks-cluster` in its VPC `vpc`\n  hint: add one to that VPC or move this one: the nodes join an EKS cluster\ndemo.yaml:14:11: component `web` (`eks-workload`) needs a component of kind `eks-nodegroup` in its VPC `vpc2`\n  hint: add one to that VPC or move this one: its pods need nodes to run on\n`demo.yaml` has 2 errors"
    );
}

#[test]
fn a_requirement_met_only_under_another_condition_says_so() {
    let e = errors(&format!(
        "{HEAD}parameters:\n  on: {{ type: boolean, default: true }}\ncomponents:\n  - {{ id: job, kind: glue-job }}\n  - {{ id: bucket, kind: s3-bucket, when: on }}\n  - {{ id: stream, kind: kinesis-firehose }}\nconnections:\n  - {{ from: stream, to: bucket, kind: ingest, when: on }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:7:11: component `job` (`glue-job`) needs a component of kind `s3-bucket` whenever it exists; `bucket` exists only `when: on`\n  hint: give `job` the same `when` or drop the `when` of `bucket`: the bucket that holds the job's script sends its access logs to the pattern's S3 bucket\ndemo.yaml:9:11: component `stream` (`kinesis-firehose`) needs a connection of kind `ingest` to a component of kind `s3-bucket` whenever it exists; the one to `bucket` exists only `when: on`\n  hint: give `stream` the same `when` or drop the connection's: a delivery stream needs a destination to deliver to\n`demo.yaml` has 2 errors"
    );
}

#[test]
fn parser_wording_is_said_in_the_files_terms() {
    let cases = [
        (
            format!("{HEAD}components:\n  - {{ id: a, kind: lambda }}\n---\nid: other\n"),
            "demo.yaml:7:1: a pattern file holds one YAML document; remove the `---` line and what follows it, or split the file in two",
        ),
        (
            "- just\n- a list\n".to_string(),
            "demo.yaml:1:1: expected a mapping of `key: value` lines here",
        ),
        (
            format!("{HEAD}components: lambda\n"),
            "demo.yaml:4:13: expected a list here (`- item` lines or `[a, b]`)",
        ),
        (
            "id: demo\ntitle: [a]\nsummary: s\ncomponents:\n  - { id: a, kind: lambda }\n"
                .to_string(),
            "demo.yaml:2:8: expected a text value here, not a list or a mapping",
        ),
    ];
    for (text, expected) in cases {
        let e = errors(&text);
        assert!(e.starts_with(&format!("{expected}\n")), "{e}");
    }
}

#[test]
fn a_port_out_of_range_says_the_range() {
    for (port, shown) in [
        ("70000", "70000"),
        ("https", "https"),
        ("0", "0"),
        ("-1", "-1"),
    ] {
        let e = errors(&format!(
            "{HEAD}components:\n  - {{ id: a, kind: lambda }}\n  - {{ id: q, kind: sqs-queue }}\nconnections:\n  - {{ from: a, to: q, kind: publish, port: {port} }}\n"
        ));
        assert!(
            e.starts_with(&format!(
                "demo.yaml:8:44: `port` must be a whole number from 1 to 65535, got {shown}\n"
            )),
            "{e}"
        );
    }
    let p = ok(&format!(
        "{HEAD}components:\n  - {{ id: a, kind: lambda }}\n  - {{ id: q, kind: sqs-queue }}\nconnections:\n  - {{ from: a, to: q, kind: publish, port: 443 }}\n"
    ));
    assert_eq!(p.edges().next().unwrap().connection.port, Some(443));
}

#[test]
fn a_parameter_with_min_above_max_is_named_once() {
    let e = errors(&format!(
        "{HEAD}parameters:\n  m: {{ type: integer, default: 200, min: 300, max: 256 }}\ncomponents:\n  - {{ id: fn, kind: lambda, properties: {{ memory_mb: \"${{m}}\" }} }}\n"
    ));
    assert_eq!(
        e,
        "demo.yaml:5:6: parameter `m` has `min: 300` above `max: 256`\n  hint: swap them, or drop one\n`demo.yaml` has 1 error"
    );
}

#[test]
fn text_that_is_not_utf8_names_its_line() {
    assert_eq!(
        load_bytes("l.yaml", b"id: demo\ntitle: D\xe9mo\n")
            .unwrap_err()
            .to_string(),
        "`l.yaml` is not UTF-8 text: line 2 holds a byte that is not UTF-8; save the file as UTF-8"
    );
}

#[test]
fn a_set_without_a_name_is_not_of_the_form() {
    let def = load_str(
        "demo.yaml",
        &format!("{HEAD}components:\n  - {{ id: fn, kind: lambda }}\n"),
    )
    .unwrap();
    assert_eq!(
        def.resolve(&["=5".into()]).unwrap_err().to_string(),
        "`--set =5` is not of the form `name=value`"
    );
}

#[test]
fn regions_name_themselves_and_only_replicate_joins_two() {
    let groups = "groups:\n  - { id: home, kind: region }\n  - { id: dr, kind: region, properties: { region: us-west-2 } }\n";
    let p = ok(&format!(
        "{HEAD}{groups}components:\n  - {{ id: a, kind: s3-bucket, group: home }}\n  - {{ id: b, kind: s3-bucket, group: dr }}\nconnections:\n  - {{ from: a, to: b, kind: replicate }}\n"
    ));
    assert_eq!(p.groups[1].properties["region"], "us-west-2");

    let e = errors(&format!(
        "{HEAD}groups:\n  - {{ id: home, kind: region }}\n  - {{ id: dr, kind: region }}\n  - {{ id: dr2, kind: region, properties: {{ region: eu-west-1 }} }}\n  - {{ id: dr3, kind: region, properties: {{ region: eu-west-1 }} }}\ncomponents:\n  - {{ id: a, kind: s3-bucket, group: home }}\n"
    ));
    assert!(
        e.contains("demo.yaml:6:11: region group `dr` is a second region but names no `region`"),
        "{e}"
    );
    assert!(
        e.contains("demo.yaml:8:11: region groups `dr2` and `dr3` both name region `eu-west-1`\n  hint: each region group is a stack of its own in the region it names: give `dr3` another region, or move its components into `dr2`"),
        "{e}"
    );

    let e = errors(&format!(
        "{HEAD}{groups}components:\n  - {{ id: a, kind: s3-bucket, group: home }}\n  - {{ id: b, kind: s3-bucket, group: home }}\n  - {{ id: c, kind: s3-bucket, group: dr }}\n  - {{ id: fn, kind: lambda }}\nconnections:\n  - {{ from: a, to: b, kind: replicate }}\n  - {{ from: fn, to: c, kind: read }}\n"
    ));
    assert!(
        e.contains(
            "`replicate` copies to another region, but `a` and `b` are both in region `home`"
        ),
        "{e}"
    );
    // A component outside every region group is in the first.
    assert!(
        e.contains("connection `fn` -> `c` (read) joins region `home` to region `dr`"),
        "{e}"
    );
    assert!(
        e.contains("only `replicate` connections join two: put `fn` and `c` in the same region"),
        "{e}"
    );

    let e = errors(&format!(
        "{HEAD}groups:\n  - {{ id: home, kind: region, properties: {{ region: us-east }} }}\ncomponents:\n  - {{ id: a, kind: s3-bucket, group: home }}\n"
    ));
    assert!(
        e.contains("expected a region code such as eu-west-1, got `us-east`"),
        "{e}"
    );
}
