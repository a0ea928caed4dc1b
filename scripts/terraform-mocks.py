#!/usr/bin/env python3
"""Writes templates/terraform/meta/mocks.yaml: the values the generated projects' offline plan
gate (`terraform test` with `mock_provider "aws"`) gives the AWS provider's computed attributes.

Terraform's mocks fill computed attributes with random strings, and the provider then refuses
them where it validates a shape (an ARN, an account id, a zone list). For every resource and
data source type the Terraform templates use, this gives each computed string attribute named
`arn` or `*_arn` an ARN of that type's service, plus the few data-source values a project reads.

Run it after adding a resource type to the templates:
    terraform providers schema -json > /tmp/schema.json   # in any initialised generated project
    python3 scripts/terraform-mocks.py /tmp/schema.json
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "terraform"
OUT = TEMPLATES / "meta" / "mocks.yaml"
ACCOUNT = "123456789012"
REGION = "us-east-1"

# Type prefix -> ARN service where the type's name does not say it; global services have no region.
SERVICE = {
    "apigatewayv2": "apigateway", "cloudwatch_log": "logs", "cloudwatch_metric": "cloudwatch",
    "cloudwatch_event": "events", "cloudwatch": "cloudwatch", "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing", "db": "rds", "rds": "rds", "sfn": "states",
    "cognito": "cognito-idp", "kinesis_firehose": "firehose", "wafv2": "wafv2",
    "service_discovery": "servicediscovery", "secretsmanager": "secretsmanager",
    "ecr": "ecr", "ecs": "ecs", "eks": "eks", "glue": "glue", "athena": "athena",
    "autoscaling": "autoscaling", "appautoscaling": "application-autoscaling",
    "launch": "ec2", "vpc": "ec2", "subnet": "ec2", "security": "ec2", "nat": "ec2",
    "internet": "ec2", "route": "ec2", "eip": "ec2", "flow": "ec2", "network": "ec2",
    "default": "ec2", "ec2": "ec2", "instance": "ec2", "ssm": "ssm", "sns": "sns", "sqs": "sqs",
    "s3": "s3", "dynamodb": "dynamodb", "kms": "kms", "lambda": "lambda", "iam": "iam",
    "cloudfront": "cloudfront", "acm": "acm", "elb": "elasticloadbalancing", "pipes": "pipes",
    "scheduler": "scheduler", "xray": "xray",
}
GLOBAL = {"iam", "cloudfront", "s3"}

DATA = {
    "aws_caller_identity": {"account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/mock"},
    "aws_partition": {"partition": "aws", "dns_suffix": "amazonaws.com"},
    "aws_region": {"name": REGION, "region": REGION},
    "aws_availability_zones": {"names": [f"{REGION}a", f"{REGION}b", f"{REGION}c"]},
}


def service(tf_type):
    name = tf_type.removeprefix("aws_")
    for prefix in sorted(SERVICE, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "_"):
            return SERVICE[prefix]
    return name.split("_")[0]


def arn(tf_type, attr):
    if attr.endswith("role_arn"):
        return f"arn:aws:iam::{ACCOUNT}:role/mock"
    svc = service(tf_type)
    region = "" if svc in GLOBAL else REGION
    account = "" if svc == "s3" else ACCOUNT
    resource = tf_type.removeprefix("aws_").replace("_", "-")
    if attr != "arn":
        resource += "-" + attr.removesuffix("_arn").replace("_", "-")
    return f"arn:aws:{svc}:{region}:{account}:{resource}/mock"


# Ids the provider checks the shape of where another resource refers to them.
IDS = {
    "aws_launch_template": "lt-0123456789abcdef0",
    "aws_security_group": "sg-0123456789abcdef0",
    "aws_vpc": "vpc-0123456789abcdef0",
    "aws_subnet": "subnet-0123456789abcdef0",
}


# Names the provider checks the shape of where another resource refers to them (an RDS proxy's
# target names its database), for resources that take a name prefix and so leave them computed.
NAMES = {
    "aws_db_instance": {"identifier": "mock-db"},
    "aws_rds_cluster": {"cluster_identifier": "mock-cluster"},
}


# Computed sets of objects a template reads the one element of (a single-name certificate's
# validation record, through `one(...)`): that element, in the shape the provider returns.
ONE_ELEMENT = {
    "aws_acm_certificate": {"domain_validation_options": [{
        "domain_name": "example.com", "resource_record_name": "_0.example.com.",
        "resource_record_type": "CNAME", "resource_record_value": "_0.acm-validations.aws."}]},
}


def is_arn(attr):
    return attr == "arn" or attr.endswith("_arn")


def arn_defaults(tf_type, block):
    out = {}
    if tf_type in IDS:
        out["id"] = IDS[tf_type]
    out.update(NAMES.get(tf_type, {}))
    out.update(ONE_ELEMENT.get(tf_type, {}))
    for attr, spec in sorted(block.get("attributes", {}).items()):
        kind = spec.get("type")
        if not spec.get("computed"):
            continue
        if kind == "string" and is_arn(attr):
            out[attr] = arn(tf_type, attr)
        # A computed-only list of objects with ARNs (an RDS-managed master secret): one element,
        # so that `[0].secret_arn` has something to index.
        elif (not spec.get("optional") and isinstance(kind, list) and kind[0] == "list"
              and isinstance(kind[1], list) and kind[1][0] == "object"
              and any(is_arn(f) for f in kind[1][1])):
            out[attr] = [{f: arn(tf_type, f) if is_arn(f) else "mock"
                          for f, t in sorted(kind[1][1].items()) if t == "string"}]
    return out


def used_types(kind):
    found = set()
    pattern = re.compile(r'^\s*' + kind + r' "(aws_[a-z0-9_]+)"', re.M)
    for path in TEMPLATES.rglob("*.tera"):
        found.update(pattern.findall(path.read_text()))
    return sorted(found)


def yaml_value(v):
    # JSON is YAML: one line per attribute, whatever its shape.
    return json.dumps(v)


def main():
    schema = json.loads(pathlib.Path(sys.argv[1]).read_text())
    aws = next(v for k, v in schema["provider_schemas"].items() if k.endswith("hashicorp/aws"))
    lines = [
        "# Generated by scripts/terraform-mocks.py from the AWS provider's schema: values for the",
        "# computed attributes the provider validates, used by the offline plan gate",
        "# (tests/plan.tftest.hcl in a generated project). Type -> attribute -> value.",
    ]
    # Provider aliases the templates use (`provider = aws.<alias>`): each gets the same mocks.
    aliases = sorted({a for path in TEMPLATES.rglob("*.tera")
                      for a in re.findall(r"provider\s*=\s*aws\.([a-z0-9_]+)", path.read_text())})
    lines.append("aliases: [" + ", ".join(aliases) + "]")
    for section, kind, key in (("resources", "resource", "resource_schemas"),
                               ("data", "data", "data_source_schemas")):
        lines.append(f"{section}:")
        plain = []
        for t in used_types(kind):
            block = aws[key].get(t, {}).get("block", {})
            values = arn_defaults(t, block)
            values.update(DATA.get(t, {}) if kind == "data" else {})
            if not values:
                plain.append(t)
                continue
            lines.append(f"  {t}:")
            lines.extend(f"    {a}: {yaml_value(v)}" for a, v in sorted(values.items()))
        # The types with nothing to mock, so that a test can tell a new type from a plain one.
        lines.append(f"unmocked_{section}: [" + ", ".join(plain) + "]")
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
