//! After `terraform apply` on the emulator: each deployed Lambda function's own code, called with
//! the events its incoming connections would send, against the resources that were just created.
//!
//! moto cannot run function code here (that needs Docker), so the test runs the handler itself:
//! the project's `src/<function>/` with the environment Terraform gave the function, the AWS SDK
//! pointed at the emulator (`AWS_ENDPOINT_URL`), Node.js with the SDK clients that the Lambda
//! runtime provides (`scripts/install-tools.sh` installs them), or the emulator's Python with
//! boto3. What the function does to the resources it is wired to is then read back from the
//! emulator: an API function behind a JWT authorizer keeps each caller's items apart, every other
//! function leaves what it handled in each table it writes to, as records in each Kinesis stream,
//! executions of each state machine and objects in each bucket it passes things on to, and a
//! queue consumer reports no failed message.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::Moto;
use crate::support;

/// Calls each handler in turn and writes what it returned (or threw) to the file named last.
const NODE_DRIVER: &str = r#"const fs = require("node:fs");
const [specFile, outFile] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specFile, "utf8"));
Object.assign(process.env, spec.env);
(async () => {
  const results = [];
  let handler;
  try {
    handler = require(spec.module)[spec.export];
  } catch (e) {
    results.push({ error: String((e && e.stack) || e) });
  }
  for (const call of handler ? spec.calls : []) {
    const context = { awsRequestId: "emulator-call", functionName: spec.name, getRemainingTimeInMillis: () => 30000 };
    try {
      results.push({ result: (await handler(call.event, context)) ?? null });
    } catch (e) {
      results.push({ error: String((e && e.stack) || e) });
    }
  }
  fs.writeFileSync(outFile, JSON.stringify(results));
})();
"#;

const PYTHON_DRIVER: &str = r#"import importlib.util, json, os, sys, traceback
spec_file, out_file = sys.argv[1:3]
spec = json.load(open(spec_file))
os.environ.update(spec["env"])
results = []
try:
    loader = importlib.util.spec_from_file_location("handler_module", spec["module"])
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    handler = getattr(module, spec["export"])
except Exception:
    results.append({"error": traceback.format_exc()})
    handler = None
class Context:
    aws_request_id = "emulator-call"
    function_name = spec["name"]
    def get_remaining_time_in_millis(self):
        return 30000
for call in spec["calls"] if handler else []:
    try:
        results.append({"result": handler(call["event"], Context())})
    except Exception:
        results.append({"error": traceback.format_exc()})
json.dump(results, open(out_file, "w"), default=str)
"#;

/// One call and what its answer must show.
struct Call {
    what: String,
    event: Value,
    expect: Expect,
}

enum Expect {
    /// Any answer that is not an exception.
    Returns,
    /// An HTTP API answer with one of these status codes; for a JSON body, a field to keep.
    Status(&'static [u64]),
    /// An SQS batch answer with no failed message.
    NoBatchFailures,
    /// An API Gateway Lambda authorizer's simple answer that lets the request through or not.
    Authorized(bool),
    /// The event itself, as a Cognito trigger returns it for Cognito to go on.
    Echo,
}

/// A deployed function: its state entry and the pattern's view of it.
struct Function {
    component: String,
    name: String,
    env: Value,
    runtime: String,
    handler: String,
}

const USER_A: &str = "emulator-user-a";
const USER_B: &str = "emulator-user-b";

fn api_event(method: &str, path: &str, user: Option<&str>, body: Option<Value>) -> Value {
    let mut context = json!({
        "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
        "requestId": format!("{method}-{path}"),
        "routeKey": "$default",
        "stage": "$default",
    });
    if let Some(user) = user {
        context["authorizer"] = json!({"jwt": {"claims": {"sub": user}, "scopes": null}});
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": context,
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false,
    })
}

