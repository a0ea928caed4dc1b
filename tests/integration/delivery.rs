//! Issue 12, items 1 and 6, as checks of what each target generates (no external tool): every
//! alarm that notifies a topic may publish to it, and every function invoked asynchronously keeps
//! what it fails to process.
//!
//! 1. For each `cloudwatch-alarm -publish-> sns-topic`: the topic's policy (which replaces SNS's
//!    default one) allows `cloudwatch.amazonaws.com` to `sns:Publish`, conditioned on that alarm;
//!    a customer managed key of the topic lets CloudWatch use it (kms:Decrypt,
//!    kms:GenerateDataKey); an optional email input subscribes someone.
//! 2. For each function that an EventBridge rule, an SNS subscription or a CloudWatch Logs
//!    subscription filter invokes (asynchronously): an on-failure destination (an encrypted SQS
//!    queue with a retention period), deliberate retry and age limits, the role allowed
//!    `sqs:SendMessage` on that queue, and for each rule target (or subscription) a dead-letter
//!    queue whose policy admits that rule (or topic) by SourceArn.
//! 3. Every stream's event source mapping (Kinesis, DynamoDB) has an on-failure destination, and
//!    for each queue where Lambda puts what failed (the on-failure destination of a function or of
//!    a stream's event source mapping): an alarm on its depth, so that nothing waits there 14 days
//!    and expires unheard; when the template has a topic that alarms notify, this alarm notifies
//!    one too (and check 1 then checks that the topic admits it).
//!
//! The CloudFormation template and the Terraform files are read here for every built-in case and
//! every coverage pattern; the synthesized CDK templates are read with the same checks in
//! `cdk.rs`, where the suite synthesizes them once.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support;

/// What the checks found, so that a test can insist they looked at something.
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen {
    /// (alarm, topic) pairs checked.
    pub alarm_topics: usize,
    /// Functions invoked asynchronously checked.
    pub async_functions: usize,
    /// Failure queues (on-failure destinations) checked for an alarm.
    pub failure_queues: usize,
}

impl std::ops::AddAssign for Seen {
    fn add_assign(&mut self, o: Seen) {
        self.alarm_topics += o.alarm_topics;
        self.async_functions += o.async_functions;
        self.failure_queues += o.failure_queues;
    }
}

// ---------------------------------------------------------------------------------------------
// CloudFormation (the target's YAML, read without its tags, or CDK's synthesized JSON)

/// Every string inside `v` (the operands of `!Ref`, `!GetAtt`, `Fn::GetAtt`… included).
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Whether `v` refers to the resource `id`: `!Ref id`, `!GetAtt id.Attr` (read without tags as
/// `id` and `id.Attr`), `{"Ref": id}` or `{"Fn::GetAtt": [id, Attr]}`.
fn refers_to(v: &Value, id: &str) -> bool {
    let mut all = Vec::new();
    strings(v, &mut all);
    all.iter().any(|s| {
        s == id
            || s.strip_prefix(id).is_some_and(|rest| rest.starts_with('.'))
            || s.contains(&format!("${{{id}}}"))
            || s.contains(&format!("${{{id}."))
    })
}

/// The resources of `types` that `v` refers to.
fn referenced<'a>(
    resources: &'a serde_json::Map<String, Value>,
    v: &Value,
    types: &[&str],
) -> Vec<&'a str> {
    resources
        .iter()
        .filter(|(id, r)| {
            types.contains(&r["Type"].as_str().unwrap_or("")) && refers_to(v, id.as_str())
        })
        .map(|(id, _)| id.as_str())
        .collect()
}

fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn has_str(v: &Value, want: &str) -> bool {
    list(v).iter().any(|x| x.as_str() == Some(want))
}

/// The statements of the resource policies of `kind` (`AWS::SNS::TopicPolicy` with `Topics`,
/// `AWS::SQS::QueuePolicy` with `Queues`) that apply to the resource `id`.
fn policy_statements(
    resources: &serde_json::Map<String, Value>,
    kind: &str,
    list_key: &str,
    id: &str,
) -> Vec<Value> {
    resources
        .values()
        .filter(|r| r["Type"] == kind && refers_to(&r["Properties"][list_key], id))
        .flat_map(|r| list(&r["Properties"]["PolicyDocument"]["Statement"]))
        .collect()
}

/// An Allow statement for the service principal `service` with `action`, whose condition names
/// `source` (a logical id), if `source` is given.
fn allows_service(statements: &[Value], service: &str, action: &str, source: Option<&str>) -> bool {
    statements.iter().any(|s| {
        s["Effect"] == "Allow"
            && has_str(&s["Principal"]["Service"], service)
            && has_str(&s["Action"], action)
            && source.is_none_or(|src| refers_to(&s["Condition"], src))
    })
}

/// The problems of one CloudFormation template (parsed into JSON), and what was checked.
/// `email_subscription`: whether an alarm topic's optional email subscription is a resource of
/// the template (CloudFormation: a conditional resource; CDK adds it only when the context sets
/// an address, so the CDK test checks its source instead).
pub fn cfn_problems(name: &str, t: &Value, email_subscription: bool) -> (Vec<String>, Seen) {
    let mut problems = Vec::new();
    let mut seen = Seen::default();
    let Some(resources) = t["Resources"].as_object() else {
        return (vec![format!("{name}: no Resources")], seen);
    };
    let of_type = |ty: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| r["Type"] == ty)
            .map(|(id, r)| (id.as_str(), r))
    };

    // 1. Alarms that notify topics.
    for ty in ["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"] {
        for (alarm, a) in of_type(ty) {
            for topic in referenced(
                resources,
                &a["Properties"]["AlarmActions"],
                &["AWS::SNS::Topic"],
            ) {
                seen.alarm_topics += 1;
                let statements =
                    policy_statements(resources, "AWS::SNS::TopicPolicy", "Topics", topic);
                if !allows_service(
                    &statements,
                    "cloudwatch.amazonaws.com",
                    "sns:Publish",
                    Some(alarm),
                ) {
                    problems.push(format!(
                        "{name}: alarm {alarm} notifies {topic}, but no policy of {topic} allows cloudwatch.amazonaws.com sns:Publish with a condition on {alarm}"
                    ));
                }
                let key = &resources[topic]["Properties"]["KmsMasterKeyId"];
                for k in referenced(resources, key, &["AWS::KMS::Key"]) {
                    let ks = list(&resources[k]["Properties"]["KeyPolicy"]["Statement"]);
                    let ok = ks.iter().any(|s| {
                        s["Effect"] == "Allow"
                            && has_str(&s["Principal"]["Service"], "cloudwatch.amazonaws.com")
                            && has_str(&s["Action"], "kms:Decrypt")
                            && list(&s["Action"]).iter().any(|a| {
                                a.as_str()
                                    .is_some_and(|a| a.starts_with("kms:GenerateDataKey"))
                            })
                    });
                    if !ok {
                        problems.push(format!(
                            "{name}: {topic} is encrypted with {k}, whose key policy does not let cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*"
                        ));
                    }
                }
                if email_subscription {
                    let subscribed = of_type("AWS::SNS::Subscription").any(|(_, s)| {
                        s["Properties"]["Protocol"] == "email"
                            && refers_to(&s["Properties"]["TopicArn"], topic)
                    });
                    if !subscribed {
                        problems.push(format!(
                            "{name}: {topic} receives alarms but has no (optional) email subscription"
                        ));
                    }
                }
            }
        }
    }

    // 2. Functions invoked asynchronously.
    const FUNCTIONS: &[&str] = &["AWS::Lambda::Function", "AWS::Serverless::Function"];
    let mut invoked: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let dead_letters = |queue_ref: &Value,
                        service: &str,
                        source: &str,
                        what: &str|
     -> Option<String> {
        let queues = referenced(resources, queue_ref, &["AWS::SQS::Queue"]);
        let Some(q) = queues.first() else {
            return Some(format!("{name}: {what} has no dead-letter queue"));
        };
        let st = policy_statements(resources, "AWS::SQS::QueuePolicy", "Queues", q);
        (!allows_service(&st, service, "sqs:SendMessage", Some(source))).then(|| {
            format!("{name}: {what} sends dead letters to {q}, whose policy does not admit {service} with a condition on {source}")
        })
    };
    for (rule, r) in of_type("AWS::Events::Rule") {
        for target in list(&r["Properties"]["Targets"]) {
            for f in referenced(resources, &target["Arn"], FUNCTIONS) {
                invoked.entry(f).or_default().push(format!("rule {rule}"));
                let what = format!("the target {f} of rule {rule}");
                if let Some(p) = dead_letters(
                    &target["DeadLetterConfig"]["Arn"],
                    "events.amazonaws.com",
                    rule,
                    &what,
                ) {
                    problems.push(p);
                }
                let retry = &target["RetryPolicy"];
                if retry["MaximumRetryAttempts"].is_null()
                    || retry["MaximumEventAgeInSeconds"].is_null()
                {
                    problems.push(format!(
                        "{name}: {what} sets no deliberate RetryPolicy (attempts and age)"
                    ));
                }
            }
        }
    }
    for (sub, s) in of_type("AWS::SNS::Subscription") {
        if s["Properties"]["Protocol"] != "lambda" {
            continue;
        }
        for f in referenced(resources, &s["Properties"]["Endpoint"], FUNCTIONS) {
            invoked
                .entry(f)
                .or_default()
                .push(format!("subscription {sub}"));
            let topic = referenced(
                resources,
                &s["Properties"]["TopicArn"],
                &["AWS::SNS::Topic"],
            );
            let what = format!("the subscription {sub} of {f}");
            match topic.first() {
                Some(topic) => {
                    if let Some(p) = dead_letters(
                        &s["Properties"]["RedrivePolicy"],
                        "sns.amazonaws.com",
                        topic,
                        &what,
                    ) {
                        problems.push(p);
                    }
                }
                None => problems.push(format!("{name}: {what} names no topic of the template")),
            }
        }
    }
    for (filter, s) in of_type("AWS::Logs::SubscriptionFilter") {
        for f in referenced(resources, &s["Properties"]["DestinationArn"], FUNCTIONS) {
            invoked
                .entry(f)
                .or_default()
                .push(format!("subscription filter {filter}"));
        }
    }
    for (f, by) in &invoked {
        seen.async_functions += 1;
        let by = by.join(", ");
        let configs: Vec<&Value> = of_type("AWS::Lambda::EventInvokeConfig")
            .filter(|(_, c)| refers_to(&c["Properties"]["FunctionName"], f))
            .map(|(_, c)| &c["Properties"])
            .collect();
        let Some(config) = configs.first() else {
            problems.push(format!(
                "{name}: {f} is invoked asynchronously ({by}) but has no EventInvokeConfig: failed events are dropped"
            ));
            continue;
        };
        if config["MaximumRetryAttempts"].is_null() || config["MaximumEventAgeInSeconds"].is_null()
        {
            problems.push(format!(
                "{name}: the EventInvokeConfig of {f} leaves the retry and age limits unset"
            ));
        }
        let dest = &config["DestinationConfig"]["OnFailure"]["Destination"];
        let Some(queue) = referenced(resources, dest, &["AWS::SQS::Queue"])
            .first()
            .copied()
        else {
            problems.push(format!(
                "{name}: {f} has no SQS on-failure destination of the template"
            ));
            continue;
        };
        let qp = &resources[queue]["Properties"];
        if qp["SqsManagedSseEnabled"] != true && qp["KmsMasterKeyId"].is_null() {
            problems.push(format!(
                "{name}: the failed-events queue {queue} of {f} is not encrypted"
            ));
        }
        if qp["MessageRetentionPeriod"].is_null() {
            problems.push(format!(
                "{name}: the failed-events queue {queue} of {f} keeps the default 4-day retention"
            ));
        }
        // The function's role may send there: inline in the role, or in a policy attached to it.
        let role_ref = &resources[*f]["Properties"]["Role"];
        let roles = referenced(resources, role_ref, &["AWS::IAM::Role"]);
        let mut statements: Vec<Value> = Vec::new();
        for role in &roles {
            for p in list(&resources[*role]["Properties"]["Policies"]) {
                statements.extend(list(&p["PolicyDocument"]["Statement"]));
            }
            for (_, p) in of_type("AWS::IAM::Policy") {
                if refers_to(&p["Properties"]["Roles"], role) {
                    statements.extend(list(&p["Properties"]["PolicyDocument"]["Statement"]));
                }
            }
        }
        let may_send = statements.iter().any(|s| {
            s["Effect"] == "Allow"
                && has_str(&s["Action"], "sqs:SendMessage")
                && refers_to(&s["Resource"], queue)
        });
        if !may_send {
            problems.push(format!("{name}: the role of {f} may not sqs:SendMessage to its on-failure destination {queue}"));
        }
        // The checkov skip for a function dead-letter queue must say what really happens.
        let skips = list(&resources[*f]["Metadata"]["checkov"]["skip"]);
        for s in skips.iter().filter(|s| s["id"] == "CKV_AWS_116") {
            let comment = s["comment"].as_str().unwrap_or("");
            if !comment.contains("on-failure destination") {
                problems.push(format!(
                    "{name}: {f} is invoked asynchronously ({by}), but its CKV_AWS_116 skip says: {comment}"
                ));
            }
        }
    }
    // No function anywhere may claim there is no asynchronous invocation while one exists.
    for (f, r) in resources
        .iter()
        .filter(|(_, r)| FUNCTIONS.contains(&r["Type"].as_str().unwrap_or("")))
    {
        if invoked.contains_key(f.as_str()) {
            continue;
        }
        for s in list(&r["Metadata"]["checkov"]["skip"])
            .iter()
            .filter(|s| s["id"] == "CKV_AWS_116")
        {
            let comment = s["comment"].as_str().unwrap_or("");
            if comment.contains("on-failure destination") {
                problems.push(format!("{name}: {f} is not invoked asynchronously, but its CKV_AWS_116 skip names an on-failure destination"));
            }
        }
    }

    // 3. A stream's event source mapping (it has a starting position; an SQS one has none) sends
    // what it gives up on somewhere, and failure queues have an alarm that notifies where the
    // template's alarms do.
    for (m, r) in of_type("AWS::Lambda::EventSourceMapping") {
        let p = &r["Properties"];
        if !p["StartingPosition"].is_null() && p["DestinationConfig"]["OnFailure"].is_null() {
            problems.push(format!("{name}: the stream mapping {m} has no on-failure destination: a batch it gives up on is dropped"));
        }
    }
    let alarm_topics: Vec<&str> = of_type("AWS::CloudWatch::Alarm")
        .flat_map(|(_, a)| {
            referenced(
                resources,
                &a["Properties"]["AlarmActions"],
                &["AWS::SNS::Topic"],
            )
        })
        .collect();
    let mut failure_queues: Vec<&str> = of_type("AWS::Lambda::EventInvokeConfig")
        .chain(of_type("AWS::Lambda::EventSourceMapping"))
        .flat_map(|(_, c)| {
            referenced(
                resources,
                &c["Properties"]["DestinationConfig"]["OnFailure"]["Destination"],
                &["AWS::SQS::Queue"],
            )
        })
        .collect();
    failure_queues.sort();
    failure_queues.dedup();
    for q in failure_queues {
        seen.failure_queues += 1;
        let alarms: Vec<(&str, &Value)> = of_type("AWS::CloudWatch::Alarm")
            .filter(|(_, a)| {
                a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
                    && refers_to(&a["Properties"]["Dimensions"], q)
            })
            .collect();
        let Some((alarm, a)) = alarms.first() else {
            problems.push(format!("{name}: the failure queue {q} has no alarm on its depth: what lands there expires unheard after 14 days"));
            continue;
        };
        let notifies = referenced(
            resources,
            &a["Properties"]["AlarmActions"],
            &["AWS::SNS::Topic"],
        );
        if !alarm_topics.is_empty() && notifies.is_empty() {
            problems.push(format!("{name}: {alarm}, the alarm on the failure queue {q}, notifies no topic, while the template's other alarms notify {alarm_topics:?}"));
        }
    }
    (problems, seen)
}