/// What a function is called with, from the kinds of its connections; `None` when no known
/// service invokes it.
fn calls_for(
    pattern: &archpat::model::Pattern,
    component: &str,
    region: &str,
) -> Option<(Vec<Call>, Vec<String>)> {
    let mut calls = Vec::new();
    let mut tables = Vec::new();
    let mut invoked = false;
    let mut behind_alb = None;
    // An authorizer only answers; every other handler puts what it handles in the tables it may
    // write to (app/lambda.tera).
    let authorizer = is_authorizer(pattern, component);
    for e in pattern.edges() {
        let (from, to, kind) = (&e.from.kind, &e.to.kind, e.connection.kind.as_str());
        if e.from.id == component && to == "dynamodb-table" && kind.contains("write") && !authorizer
        {
            // A global table's replica has its source's name in every region, and the
            // function's calls go to the emulator's one region: what it wrote is in the source.
            let source = pattern
                .edges()
                .find(|r| r.to.id == e.to.id && r.connection.kind == "replicate")
                .map_or(&e.to.id, |r| &r.from.id);
            tables.push(source.clone());
        }
        if e.from.id == component && to == "sqs-queue" && kind == "consume" {
            invoked = true;
            let arn = format!("arn:aws:sqs:{region}:123456789012:{}", e.to.id);
            let body = json!({"detail-type": "OrderPlaced", "detail": {"orderId": "o-1"}});
            calls.push(Call {
                what: format!("an SQS batch from `{}`", e.to.id),
                event: json!({"Records": [{
                    "messageId": "m-1", "receiptHandle": "r-1", "body": body.to_string(),
                    "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
                    "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                    "eventSourceARN": arn, "awsRegion": region}]}),
                expect: Expect::NoBatchFailures,
            });
        }
        if e.from.id == component && to == "kinesis-stream" && kind == "consume" {
            use base64::Engine as _;
            invoked = true;
            let arn = format!("arn:aws:kinesis:{region}:123456789012:stream/{}", e.to.id);
            let data = json!({"orderId": "o-1", "amount": 10}).to_string();
            calls.push(Call {
                what: format!("a Kinesis batch from `{}`", e.to.id),
                event: json!({"Records": [{
                    "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "o-1",
                        "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                        "data": base64::engine::general_purpose::STANDARD.encode(data),
                        "approximateArrivalTimestamp": 1_700_000_000.0},
                    "eventSource": "aws:kinesis", "eventVersion": "1.0",
                    "eventID": "shardId-000000000000:49590338271490256608559692538361571095921575989136588898",
                    "eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::123456789012:role/emulator",
                    "awsRegion": region, "eventSourceARN": arn}]}),
                expect: Expect::NoBatchFailures,
            });
        }
        if e.to.id != component {
            continue;
        }
        match (from.as_str(), kind) {
            // A rule's target, or a bucket's notification (the projects deliver it through
            // EventBridge).
            ("eventbridge-rule" | "s3-bucket", "trigger") => {
                invoked = true;
                let (what, source, detail) = if from == "s3-bucket" {
                    (
                        format!("an Object Created event from `{}`", e.from.id),
                        ("aws.s3", "Object Created"),
                        json!({"bucket": {"name": e.from.id}, "object": {"key": "uploads/a.txt", "size": 3}}),
                    )
                } else {
                    (
                        format!("an event from rule `{}`", e.from.id),
                        ("emulator.orders", "OrderPlaced"),
                        json!({"orderId": "o-1", "amount": 10}),
                    )
                };
                calls.push(Call {
                    what,
                    event: eventbridge_event(region, source, detail),
                    expect: Expect::Returns,
                });
            }
            ("step-functions", "invoke") => {
                invoked = true;
                calls.push(Call {
                    what: format!("a task of `{}`", e.from.id),
                    event: json!({"orderId": "o-1", "amount": 10}),
                    expect: Expect::Returns,
                });
            }
            ("apigateway-http", "invoke") => invoked = true,
            // A function, task or instance that calls Lambda's Invoke API with its own payload.
            (_, "invoke") => {
                invoked = true;
                calls.push(Call {
                    what: format!("an invocation by `{}`", e.from.id),
                    event: json!({"orderId": "o-1", "amount": 10}),
                    expect: Expect::Returns,
                });
            }
            ("dynamodb-table", "trigger") => {
                invoked = true;
                let arn = format!(
                    "arn:aws:dynamodb:{region}:123456789012:table/{}/stream/2026-01-01T00:00:00.000",
                    e.from.id
                );
                calls.push(Call {
                    what: format!("a stream batch from `{}`", e.from.id),
                    event: json!({"Records": [{
                        "eventID": "c-1", "eventName": "INSERT", "eventVersion": "1.1",
                        "eventSource": "aws:dynamodb", "awsRegion": region, "eventSourceARN": arn,
                        "dynamodb": {"Keys": {"pk": {"S": "k-1"}},
                            "NewImage": {"pk": {"S": "k-1"}, "name": {"S": "first"}},
                            "SequenceNumber": "100", "SizeBytes": 26,
                            "StreamViewType": "NEW_AND_OLD_IMAGES"}}]}),
                    expect: Expect::NoBatchFailures,
                });
            }
            // Cognito waits for the trigger at the step the connection names and continues with
            // the event it returns.
            ("cognito-user-pool", "trigger") => {
                invoked = true;
                let source = e
                    .connection
                    .properties
                    .get("step")
                    .and_then(Value::as_str)
                    .and_then(cognito_trigger_source)
                    .unwrap_or("PreSignUp_SignUp");
                calls.push(Call {
                    what: format!("the {source} trigger of `{}`", e.from.id),
                    event: json!({"version": "1", "triggerSource": source, "region": region,
                        "userPoolId": format!("{region}_emulator"), "userName": "user-1",
                        "callerContext": {"awsSdkVersion": "emulator", "clientId": "c-1"},
                        "request": {"userAttributes": {"email": "someone@example.com"}},
                        "response": {}}),
                    expect: Expect::Echo,
                });
            }
            // A subscription filter's delivery: the matched log events, gzip and base64.
            ("cloudwatch-logs", "trigger") => {
                invoked = true;
                let data = json!({"messageType": "DATA_MESSAGE", "owner": "123456789012",
                    "logGroup": e.from.id, "logStream": "emulator", "subscriptionFilters": ["f-1"],
                    "logEvents": [
                        {"id": "1", "timestamp": 1_700_000_000_000_u64, "message": "first line"},
                        {"id": "2", "timestamp": 1_700_000_000_001_u64, "message": "second line"}]});
                calls.push(Call {
                    what: format!("log events from the subscription of `{}`", e.from.id),
                    event: json!({"awslogs": {"data": gzip_base64(data.to_string().as_bytes())}}),
                    expect: Expect::Returns,
                });
            }
            ("sns-topic", "subscribe") => {
                invoked = true;
                let topic = format!("arn:aws:sns:{region}:123456789012:{}", e.from.id);
                calls.push(Call {
                    what: format!("a notification from `{}`", e.from.id),
                    event: json!({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                        "EventSubscriptionArn": format!("{topic}:s-1"),
                        "Sns": {"Type": "Notification", "MessageId": "n-1", "TopicArn": topic,
                            "Subject": null, "Message": json!({"orderId": "o-1"}).to_string(),
                            "Timestamp": "2026-01-01T00:00:00.000Z", "MessageAttributes": {}}}]}),
                    expect: Expect::Returns,
                });
            }
            ("apigateway-http", "authorize") => {
                invoked = true;
                // The starter's verify() accepts no token until the user writes it (its code
                // says so): a request with one is refused, and so is one without.
                for (what, headers) in [
                    ("a request without a token", json!({})),
                    (
                        "a request with a bearer token",
                        json!({"authorization": "Bearer t-1"}),
                    ),
                ] {
                    calls.push(Call {
                        what: format!("the authorizer of `{}` with {what}", e.from.id),
                        event: json!({"version": "2.0", "type": "REQUEST",
                            "routeArn": format!("arn:aws:execute-api:{region}:123456789012:api-1/$default/GET/items"),
                            "identitySource": [], "routeKey": "GET /items", "rawPath": "/items",
                            "headers": headers,
                            "requestContext": {"requestId": "r-1", "http": {"method": "GET", "path": "/items"}}}),
                        expect: Expect::Authorized(false),
                    });
                }
            }
            ("alb", "route") => {
                invoked = true;
                behind_alb = Some(pattern.edges().any(|a| {
                    a.from.id == e.from.id
                        && a.connection.kind == "authorize"
                        && a.to.kind == "cognito-user-pool"
                }));
            }
            _ => {}
        }
    }
    let behind_api = pattern.edges().any(|e| {
        e.to.id == component && e.from.kind == "apigateway-http" && e.connection.kind == "invoke"
    });
    if behind_api {
        calls.extend(api_calls(!tables.is_empty()));
    }
    if let Some(signs_in) = behind_alb {
        calls.extend(alb_calls(signs_in, !tables.is_empty()));
    }
    // Nothing in the pattern invokes it (a producer): a direct invocation, as `aws lambda invoke`.
    // An alarm's `read` watches the function's metrics and invokes nothing.
    let invoked_by_anything = invoked
        || pattern
            .edges()
            .any(|e| e.to.id == component && e.connection.kind != "read");
    if !invoked_by_anything {
        calls.push(Call {
            what: "a direct invocation (nothing in the pattern invokes it)".into(),
            event: json!({}),
            expect: Expect::Returns,
        });
        invoked = true;
    }
    invoked.then_some((calls, tables))
}

/// The `triggerSource` Cognito sends at a step of the `trigger` connection (`step`).
fn cognito_trigger_source(step: &str) -> Option<&'static str> {
    Some(match step {
        "pre_sign_up" => "PreSignUp_SignUp",
        "custom_message" => "CustomMessage_SignUp",
        "post_confirmation" => "PostConfirmation_ConfirmSignUp",
        "pre_authentication" => "PreAuthentication_Authentication",
        "post_authentication" => "PostAuthentication_Authentication",
        "define_auth_challenge" => "DefineAuthChallenge_Authentication",
        "create_auth_challenge" => "CreateAuthChallenge_Authentication",
        "verify_auth_challenge_response" => "VerifyAuthChallengeResponse_Authentication",
        "pre_token_generation" => "TokenGeneration_Authentication",
        "user_migration" => "UserMigration_Authentication",
        _ => return None,
    })
}