// ---------------------------------------------------------------------------------------------
// Terraform

/// An HCL expression as JSON: literals and collections as they are, `jsonencode(x)` as x, and
/// every other expression (a reference such as `aws_sqs_queue.q.arn`, a template, a condition) as
/// its text.
fn hcl_value(e: &hcl::Expression) -> Value {
    use hcl::Expression as E;
    match e {
        E::Null => Value::Null,
        E::Bool(b) => Value::Bool(*b),
        E::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        E::String(s) => Value::String(s.clone()),
        E::Array(a) => Value::Array(a.iter().map(hcl_value).collect()),
        E::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        hcl::ObjectKey::Identifier(i) => i.to_string(),
                        hcl::ObjectKey::Expression(E::String(s)) => s.clone(),
                        hcl::ObjectKey::Expression(x) => {
                            hcl::format::to_string(x).unwrap_or_default()
                        }
                        _ => String::new(),
                    };
                    (key.trim_matches('"').to_string(), hcl_value(v))
                })
                .collect(),
        ),
        E::FuncCall(f) if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 => {
            hcl_value(&f.args[0])
        }
        other => Value::String(hcl::format::to_string(other).unwrap_or_default()),
    }
}

/// A block body as JSON: attributes by name, nested blocks by name as lists.
fn hcl_body(body: &hcl::Body) -> Value {
    let mut out = serde_json::Map::new();
    for s in body.iter() {
        match s {
            hcl::Structure::Attribute(a) => {
                out.insert(a.key.to_string(), hcl_value(&a.expr));
            }
            hcl::Structure::Block(b) => {
                let entry = out
                    .entry(b.identifier.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(hcl_body(&b.body));
                }
            }
        }
    }
    Value::Object(out)
}

/// `resource "type" "name"` blocks of every .tf file of `dir`, as `type.name` → body.
pub fn tf_resources(dir: &Path) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let mut resources = BTreeMap::new();
    let mut variables = BTreeMap::new();
    for (path, bytes) in support::read_tree(dir) {
        if !path.ends_with(".tf") || path.contains('/') {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let body: hcl::Body =
            hcl::parse(&text).unwrap_or_else(|e| panic!("{}/{path}: {e}", dir.display()));
        for b in body.blocks() {
            let labels: Vec<String> = b.labels.iter().map(|l| l.as_str().to_string()).collect();
            match (b.identifier.as_str(), labels.as_slice()) {
                ("resource", [ty, n]) => {
                    resources.insert(format!("{ty}.{n}"), hcl_body(&b.body));
                }
                ("variable", [n]) => {
                    variables.insert(n.clone(), hcl_body(&b.body));
                }
                _ => {}
            }
        }
    }
    (resources, variables)
}

fn text(v: &Value) -> String {
    let mut all = Vec::new();
    strings(v, &mut all);
    all.join(" ")
}

/// `aws_x.name` of the resources of type `ty` that `v` mentions (`aws_x.name.arn`…).
fn tf_referenced(resources: &BTreeMap<String, Value>, v: &Value, ty: &str) -> Vec<String> {
    let t = text(v);
    resources
        .keys()
        .filter(|k| k.starts_with(&format!("{ty}.")))
        .filter(|k| {
            t.match_indices(k.as_str()).any(|(at, _)| {
                let after = &t[at + k.len()..];
                after.starts_with('.') || after.starts_with('[')
            })
        })
        .cloned()
        .collect()
}