/// Gzip, then base64: how CloudWatch Logs wraps what a subscription filter delivers.
fn gzip_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, bytes).unwrap();
    base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap())
}

/// An event as EventBridge delivers it to a target: `(source, detail-type)` and its detail.
fn eventbridge_event(region: &str, (source, detail_type): (&str, &str), detail: Value) -> Value {
    json!({"version": "0", "id": "e-1", "detail-type": detail_type, "source": source,
        "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": region,
        "resources": [], "detail": detail})
}

/// A request as an Application Load Balancer sends it to a Lambda target; `user` is the identity
/// the load balancer adds once its Cognito sign-in accepted the user.
fn alb_event(method: &str, path: &str, user: Option<&str>, body: Option<Value>) -> Value {
    let mut headers = json!({"content-type": "application/json", "user-agent": "emulator"});
    if let Some(user) = user {
        headers["x-amzn-oidc-identity"] = json!(user);
    }
    json!({
        "requestContext": {"elb": {"targetGroupArn":
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/emulator/0123456789abcdef"}},
        "httpMethod": method,
        "path": path,
        "queryStringParameters": {},
        "headers": headers,
        "body": body.map(|b| b.to_string()).unwrap_or_default(),
        "isBase64Encoded": false,
    })
}

/// A function behind a load balancer: the health check answers below 500 (what a failover
/// record's target health needs); with a table, items are written and listed, as the signed-in
/// user when the load balancer signs users in.
fn alb_calls(signs_in: bool, with_table: bool) -> Vec<Call> {
    let user = signs_in.then_some(USER_A);
    let mut calls = vec![Call {
        what: "the load balancer's health check (GET /)".into(),
        event: alb_event("GET", "/", None, None),
        expect: Expect::Status(&[200, 204, 401, 404]),
    }];
    if !with_table {
        return calls;
    }
    if signs_in {
        calls.push(Call {
            what: "POST /items through the load balancer without a signed-in user".into(),
            event: alb_event("POST", "/items", None, Some(json!({"name": "anonymous"}))),
            expect: Expect::Status(&[401, 403]),
        });
    }
    calls.push(Call {
        what: "POST /items through the load balancer".into(),
        event: alb_event("POST", "/items", user, Some(json!({"name": "first"}))),
        expect: Expect::Status(&[200, 201]),
    });
    calls.push(Call {
        what: "GET /items through the load balancer".into(),
        event: alb_event("GET", "/items", user, None),
        expect: Expect::Status(&[200]),
    });
    calls
}

/// An API function: with a table, its items are the caller's own; without, it answers.
fn api_calls(with_table: bool) -> Vec<Call> {
    if !with_table {
        return vec![Call {
            what: "GET / as a signed-in user".into(),
            event: api_event("GET", "/", Some(USER_A), None),
            expect: Expect::Status(&[200, 204, 404]),
        }];
    }
    vec![
        Call {
            what: "POST /items without a signed-in user".into(),
            event: api_event("POST", "/items", None, Some(json!({"name": "anonymous"}))),
            expect: Expect::Status(&[401, 403]),
        },
        Call {
            what: "POST /items as user A".into(),
            event: api_event(
                "POST",
                "/items",
                Some(USER_A),
                Some(json!({"name": "first"})),
            ),
            expect: Expect::Status(&[200, 201]),
        },
        Call {
            what: "GET /items as user A".into(),
            event: api_event("GET", "/items", Some(USER_A), None),
            expect: Expect::Status(&[200]),
        },
        Call {
            what: "GET /items as user B".into(),
            event: api_event("GET", "/items", Some(USER_B), None),
            expect: Expect::Status(&[200]),
        },
    ]
}

/// The deployed functions, from the state (as `terraform show -json` prints it).
fn functions(state: &Value) -> Vec<Function> {
    let mut out = Vec::new();
    let mut modules = vec![&state["values"]["root_module"]];
    while let Some(m) = modules.pop() {
        modules.extend(m["child_modules"].as_array().into_iter().flatten());
        for r in m["resources"].as_array().into_iter().flatten() {
            if r["type"] != "aws_lambda_function" || r["mode"] != "managed" {
                continue;
            }
            let v = &r["values"];
            out.push(Function {
                component: r["name"].as_str().unwrap_or("").to_string(),
                name: v["function_name"].as_str().unwrap_or("").to_string(),
                env: v["environment"][0]["variables"].clone(),
                runtime: v["runtime"].as_str().unwrap_or("").to_string(),
                handler: v["handler"].as_str().unwrap_or("index.handler").to_string(),
            });
        }
    }
    out.sort_by(|a, b| a.component.cmp(&b.component));
    out
}

/// Runs the calls of one function; its results in order, or why it could not run.
fn run(dir: &Path, f: &Function, calls: &[Call], moto: &Moto) -> Result<Vec<Value>, String> {
    let (file, export) = f.handler.rsplit_once('.').unwrap_or(("index", "handler"));
    let src = dir.join("src").join(&f.component);
    let python = f.runtime.starts_with("python");
    let module = src.join(format!("{file}.{}", if python { "py" } else { "js" }));
    if !module.is_file() {
        return Err(format!("the handler `{}` is missing", module.display()));
    }
    let mut env = f.env.as_object().cloned().unwrap_or_default();
    for (k, v) in [
        ("AWS_ENDPOINT_URL", moto.url()),
        ("AWS_REGION", super::REGION.to_string()),
        ("AWS_DEFAULT_REGION", super::REGION.to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", f.name.clone()),
    ] {
        env.insert(k.to_string(), Value::String(v));
    }
    let spec = json!({
        "module": module, "export": export, "name": f.name, "env": env,
        "calls": calls.iter().map(|c| json!({"event": c.event})).collect::<Vec<_>>(),
    });
    let work = tempfile::tempdir().unwrap();
    let spec_file = work.path().join("spec.json");
    let out_file = work.path().join("results.json");
    std::fs::write(&spec_file, spec.to_string()).unwrap();
    let mut cmd = if python {
        let driver = work.path().join("driver.py");
        std::fs::write(&driver, PYTHON_DRIVER).unwrap();
        let mut c = Command::new(support::tool("moto-venv/bin/python"));
        c.arg(driver);
        c
    } else {
        let driver = work.path().join("driver.js");
        std::fs::write(&driver, NODE_DRIVER).unwrap();
        let mut c = Command::new("node");
        c.arg(driver).env(
            "NODE_PATH",
            support::tools_dir().join("aws-sdk/node_modules"),
        );
        c
    };
    let log_before = std::fs::metadata(&moto.log).map(|m| m.len()).unwrap_or(0);
    let out = cmd
        .arg(&spec_file)
        .arg(&out_file)
        .current_dir(&src)
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("the handler's runtime starts");
    let text = std::fs::read_to_string(&out_file).map_err(|_| {
        format!(
            "the handler wrote no results ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })?;
    let mut answers: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
    // An internal error of the emulator reaches the handler as an unreadable answer: the
    // emulator's own exception, from its log, says which API it lacks (tests/emulator-gaps.yaml).
    if answers.iter().any(|a| a.get("error").is_some()) {
        let log = std::fs::read(&moto.log).unwrap_or_default();
        let new = String::from_utf8_lossy(log.get(log_before as usize..).unwrap_or(&[]));
        let exception = regex::Regex::new(r"(?m)^[A-Za-z.]*(Error|Exception): .*$").unwrap();
        // A refusal leaves no exception, only its request line: `"PUT /bucket/key?… HTTP/1.1" 403`.
        let refused =
            regex::Regex::new(r#""(?:\x1b\[[0-9;]*m)*([A-Z]+ /[^ ?]*)[^"]*" 403"#).unwrap();
        let why = exception
            .find_iter(&new)
            .last()
            .map(|m| m.as_str().to_string())
            .or_else(|| {
                refused
                    .captures_iter(&new)
                    .last()
                    .map(|c| format!("403 on {}", &c[1]))
            });
        if let Some(why) = why {
            for a in answers.iter_mut() {
                if let Some(Value::String(e)) = a.get_mut("error") {
                    e.insert_str(0, &format!("(emulator: {why}) "));
                }
            }
        }
    }
    Ok(answers)
}

/// Items in a table on the emulator (DynamoDB's JSON protocol; moto does not check signatures).
fn scan(moto: &Moto, table: &str) -> Result<Vec<Value>, String> {
    let (status, answer) = moto
        .aws_json(
            "dynamodb",
            "1.0",
            "DynamoDB_20120810.Scan",
            &json!({"TableName": table}),
        )
        .map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(answer.trim()).map_err(|e| format!("{e}: {answer}"))?;
    if status != 200 {
        return Err(format!("{status} {answer}"));
    }
    Ok(v["Items"].as_array().cloned().unwrap_or_default())
}

/// Whether a function is an authorizer (app/lambda.tera's role), which only answers: it writes
/// and passes on nothing.
fn is_authorizer(pattern: &archpat::model::Pattern, component: &str) -> bool {
    pattern
        .edges()
        .any(|a| a.to.id == component && a.connection.kind == "authorize")
}

/// The other targets a function passes what it handles on to, whose contents the emulator can
/// list (app/lambda.tera's `forward`, the calls of macros/function.tera): (target kind, id).
/// An authorizer only answers. A bucket is not read back: moto denies every object call on a
/// TLS-only bucket (tests/emulator-gaps.yaml), so the function's `PutObject` is reported there.
fn forward_targets(pattern: &archpat::model::Pattern, component: &str) -> Vec<(String, String)> {
    if is_authorizer(pattern, component) {
        return Vec::new();
    }
    pattern
        .edges()
        .filter(|e| e.from.id == component)
        .filter(|e| {
            matches!(
                (e.to.kind.as_str(), e.connection.kind.as_str()),
                ("kinesis-stream", "ingest" | "write") | ("step-functions", "invoke")
            )
        })
        .map(|e| (e.to.kind.clone(), e.to.id.clone()))
        .collect()
}

/// An attribute of the resource of this type Terraform made for a component, from the state.
fn state_value(state: &Value, ty: &str, component: &str, attr: &str) -> Option<String> {
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|r| r["type"] == ty && r["name"] == component && r["mode"] == "managed")
        .and_then(|r| r["values"][attr].as_str().map(str::to_string))
}

/// How many things a function's calls left in a target: the records of a Kinesis stream, the
/// executions of a state machine.
fn count_forwarded(moto: &Moto, state: &Value, kind: &str, target: &str) -> Result<usize, String> {
    let tf = target.replace('-', "_");
    let missing = || format!("`{target}` is not in the state");
    let json_call = |service: &str, version: &str, op: &str, body: Value| {
        let (status, answer) = moto
            .aws_json(service, version, op, &body)
            .map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("{op}: {status} {answer}"));
        }
        serde_json::from_str::<Value>(answer.trim()).map_err(|e| format!("{op}: {e}: {answer}"))
    };
    match kind {
        "kinesis-stream" => {
            let name = state_value(state, "aws_kinesis_stream", &tf, "name").ok_or_else(missing)?;
            let shards = json_call(
                "kinesis",
                "1.1",
                "Kinesis_20131202.ListShards",
                json!({"StreamName": name}),
            )?;
            let mut records = 0;
            for shard in shards["Shards"].as_array().into_iter().flatten() {
                let iterator = json_call(
                    "kinesis",
                    "1.1",
                    "Kinesis_20131202.GetShardIterator",
                    json!({"StreamName": name, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"}),
                )?;
                let got = json_call(
                    "kinesis",
                    "1.1",
                    "Kinesis_20131202.GetRecords",
                    json!({"ShardIterator": iterator["ShardIterator"]}),
                )?;
                records += got["Records"].as_array().map_or(0, Vec::len);
            }
            Ok(records)
        }
        "step-functions" => {
            let arn =
                state_value(state, "aws_sfn_state_machine", &tf, "arn").ok_or_else(missing)?;
            let got = json_call(
                "states",
                "1.0",
                "AWSStepFunctions.ListExecutions",
                json!({"stateMachineArn": arn}),
            )?;
            Ok(got["executions"].as_array().map_or(0, Vec::len))
        }
        other => Err(format!("no way to list a `{other}`")),
    }
}

/// Checks one answer; the defect, if any.
fn judge(call: &Call, answer: &Value) -> Option<String> {
    if let Some(e) = answer.get("error") {
        let first: String = e
            .as_str()
            .unwrap_or("")
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ");
        return Some(format!("{}: threw {first}", call.what));
    }
    let result = &answer["result"];
    match call.expect {
        Expect::Returns => None,
        Expect::Echo => (*result != call.event).then(|| {
            format!(
                "{}: answered {result}, not the event it was given",
                call.what
            )
        }),
        Expect::Authorized(want) => (result["isAuthorized"].as_bool() != Some(want))
            .then(|| format!("{}: answered {result}, not isAuthorized: {want}", call.what)),
        Expect::NoBatchFailures => {
            let failed = result["batchItemFailures"]
                .as_array()
                .is_some_and(|f| !f.is_empty());
            failed.then(|| format!("{}: reported failed messages: {result}", call.what))
        }
        Expect::Status(codes) => {
            let status = result["statusCode"].as_u64().unwrap_or(0);
            (!codes.contains(&status)).then(|| {
                format!(
                    "{}: answered {status} (expected {codes:?}): {}",
                    call.what, result["body"]
                )
            })
        }
    }
}

/// Items a caller sees in a list answer: the body's array, or its `items`.
fn listed(answer: &Value) -> Vec<Value> {
    let body: Value = answer["result"]["body"]
        .as_str()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    body.as_array()
        .or_else(|| body["items"].as_array())
        .cloned()
        .unwrap_or_default()
}

/// Calls every deployed function of `pattern` and reads back what it did; (defects, what was
/// checked).
pub fn check(pattern: &str, dir: &Path, state: &Value, moto: &Moto) -> (Vec<String>, Vec<String>) {
    let model = archpat::library::Library::default()
        .load(pattern)
        .expect("the pattern loads")
        .resolve(&[])
        .expect("the pattern resolves");
    let mut defects = Vec::new();
    let mut checked = Vec::new();
    for f in functions(state) {
        let Some(component) = model
            .components()
            .find(|c| c.id.replace('-', "_") == f.component)
        else {
            defects.push(format!(
                "function `{}` is no component of the pattern",
                f.name
            ));
            continue;
        };
        let Some((calls, tables)) = calls_for(&model, &component.id, super::REGION) else {
            defects.push(format!(
                "test harness: no event is known for what invokes `{}`; add one to emulator/calls.rs",
                component.id
            ));
            continue;
        };
        let answers = match run(dir, &f, &calls, moto) {
            Ok(a) => a,
            Err(e) => {
                defects.push(format!("{}: {e}", component.id));
                continue;
            }
        };
        if answers.len() != calls.len() {
            defects.push(format!(
                "{}: {} answers to {} calls: {answers:?}",
                component.id,
                answers.len(),
                calls.len()
            ));
            continue;
        }
        // A call that threw is reported (a defect, or an emulator gap); what it did not pass on
        // is then not looked for.
        let threw = answers.iter().any(|a| a.get("error").is_some());
        for (call, answer) in calls.iter().zip(&answers) {
            match judge(call, answer) {
                Some(d) => defects.push(format!("{}: {d}", component.id)),
                None => checked.push(format!("{}: {}", component.id, call.what)),
            }
        }
        // An API over a table: A's list has A's item, B's list is empty, and the table holds one
        // item keyed by A.
        let api = calls.iter().any(|c| c.what.starts_with("POST /items as"));
        if api {
            let (a, b) = (listed(&answers[2]), listed(&answers[3]));
            if a.len() != 1 || !b.is_empty() {
                defects.push(format!(
                    "{}: user A lists {} items and user B {} after A added one (expected 1 and 0)",
                    component.id,
                    a.len(),
                    b.len()
                ));
            } else {
                checked.push(format!(
                    "{}: callers see only their own items",
                    component.id
                ));
            }
        }
        for table in &tables {
            let Some(name) = state_value(
                state,
                "aws_dynamodb_table",
                &table.replace('-', "_"),
                "name",
            ) else {
                defects.push(format!(
                    "{}: table `{table}` is not in the state",
                    component.id
                ));
                continue;
            };
            match scan(moto, &name) {
                Ok(items) if api => {
                    let owned = items.len() == 1 && items[0].to_string().contains(USER_A);
                    if owned {
                        checked.push(format!("{}: the item is stored under user A", component.id));
                    } else {
                        defects.push(format!(
                            "{}: table `{name}` holds {items:?} (expected one item keyed by user A)",
                            component.id
                        ));
                    }
                }
                // Every other role writes each event it handles to each table it may write to.
                Ok(items) if items.is_empty() && !threw => defects.push(format!(
                    "{}: table `{name}` is empty after the calls (each handled event is put there)",
                    component.id
                )),
                Ok(items) if items.is_empty() => {}
                Ok(items) => checked.push(format!(
                    "{}: {} item(s) put in `{table}`",
                    component.id,
                    items.len()
                )),
                Err(e) => defects.push(format!("{}: scanning `{name}`: {e}", component.id)),
            }
        }
        let passed_on = if threw {
            Vec::new()
        } else {
            forward_targets(&model, &component.id)
        };
        for (kind, target) in passed_on {
            match count_forwarded(moto, state, &kind, &target) {
                Ok(0) => defects.push(format!(
                    "{}: nothing reached `{target}` after the calls (each handled event is passed on there)",
                    component.id
                )),
                Ok(n) => checked.push(format!("{}: {n} passed on to `{target}`", component.id)),
                Err(e) => defects.push(format!("{}: reading `{target}`: {e}", component.id)),
            }
        }
    }
    (defects, checked)
}