fn tf_allows(statements: &[Value], service: &str, action: &str, source: &str) -> bool {
    statements.iter().any(|s| {
        s["Effect"] == "Allow"
            && has_str(&s["Principal"]["Service"], service)
            && has_str(&s["Action"], action)
            && text(&s["Condition"]).contains(source)
    })
}

/// The problems of one Terraform project, and what was checked.
pub fn tf_problems(name: &str, dir: &Path) -> (Vec<String>, Seen) {
    let (resources, variables) = tf_resources(dir);
    let mut problems = Vec::new();
    let mut seen = Seen::default();
    let of_type = |ty: &str| {
        let prefix = format!("{ty}.");
        resources
            .iter()
            .filter(move |(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v))
            .collect::<Vec<_>>()
    };
    let statements_of = |ty: &str, key: &str, target: &str| -> Vec<Value> {
        of_type(ty)
            .into_iter()
            .filter(|(_, p)| text(&p[key]).contains(&format!("{target}.")))
            .flat_map(|(_, p)| list(&p["policy"]["Statement"]))
            .collect()
    };

    // 1. Alarms that notify topics.
    for (alarm, a) in of_type("aws_cloudwatch_metric_alarm") {
        for topic in tf_referenced(&resources, &a["alarm_actions"], "aws_sns_topic") {
            seen.alarm_topics += 1;
            let st = statements_of("aws_sns_topic_policy", "arn", &topic);
            if !tf_allows(
                &st,
                "cloudwatch.amazonaws.com",
                "sns:Publish",
                &format!("{alarm}.arn"),
            ) {
                problems.push(format!(
                    "{name}: {alarm} notifies {topic}, but its topic policy does not allow cloudwatch.amazonaws.com sns:Publish with a condition on the alarm"
                ));
            }
            for k in tf_referenced(
                &resources,
                &resources[&topic]["kms_master_key_id"],
                "aws_kms_key",
            ) {
                let ks = list(&resources[&k]["policy"]["Statement"]);
                let ok = ks.iter().any(|s| {
                    s["Effect"] == "Allow"
                        && has_str(&s["Principal"]["Service"], "cloudwatch.amazonaws.com")
                        && has_str(&s["Action"], "kms:Decrypt")
                        && list(&s["Action"]).iter().any(|a| {
                            a.as_str()
                                .is_some_and(|a| a.starts_with("kms:GenerateDataKey"))
                        })
                });
                if !ok {
                    problems.push(format!("{name}: {topic} is encrypted with {k}, whose policy does not let CloudWatch use it"));
                }
            }
            let subscribed = of_type("aws_sns_topic_subscription")
                .into_iter()
                .any(|(_, s)| {
                    s["protocol"] == "email"
                        && text(&s["topic_arn"]).contains(&format!("{topic}.arn"))
                });
            if !subscribed {
                problems.push(format!(
                    "{name}: {topic} receives alarms but has no (optional) email subscription"
                ));
            }
            match variables.get("alarm_email") {
                Some(v) if v["default"] == "" => {}
                _ => problems.push(format!("{name}: no variable alarm_email defaulting to \"\" (the project must apply with no input)")),
            }
        }
    }

    // 2. Functions invoked asynchronously.
    let mut invoked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let dead_letters = |dlq: &Value, service: &str, source: &str, what: &str| -> Option<String> {
        let Some(q) = tf_referenced(&resources, dlq, "aws_sqs_queue")
            .into_iter()
            .next()
        else {
            return Some(format!("{name}: {what} has no dead-letter queue"));
        };
        let st = statements_of("aws_sqs_queue_policy", "queue_url", &q);
        (!tf_allows(&st, service, "sqs:SendMessage", source)).then(|| {
            format!("{name}: {what} sends dead letters to {q}, whose policy does not admit {service} with a condition on {source}")
        })
    };
    for (target, t) in of_type("aws_cloudwatch_event_target") {
        for f in tf_referenced(&resources, &t["arn"], "aws_lambda_function") {
            invoked.entry(f.clone()).or_default().push(target.clone());
            let what = format!("{target} (to {f})");
            let rule = tf_referenced(&resources, &t["rule"], "aws_cloudwatch_event_rule");
            let rule = rule.first().cloned().unwrap_or_default();
            let dlq = &t["dead_letter_config"][0]["arn"];
            if let Some(p) =
                dead_letters(dlq, "events.amazonaws.com", &format!("{rule}.arn"), &what)
            {
                problems.push(p);
            }
            let retry = &t["retry_policy"][0];
            if retry["maximum_retry_attempts"].is_null()
                || retry["maximum_event_age_in_seconds"].is_null()
            {
                problems.push(format!(
                    "{name}: {what} sets no deliberate retry_policy (attempts and age)"
                ));
            }
        }
    }
    for (sub, s) in of_type("aws_sns_topic_subscription") {
        if s["protocol"] != "lambda" {
            continue;
        }
        for f in tf_referenced(&resources, &s["endpoint"], "aws_lambda_function") {
            invoked.entry(f.clone()).or_default().push(sub.clone());
            let topic = tf_referenced(&resources, &s["topic_arn"], "aws_sns_topic");
            let topic = topic.first().cloned().unwrap_or_default();
            if let Some(p) = dead_letters(
                &s["redrive_policy"],
                "sns.amazonaws.com",
                &format!("{topic}.arn"),
                &sub,
            ) {
                problems.push(p);
            }
        }
    }
    for (filter, s) in of_type("aws_cloudwatch_log_subscription_filter") {
        for f in tf_referenced(&resources, &s["destination_arn"], "aws_lambda_function") {
            invoked.entry(f).or_default().push(filter.clone());
        }
    }
    let role_statements: Vec<(String, Vec<Value>)> = of_type("aws_iam_role_policy")
        .into_iter()
        .map(|(_, p)| (text(&p["role"]), list(&p["policy"]["Statement"])))
        .collect();
    for (f, by) in &invoked {
        seen.async_functions += 1;
        let by = by.join(", ");
        let config = of_type("aws_lambda_function_event_invoke_config")
            .into_iter()
            .find(|(_, c)| text(&c["function_name"]).contains(&format!("{f}.")));
        let Some((_, config)) = config else {
            problems.push(format!("{name}: {f} is invoked asynchronously ({by}) but has no aws_lambda_function_event_invoke_config: failed events are dropped"));
            continue;
        };
        if config["maximum_retry_attempts"].is_null()
            || config["maximum_event_age_in_seconds"].is_null()
        {
            problems.push(format!(
                "{name}: the event invoke config of {f} leaves the retry and age limits unset"
            ));
        }
        let dest = &config["destination_config"][0]["on_failure"][0]["destination"];
        let Some(queue) = tf_referenced(&resources, dest, "aws_sqs_queue")
            .into_iter()
            .next()
        else {
            problems.push(format!("{name}: {f} has no SQS on-failure destination"));
            continue;
        };
        let q = &resources[&queue];
        if q["sqs_managed_sse_enabled"] != true && q["kms_master_key_id"].is_null() {
            problems.push(format!(
                "{name}: the failed-events queue {queue} of {f} is not encrypted"
            ));
        }
        if q["message_retention_seconds"].is_null() {
            problems.push(format!(
                "{name}: the failed-events queue {queue} of {f} keeps the default 4-day retention"
            ));
        }
        let roles = tf_referenced(&resources, &resources[f]["role"], "aws_iam_role");
        let may_send = roles.iter().any(|role| {
            role_statements.iter().any(|(r, st)| {
                r.contains(&format!("{role}."))
                    && st.iter().any(|s| {
                        s["Effect"] == "Allow"
                            && has_str(&s["Action"], "sqs:SendMessage")
                            && text(&s["Resource"]).contains(&format!("{queue}.arn"))
                    })
            })
        });
        if !may_send {
            problems.push(format!("{name}: the role of {f} may not sqs:SendMessage to its on-failure destination {queue}"));
        }
    }
    // The checkov skips of the functions (comments, not attributes): an asynchronously invoked
    // function's CKV_AWS_116 reason names its destination, and no other's does.
    for (path, bytes) in support::read_tree(dir) {
        if !path.ends_with(".tf") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("resource \"aws_lambda_function\" \"") {
                current = rest
                    .split('"')
                    .next()
                    .map(|n| format!("aws_lambda_function.{n}"));
            } else if line.starts_with("resource ") {
                current = None;
            }
            let Some(f) = &current else { continue };
            if let Some(reason) = line.trim().strip_prefix("#checkov:skip=CKV_AWS_116:") {
                let names_destination = reason.contains("on-failure destination");
                if invoked.contains_key(f) != names_destination {
                    problems.push(format!(
                        "{name}: {f}: CKV_AWS_116 skip is wrong for how it is invoked: {reason}"
                    ));
                }
            }
        }
    }

    // 3. A stream's event source mapping sends what it gives up on somewhere, and failure queues
    // have an alarm that notifies where the project's alarms do.
    for (m, r) in of_type("aws_lambda_event_source_mapping") {
        if !r["starting_position"].is_null() && r["destination_config"][0]["on_failure"].is_null() {
            problems.push(format!("{name}: the stream mapping {m} has no on-failure destination: a batch it gives up on is dropped"));
        }
    }
    let alarms = of_type("aws_cloudwatch_metric_alarm");
    let alarm_topics: Vec<String> = alarms
        .iter()
        .flat_map(|(_, a)| tf_referenced(&resources, &a["alarm_actions"], "aws_sns_topic"))
        .collect();
    let mut failure_queues: Vec<String> = Vec::new();
    for (_, c) in of_type("aws_lambda_function_event_invoke_config") {
        let dest = &c["destination_config"][0]["on_failure"][0]["destination"];
        failure_queues.extend(tf_referenced(&resources, dest, "aws_sqs_queue"));
    }
    for (_, m) in of_type("aws_lambda_event_source_mapping") {
        let dest = &m["destination_config"][0]["on_failure"][0]["destination_arn"];
        failure_queues.extend(tf_referenced(&resources, dest, "aws_sqs_queue"));
    }
    failure_queues.sort();
    failure_queues.dedup();
    for q in failure_queues {
        seen.failure_queues += 1;
        let watching = alarms.iter().find(|(_, a)| {
            a["metric_name"] == "ApproximateNumberOfMessagesVisible"
                && text(&a["dimensions"]).contains(&format!("{q}."))
        });
        let Some((alarm, a)) = watching else {
            problems.push(format!("{name}: the failure queue {q} has no alarm on its depth: what lands there expires unheard after 14 days"));
            continue;
        };
        let notifies = tf_referenced(&resources, &a["alarm_actions"], "aws_sns_topic");
        if !alarm_topics.is_empty() && notifies.is_empty() {
            problems.push(format!("{name}: {alarm}, the alarm on the failure queue {q}, notifies no topic, while the project's other alarms notify {alarm_topics:?}"));
        }
    }
    (problems, seen)
}

// ---------------------------------------------------------------------------------------------
// The tests

/// Every built-in case and every coverage pattern.
fn cases() -> Vec<(String, String, Vec<String>)> {
    support::builtin_cases(&support::BUILTINS)
        .map(|(name, pattern, sets)| {
            (
                name.to_string(),
                pattern.to_string(),
                sets.iter().map(|s| s.to_string()).collect(),
            )
        })
        .chain(support::coverage_fixtures().into_iter().map(|p| {
            (
                p.file_stem().unwrap().to_str().unwrap().to_string(),
                p.to_str().unwrap().to_string(),
                Vec::new(),
            )
        }))
        .collect()
}

/// The event-driven built-in must have been checked and found to have both.
fn assert_looked(by_case: &BTreeMap<String, Seen>, total: Seen) {
    let ed = by_case.get("event-driven").copied().unwrap_or_default();
    assert!(
        ed.alarm_topics >= 2 && ed.async_functions >= 1 && ed.failure_queues >= 1,
        "event-driven: expected its alarm and its failed-events alarm → topic, an asynchronously invoked function and its failure queue, saw {ed:?}"
    );
    assert!(
        total.alarm_topics >= 2 && total.async_functions >= 5 && total.failure_queues >= 6,
        "too little checked over every case: {total:?}"
    );
}

#[test]
fn cloudformation_alarms_can_notify_and_async_failures_are_kept() {
    let root = tempfile::tempdir().unwrap();
    let (dirs, not_generated) = support::generate_cases(root.path(), "cloudformation", &cases());
    let mut problems = not_generated;
    let mut total = Seen::default();
    let mut by_case = BTreeMap::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(dir.join("template.yaml")).unwrap();
        let t: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (p, seen) = cfn_problems(&name, &t, true);
        problems.extend(p);
        total += seen;
        by_case.insert(name.clone(), seen);
        // The alarm email is a parameter that deploys empty.
        if seen.alarm_topics > 0 && t["Parameters"]["AlarmEmail"]["Default"] != "" {
            problems.push(format!(
                "{name}: alarms notify a topic but AlarmEmail is not a parameter defaulting to \"\""
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!("{} projects: {total:?}", dirs.len());
    assert_looked(&by_case, total);
}

#[test]
fn terraform_alarms_can_notify_and_async_failures_are_kept() {
    let root = tempfile::tempdir().unwrap();
    let (dirs, not_generated) = support::generate_cases(root.path(), "terraform", &cases());
    let mut problems = not_generated;
    let mut total = Seen::default();
    let mut by_case = BTreeMap::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let (p, seen) = tf_problems(&name, dir);
        problems.extend(p);
        total += seen;
        by_case.insert(name, seen);
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!("{} projects: {total:?}", dirs.len());
    assert_looked(&by_case, total);
}

/// The checks themselves catch each defect: the first event-driven template with the alarm's
/// topic statement, the failed-events destination and the rule's dead-letter queue taken out
/// fails for each.
#[test]
fn the_checks_fail_on_the_defects_they_guard() {
    let dir = tempfile::tempdir().unwrap();
    support::new_project("event-driven", "cloudformation", &["--force"], dir.path());
    let text = std::fs::read_to_string(dir.path().join("template.yaml")).unwrap();
    let t: Value = serde_saphyr::from_str(&text).unwrap();
    assert!(cfn_problems("event-driven", &t, true).0.is_empty());
    let resources = t["Resources"].as_object().unwrap();

    // Defect 1: the topic policy without the CloudWatch statement.
    let mut broken = t.clone();
    for (_, r) in broken["Resources"].as_object_mut().unwrap().iter_mut() {
        if r["Type"] == "AWS::SNS::TopicPolicy" {
            let st = r["Properties"]["PolicyDocument"]["Statement"]
                .as_array_mut()
                .unwrap();
            st.retain(|s| !has_str(&s["Principal"]["Service"], "cloudwatch.amazonaws.com"));
        }
    }
    let (p, _) = cfn_problems("broken", &broken, true);
    assert!(
        p.iter()
            .any(|p| p.contains("cloudwatch.amazonaws.com sns:Publish")),
        "{p:?}"
    );

    // Defect 6: no EventInvokeConfig, and a rule target with no dead-letter queue.
    let mut broken = t.clone();
    let map = broken["Resources"].as_object_mut().unwrap();
    let configs: Vec<String> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::EventInvokeConfig")
        .map(|(k, _)| k.clone())
        .collect();
    assert!(!configs.is_empty());
    for k in configs {
        map.remove(&k);
    }
    for (_, r) in map.iter_mut() {
        if r["Type"] == "AWS::Events::Rule"
            && let Some(targets) = r["Properties"]["Targets"].as_array_mut()
        {
            for target in targets {
                target.as_object_mut().unwrap().remove("DeadLetterConfig");
            }
        }
    }
    let (p, _) = cfn_problems("broken", &broken, true);
    assert!(
        p.iter().any(|p| p.contains("failed events are dropped")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|p| p.contains("has no dead-letter queue")),
        "{p:?}"
    );

    // The failed-events queue without its alarm, then with an alarm that notifies nobody.
    let alarm_ids: Vec<String> = resources
        .iter()
        .filter(|(k, r)| r["Type"] == "AWS::CloudWatch::Alarm" && k.contains("FailedEvents"))
        .map(|(k, _)| k.clone())
        .collect();
    assert!(!alarm_ids.is_empty());
    let mut broken = t.clone();
    for k in &alarm_ids {
        broken["Resources"].as_object_mut().unwrap().remove(k);
    }
    let (p, _) = cfn_problems("broken", &broken, true);
    assert!(
        p.iter().any(|p| p.contains("has no alarm on its depth")),
        "{p:?}"
    );
    let mut broken = t.clone();
    for k in &alarm_ids {
        let props = broken["Resources"][k.as_str()]["Properties"]
            .as_object_mut()
            .unwrap();
        props.remove("AlarmActions");
    }
    let (p, _) = cfn_problems("broken", &broken, true);
    assert!(p.iter().any(|p| p.contains("notifies no topic")), "{p:?}");

    // The same defects in the Terraform project.
    let tf = tempfile::tempdir().unwrap();
    support::new_project("event-driven", "terraform", &["--force"], tf.path());
    assert!(tf_problems("event-driven", tf.path()).0.is_empty());
    for file in ["messaging.tf", "compute.tf"] {
        let path = tf.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text
            .replace("\"sns:Publish\"", "\"sns:GetTopicAttributes\"")
            .replace(
                "\"aws_lambda_function_event_invoke_config\"",
                "\"aws_lambda_alias\"",
            );
        std::fs::write(&path, text).unwrap();
    }
    let (p, _) = tf_problems("broken", tf.path());
    assert!(
        p.iter()
            .any(|p| p.contains("cloudwatch.amazonaws.com sns:Publish")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|p| p.contains("failed events are dropped")),
        "{p:?}"
    );

    // The Terraform failed-events queue watched by no alarm.
    let tf = tempfile::tempdir().unwrap();
    support::new_project("event-driven", "terraform", &["--force"], tf.path());
    let path = tf.path().join("monitoring.tf");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("QueueName = aws_sqs_queue.audit_fn_failed_events.name"));
    std::fs::write(
        &path,
        text.replace("aws_sqs_queue.audit_fn_failed_events.name", "\"elsewhere\""),
    )
    .unwrap();
    let (p, _) = tf_problems("broken", tf.path());
    assert!(
        p.iter().any(|p| p.contains("has no alarm on its depth")),
        "{p:?}"
    );
}
